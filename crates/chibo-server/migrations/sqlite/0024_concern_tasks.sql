-- A task the cell's resolution assigns from a resident's concern (the
-- meeting's "dư luận nhân dân" item, issue 17): the concern shows the task
-- and its state, and is answered from it once the task is done.
ALTER TABLE task ADD COLUMN concern_id INTEGER REFERENCES concern(id);
CREATE INDEX task_concern ON task(concern_id) WHERE concern_id IS NOT NULL;
