-- Terms of a unit's committee: documents are numbered per type within a term.
CREATE TABLE org_term (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org_unit(id),
    start_date TEXT NOT NULL,
    note TEXT
);
CREATE INDEX org_term_org ON org_term(org_id, start_date);

CREATE TABLE meeting (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    kind TEXT NOT NULL,
    topic TEXT,
    starts_at TEXT NOT NULL,
    place TEXT NOT NULL,
    chair_id INTEGER REFERENCES member(id),
    secretary_id INTEGER REFERENCES member(id),
    preparer_id INTEGER REFERENCES member(id),
    guest TEXT,
    status TEXT NOT NULL,
    opened_at TEXT,
    closed_at TEXT,
    minutes_locked_at TEXT,
    minutes_hash TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX meeting_cell ON meeting(cell_id, starts_at);

CREATE TABLE agenda_item (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    minutes TEXT NOT NULL DEFAULT '',
    minutes_version INTEGER NOT NULL DEFAULT 0,
    minutes_updated_at TEXT
);
CREATE INDEX agenda_item_meeting ON agenda_item(meeting_id, position);

CREATE TABLE speech (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_item(id),
    member_id INTEGER REFERENCES member(id),
    speaker TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX speech_item ON speech(agenda_item_id, id);

CREATE TABLE attendance (
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    member_status TEXT NOT NULL,
    presence TEXT,
    reason TEXT,
    arrived_at TEXT,
    left_at TEXT,
    updated_at TEXT,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE vote (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    mode TEXT NOT NULL,
    status TEXT NOT NULL,
    roll TEXT NOT NULL,
    tan_thanh INTEGER NOT NULL DEFAULT 0,
    khong_tan_thanh INTEGER NOT NULL DEFAULT 0,
    khong_bieu_quyet INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    needed INTEGER,
    got INTEGER,
    base INTEGER,
    explanation TEXT,
    citations TEXT,
    opened_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX vote_meeting ON vote(meeting_id, id);

-- Named (open) votes cast by members on their phones. Secret ballots never
-- use this table.
CREATE TABLE vote_cast (
    vote_id INTEGER NOT NULL REFERENCES vote(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    choice TEXT NOT NULL,
    cast_at TEXT NOT NULL,
    PRIMARY KEY (vote_id, member_id)
);

CREATE TABLE resolution (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL UNIQUE REFERENCES meeting(id),
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    subject TEXT NOT NULL,
    results TEXT NOT NULL DEFAULT '',
    tasks TEXT NOT NULL DEFAULT '',
    assignments TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    vote_id INTEGER REFERENCES vote(id),
    number INTEGER,
    number_text TEXT,
    adopted_at TEXT,
    hash TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX resolution_cell ON resolution(cell_id, number);

-- Numbers issued per unit, document type and term.
CREATE TABLE doc_sequence (
    org_id INTEGER NOT NULL,
    doc_type TEXT NOT NULL,
    term_start TEXT NOT NULL,
    last_no INTEGER NOT NULL,
    PRIMARY KEY (org_id, doc_type, term_start)
);

-- A locked document and every later correction: the text as printed, its
-- hash and short check code, who corrected it and why.
CREATE TABLE document_version (
    id INTEGER PRIMARY KEY,
    doc_type TEXT NOT NULL,
    doc_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    check_code TEXT NOT NULL,
    reason TEXT,
    account_id INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (doc_type, doc_id, version)
);
CREATE INDEX document_version_code ON document_version(check_code);

-- Outbox of notices: in-app ones are read from here, e-mails are sent and
-- retried by any server process that claims them.
CREATE TABLE notice (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER REFERENCES meeting(id),
    member_id INTEGER REFERENCES member(id),
    channel TEXT NOT NULL,
    address TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    read_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX notice_due ON notice(status, next_attempt_at);
CREATE INDEX notice_member ON notice(member_id, created_at);
CREATE INDEX notice_meeting ON notice(meeting_id);

CREATE TABLE calendar_feed (
    member_id INTEGER PRIMARY KEY REFERENCES member(id),
    token TEXT NOT NULL UNIQUE
);
