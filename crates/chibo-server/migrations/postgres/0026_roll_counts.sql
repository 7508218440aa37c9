-- The roll-call counts of each meeting (issue 18 item 5), kept beside its
-- attendance rows in the same transaction as every write to them, so the
-- upper committee's table and the roll-up sum one row a meeting instead of
-- reading every member's mark. A meeting has a row once its roll is drawn
-- up. Filled here from the rows already recorded, so an upgraded instance
-- reads correct figures at once.
CREATE TABLE meeting_roll_count (
    meeting_id BIGINT PRIMARY KEY REFERENCES meeting(id),
    -- Members marked on the roll (any presence), and each presence.
    marked BIGINT NOT NULL DEFAULT 0 CHECK (marked >= 0),
    present BIGINT NOT NULL DEFAULT 0 CHECK (present >= 0),
    excused BIGINT NOT NULL DEFAULT 0 CHECK (excused >= 0),
    unexcused BIGINT NOT NULL DEFAULT 0 CHECK (unexcused >= 0),
    CHECK (present + excused + unexcused <= marked)
);

INSERT INTO meeting_roll_count (meeting_id, marked, present, excused, unexcused)
SELECT meeting_id, COUNT(presence),
       COALESCE(SUM(CASE WHEN presence = 'co_mat' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN presence = 'vang_co_ly_do' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN presence = 'vang_khong_ly_do' THEN 1 ELSE 0 END), 0)
FROM attendance GROUP BY meeting_id;
