-- The reminder sweep's cost grows with its batch, not with the instance
-- (issue 18; docs/PERFORMANCE.md, "How cost grows").
--
-- An open case's next reminder day: the first day on which the sweep may
-- owe it a reminder it has not had (a deadline entering the rule packs'
-- "due soon" window, a deadline passed, the end of a probation coming).
-- The sweep works a case through the rule packs only when the day has come,
-- and writes the next one in the transaction of the case's reminders; NULL
-- when nothing more can come before the case changes. Every write of a case
-- (a step, an extension, its version bumped) sets it back to the opening
-- day, a day already come, so the next pass reminds of the new deadlines;
-- so does a start-up that finds other rule packs.
--
-- Which reminders a case owes next depends on the deadlines of all its open
-- steps, which only the rule packs compute, not the notices already sent:
-- every open case starts due, and the first pass after the upgrade works
-- each once (its once-only keys keep it from sending anything twice).
ALTER TABLE case_file ADD COLUMN remind_on TEXT;
UPDATE case_file SET remind_on = opened_on WHERE closed_on IS NULL;
CREATE INDEX case_remind ON case_file(remind_on, id) WHERE closed_on IS NULL;

-- The notified meetings by id: the sweep walks them from the last
-- (meeting, task) pair of its previous batch of `review:` reminders
-- (store::reminders::to_review) instead of sorting every pending pair of
-- the instance for each batch of 500.
CREATE INDEX meeting_notified_id ON meeting(id) WHERE status = 'notified';
