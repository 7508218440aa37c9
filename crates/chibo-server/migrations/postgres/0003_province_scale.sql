-- Province scale (issue 6): the member counts of the home pages and of an
-- upper committee's table of cells are read from this index alone.
CREATE INDEX member_cell_status ON member(cell_id, status);
