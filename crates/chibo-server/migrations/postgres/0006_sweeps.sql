-- The reminder sweep looks for meetings whose notice went out and that are
-- still ahead: a handful among a province's years of meetings.
CREATE INDEX meeting_notified ON meeting(starts_at) WHERE status = 'notified';
