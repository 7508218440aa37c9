-- This installation's own id, made once: calendar events carry it in their
-- UIDs, so two installations never hand out the same UID.
CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    uid TEXT NOT NULL
);
INSERT INTO installation (id, uid) VALUES (1, lower(hex(randomblob(16))));

-- Numbers of documents printed from the records rather than kept as rows of
-- their own (a meeting's notice, the upper committee's roll-up): each
-- distinct text is numbered once, from doc_sequence like every document of
-- its unit, and keeps its number and date on every later print.
CREATE TABLE doc_register (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org_unit(id),
    doc_type TEXT NOT NULL,
    -- What the document is about: 'meeting:12', 'rollup:quy:2026-10-01'.
    subject TEXT NOT NULL,
    -- The hash of what it says.
    fingerprint TEXT NOT NULL,
    number INTEGER NOT NULL,
    number_text TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    UNIQUE (org_id, doc_type, subject, fingerprint)
);
