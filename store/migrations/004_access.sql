-- 004: who may use the server. Local accounts and their roles (a clerk is
-- bound to districts), server-side sessions, API tokens (only their SHA-256
-- is kept) and the audit trail, each entry chained to the previous by a hash
-- (package auth). Internal tables: the SQL console sees none of them.

CREATE SEQUENCE user_id_seq START 1;

CREATE TABLE users (
    user_id       BIGINT NOT NULL PRIMARY KEY,
    name          VARCHAR NOT NULL UNIQUE,  -- login name
    password_hash VARCHAR,                  -- argon2id PHC string; null: no local password (OIDC)
    must_change   BOOLEAN NOT NULL,         -- an initial password: change it before anything else
    disabled      BOOLEAN NOT NULL,
    source        VARCHAR NOT NULL,         -- local | oidc
    created_at    TIMESTAMP NOT NULL        -- Beijing time
);

-- leader | evaluator | analyst | clerk | admin; several per user.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL,
    role    VARCHAR NOT NULL
);

-- The districts a clerk reports for.
CREATE TABLE user_districts (
    user_id       BIGINT NOT NULL,
    district_code VARCHAR NOT NULL
);

-- A session: the cookie holds a random secret, the table its SHA-256.
CREATE TABLE sessions (
    id_hash    VARCHAR NOT NULL,
    user_id    BIGINT NOT NULL,
    csrf       VARCHAR NOT NULL,    -- the token every form and state-changing request carries
    created_at TIMESTAMP NOT NULL,  -- Beijing time; the session ends at created_at + lifetime
    last_seen  TIMESTAMP NOT NULL   -- ... or after the idle timeout
);

CREATE SEQUENCE api_token_id_seq START 1;

CREATE TABLE api_tokens (
    token_id   BIGINT NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    hash       VARCHAR NOT NULL,    -- SHA-256 of the token (the token is printed once)
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- Append-only; entry n's hash covers its fields and entry n-1's hash.
CREATE TABLE audit_log (
    seq       BIGINT NOT NULL PRIMARY KEY, -- 1, 2, 3 … without gaps
    logged_at TIMESTAMP NOT NULL,          -- Beijing time
    actor     VARCHAR NOT NULL,            -- user name, 'cli' or '-' (unknown login name)
    roles     VARCHAR NOT NULL,
    remote    VARCHAR NOT NULL,            -- client address, or 'cli'
    action    VARCHAR NOT NULL,            -- login, upload, sendback, export, sql, user.add …
    object    VARCHAR NOT NULL,            -- what it acted on (return id, route, user name …)
    result    VARCHAR NOT NULL,            -- ok | denied | failed | rejected
    detail    VARCHAR NOT NULL,            -- a short note (never personal data)
    prev_hash VARCHAR NOT NULL,
    hash      VARCHAR NOT NULL
);

-- Analysts query the views: the reporter's name leaves v_returns (privacy:
-- 填报人 and 联系电话 are for evaluators, admins and the district's clerks).
CREATE OR REPLACE VIEW v_returns AS
SELECT r.return_id, r.district_code, c.district_name, r.district_name AS district_name_written,
       r.period, r.status, c.is_current, r.received_at, r.source, r.file_name, r.sha256, r.size_bytes,
       r.filled_on, r.error_count, r.warning_count, r.sent_back_at, r.sent_back_reason
FROM returns r JOIN q_return_context c USING (return_id);

COMMENT ON VIEW v_returns IS '每一次报送（含被拒收的），is_current 标出当前计入考核的那一份；不含填报人、联系电话和文件内容 / every return attempt, accepted or rejected; is_current marks the one that counts; no reporter, phone numbers or file bytes';
COMMENT ON COLUMN v_returns.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_returns.district_code IS '区县代码（来自基本信息，无法读取时为空）/ district code (from 基本信息; null when unreadable)';
COMMENT ON COLUMN v_returns.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_returns.district_name_written IS '报表中填写的填报单位 / reporting unit as written in the return';
COMMENT ON COLUMN v_returns.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_returns.status IS '接收状态：accepted 已接收 | rejected 已拒收 / accepted | rejected';
COMMENT ON COLUMN v_returns.is_current IS '是否为该区县该季度当前计入考核的报表 / the return that counts for its district and period';
COMMENT ON COLUMN v_returns.received_at IS '接收时间（北京时间）/ received at (Beijing time)';
COMMENT ON COLUMN v_returns.source IS '来源：cli | upload | demo / how it was sent';
COMMENT ON COLUMN v_returns.file_name IS '文件名 / file name as sent';
COMMENT ON COLUMN v_returns.sha256 IS '文件内容的 SHA-256 / SHA-256 of the file';
COMMENT ON COLUMN v_returns.size_bytes IS '文件大小（字节）/ file size in bytes';
COMMENT ON COLUMN v_returns.filled_on IS '填报日期（按原样）/ date filled, as written';
COMMENT ON COLUMN v_returns.error_count IS '错误数 / number of errors';
COMMENT ON COLUMN v_returns.warning_count IS '提示数 / number of warnings';
COMMENT ON COLUMN v_returns.sent_back_at IS '退回修改的时间 / when an evaluator sent it back';
COMMENT ON COLUMN v_returns.sent_back_reason IS '退回原因 / why it was sent back';
