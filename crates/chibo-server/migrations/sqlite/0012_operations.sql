-- Jobs that several server processes share (the reminder sweep, the
-- scheduled backup): one row per job. A process runs a job's tick only after
-- moving `slot` forward to that tick in one UPDATE, so exactly one process
-- runs each tick; `lease_until` keeps a crashed holder's tick from blocking
-- the job for longer than the lease.
CREATE TABLE job_lease (
    name TEXT PRIMARY KEY,
    slot INTEGER NOT NULL,
    holder TEXT,
    lease_until TEXT,
    started_at TEXT,
    done_at TEXT,
    runs INTEGER NOT NULL DEFAULT 0
);
