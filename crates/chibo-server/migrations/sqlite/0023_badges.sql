-- Party badges (Huy hiệu Đảng, issue 14): a proposal is a case (case_file,
-- kind huy_hieu) with the milestone and the ceremony it is for; an award is
-- recorded on the member when the badge is presented (the case's last step).

-- The milestone (years of party age, from the pack) and the ceremony day a
-- proposal is for, fixed when the cell proposes it.
CREATE TABLE badge_case (
    case_id INTEGER PRIMARY KEY REFERENCES case_file(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    milestone INTEGER NOT NULL CHECK (milestone > 0),
    ceremony_on TEXT NOT NULL,
    -- Awarded before the milestone is reached (serious illness, posthumous).
    early INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX badge_case_member ON badge_case(member_id);

-- A badge a member received: one per milestone.
CREATE TABLE badge_award (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    milestone INTEGER NOT NULL CHECK (milestone > 0),
    awarded_on TEXT NOT NULL,
    case_id INTEGER REFERENCES case_file(id),
    -- The number of the competent committee's decision.
    decision_no TEXT,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (member_id, milestone)
);
