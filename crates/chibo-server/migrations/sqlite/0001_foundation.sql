CREATE TABLE org_unit (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES org_unit(id),
    kind TEXT NOT NULL,
    code TEXT UNIQUE,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    short_name TEXT,
    cell_type TEXT,
    place TEXT,
    path TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX org_unit_parent ON org_unit(parent_id);
CREATE INDEX org_unit_path ON org_unit(path);

CREATE TABLE member (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    group_id INTEGER REFERENCES org_unit(id),
    full_name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    other_name TEXT,
    sex TEXT,
    date_of_birth TEXT,
    ethnicity TEXT,
    religion TEXT,
    national_id TEXT UNIQUE,
    card_no TEXT UNIQUE,
    admission_date TEXT,
    ceremony_date TEXT,
    official_date TEXT,
    phone TEXT,
    email TEXT,
    residence TEXT,
    notes TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX member_cell_name ON member(cell_id, name_fold);
CREATE INDEX member_name ON member(name_fold);
CREATE INDEX member_phone ON member(phone);

CREATE TABLE member_status (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id),
    status TEXT NOT NULL,
    start_date TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX member_status_member ON member_status(member_id, start_date);

CREATE TABLE committee_role (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org_unit(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    role TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    note TEXT
);
CREATE INDEX committee_role_org ON committee_role(org_id, start_date);

CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    member_id INTEGER REFERENCES member(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE role_grant (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    org_id INTEGER REFERENCES org_unit(id),
    role TEXT NOT NULL
);
CREATE INDEX role_grant_account ON role_grant(account_id);

CREATE TABLE session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX session_account ON session(account_id);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL
);

CREATE TABLE setup_token (
    token_hash TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);

CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failure_login ON login_failure(login, at);
CREATE INDEX login_failure_address ON login_failure(address, at);

CREATE TABLE audit_head (
    chain_id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    chain_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    account_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    summary TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (chain_id, seq)
);
CREATE INDEX audit_entity ON audit(entity, entity_id);

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    granted INTEGER NOT NULL
);
CREATE INDEX access_log_member ON access_log(member_id, at);

CREATE TABLE import_upload (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    file_name TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
);
