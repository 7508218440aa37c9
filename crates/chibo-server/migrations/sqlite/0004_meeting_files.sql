-- Documents prepared for a meeting (draft resolution, report, study
-- material), posted before the meeting as HD 42 asks.
CREATE TABLE meeting_file (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    file_name TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    account_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX meeting_file_meeting ON meeting_file(meeting_id, id);
