-- psql DATABASE_URL -f crates/chibo-bench/sql/session-purge.sql (rolled back: changes nothing)
-- Every login runs store::sessions::purge_expired before inserting its
-- session: DELETE FROM session WHERE expires_at <= $1. 300,000 live
-- sessions (one per member of a province, within the 14 days a session
-- lives), then the purge without and with an index on expires_at.
BEGIN;
DROP INDEX IF EXISTS session_expires; -- migration 0029: measure without it first
INSERT INTO session (token_hash, account_id, csrf, created_at, expires_at)
SELECT 'bench-' || g, (SELECT min(id) FROM account) + (g % 1000), 'x', now(), now() + interval '14 days' * random()
FROM generate_series(1, 300000) g;
ANALYZE session;
SELECT count(*) AS sessions FROM session;
EXPLAIN (ANALYZE, BUFFERS) DELETE FROM session WHERE expires_at <= now();
EXPLAIN (ANALYZE, BUFFERS) DELETE FROM session WHERE expires_at <= now();
EXPLAIN (ANALYZE, BUFFERS) DELETE FROM session WHERE expires_at <= now();
CREATE INDEX session_expires ON session(expires_at);
ANALYZE session;
EXPLAIN (ANALYZE, BUFFERS) DELETE FROM session WHERE expires_at <= now();
EXPLAIN (ANALYZE, BUFFERS) DELETE FROM session WHERE expires_at <= now();
EXPLAIN (ANALYZE, BUFFERS) DELETE FROM session WHERE expires_at <= now();
ROLLBACK;
