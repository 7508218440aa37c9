-- The reminder sweep's review batch (store::reminders::to_review on
-- PostgreSQL, now() for $1, the first batch's cursor (0, 0) for $2 and $3,
-- LIMIT 500 for $4), with its plan and timing; a later batch starts after
-- the last (meeting, task) pair of the one before (set :m and :t):
-- psql DATABASE_URL -v m=0 -v t=0 -f crates/chibo-bench/sql/to-review.sql
EXPLAIN (ANALYZE, BUFFERS) SELECT t.id AS task_id, t.cell_id, t.title, t.lead_id, mt.id AS meeting_id, mt.starts_at FROM meeting mt JOIN task t ON t.cell_id = mt.cell_id JOIN member l ON l.id = t.lead_id AND l.cell_id = t.cell_id AND l.status IN ('du_bi', 'chinh_thuc', 'mien_sinh_hoat', 'tam_thoi_den', 'tam_thoi_di', 'dinh_chi') WHERE mt.status = 'notified' AND mt.starts_at > now() AND mt.id >= :m AND (mt.id > :m OR t.id > :t) AND t.closed_on IS NULL AND t.assigned_on < CAST(mt.starts_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE) AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.member_id = t.lead_id AND n.channel = 'app' AND n.reminder_key = 'review:' || t.id || ':' || mt.id) ORDER BY mt.id, t.id LIMIT 500;
