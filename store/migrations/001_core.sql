-- 001: the master registry, every return attempt, and the rows of accepted returns.
-- Internal tables; analysts query the documented views (a later migration).

-- A registry version is a full snapshot of the units, in force from a period on
-- (区划调整). The base version is '0000Q1': it applies to every period before the
-- first change.
CREATE TABLE registry_versions (
    from_period VARCHAR NOT NULL PRIMARY KEY, -- '2026Q3'; '0000Q1' = always
    loaded_at   TIMESTAMP NOT NULL,
    source      VARCHAR NOT NULL,             -- file name, or 'built-in Suzhou 2023'
    unit_count  INTEGER NOT NULL
);

CREATE TABLE registry_units (
    from_period   VARCHAR NOT NULL,  -- the version this row belongs to
    code          VARCHAR NOT NULL,  -- statistical division code (2/4/6/9/12 digits)
    name          VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,  -- province | city | district | town | village
    parent_code   VARCHAR,
    in_scope      BOOLEAN NOT NULL,  -- counts in coverage denominators (towns, villages)
    population    BIGINT,            -- where known
    province_code VARCHAR,           -- ancestors, resolved through parent_code at load
    city_code     VARCHAR,
    district_code VARCHAR,
    town_code     VARCHAR
);

-- The registry in force for a period: the latest version whose from_period <= p.
CREATE MACRO registry_at(p) AS TABLE
    SELECT * FROM registry_units
    WHERE from_period = (SELECT max(from_period) FROM registry_versions WHERE from_period <= p);

CREATE SEQUENCE return_id_seq START 1;

-- Every attempt to submit a return, accepted or rejected.
CREATE TABLE returns (
    return_id        BIGINT NOT NULL PRIMARY KEY,
    file_name        VARCHAR NOT NULL,   -- base name as sent
    sha256           VARCHAR NOT NULL,   -- hex of the file's bytes (content in return_files)
    size_bytes       BIGINT NOT NULL,
    received_at      TIMESTAMP NOT NULL, -- Beijing time
    status           VARCHAR NOT NULL,   -- accepted | rejected
    source           VARCHAR NOT NULL,   -- cli | upload | demo
    district_code    VARCHAR,            -- from 基本信息 (null when unreadable)
    district_name    VARCHAR,            -- 填报单位 as written
    period           VARCHAR,            -- '2026Q3' (null when unreadable)
    reporter         VARCHAR,            -- 填报人
    phone            VARCHAR,            -- 联系电话
    filled_on        VARCHAR,            -- 填报日期 as written
    error_count      INTEGER NOT NULL,
    warning_count    INTEGER NOT NULL,
    sent_back_at     TIMESTAMP,          -- an evaluator sent it back for correction
    sent_back_reason VARCHAR
);

-- The bytes of every file ever sent, once per distinct content.
CREATE TABLE return_files (
    sha256  VARCHAR NOT NULL PRIMARY KEY,
    content BLOB NOT NULL
);

-- Errors and warnings of each attempt, in the order they were found.
CREATE TABLE return_issues (
    return_id  BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    severity   VARCHAR NOT NULL,  -- error | warning
    sheet      VARCHAR NOT NULL,  -- '' when about the whole file
    cell       VARCHAR NOT NULL,  -- 'E14'; '' when about a whole sheet
    code       VARCHAR NOT NULL,  -- message key
    message_zh VARCHAR NOT NULL,
    message_en VARCHAR NOT NULL
);

-- The return that counts for each (district, period): the newest accepted one,
-- unless an evaluator sent it back, in which case none counts until a newer one
-- is accepted.
CREATE VIEW current_returns AS
SELECT * FROM (
    SELECT * FROM returns
    WHERE status = 'accepted'
    QUALIFY row_number() OVER (PARTITION BY district_code, period
                               ORDER BY received_at DESC, return_id DESC) = 1
) WHERE sent_back_at IS NULL;

-- 乡镇街道社工站: one row per town-level unit listed.
CREATE TABLE stations (
    return_id     BIGINT NOT NULL,
    row_num       INTEGER NOT NULL,   -- row in the sheet
    town_code     VARCHAR NOT NULL,   -- 9 digits
    town_name     VARCHAR,
    built         BOOLEAN NOT NULL,
    built_on      DATE,
    standard      BOOLEAN NOT NULL,   -- 达到规范化标准 (false when not built)
    resident      INTEGER NOT NULL,   -- 驻站社工人数
    resident_cert INTEGER NOT NULL,   -- 其中持证驻站社工
    outreach      INTEGER NOT NULL,   -- 外派社工人数
    outreach_cert INTEGER NOT NULL,   -- 其中持证外派社工
    operation     VARCHAR,            -- 运营方式
    operator      VARCHAR,            -- 运营机构
    charity_fund  BOOLEAN NOT NULL    -- 设立社区慈善基金
);

-- 村社区社工室: one row per village-level unit listed.
CREATE TABLE rooms (
    return_id    BIGINT NOT NULL,
    row_num      INTEGER NOT NULL,
    village_code VARCHAR NOT NULL,    -- 12 digits
    village_name VARCHAR,
    built        BOOLEAN NOT NULL,
    built_on     DATE,
    charity_fund BOOLEAN NOT NULL
);

-- 资金投入: money received during the quarter.
CREATE TABLE funds (
    return_id BIGINT NOT NULL,
    row_num   INTEGER NOT NULL,
    unit_code VARCHAR NOT NULL,       -- the district, a town or a village
    category  VARCHAR NOT NULL,       -- 政府购买服务 | 社区慈善基金 | 福利彩票公益金 | 社会捐赠 | 其他
    amount    DECIMAL(18,4) NOT NULL, -- 万元
    note      VARCHAR
);

-- 培训: training held during the quarter.
CREATE TABLE trainings (
    return_id    BIGINT NOT NULL,
    row_num      INTEGER NOT NULL,
    name         VARCHAR NOT NULL,
    start_on     DATE,
    hours        DOUBLE NOT NULL,      -- 学时 per participant
    participants INTEGER NOT NULL,     -- 参训人次
    category     VARCHAR,              -- 继续教育 | 督导培养 | 新入职培训 | 专题培训 | 其他
    cost         DECIMAL(18,4)         -- 经费, 万元
);

-- 人才队伍: district totals at the quarter's end, one row per return.
CREATE TABLE workforce (
    return_id       BIGINT NOT NULL,
    certified_total INTEGER NOT NULL,  -- 持证社工总数
    assistant       INTEGER NOT NULL,  -- 其中助理社会工作师
    intermediate    INTEGER NOT NULL,  -- 其中社会工作师
    senior          INTEGER NOT NULL,  -- 其中高级社会工作师
    organisations   INTEGER NOT NULL,  -- 社会工作服务机构数
    org_staff       INTEGER NOT NULL,  -- 机构全职员工数
    supervisors     INTEGER NOT NULL   -- 本土督导人数
);

-- 服务项目 (optional sheet).
CREATE TABLE projects (
    return_id     BIGINT NOT NULL,
    row_num       INTEGER NOT NULL,
    name          VARCHAR NOT NULL,
    town_code     VARCHAR,
    field         VARCHAR,            -- 服务领域
    served        INTEGER,            -- 服务人次
    demonstration BOOLEAN             -- 是否示范项目
);
