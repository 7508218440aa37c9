-- The work a resolution assigns (bảng phân công), and the committee's
-- standing duties: one lead, co-owners, a deadline, the meeting it reports
-- to, progress notes, and each meeting's review until one closes it (HD 42).
-- Dates of the work itself (assigned, completed, closed) are the dates the
-- cell records, so reports for a past period read what was true then.
CREATE TABLE task (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER NOT NULL REFERENCES org_unit(id),
    resolution_id INTEGER REFERENCES resolution(id),
    item_no INTEGER NOT NULL,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    lead_id INTEGER NOT NULL REFERENCES member(id),
    assigned_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    report_meeting_id INTEGER REFERENCES meeting(id),
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    completed_on TEXT,
    closed_on TEXT,
    closed_meeting_id INTEGER REFERENCES meeting(id),
    closing_note TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX task_cell ON task(cell_id, deadline);
CREATE INDEX task_resolution ON task(resolution_id, item_no);
CREATE INDEX task_lead ON task(lead_id);

CREATE TABLE task_owner (
    task_id INTEGER NOT NULL REFERENCES task(id),
    member_id INTEGER NOT NULL REFERENCES member(id),
    PRIMARY KEY (task_id, member_id)
);
CREATE INDEX task_owner_member ON task_owner(member_id);

CREATE TABLE task_progress (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES task(id),
    account_id INTEGER,
    author TEXT NOT NULL,
    on_date TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL,
    note TEXT NOT NULL,
    link TEXT,
    file_name TEXT,
    file_mime TEXT,
    file_data BLOB,
    created_at TEXT NOT NULL
);
CREATE INDEX task_progress_task ON task_progress(task_id, id);

-- A meeting's task-by-task review: close the task, or carry it over.
CREATE TABLE task_review (
    task_id INTEGER NOT NULL REFERENCES task(id),
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    new_deadline TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, meeting_id)
);
CREATE INDEX task_review_meeting ON task_review(meeting_id);

-- A resolution may say it assigns no task, explicitly.
ALTER TABLE resolution ADD COLUMN no_tasks INTEGER NOT NULL DEFAULT 0;

-- Reminders go through the notice outbox; a key makes each one once-only.
ALTER TABLE notice ADD COLUMN task_id INTEGER REFERENCES task(id);
ALTER TABLE notice ADD COLUMN reminder_key TEXT;
CREATE UNIQUE INDEX notice_reminder ON notice(member_id, channel, reminder_key) WHERE reminder_key IS NOT NULL;

-- A member who prefers one e-mail a day to one per reminder.
CREATE TABLE member_pref (
    member_id INTEGER PRIMARY KEY REFERENCES member(id),
    daily_digest INTEGER NOT NULL DEFAULT 0
);

-- A member's answer to the notice: coming, or excused with a reason.
ALTER TABLE attendance ADD COLUMN rsvp TEXT;
ALTER TABLE attendance ADD COLUMN rsvp_reason TEXT;
ALTER TABLE attendance ADD COLUMN rsvp_at TEXT;

-- Reports upward (Báo cáo) of a cell, drafted from the records, edited,
-- then issued with a number and sealed like a resolution.
CREATE TABLE report (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES org_unit(id),
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    number INTEGER,
    number_text TEXT,
    issued_at TEXT,
    hash TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, period, period_start)
);

CREATE INDEX notice_task ON notice(task_id);
-- The reminder sweep reads only unfinished, open tasks by deadline.
CREATE INDEX task_due ON task(deadline) WHERE closed_on IS NULL AND completed_on IS NULL;
