-- A member's entries by member: a cell's arrears, its roll and its dues
-- statement read the entries of the cell's members (a member who moved in
-- keeps the entries paid in the old cell), and without this index each
-- read scanned every entry of the instance (millions in a province).
CREATE INDEX dues_entry_member ON dues_entry(member_id, month);
