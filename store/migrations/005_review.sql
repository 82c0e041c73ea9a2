-- 005: review of returns (待审核 / 已审核 / 退回修改), closing a period
-- (考核归档) and the history of both (package review, docs/review.md).
--
-- review_events is append-only: every approval, send-back, restore, close and
-- reopen is a row, never updated or deleted. The state of a return is its
-- latest event; returns.sent_back_at / sent_back_reason stay in step with it
-- (the state now, used by current_returns and the metrics), while the
-- history is here.

CREATE SEQUENCE review_event_seq START 1;

CREATE TABLE review_events (
    event_id      BIGINT NOT NULL PRIMARY KEY,
    acted_at      TIMESTAMP NOT NULL,  -- Beijing time
    actor         VARCHAR NOT NULL,    -- the user who acted ('' before accounts; 'cli:NAME' from the command line)
    action        VARCHAR NOT NULL,    -- approve | sendback | restore | close | reopen
    return_id     BIGINT,              -- approve, sendback, restore
    district_code VARCHAR,             -- the return's district
    period        VARCHAR NOT NULL,    -- the return's quarter, or the span closed or reopened ('2026Q3', '2026', '2026Q1-2026Q3')
    status_before VARCHAR,             -- review status before (returns): pending | approved | sent_back
    status_after  VARCHAR,             -- and after
    reason        VARCHAR NOT NULL,    -- why ('' when none was given)
    assessment_id BIGINT               -- close: the assessment recorded (metrics_assessments)
);

-- The assessment as exported at closing: the full metrics.Assessment as JSON,
-- from which every later export of the closed span is written.
CREATE TABLE review_closed_assessments (
    assessment_id BIGINT NOT NULL PRIMARY KEY,
    span          VARCHAR NOT NULL,
    snapshot      VARCHAR NOT NULL
);

-- Send-backs made before this migration become events (actor unknown).
INSERT INTO review_events
SELECT nextval('review_event_seq'), sent_back_at, '', 'sendback', return_id, district_code, coalesce(period, ''),
       'pending', 'sent_back', coalesce(sent_back_reason, ''), NULL
FROM returns WHERE sent_back_at IS NOT NULL
ORDER BY sent_back_at, return_id;

-- Internal: the review status of every return. Rejected returns have none;
-- an accepted one is sent back while returns.sent_back_at is set, approved
-- when its latest event is an approval, else pending (a restore puts it back
-- to pending).
CREATE VIEW q_return_review AS
SELECT r.return_id,
       CASE WHEN r.status <> 'accepted' THEN NULL
            WHEN r.sent_back_at IS NOT NULL THEN 'sent_back'
            WHEN e.action = 'approve' THEN 'approved'
            ELSE 'pending' END AS review_status,
       e.acted_at AS reviewed_at, e.actor AS reviewed_by
FROM returns r
LEFT JOIN (SELECT * FROM review_events WHERE return_id IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY return_id ORDER BY event_id DESC) = 1) e USING (return_id);

-- Internal: the current returns an evaluator approved (what counts when the
-- rules say pending returns do not: "pending_counts": false).
CREATE VIEW approved_returns AS
SELECT c.* FROM current_returns c JOIN q_return_review s USING (return_id)
WHERE s.review_status = 'approved';

-- Internal: the spans closed now (their latest close/reopen event is a close).
CREATE VIEW q_closed_spans AS
SELECT period AS span, acted_at AS closed_at, actor AS closed_by, reason, assessment_id, event_id
FROM (SELECT * FROM review_events WHERE action IN ('close', 'reopen')
      QUALIFY row_number() OVER (PARTITION BY period ORDER BY event_id DESC) = 1)
WHERE action = 'close';

CREATE OR REPLACE VIEW v_returns AS
SELECT r.return_id, r.district_code, c.district_name, r.district_name AS district_name_written,
       r.period, r.status, c.is_current, r.received_at, r.source, r.file_name, r.sha256, r.size_bytes,
       r.filled_on, r.error_count, r.warning_count,
       sb.acted_at AS sent_back_at, sb.reason AS sent_back_reason,
       s.review_status, s.reviewed_at, s.reviewed_by
FROM returns r
JOIN q_return_context c USING (return_id)
JOIN q_return_review s USING (return_id)
LEFT JOIN (SELECT return_id, acted_at, reason FROM review_events WHERE action = 'sendback'
           QUALIFY row_number() OVER (PARTITION BY return_id ORDER BY event_id DESC) = 1) sb USING (return_id);

CREATE VIEW v_returns_history AS
SELECT e.event_id, e.acted_at, e.actor, e.action, e.return_id,
       coalesce(e.district_code, '') AS district_code, coalesce(c.district_name, '') AS district_name,
       e.period, e.status_before, e.status_after, e.reason, e.assessment_id
FROM review_events e
LEFT JOIN q_return_context c ON c.return_id = e.return_id;

COMMENT ON VIEW v_returns IS '每一次报送（含被拒收的），is_current 标出当前计入考核的那一份，review_status 为审核状态；不含填报人、联系电话和文件内容 / every return attempt, accepted or rejected; is_current marks the one that counts, review_status its review; no reporter, phone numbers or file bytes';
COMMENT ON COLUMN v_returns.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_returns.district_code IS '区县代码（来自基本信息，无法读取时为空）/ district code (from 基本信息; null when unreadable)';
COMMENT ON COLUMN v_returns.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_returns.district_name_written IS '报表中填写的填报单位 / reporting unit as written in the return';
COMMENT ON COLUMN v_returns.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_returns.status IS '接收状态：accepted 已接收 | rejected 已拒收 / accepted | rejected';
COMMENT ON COLUMN v_returns.is_current IS '是否为该区县该季度当前计入考核的报表（规则 pending_counts 为 false 时，仅已审核的计入）/ the return that counts for its district and period (with the rule pending_counts false, only when approved)';
COMMENT ON COLUMN v_returns.received_at IS '接收时间（北京时间）/ received at (Beijing time)';
COMMENT ON COLUMN v_returns.source IS '来源：cli | upload | demo / how it was sent';
COMMENT ON COLUMN v_returns.file_name IS '文件名 / file name as sent';
COMMENT ON COLUMN v_returns.sha256 IS '文件内容的 SHA-256 / SHA-256 of the file';
COMMENT ON COLUMN v_returns.size_bytes IS '文件大小（字节）/ file size in bytes';
COMMENT ON COLUMN v_returns.filled_on IS '填报日期（按原样）/ date filled, as written';
COMMENT ON COLUMN v_returns.error_count IS '错误数 / number of errors';
COMMENT ON COLUMN v_returns.warning_count IS '提示数 / number of warnings';
COMMENT ON COLUMN v_returns.sent_back_at IS '最近一次退回修改的时间（恢复后仍保留，现状见 review_status，全部经过见 v_returns_history）/ when it was last sent back (kept after a restore: review_status is the state now, v_returns_history every step)';
COMMENT ON COLUMN v_returns.sent_back_reason IS '最近一次退回的原因 / why it was last sent back';
COMMENT ON COLUMN v_returns.review_status IS '审核状态：pending 待审核 | approved 已审核 | sent_back 退回修改；被拒收的为空 / review status: pending | approved | sent_back; null for rejected attempts';
COMMENT ON COLUMN v_returns.reviewed_at IS '最近一次审核操作的时间（北京时间），未审核为空 / when it was last reviewed (Beijing time); null when never';
COMMENT ON COLUMN v_returns.reviewed_by IS '最近一次审核操作的用户 / who last reviewed it';

COMMENT ON VIEW v_returns_history IS '审核与归档的全部经过：每次审核通过、退回修改、恢复、考核归档与重新开放各一行，只增不删 / every approval, send-back, restore, period close and reopen, one row each, never erased';
COMMENT ON COLUMN v_returns_history.event_id IS '事件编号（按发生先后递增）/ event id, ascending in the order of events';
COMMENT ON COLUMN v_returns_history.acted_at IS '时间（北京时间）/ when (Beijing time)';
COMMENT ON COLUMN v_returns_history.actor IS '操作人（用户名；命令行为 cli:用户名；账号启用前为空）/ who (user name; cli:NAME from the command line; empty before accounts)';
COMMENT ON COLUMN v_returns_history.action IS '操作：approve 审核通过 | sendback 退回修改 | restore 恢复 | close 考核归档 | reopen 重新开放 / what was done';
COMMENT ON COLUMN v_returns_history.return_id IS '报表编号（归档与重新开放为空）/ return id (null for close and reopen)';
COMMENT ON COLUMN v_returns_history.district_code IS '区县代码（归档与重新开放为空串）/ district code (empty for close and reopen)';
COMMENT ON COLUMN v_returns_history.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_returns_history.period IS '报表的季度，或归档/重新开放的期间（如 2026Q3、2026）/ the return''s quarter, or the period closed or reopened';
COMMENT ON COLUMN v_returns_history.status_before IS '操作前的审核状态（报表）/ review status before (returns)';
COMMENT ON COLUMN v_returns_history.status_after IS '操作后的审核状态（报表）/ review status after (returns)';
COMMENT ON COLUMN v_returns_history.reason IS '原因或说明 / why';
COMMENT ON COLUMN v_returns_history.assessment_id IS '考核归档时记录的考核编号（metrics_assessments）/ close: the assessment recorded';
