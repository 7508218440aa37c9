-- Residents' concerns (ý kiến, kiến nghị của nhân dân) carried up and
-- answered, and the documents members must study carried down (issue 17;
-- HD 42 puts "dư luận nhân dân" on every monthly agenda).
--
-- A concern keeps only what is needed to follow it: the area, what was said,
-- and a contact only when the resident chose to leave one. Its tracking code
-- is long and random; the resident sees the state by it and nothing else.
CREATE TABLE concern (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    code TEXT NOT NULL UNIQUE,
    door TEXT NOT NULL CHECK (door IN ('public', 'member', 'meeting')),
    area TEXT NOT NULL,
    body TEXT NOT NULL,
    contact TEXT,
    received_on TEXT NOT NULL,
    recorded_by TEXT,
    state TEXT NOT NULL CHECK (state IN ('received', 'forwarded', 'answered', 'closed')),
    forward_due TEXT NOT NULL,
    answer_due TEXT NOT NULL,
    forwarded_to TEXT,
    forwarded_on TEXT,
    answer TEXT,
    answered_on TEXT,
    closed_on TEXT,
    close_reason TEXT CHECK (close_reason IN ('done', 'duplicate', 'spam')),
    close_note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX concern_cell ON concern(cell_id, received_on);

-- Submissions of the public page, counted per address and per cell over a
-- window (the rate limit); old rows are purged as new ones come.
CREATE TABLE concern_submission (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX concern_submission_address ON concern_submission(address, at);
CREATE INDEX concern_submission_cell ON concern_submission(cell_id, at);

-- A document members must study, and who marked it studied ("đã học").
CREATE TABLE study_doc (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX study_doc_cell ON study_doc(cell_id, deadline);

CREATE TABLE study_mark (
    doc_id INTEGER NOT NULL REFERENCES study_doc(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    studied_on TEXT NOT NULL,
    PRIMARY KEY (doc_id, member_id)
);
