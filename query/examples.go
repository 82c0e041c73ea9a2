package query

// Example is a query shown in the console as a starting point.
type Example struct {
	ID    string `json:"id"`
	Title string `json:"title"` // 中文 / English
	SQL   string `json:"sql"`
}

// Examples are the console's example queries; each is tested to run.
var Examples = []Example{
	{"station_coverage", "各区县社工站覆盖率 / station coverage by district",
		`SELECT district_name, period, stations_built, towns_in_scope,
       round(stations_built / nullif(towns_in_scope, 0), 4) AS coverage
FROM v_indicator_inputs
ORDER BY period DESC, coverage DESC`},
	{"towns_without_station", "尚未建站的纳入考核乡镇 / in-scope towns without a station",
		`SELECT district_name, period, town_code, town_name
FROM v_stations
WHERE in_scope AND NOT built
ORDER BY district_name, town_code`},
	{"funds_by_category", "各区县各类资金（万元）/ money by district and category",
		`SELECT district_name, period, category, sum(amount) AS amount_wan
FROM v_funds
GROUP BY ALL
ORDER BY period DESC, district_name, amount_wan DESC`},
	{"training_hours", "培训人次与学时 / training participants and person-hours",
		`SELECT district_name, period, count(*) AS trainings,
       sum(participants) AS participants, sum(person_hours) AS person_hours
FROM v_trainings
GROUP BY ALL
ORDER BY period DESC, person_hours DESC`},
	{"workforce", "持证社工与督导 / certified social workers and supervisors",
		`SELECT district_name, period, certified_total, senior, supervisors, organisations
FROM v_workforce
ORDER BY period DESC, certified_total DESC`},
	{"staff_per_station", "每站驻站社工（已建成站点）/ resident workers per built station",
		`SELECT district_name, period, count(*) AS stations,
       round(avg(resident), 2) AS avg_resident,
       count(*) FILTER (WHERE resident >= 3) AS with_three_or_more
FROM v_stations
WHERE built
GROUP BY ALL
ORDER BY period DESC, avg_resident DESC`},
	{"returns_status", "报送情况：每次报送及是否计入 / every return attempt and whether it counts",
		`SELECT period, district_name, received_at, status, is_current, review_status, error_count, file_name
FROM v_returns
ORDER BY received_at DESC`},
	{"review_history", "审核经过：退回、恢复、审核通过与考核归档 / review history: send-backs, restores, approvals, closings",
		`SELECT acted_at, actor, action, period, district_name, return_id, status_before, status_after, reason
FROM v_returns_history
ORDER BY event_id DESC`},
	{"common_errors", "最常见的报表错误 / the most frequent errors in returns",
		`SELECT sheet, code, any_value(message_zh) AS message, count(*) AS times
FROM v_return_issues
WHERE severity = 'error'
GROUP BY sheet, code
ORDER BY times DESC
LIMIT 20`},
	{"demonstration_projects", "示范项目与服务人次 / demonstration projects and people served",
		`SELECT district_name, period, count(*) AS projects,
       count(*) FILTER (WHERE demonstration) AS demonstration, sum(served) AS served
FROM v_projects
GROUP BY ALL
ORDER BY period DESC, served DESC`},
	{"registry_towns", "名录：各区县纳入考核的乡镇和村数 / registry: in-scope towns and villages per district",
		`SELECT d.code, d.name,
       count(*) FILTER (WHERE u.level = 'town' AND u.in_scope) AS towns,
       count(*) FILTER (WHERE u.level = 'village' AND u.in_scope) AS villages
FROM v_registry d
JOIN v_registry u ON u.from_period = d.from_period AND u.district_code = d.code
WHERE d.is_latest AND d.level = 'district'
GROUP BY d.code, d.name
ORDER BY d.code`},
	{"quarter_trend", "季度变化：已建站点数 / built stations quarter by quarter",
		`SELECT period, sum(stations_built) AS built, sum(towns_in_scope) AS towns
FROM v_indicator_inputs
GROUP BY period
ORDER BY period`},
	{"describe", "视图的列 / the columns of a view",
		`DESCRIBE v_stations`},
}
