-- Secret ballots (issue 15; shared/design/secret-ballots.md). The server holds
-- no key: the counting committee's phones hold the vote's key k of n, the
-- head's phone the token keys. Nothing here links a member to a ballot:
-- sv_issued says who received a ballot (no token, no time); sv_ballot holds
-- the ballots with no member, session or time, written once at close in
-- tracker order.
CREATE TABLE sv (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    kind TEXT NOT NULL CHECK (kind IN ('bau_cu', 'ky_luat', 'de_nghi_khai_tru')),
    title TEXT NOT NULL,
    -- The ballot (chibo_ballot::BallotSpec) and the roll as counts
    -- (DecisionSpec.roll), JSON, frozen at the opening.
    spec TEXT NOT NULL,
    roll TEXT NOT NULL,
    -- Member ids entitled to a ballot (present full members), JSON.
    eligible TEXT NOT NULL,
    vote_id TEXT NOT NULL UNIQUE,
    k INTEGER NOT NULL CHECK (k >= 1),
    n INTEGER NOT NULL CHECK (n >= k),
    status TEXT NOT NULL CHECK (status IN ('keygen', 'issuing', 'closed', 'decrypted', 'failed')),
    -- The canonical manifest once the committee made the keys.
    manifest BLOB,
    fingerprint TEXT,
    -- Invalid paper ballots: entered by one committee member, confirmed by another.
    paper_invalid INTEGER CHECK (paper_invalid >= 0),
    paper_entered_by INTEGER REFERENCES member(id),
    paper_confirmed_by INTEGER REFERENCES member(id),
    board BLOB,
    board_sha256 TEXT,
    record BLOB,
    record_sha256 TEXT,
    outcome TEXT,
    explanation TEXT,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    CHECK (paper_confirmed_by IS NULL OR paper_confirmed_by <> paper_entered_by)
);
CREATE INDEX sv_meeting ON sv(meeting_id, id);

-- The counting committee: trustee idx (0-based, the DKG index) is a member.
CREATE TABLE sv_trustee (
    sv_id INTEGER NOT NULL REFERENCES sv(id),
    idx INTEGER NOT NULL CHECK (idx >= 0),
    member_id INTEGER NOT NULL REFERENCES member(id),
    PRIMARY KEY (sv_id, idx),
    UNIQUE (sv_id, member_id)
);

-- Key generation messages relayed between the committee's phones (round 3:
-- shares sealed to one phone). Deleted when the keys are set.
CREATE TABLE sv_dkg_msg (
    sv_id INTEGER NOT NULL REFERENCES sv(id),
    round INTEGER NOT NULL CHECK (round IN (1, 2, 3)),
    from_idx INTEGER NOT NULL,
    -- -1: to every phone (rounds 1 and 2).
    to_idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (sv_id, round, from_idx, to_idx)
);

-- Who received a ballot, and how. No token and no time.
CREATE TABLE sv_issued (
    sv_id INTEGER NOT NULL REFERENCES sv(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'paper')),
    PRIMARY KEY (sv_id, member_id)
);

-- The ballots, written once at close in tracker order. No member, session
-- or time column (test S1).
CREATE TABLE sv_ballot (
    sv_id INTEGER NOT NULL REFERENCES sv(id),
    tracker TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'paper')),
    body BLOB NOT NULL,
    PRIMARY KEY (sv_id, tracker)
);

-- Decryption shares of the aggregate, one per trustee.
CREATE TABLE sv_share (
    sv_id INTEGER NOT NULL REFERENCES sv(id),
    idx INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (sv_id, idx)
);
