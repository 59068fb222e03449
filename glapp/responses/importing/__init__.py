"""File import of responses (CSV and XLSX), shared by the CLI, the web pages and the task.

A file is streamed row by row: each row is mapped to the API's response shape, validated by
`clean_response` (the one validation), given a key, and written in chunks through
`ingest_responses` (the one write path), each chunk in its own transaction. Keys make the
whole thing idempotent: a row carries its `external_id`, or gets a natural key derived from
its cleaned content, so re-importing a file, or re-running an import that was killed half
way, stores exactly the rows that are missing.

One module per step, each imported from where it is used:

- `reading`  a file as a `Table` of rows: format, encoding and delimiter detection, CSV
- `xlsx`     XLSX sheets, their cells read as a CSV of the same sheet would hold them
- `mapping`  file columns → glapp columns: suggestions, checks, the per-row `RowMapper`
- `dates`    dates as other tools write them (DD/MM, M/D, Excel serials), detected from a whole column
- `options`  how cells read, saved with a mapping: date format, source time zone, value maps
- `values`   value maps (labels → codes and scores), counts for the dry run, what is missing
- `suggest`  value maps to start from: names, option texts, Likert labels
- `layout`   a long file (one row per answer) read as the wide table the runner imports
- `create`   the confirmed touchpoints, units and surveys a file names, created before the run
- `errorfile` rejected rows in the input's columns plus the reason; a job's file, for its page
- `keys`     natural keys for rows without an external id, export's ids recognised
- `tuning`   garbage collector and SQLite checkpoint settings for the length of an import
- `jobs`     the runner: validate, key and write chunk by chunk, and keep a job record current
- `storage`  uploaded files, stored under their SHA-256 per organization
"""
