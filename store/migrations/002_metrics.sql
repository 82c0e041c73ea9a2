-- 002: assessments as they were made, with the rules that produced them
-- (metrics package). An exported table names its assessment_id and the
-- config's SHA-256, so it can always be traced back to these rows.

CREATE SEQUENCE metrics_assessment_seq START 1;

CREATE TABLE metrics_assessments (
    assessment_id BIGINT NOT NULL PRIMARY KEY,
    made_at       TIMESTAMP NOT NULL,  -- Beijing time
    span          VARCHAR NOT NULL,    -- '2026Q3', '2026', '2026Q1-2026Q3'
    span_from     VARCHAR NOT NULL,
    span_to       VARCHAR NOT NULL,
    config_json   VARCHAR NOT NULL,    -- the rules, canonical JSON
    config_sha256 VARCHAR NOT NULL,    -- sha256 of config_json
    made_by       VARCHAR NOT NULL     -- cli | server | ...
);

-- One row per (assessment, district, indicator that counts).
CREATE TABLE metrics_assessment_scores (
    assessment_id BIGINT NOT NULL,
    district_code VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    value         DOUBLE,              -- null when missing
    target        DOUBLE NOT NULL,     -- scaled to the span
    weight        DOUBLE NOT NULL,
    score         DOUBLE NOT NULL,
    missing       BOOLEAN NOT NULL
);

-- One row per (assessment, district): the total and the rank.
CREATE TABLE metrics_assessment_totals (
    assessment_id      BIGINT NOT NULL,
    district_code      VARCHAR NOT NULL,
    district_name      VARCHAR NOT NULL,
    total              DOUBLE NOT NULL,
    rank               INTEGER NOT NULL,
    quarters_reported  INTEGER NOT NULL,
    quarters_expected  INTEGER NOT NULL
);

-- The returns the assessment was computed from.
CREATE TABLE metrics_assessment_returns (
    assessment_id BIGINT NOT NULL,
    district_code VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    return_id     BIGINT NOT NULL,
    sha256        VARCHAR NOT NULL
);
