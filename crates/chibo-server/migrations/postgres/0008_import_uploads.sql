-- The sweep deletes uploads left without a confirmation (they hold national
-- ID numbers): found by their age.
CREATE INDEX import_upload_created ON import_upload(created_at);
