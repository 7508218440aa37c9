-- The annual evaluation (issue 16, QĐ 366-QĐ/TW, HD 43-HD/BTCTW): a round
-- opened by an upper committee for a year (or a quarter) with its two
-- deadlines; in it, one evaluation per member of each cell under the
-- committee, each on its case (danh_gia_dang_vien) unless the member is
-- exempt (not rated). The case's steps are the procedure's record; this row
-- keeps what the steps decide: the self-review, the tier the cell proposed
-- and the one the upper committee decided.
CREATE TABLE evaluation_round (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES org_unit(id),
    year INTEGER NOT NULL,
    period TEXT NOT NULL CHECK (period IN ('nam', 'quy_1', 'quy_2', 'quy_3', 'quy_4')),
    self_review_due TEXT NOT NULL,
    round_due TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (unit_id, year, period)
);

CREATE TABLE evaluation (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES evaluation_round(id),
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    -- NULL for an exempt member: not rated, no case.
    case_id INTEGER UNIQUE REFERENCES case_file(id),
    exempt INTEGER NOT NULL DEFAULT 0,
    -- The individual form the pack assigns (e.g. 2C-HD KĐ.ĐG).
    form TEXT NOT NULL,
    -- The self-review: points per criterion ({code: points}), their total,
    -- the tier the member gives themselves, the tasks they say exceeded the
    -- requirement, the evidence from chibo's records as shown to them.
    scores TEXT NOT NULL DEFAULT '{}',
    self_points INTEGER CHECK (self_points IS NULL OR (self_points >= 0 AND self_points <= 100)),
    self_tier TEXT CHECK (self_tier IS NULL OR self_tier IN ('htxs', 'htt', 'ht', 'kht')),
    self_text TEXT,
    tasks_exceeding INTEGER NOT NULL DEFAULT 0 CHECK (tasks_exceeding >= 0),
    evidence TEXT NOT NULL DEFAULT '{}',
    submitted_on TEXT,
    -- The committee's recorded permission to submit after the deadline.
    late_permission TEXT,
    -- The cell's meeting: opinions, the tier proposed and the vote on it.
    opinions TEXT,
    proposed_tier TEXT CHECK (proposed_tier IS NULL OR proposed_tier IN ('htxs', 'htt', 'ht', 'kht')),
    vote_id INTEGER UNIQUE REFERENCES vote(id),
    -- The upper committee's decision; the reason when it changed the proposal.
    final_tier TEXT CHECK (final_tier IS NULL OR final_tier IN ('htxs', 'htt', 'ht', 'kht')),
    final_reason TEXT,
    decided_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (round_id, member_id)
);
CREATE INDEX evaluation_cell ON evaluation(cell_id, round_id);
CREATE INDEX evaluation_member ON evaluation(member_id);
