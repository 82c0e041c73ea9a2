-- 006: receipt times stated by the operator (sgz ingest --received-at).
-- returns.received_at holds the time the bureau received the file — stamped
-- when it is recorded (upload, ingest without the flag) or, for a file that
-- came by e-mail or on a USB stick, the time given with --received-at. For the
-- latter this table says so, and when sgz actually recorded it: timeliness
-- uses received_at either way.
CREATE TABLE return_receipts (
    return_id   BIGINT NOT NULL PRIMARY KEY,
    stated_by   VARCHAR NOT NULL,   -- how the receipt time was given: 'cli --received-at'
    recorded_at TIMESTAMP NOT NULL  -- when sgz recorded the return (Beijing time)
);

-- The reference date an assessment was made as of (sgz assess --as-of, default
-- the day it was made): quarters due after it were not expected. NULL for
-- assessments recorded before this column existed.
ALTER TABLE metrics_assessments ADD COLUMN as_of VARCHAR;
