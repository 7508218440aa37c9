-- Records you can trust (issue 11).
-- The images of the records an audit entry left behind (canonical JSON),
-- hashed with the entry: `chibo audit verify` compares every live record
-- with the last image the trail holds of it.
ALTER TABLE audit ADD COLUMN state TEXT;
-- Why a meeting was opened before its planned day, or closed before the rule
-- pack's minimum length (both required then, and printed in the minutes).
ALTER TABLE meeting ADD COLUMN open_reason TEXT;
ALTER TABLE meeting ADD COLUMN close_reason TEXT;
