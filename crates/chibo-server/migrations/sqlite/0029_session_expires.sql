-- Expired sessions by expiry: every login first deletes the expired
-- sessions (store::sessions::purge_expired, `expires_at <= now`), and
-- without this index each login scanned every live session of the
-- instance — 300,000 sessions, one per member of a province within the
-- 14 days a session lives, cost 49–55 ms a login on PostgreSQL and 66 ms
-- on SQLite, 0.01 ms with it (docs/PERFORMANCE.md, "How cost grows").
CREATE INDEX session_expires ON session(expires_at);
