-- Per-cell task counters of the upper committee's table (issue 18 item 5).
--
-- A cell's tasks ever assigned, those completed and those ended (completed
-- or closed at a meeting). The table's figures as of a day D are these
-- minus the tasks dated after D (assigned, completed or closed after it:
-- index ranges below, empty for the current period), so the table no
-- longer reads every task the cells ever had. Recounted from `task` for
-- the task's cell with every write of a task (store::tasks::keep_counts).
CREATE TABLE cell_task_count (
    cell_id BIGINT PRIMARY KEY REFERENCES org_unit(id),
    tasks BIGINT NOT NULL CHECK (tasks >= 0),
    completed BIGINT NOT NULL CHECK (completed >= 0 AND completed <= tasks),
    ended BIGINT NOT NULL CHECK (ended >= completed AND ended <= tasks)
);

-- Set-based, one pass over the tasks (the province has 417,581).
INSERT INTO cell_task_count (cell_id, tasks, completed, ended)
SELECT cell_id, COUNT(*), COUNT(completed_on),
       COUNT(CASE WHEN completed_on IS NOT NULL OR closed_on IS NOT NULL THEN 1 END)
FROM task GROUP BY cell_id;

-- The ranges per cell: tasks assigned in a period or after a day (covering
-- for the counts), completed or closed after a day, and the open tasks by
-- deadline for "overdue".
CREATE INDEX task_assigned ON task(cell_id, assigned_on);
CREATE INDEX task_completed ON task(cell_id, completed_on, assigned_on) WHERE completed_on IS NOT NULL;
CREATE INDEX task_closed ON task(cell_id, closed_on) WHERE closed_on IS NOT NULL;
CREATE INDEX task_open ON task(cell_id, deadline) WHERE completed_on IS NULL AND closed_on IS NULL;

-- The table's admissions and recognitions of the year count one kind of
-- case per cell (store::cases::decided_by_cell): by this index a lookup a
-- cell reads only that kind, not every case of the cells (the province has
-- 262,000 members' evaluation cases beside 8 admissions: 1.2 s a count).
CREATE INDEX case_file_kind ON case_file(cell_id, kind);
