-- Pre-aggregated figures of the upper committee's table (issue 18 item 5).
--
-- An open case's earliest open deadline, as the rule packs compute it
-- (service::cases::next_due: the procedure and parameters of the packs in
-- force on the opening day and on each deadline's anchor, working days by
-- the packs' calendar, extensions granted). Kept with every write of the
-- case in the same transaction; NULL once closed or while no deadline runs.
-- It does not move with the reading day: a case is late when the day is
-- after it. Filled at start-up (it needs the rule packs), and refilled when
-- the packs in force change (kept_basis below).
ALTER TABLE case_file ADD COLUMN due_on DATE;

-- Per cell, its open listed cases (discipline cases are shown only to those
-- handling them) by earliest deadline: the table's "hồ sơ quá hạn" sums the
-- rows before the reading day, a few rows a cell instead of every case.
-- Recounted from case_file for the case's cell with every write of due_on.
CREATE TABLE case_due_count (
    cell_id BIGINT NOT NULL REFERENCES org_unit(id),
    due_on DATE NOT NULL,
    cases BIGINT NOT NULL CHECK (cases > 0),
    PRIMARY KEY (cell_id, due_on)
);

-- What a kept figure was computed with: the fingerprint of the rule packs
-- for case_file.due_on. A start-up that finds other packs recomputes them.
CREATE TABLE kept_basis (
    name TEXT PRIMARY KEY CHECK (name IN ('case_due')),
    fingerprint TEXT NOT NULL,
    kept_at TIMESTAMPTZ NOT NULL
);

-- A cell's last regular meeting held before a day, by one index lookup a
-- cell instead of reading the cell's whole history of meetings.
CREATE INDEX meeting_regular ON meeting(cell_id, starts_at)
    WHERE status = 'closed' AND kind IN ('thuong_ky', 'ket_hop');
