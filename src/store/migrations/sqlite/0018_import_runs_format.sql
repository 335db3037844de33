-- How each import's file was read (issue 13): csv | tsv | xlsx, the encoding it was read in and
-- what detection found, and the sheet of a workbook -- shown in the import history. Runs from
-- before this migration keep '' (unknown).
ALTER TABLE import_runs ADD COLUMN format TEXT NOT NULL DEFAULT '';
ALTER TABLE import_runs ADD COLUMN encoding TEXT NOT NULL DEFAULT '';
ALTER TABLE import_runs ADD COLUMN detected TEXT NOT NULL DEFAULT '';
ALTER TABLE import_runs ADD COLUMN sheet TEXT NOT NULL DEFAULT '';
