-- Residents' concerns and study, continued (issue 17): the body a concern
-- was forwarded to, the study library with its assignments, reflections and
-- study sessions, and announcements to members with their read state.

-- Whom a concern went to, as a kind the reports can count (the upper
-- Party committee's list goes into the reports upward); the name stays in
-- forwarded_to.
ALTER TABLE concern ADD COLUMN forwarded_kind TEXT
    CHECK (forwarded_kind IN ('thon', 'ubnd_xa', 'mttq', 'cap_uy', 'khac'));
-- The reminder sweep looks for open items past a deadline.
CREATE INDEX concern_open ON concern(state, answer_due);

-- A document of a unit's library (a cell's, or an upper committee's that its
-- cells draw on): number, date and issuing body; its text for reading on a
-- phone, a PDF when there is one.
CREATE TABLE study_document (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES org_unit(id),
    kind TEXT NOT NULL CHECK (kind IN ('nghi_quyet', 'chi_thi', 'ket_luan', 'huong_dan', 'khac')),
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issuer TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    pdf BLOB,
    pdf_name TEXT,
    pdf_size INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX study_document_unit ON study_document(unit_id, issued_on);

-- What a cell's members must study: a document, for whom (all members, a
-- group named in study_assignee, the committee), by when, where.
CREATE TABLE study_assignment (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    document_id INTEGER NOT NULL REFERENCES study_document(id),
    audience TEXT NOT NULL CHECK (audience IN ('all', 'group', 'committee')),
    deadline TEXT NOT NULL,
    place TEXT NOT NULL CHECK (place IN ('meeting', 'home')),
    meeting_id INTEGER REFERENCES meeting(id),
    reflection INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX study_assignment_cell ON study_assignment(cell_id, deadline);

CREATE TABLE study_assignee (
    assignment_id INTEGER NOT NULL REFERENCES study_assignment(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    PRIMARY KEY (assignment_id, member_id)
);

-- A member studied an assignment's document ("đã học"), once.
CREATE TABLE study_done (
    assignment_id INTEGER NOT NULL REFERENCES study_assignment(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    studied_on TEXT NOT NULL,
    PRIMARY KEY (assignment_id, member_id)
);

-- The written reflection (bài thu hoạch); one after the deadline is kept and
-- marked late.
CREATE TABLE study_reflection (
    assignment_id INTEGER NOT NULL REFERENCES study_assignment(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    body TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    late INTEGER NOT NULL,
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (assignment_id, member_id)
);

-- Who attended the study session of an assignment.
CREATE TABLE study_attendance (
    assignment_id INTEGER NOT NULL REFERENCES study_assignment(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    present INTEGER NOT NULL,
    held_on TEXT NOT NULL,
    PRIMARY KEY (assignment_id, member_id)
);

-- The documents of 0015 become library documents, each with an assignment
-- to all members by its deadline; the marks carry over.
INSERT INTO study_document (id, unit_id, kind, number, issued_on, issuer, title, body, created_at)
    SELECT id, cell_id, 'khac', '', substr(created_at, 1, 10), source, title, '', created_at
    FROM study_doc;
INSERT INTO study_assignment (id, cell_id, document_id, audience, deadline, place, reflection, created_at)
    SELECT id, cell_id, id, 'all', deadline, 'home', 0, created_at FROM study_doc;
INSERT INTO study_done (assignment_id, member_id, studied_on)
    SELECT doc_id, member_id, studied_on FROM study_mark;
DROP TABLE study_mark;
DROP TABLE study_doc;

-- An announcement from a cell's secretary or an upper committee to the
-- members under it; each recipient's row keeps when they read it.
CREATE TABLE announcement (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES org_unit(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_by TEXT NOT NULL,
    account_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX announcement_unit ON announcement(unit_id, created_at);

CREATE TABLE announcement_recipient (
    announcement_id INTEGER NOT NULL REFERENCES announcement(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    read_at TEXT,
    PRIMARY KEY (announcement_id, member_id)
);
CREATE INDEX announcement_recipient_member ON announcement_recipient(member_id, announcement_id);
