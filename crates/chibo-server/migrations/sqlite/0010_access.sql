-- Access (issue 11).
--
-- The access log records more than reads of one member record: searches by
-- an identifier (card number, national ID, phone), which may match several
-- members or none, and every refused request. `member_id` is therefore
-- optional; `kind` says what was done and `detail` what was asked for.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt.
CREATE TABLE access_log_new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    member_id INTEGER,
    granted INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('read', 'search', 'refused')),
    detail TEXT
);
INSERT INTO access_log_new (id, at, account_id, member_id, granted, kind)
    SELECT id, at, account_id, member_id, granted, 'read' FROM access_log;
DROP TABLE access_log;
ALTER TABLE access_log_new RENAME TO access_log;
CREATE INDEX access_log_member ON access_log(member_id, at);
CREATE INDEX access_log_account ON access_log(account_id, at);

-- API tokens expire, carry their owner's label, and can be revoked (kept, not
-- deleted, so the audit trail's mention of them still resolves). Tokens
-- issued before expiry existed get the default lifetime (90 days) from their
-- creation.
CREATE TABLE api_token_new (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES account(id),
    created_at TEXT NOT NULL,
    label TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
INSERT INTO api_token_new (id, token_hash, account_id, created_at, label, expires_at)
    SELECT id, token_hash, account_id, created_at, '',
           strftime('%Y-%m-%dT%H:%M:%S+00:00', created_at, '+90 days')
    FROM api_token;
DROP TABLE api_token;
ALTER TABLE api_token_new RENAME TO api_token;
CREATE INDEX api_token_account ON api_token(account_id);

-- A member list shows each member's current committee post, looked up by
-- member.
CREATE INDEX committee_role_member ON committee_role(member_id);
