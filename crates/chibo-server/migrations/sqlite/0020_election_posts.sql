-- Elections end to end (issue 15): the candidate list behind a strike-out
-- ballot (who, how nominated, withdrawn) and the post the elected take, so
-- the result is recorded as the cell's new committee (committee_role). The
-- counting committee's open vote (show of hands) is the meeting's vote row.
CREATE TABLE sv_election (
    sv_id INTEGER PRIMARY KEY REFERENCES sv(id),
    post TEXT NOT NULL CHECK (post IN ('chi_uy_vien', 'bi_thu', 'pho_bi_thu')),
    -- The term the elected serve from the meeting's day (the pack's cell_term_months).
    term_months INTEGER NOT NULL CHECK (term_months > 0),
    -- Set once the elected were recorded as the cell's committee.
    recorded_at TEXT
);

-- The candidate list in ballot order; withdrawn candidates keep their line
-- (and are not on the ballot).
CREATE TABLE sv_candidate (
    sv_id INTEGER NOT NULL REFERENCES sv(id),
    pos INTEGER NOT NULL CHECK (pos >= 0),
    member_id INTEGER NOT NULL REFERENCES member(id),
    nomination TEXT NOT NULL CHECK (nomination IN ('de_cu', 'tu_ung_cu')),
    withdrawn INTEGER NOT NULL CHECK (withdrawn IN (0, 1)),
    PRIMARY KEY (sv_id, pos),
    UNIQUE (sv_id, member_id)
);

-- The open vote that elected the counting committee, when one was taken.
CREATE TABLE sv_committee_vote (
    sv_id INTEGER PRIMARY KEY REFERENCES sv(id),
    vote_id INTEGER NOT NULL REFERENCES vote(id)
);
