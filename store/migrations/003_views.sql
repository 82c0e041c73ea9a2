-- 003: the analysts' views (v_*), documented in docs/views.md, and the SQL
-- console's query history. Analysts query only the v_* views (the console
-- refuses anything else); the tables of 001 are internal and may change.
-- EVERY view named v_* is open to analysts: never put personal data (phone
-- numbers) or file bytes in one; name internal views otherwise.
-- Every data row carries its district, its period and the return it came from.
-- The plain views (v_stations, …) hold the rows of the CURRENT return of each
-- (district, period) only, the one the indicators count; the *_all views hold
-- the rows of every accepted return with an is_current flag.

-- Internal: one row per return attempt with the registry version in force for
-- its period, the district's registry name and whether it is the current one.
CREATE VIEW q_return_context AS
SELECT r.return_id, r.district_code,
       coalesce(d.name, r.district_name) AS district_name,
       r.period,
       (SELECT max(v.from_period) FROM registry_versions v WHERE v.from_period <= r.period) AS registry_version,
       r.return_id IN (SELECT return_id FROM current_returns) AS is_current
FROM returns r
LEFT JOIN registry_units d
       ON d.code = r.district_code AND d.level = 'district'
      AND d.from_period = (SELECT max(v.from_period) FROM registry_versions v WHERE v.from_period <= r.period);

CREATE VIEW v_returns AS
SELECT r.return_id, r.district_code, c.district_name, r.district_name AS district_name_written,
       r.period, r.status, c.is_current, r.received_at, r.source, r.file_name, r.sha256, r.size_bytes,
       r.reporter, r.filled_on, r.error_count, r.warning_count, r.sent_back_at, r.sent_back_reason
FROM returns r JOIN q_return_context c USING (return_id);

CREATE VIEW v_return_issues AS
SELECT i.return_id, c.district_code, c.district_name, c.period, r.status, c.is_current,
       i.seq, i.severity, i.sheet, i.cell, i.code, i.message_zh, i.message_en
FROM return_issues i
JOIN returns r USING (return_id)
JOIN q_return_context c USING (return_id);

CREATE VIEW v_registry AS
SELECT u.from_period,
       u.from_period = (SELECT max(from_period) FROM registry_versions) AS is_latest,
       u.code, u.name, u.level, u.parent_code, u.in_scope, u.population,
       u.province_code, u.city_code, u.district_code, u.town_code
FROM registry_units u;

CREATE VIEW v_stations_all AS
SELECT s.return_id, c.district_code, c.district_name, c.period, c.is_current,
       s.row_num, s.town_code, coalesce(t.name, s.town_name) AS town_name,
       coalesce(t.in_scope, false) AS in_scope,
       s.built, s.built_on, s.standard, s.resident, s.resident_cert, s.outreach, s.outreach_cert,
       s.operation, s.operator, s.charity_fund
FROM stations s
JOIN q_return_context c USING (return_id)
LEFT JOIN registry_units t ON t.from_period = c.registry_version AND t.code = s.town_code AND t.level = 'town';

CREATE VIEW v_stations AS SELECT * EXCLUDE (is_current) FROM v_stations_all WHERE is_current;

CREATE VIEW v_rooms_all AS
SELECT r.return_id, c.district_code, c.district_name, c.period, c.is_current,
       r.row_num, u.town_code, r.village_code, coalesce(u.name, r.village_name) AS village_name,
       coalesce(u.in_scope, false) AS in_scope,
       r.built, r.built_on, r.charity_fund
FROM rooms r
JOIN q_return_context c USING (return_id)
LEFT JOIN registry_units u ON u.from_period = c.registry_version AND u.code = r.village_code AND u.level = 'village';

CREATE VIEW v_rooms AS SELECT * EXCLUDE (is_current) FROM v_rooms_all WHERE is_current;

CREATE VIEW v_funds_all AS
SELECT f.return_id, c.district_code, c.district_name, c.period, c.is_current,
       f.row_num, f.unit_code, u.name AS unit_name, u.level AS unit_level,
       f.category, f.amount, f.note
FROM funds f
JOIN q_return_context c USING (return_id)
LEFT JOIN registry_units u ON u.from_period = c.registry_version AND u.code = f.unit_code;

CREATE VIEW v_funds AS SELECT * EXCLUDE (is_current) FROM v_funds_all WHERE is_current;

CREATE VIEW v_trainings_all AS
SELECT t.return_id, c.district_code, c.district_name, c.period, c.is_current,
       t.row_num, t.name, t.start_on, t.category, t.hours, t.participants,
       t.hours * t.participants AS person_hours, t.cost
FROM trainings t
JOIN q_return_context c USING (return_id);

CREATE VIEW v_trainings AS SELECT * EXCLUDE (is_current) FROM v_trainings_all WHERE is_current;

CREATE VIEW v_workforce_all AS
SELECT w.return_id, c.district_code, c.district_name, c.period, c.is_current,
       w.certified_total, w.assistant, w.intermediate, w.senior,
       w.organisations, w.org_staff, w.supervisors
FROM workforce w
JOIN q_return_context c USING (return_id);

CREATE VIEW v_workforce AS SELECT * EXCLUDE (is_current) FROM v_workforce_all WHERE is_current;

CREATE VIEW v_projects_all AS
SELECT p.return_id, c.district_code, c.district_name, c.period, c.is_current,
       p.row_num, p.name, p.town_code, u.name AS town_name, p.field, p.served, p.demonstration
FROM projects p
JOIN q_return_context c USING (return_id)
LEFT JOIN registry_units u ON u.from_period = c.registry_version AND u.code = p.town_code AND u.level = 'town';

CREATE VIEW v_projects AS SELECT * EXCLUDE (is_current) FROM v_projects_all WHERE is_current;

-- The inputs of the indicators per district and quarter, from the current
-- return and the registry in force for the quarter. The same rules as the
-- metrics package (a town counts only when in scope, a station only when built);
-- the indicator values themselves come from `sgz indicators`.
CREATE VIEW v_indicator_inputs AS
WITH cr AS (
    SELECT return_id, district_code, district_name, period, registry_version
    FROM q_return_context WHERE is_current),
towns AS (
    SELECT cr.return_id,
           count(*) FILTER (WHERE u.in_scope) AS towns_in_scope,
           count(s.town_code) FILTER (WHERE u.in_scope AND s.built) AS stations_built,
           count(s.town_code) FILTER (WHERE u.in_scope AND s.built AND s.standard) AS stations_standard,
           count(s.town_code) FILTER (WHERE u.in_scope AND s.built AND s.resident >= 3) AS stations_staffed,
           coalesce(sum(s.resident + s.outreach) FILTER (WHERE u.in_scope AND s.built), 0) AS station_staff,
           coalesce(sum(s.resident_cert + s.outreach_cert) FILTER (WHERE u.in_scope AND s.built), 0) AS station_staff_cert,
           count(s.town_code) FILTER (WHERE u.in_scope AND s.charity_fund) AS towns_with_charity_fund
    FROM cr
    JOIN registry_units u ON u.from_period = cr.registry_version AND u.level = 'town' AND u.district_code = cr.district_code
    LEFT JOIN stations s ON s.return_id = cr.return_id AND s.town_code = u.code
    GROUP BY cr.return_id),
villages AS (
    SELECT cr.return_id,
           count(*) AS villages_in_scope,
           count(r.village_code) FILTER (WHERE r.built) AS rooms_built,
           count(r.village_code) FILTER (WHERE r.charity_fund) AS villages_with_charity_fund
    FROM cr
    JOIN registry_units u ON u.from_period = cr.registry_version AND u.level = 'village' AND u.in_scope
                          AND u.district_code = cr.district_code
    LEFT JOIN rooms r ON r.return_id = cr.return_id AND r.village_code = u.code
    GROUP BY cr.return_id),
money AS (
    SELECT return_id,
           sum(amount) AS funds_total,
           sum(amount) FILTER (WHERE category = '政府购买服务') AS funds_government,
           sum(amount) FILTER (WHERE category IN ('社区慈善基金', '社会捐赠')) AS funds_charity
    FROM funds GROUP BY return_id),
training AS (
    SELECT return_id, count(*) AS trainings, sum(participants) AS training_participants,
           sum(hours * participants) AS training_person_hours
    FROM trainings GROUP BY return_id)
SELECT cr.return_id, cr.district_code, cr.district_name, cr.period, cr.registry_version,
       coalesce(t.towns_in_scope, 0) AS towns_in_scope,
       coalesce(t.stations_built, 0) AS stations_built,
       coalesce(t.stations_standard, 0) AS stations_standard,
       coalesce(t.stations_staffed, 0) AS stations_staffed,
       coalesce(t.station_staff, 0) AS station_staff,
       coalesce(t.station_staff_cert, 0) AS station_staff_cert,
       coalesce(v.villages_in_scope, 0) AS villages_in_scope,
       coalesce(v.rooms_built, 0) AS rooms_built,
       coalesce(t.towns_with_charity_fund, 0) + coalesce(v.villages_with_charity_fund, 0) AS units_with_charity_fund,
       w.certified_total AS certified_social_workers,
       d.population,
       coalesce(m.funds_total, 0) AS funds_total,
       coalesce(m.funds_government, 0) AS funds_government,
       coalesce(m.funds_charity, 0) AS funds_charity,
       coalesce(tr.trainings, 0) AS trainings,
       coalesce(tr.training_participants, 0) AS training_participants,
       coalesce(tr.training_person_hours, 0) AS training_person_hours
FROM cr
LEFT JOIN towns t USING (return_id)
LEFT JOIN villages v USING (return_id)
LEFT JOIN money m USING (return_id)
LEFT JOIN training tr USING (return_id)
LEFT JOIN workforce w USING (return_id)
LEFT JOIN registry_units d ON d.from_period = cr.registry_version AND d.code = cr.district_code AND d.level = 'district';

-- The SQL console's history: what each user or browser session ran, newest
-- first, capped per session by the application. Internal (not a v_ view).
CREATE TABLE query_history (
    session    VARCHAR NOT NULL,
    ran_at     TIMESTAMP NOT NULL,
    sql        VARCHAR NOT NULL,
    ok         BOOLEAN NOT NULL,
    row_count  BIGINT NOT NULL,
    elapsed_ms BIGINT NOT NULL,
    error      VARCHAR
);

-- Comments: read back by the console's view list and docs/views.md.
COMMENT ON VIEW v_returns IS '每一次报送（含被拒收的），is_current 标出当前计入考核的那一份；不含联系电话和文件内容 / every return attempt, accepted or rejected; is_current marks the one that counts; no phone numbers or file bytes';
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
COMMENT ON COLUMN v_returns.reporter IS '填报人 / reporter';
COMMENT ON COLUMN v_returns.filled_on IS '填报日期（按原样）/ date filled, as written';
COMMENT ON COLUMN v_returns.error_count IS '错误数 / number of errors';
COMMENT ON COLUMN v_returns.warning_count IS '提示数 / number of warnings';
COMMENT ON COLUMN v_returns.sent_back_at IS '退回修改的时间 / when an evaluator sent it back';
COMMENT ON COLUMN v_returns.sent_back_reason IS '退回原因 / why it was sent back';

COMMENT ON VIEW v_return_issues IS '每次报送的错误与提示，按发现顺序 / errors and warnings of every return attempt, in the order found';
COMMENT ON COLUMN v_return_issues.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_return_issues.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_return_issues.district_name IS '区县名称 / district name';
COMMENT ON COLUMN v_return_issues.period IS '报告期 / period';
COMMENT ON COLUMN v_return_issues.status IS '该报表的接收状态 / status of the return';
COMMENT ON COLUMN v_return_issues.is_current IS '该报表是否当前计入考核 / the return counts';
COMMENT ON COLUMN v_return_issues.seq IS '序号 / order found';
COMMENT ON COLUMN v_return_issues.severity IS '级别：error 错误 | warning 提示 / error | warning';
COMMENT ON COLUMN v_return_issues.sheet IS '工作表（涉及整个文件时为空）/ sheet; empty when about the whole file';
COMMENT ON COLUMN v_return_issues.cell IS '单元格，如 E14（涉及整张表时为空）/ cell, e.g. E14; empty when about a whole sheet';
COMMENT ON COLUMN v_return_issues.code IS '问题代码 / message key';
COMMENT ON COLUMN v_return_issues.message_zh IS '说明（中文）/ message in Chinese';
COMMENT ON COLUMN v_return_issues.message_en IS '说明（英文）/ message in English';

COMMENT ON VIEW v_registry IS '区划名录的各个版本（区划调整），每个版本自 from_period 起生效 / every version of the master registry, each in force from from_period on';
COMMENT ON COLUMN v_registry.from_period IS '版本生效的报告期（0000Q1 表示一直有效）/ in force from this period (0000Q1 = always)';
COMMENT ON COLUMN v_registry.is_latest IS '是否为最新版本 / the latest version';
COMMENT ON COLUMN v_registry.code IS '统计区划代码 / division code';
COMMENT ON COLUMN v_registry.name IS '名称 / name';
COMMENT ON COLUMN v_registry.level IS '层级：province | city | district | town | village / level';
COMMENT ON COLUMN v_registry.parent_code IS '上级代码 / parent code';
COMMENT ON COLUMN v_registry.in_scope IS '是否纳入考核（覆盖率分母）/ counts in coverage denominators';
COMMENT ON COLUMN v_registry.population IS '常住人口（已知时）/ population, where known';
COMMENT ON COLUMN v_registry.province_code IS '所属省代码 / province code';
COMMENT ON COLUMN v_registry.city_code IS '所属市代码 / city code';
COMMENT ON COLUMN v_registry.district_code IS '所属区县代码 / district code';
COMMENT ON COLUMN v_registry.town_code IS '所属乡镇（街道）代码 / town code';

COMMENT ON VIEW v_stations IS '乡镇（街道）社工站：当前报表每个乡镇一行 / town social work stations: a row per town listed in the current return';
COMMENT ON VIEW v_stations_all IS '乡镇（街道）社工站：所有已接收报表，含 is_current / town stations in every accepted return, with is_current';
COMMENT ON VIEW v_rooms IS '村（社区）社工室：当前报表每个村（社区）一行 / village social work rooms: a row per village listed in the current return';
COMMENT ON VIEW v_rooms_all IS '村（社区）社工室：所有已接收报表，含 is_current / village rooms in every accepted return, with is_current';
COMMENT ON VIEW v_funds IS '资金投入：当前报表中本季度收到的资金（万元）/ money received during the quarter (万元), current returns';
COMMENT ON VIEW v_funds_all IS '资金投入：所有已接收报表，含 is_current / money in every accepted return, with is_current';
COMMENT ON VIEW v_trainings IS '培训：当前报表中本季度举办的培训 / training held during the quarter, current returns';
COMMENT ON VIEW v_trainings_all IS '培训：所有已接收报表，含 is_current / training in every accepted return, with is_current';
COMMENT ON VIEW v_workforce IS '人才队伍：区县季末合计，每份当前报表一行 / district workforce totals at the quarter''s end, a row per current return';
COMMENT ON VIEW v_workforce_all IS '人才队伍：所有已接收报表，含 is_current / workforce totals in every accepted return, with is_current';
COMMENT ON VIEW v_projects IS '服务项目：当前报表 / service projects, current returns';
COMMENT ON VIEW v_projects_all IS '服务项目：所有已接收报表，含 is_current / service projects in every accepted return, with is_current';
COMMENT ON VIEW v_indicator_inputs IS '各区县各季度指标的分子分母原始数（当前报表与当期名录）；指标值请用 sgz indicators / the inputs of the indicators per district and quarter (current return, registry in force); the values come from sgz indicators';
COMMENT ON COLUMN v_stations.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_stations.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_stations.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_stations.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_stations.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_stations.town_code IS '乡镇（街道）代码，9 位 / town code (9 digits)';
COMMENT ON COLUMN v_stations.town_name IS '乡镇（街道）名称（名录中的名称，否则按填写）/ town name (registry, else as written)';
COMMENT ON COLUMN v_stations.in_scope IS '该乡镇是否在当期名录中且纳入考核 / the town is in the registry in force and in scope';
COMMENT ON COLUMN v_stations.built IS '是否已建成社工站 / a station is built';
COMMENT ON COLUMN v_stations.built_on IS '建成日期 / built on';
COMMENT ON COLUMN v_stations.standard IS '是否达到规范化标准（未建成为 false）/ meets the standard (false when not built)';
COMMENT ON COLUMN v_stations.resident IS '驻站社工人数 / resident social workers';
COMMENT ON COLUMN v_stations.resident_cert IS '其中持证驻站社工 / of whom certified';
COMMENT ON COLUMN v_stations.outreach IS '外派社工人数 / outreach social workers';
COMMENT ON COLUMN v_stations.outreach_cert IS '其中持证外派社工 / of whom certified';
COMMENT ON COLUMN v_stations.operation IS '运营方式 / how it is run';
COMMENT ON COLUMN v_stations.operator IS '运营机构 / operator';
COMMENT ON COLUMN v_stations.charity_fund IS '是否设立社区慈善基金 / has a community charity fund';
COMMENT ON COLUMN v_stations_all.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_stations_all.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_stations_all.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_stations_all.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_stations_all.is_current IS '是否为当前计入考核的报表 / the row comes from the return that counts';
COMMENT ON COLUMN v_stations_all.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_stations_all.town_code IS '乡镇（街道）代码，9 位 / town code (9 digits)';
COMMENT ON COLUMN v_stations_all.town_name IS '乡镇（街道）名称（名录中的名称，否则按填写）/ town name (registry, else as written)';
COMMENT ON COLUMN v_stations_all.in_scope IS '该乡镇是否在当期名录中且纳入考核 / the town is in the registry in force and in scope';
COMMENT ON COLUMN v_stations_all.built IS '是否已建成社工站 / a station is built';
COMMENT ON COLUMN v_stations_all.built_on IS '建成日期 / built on';
COMMENT ON COLUMN v_stations_all.standard IS '是否达到规范化标准（未建成为 false）/ meets the standard (false when not built)';
COMMENT ON COLUMN v_stations_all.resident IS '驻站社工人数 / resident social workers';
COMMENT ON COLUMN v_stations_all.resident_cert IS '其中持证驻站社工 / of whom certified';
COMMENT ON COLUMN v_stations_all.outreach IS '外派社工人数 / outreach social workers';
COMMENT ON COLUMN v_stations_all.outreach_cert IS '其中持证外派社工 / of whom certified';
COMMENT ON COLUMN v_stations_all.operation IS '运营方式 / how it is run';
COMMENT ON COLUMN v_stations_all.operator IS '运营机构 / operator';
COMMENT ON COLUMN v_stations_all.charity_fund IS '是否设立社区慈善基金 / has a community charity fund';

COMMENT ON COLUMN v_rooms.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_rooms.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_rooms.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_rooms.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_rooms.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_rooms.town_code IS '所属乡镇（街道）代码（名录）/ town code (registry)';
COMMENT ON COLUMN v_rooms.village_code IS '村（社区）代码，12 位 / village code (12 digits)';
COMMENT ON COLUMN v_rooms.village_name IS '村（社区）名称 / village name';
COMMENT ON COLUMN v_rooms.in_scope IS '该村是否在当期名录中且纳入考核 / the village is in the registry in force and in scope';
COMMENT ON COLUMN v_rooms.built IS '是否已建成社工室 / a room is built';
COMMENT ON COLUMN v_rooms.built_on IS '建成日期 / built on';
COMMENT ON COLUMN v_rooms.charity_fund IS '是否设立社区慈善基金 / has a community charity fund';
COMMENT ON COLUMN v_rooms_all.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_rooms_all.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_rooms_all.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_rooms_all.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_rooms_all.is_current IS '是否为当前计入考核的报表 / the row comes from the return that counts';
COMMENT ON COLUMN v_rooms_all.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_rooms_all.town_code IS '所属乡镇（街道）代码（名录）/ town code (registry)';
COMMENT ON COLUMN v_rooms_all.village_code IS '村（社区）代码，12 位 / village code (12 digits)';
COMMENT ON COLUMN v_rooms_all.village_name IS '村（社区）名称 / village name';
COMMENT ON COLUMN v_rooms_all.in_scope IS '该村是否在当期名录中且纳入考核 / the village is in the registry in force and in scope';
COMMENT ON COLUMN v_rooms_all.built IS '是否已建成社工室 / a room is built';
COMMENT ON COLUMN v_rooms_all.built_on IS '建成日期 / built on';
COMMENT ON COLUMN v_rooms_all.charity_fund IS '是否设立社区慈善基金 / has a community charity fund';

COMMENT ON COLUMN v_funds.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_funds.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_funds.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_funds.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_funds.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_funds.unit_code IS '单位代码：区县、乡镇或村 / unit code: the district, a town or a village';
COMMENT ON COLUMN v_funds.unit_name IS '单位名称（名录）/ unit name (registry)';
COMMENT ON COLUMN v_funds.unit_level IS '单位层级 / unit level';
COMMENT ON COLUMN v_funds.category IS '资金类别：政府购买服务 | 社区慈善基金 | 福利彩票公益金 | 社会捐赠 | 其他 / category';
COMMENT ON COLUMN v_funds.amount IS '金额（万元）/ amount in 万元 (10,000 yuan)';
COMMENT ON COLUMN v_funds.note IS '备注 / note';
COMMENT ON COLUMN v_funds_all.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_funds_all.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_funds_all.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_funds_all.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_funds_all.is_current IS '是否为当前计入考核的报表 / the row comes from the return that counts';
COMMENT ON COLUMN v_funds_all.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_funds_all.unit_code IS '单位代码：区县、乡镇或村 / unit code: the district, a town or a village';
COMMENT ON COLUMN v_funds_all.unit_name IS '单位名称（名录）/ unit name (registry)';
COMMENT ON COLUMN v_funds_all.unit_level IS '单位层级 / unit level';
COMMENT ON COLUMN v_funds_all.category IS '资金类别：政府购买服务 | 社区慈善基金 | 福利彩票公益金 | 社会捐赠 | 其他 / category';
COMMENT ON COLUMN v_funds_all.amount IS '金额（万元）/ amount in 万元 (10,000 yuan)';
COMMENT ON COLUMN v_funds_all.note IS '备注 / note';

COMMENT ON COLUMN v_trainings.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_trainings.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_trainings.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_trainings.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_trainings.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_trainings.name IS '培训名称 / training name';
COMMENT ON COLUMN v_trainings.start_on IS '开始日期 / start date';
COMMENT ON COLUMN v_trainings.category IS '类别：继续教育 | 督导培养 | 新入职培训 | 专题培训 | 其他 / category';
COMMENT ON COLUMN v_trainings.hours IS '每人学时 / hours per participant';
COMMENT ON COLUMN v_trainings.participants IS '参训人次 / participants';
COMMENT ON COLUMN v_trainings.person_hours IS '总学时 = 学时 × 人次 / person-hours = hours × participants';
COMMENT ON COLUMN v_trainings.cost IS '经费（万元）/ cost in 万元';
COMMENT ON COLUMN v_trainings_all.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_trainings_all.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_trainings_all.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_trainings_all.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_trainings_all.is_current IS '是否为当前计入考核的报表 / the row comes from the return that counts';
COMMENT ON COLUMN v_trainings_all.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_trainings_all.name IS '培训名称 / training name';
COMMENT ON COLUMN v_trainings_all.start_on IS '开始日期 / start date';
COMMENT ON COLUMN v_trainings_all.category IS '类别：继续教育 | 督导培养 | 新入职培训 | 专题培训 | 其他 / category';
COMMENT ON COLUMN v_trainings_all.hours IS '每人学时 / hours per participant';
COMMENT ON COLUMN v_trainings_all.participants IS '参训人次 / participants';
COMMENT ON COLUMN v_trainings_all.person_hours IS '总学时 = 学时 × 人次 / person-hours = hours × participants';
COMMENT ON COLUMN v_trainings_all.cost IS '经费（万元）/ cost in 万元';

COMMENT ON COLUMN v_workforce.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_workforce.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_workforce.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_workforce.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_workforce.certified_total IS '持证社工总数 / certified social workers';
COMMENT ON COLUMN v_workforce.assistant IS '其中助理社会工作师 / of whom assistant social workers';
COMMENT ON COLUMN v_workforce.intermediate IS '其中社会工作师 / of whom social workers (intermediate)';
COMMENT ON COLUMN v_workforce.senior IS '其中高级社会工作师 / of whom senior social workers';
COMMENT ON COLUMN v_workforce.organisations IS '社会工作服务机构数 / social work organisations';
COMMENT ON COLUMN v_workforce.org_staff IS '机构全职员工数 / full-time staff of the organisations';
COMMENT ON COLUMN v_workforce.supervisors IS '本土督导人数 / local supervisors';
COMMENT ON COLUMN v_workforce_all.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_workforce_all.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_workforce_all.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_workforce_all.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_workforce_all.is_current IS '是否为当前计入考核的报表 / the row comes from the return that counts';
COMMENT ON COLUMN v_workforce_all.certified_total IS '持证社工总数 / certified social workers';
COMMENT ON COLUMN v_workforce_all.assistant IS '其中助理社会工作师 / of whom assistant social workers';
COMMENT ON COLUMN v_workforce_all.intermediate IS '其中社会工作师 / of whom social workers (intermediate)';
COMMENT ON COLUMN v_workforce_all.senior IS '其中高级社会工作师 / of whom senior social workers';
COMMENT ON COLUMN v_workforce_all.organisations IS '社会工作服务机构数 / social work organisations';
COMMENT ON COLUMN v_workforce_all.org_staff IS '机构全职员工数 / full-time staff of the organisations';
COMMENT ON COLUMN v_workforce_all.supervisors IS '本土督导人数 / local supervisors';

COMMENT ON COLUMN v_projects.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_projects.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_projects.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_projects.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_projects.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_projects.name IS '项目名称 / project name';
COMMENT ON COLUMN v_projects.town_code IS '所在乡镇（街道）代码 / town code';
COMMENT ON COLUMN v_projects.town_name IS '乡镇（街道）名称（名录）/ town name (registry)';
COMMENT ON COLUMN v_projects.field IS '服务领域 / field of service';
COMMENT ON COLUMN v_projects.served IS '服务人次 / people served';
COMMENT ON COLUMN v_projects.demonstration IS '是否示范项目 / a demonstration project';
COMMENT ON COLUMN v_projects_all.return_id IS '报表编号 / return id';
COMMENT ON COLUMN v_projects_all.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_projects_all.district_name IS '区县名称（名录中的名称）/ district name in the registry';
COMMENT ON COLUMN v_projects_all.period IS '报告期，如 2026Q3 / period, e.g. 2026Q3';
COMMENT ON COLUMN v_projects_all.is_current IS '是否为当前计入考核的报表 / the row comes from the return that counts';
COMMENT ON COLUMN v_projects_all.row_num IS '在工作表中的行号 / row in the sheet';
COMMENT ON COLUMN v_projects_all.name IS '项目名称 / project name';
COMMENT ON COLUMN v_projects_all.town_code IS '所在乡镇（街道）代码 / town code';
COMMENT ON COLUMN v_projects_all.town_name IS '乡镇（街道）名称（名录）/ town name (registry)';
COMMENT ON COLUMN v_projects_all.field IS '服务领域 / field of service';
COMMENT ON COLUMN v_projects_all.served IS '服务人次 / people served';
COMMENT ON COLUMN v_projects_all.demonstration IS '是否示范项目 / a demonstration project';

COMMENT ON COLUMN v_indicator_inputs.return_id IS '当前报表编号 / the current return';
COMMENT ON COLUMN v_indicator_inputs.district_code IS '区县代码 / district code';
COMMENT ON COLUMN v_indicator_inputs.district_name IS '区县名称 / district name';
COMMENT ON COLUMN v_indicator_inputs.period IS '季度 / quarter';
COMMENT ON COLUMN v_indicator_inputs.registry_version IS '所用名录版本（from_period）/ registry version used (its from_period)';
COMMENT ON COLUMN v_indicator_inputs.towns_in_scope IS '名录中纳入考核的乡镇（街道）数 / in-scope towns in the registry';
COMMENT ON COLUMN v_indicator_inputs.stations_built IS '其中已建成社工站的 / of which with a built station';
COMMENT ON COLUMN v_indicator_inputs.stations_standard IS '其中社工站达到规范化标准的 / of which the station meets the standard';
COMMENT ON COLUMN v_indicator_inputs.stations_staffed IS '其中驻站社工不少于 3 人的 / of which the station has at least 3 resident workers';
COMMENT ON COLUMN v_indicator_inputs.station_staff IS '已建成站点的驻站与外派社工人数 / resident + outreach workers of built stations';
COMMENT ON COLUMN v_indicator_inputs.station_staff_cert IS '其中持证 / of whom certified';
COMMENT ON COLUMN v_indicator_inputs.villages_in_scope IS '名录中纳入考核的村（社区）数 / in-scope villages in the registry';
COMMENT ON COLUMN v_indicator_inputs.rooms_built IS '其中已建成社工室的 / of which with a built room';
COMMENT ON COLUMN v_indicator_inputs.units_with_charity_fund IS '设立社区慈善基金的纳入考核乡镇与村数 / in-scope towns and villages with a charity fund';
COMMENT ON COLUMN v_indicator_inputs.certified_social_workers IS '持证社工总数（人才队伍表）/ certified social workers (workforce sheet)';
COMMENT ON COLUMN v_indicator_inputs.population IS '区县常住人口（名录）/ district population (registry)';
COMMENT ON COLUMN v_indicator_inputs.funds_total IS '本季度资金合计（万元）/ money received in the quarter, 万元';
COMMENT ON COLUMN v_indicator_inputs.funds_government IS '其中政府购买服务（万元）/ of which government purchase of services';
COMMENT ON COLUMN v_indicator_inputs.funds_charity IS '其中社区慈善基金与社会捐赠（万元）/ of which charity funds and donations';
COMMENT ON COLUMN v_indicator_inputs.trainings IS '培训期数 / trainings held';
COMMENT ON COLUMN v_indicator_inputs.training_participants IS '参训人次 / participants';
COMMENT ON COLUMN v_indicator_inputs.training_person_hours IS '总学时 / person-hours';
