-- The cell's own evaluation (issue 16, QĐ 366-QĐ/TW Art. 11, HD 43-HD/BTCTW
-- form 01-HD KĐ.ĐG): in each evaluation round, one rating per cell on its
-- case (danh_gia_chi_bo): the collective self-review with the figures of
-- chibo's records it was written from, the tier the cell's conference
-- voted to propose, and the upper committee's decision.
--
-- A cell's case has no person: relax case_file's subject check for that
-- kind. Relaxing a CHECK leaves every stored row valid, so SQLite's
-- documented in-place schema edit applies ("ALTER TABLE", section 7: change
-- the table's SQL text; RESET reloads the schema, the CREATE TABLE below
-- bumps schema_version for the other connections); rebuilding the table
-- would break the foreign keys of the tables that reference it.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(sql,
    'CHECK (candidate_id IS NOT NULL OR member_id IS NOT NULL)',
    'CHECK (candidate_id IS NOT NULL OR member_id IS NOT NULL OR kind = ''danh_gia_chi_bo'')')
WHERE type = 'table' AND name = 'case_file';
PRAGMA writable_schema = RESET;

CREATE TABLE cell_evaluation (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES evaluation_round(id),
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    case_id INTEGER NOT NULL UNIQUE REFERENCES case_file(id),
    -- The collective self-review (form 01): the points on the 100-point
    -- frame, the tasks the cell says exceeded the requirement, the tier it
    -- gives itself, its report, and the figures of chibo's records as they
    -- stood when it was submitted (JSON).
    self_points INTEGER CHECK (self_points IS NULL OR (self_points >= 0 AND self_points <= 100)),
    tasks_exceeding INTEGER NOT NULL DEFAULT 0 CHECK (tasks_exceeding >= 0),
    self_tier TEXT CHECK (self_tier IS NULL OR self_tier IN ('htxs', 'htt', 'ht', 'kht')),
    report TEXT,
    figures TEXT NOT NULL DEFAULT '{}',
    submitted_on TEXT,
    -- The cell's conference: opinions, the tier proposed and its vote.
    opinions TEXT,
    proposed_tier TEXT CHECK (proposed_tier IS NULL OR proposed_tier IN ('htxs', 'htt', 'ht', 'kht')),
    vote_id INTEGER UNIQUE REFERENCES vote(id),
    -- The upper committee's decision; the reason when it changed the proposal.
    final_tier TEXT CHECK (final_tier IS NULL OR final_tier IN ('htxs', 'htt', 'ht', 'kht')),
    final_reason TEXT,
    decided_on TEXT,
    announced_on TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (round_id, cell_id),
    CHECK (final_tier IS NULL OR proposed_tier IS NOT NULL),
    CHECK (proposed_tier IS NULL OR submitted_on IS NOT NULL)
);
CREATE INDEX cell_evaluation_cell ON cell_evaluation(cell_id, round_id);
