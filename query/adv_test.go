package query

import (
	"context"
	"testing"

	"sgz/locale"
)

// Ways around the views through every corner of a SELECT are refused; the
// catalog functions (names and types only) run.
func TestAroundTheViews(t *testing.T) {
	db, e := locked(t, Limits{})
	before := fingerprint(t, db)
	allowed := map[string]bool{
		"SELECT * FROM pragma_table_info('returns')":                   true,
		"SELECT * FROM duckdb_columns() WHERE table_name = 'returns'":  true,
		"SELECT * FROM v_registry TABLESAMPLE 10%":                     true,
		"SELECT * FROM duckdb_views()":                                 true,
		"SELECT sql FROM duckdb_views() WHERE view_name = 'v_returns'": true,
	}
	for _, q := range []string{
		"SELECT * FROM v_stations UNION ALL SELECT * FROM stations",
		"SELECT (SELECT phone FROM returns LIMIT 1)",
		"SELECT * FROM unnest((SELECT list(phone) FROM returns))",
		"SELECT list_transform([1], x -> (SELECT phone FROM returns LIMIT 1))",
		"SELECT * FROM (FROM returns)",
		"SELECT * FROM v_stations WHERE EXISTS (FROM returns)",
		"SELECT * FROM v_stations ORDER BY (SELECT phone FROM returns LIMIT 1)",
		"SELECT * FROM v_stations LIMIT (SELECT count(*) FROM returns)",
		"SELECT * FROM v_stations QUALIFY (SELECT true FROM returns LIMIT 1)",
		"SELECT COLUMNS(c -> c LIKE '%') FROM returns",
		"WITH RECURSIVE returns AS (SELECT 1 AS a) SELECT * FROM returns",
		`SELECT * FROM "returns"`,
		`SELECT * FROM "RETURNS"`,
		"SELECT * FROM v_stations JOIN returns USING (return_id)",
		"SELECT * FROM v_stations POSITIONAL JOIN returns",
		"SELECT * FROM v_stations s ASOF JOIN returns r ON s.return_id >= r.return_id",
		"SELECT * FROM information_schema.tables",
		"SELECT * FROM pg_catalog.pg_class",
		"SELECT * FROM duckdb_tables()",
		"FROM returns PIVOT (count(*) FOR status IN ('accepted'))",
		"UNPIVOT returns ON phone INTO NAME k VALUE v",
		"DESCRIBE SELECT phone FROM returns",
		"SHOW returns",
		"SELECT * FROM json_each((SELECT to_json(list(phone)) FROM returns))",
		"SELECT * FROM v_stations WHERE town_code = ANY (SELECT phone FROM returns)",
		"SELECT * FROM range((SELECT count(*) FROM return_files))",
		"SELECT * FROM v_stations, LATERAL (SELECT phone FROM returns r WHERE r.return_id = v_stations.return_id)",
		"SELECT * FROM memory.main.returns",
		"SELECT * FROM temp.main.x",
		"SELECT * FROM system.main.duckdb_tables",
		"SELECT * FROM v_stations s, s.returns",
		"SELECT main.nextval('return_id_seq')",
		"SELECT system.main.nextval('return_id_seq')",
		"SELECT * FROM glob('*')",
		"SELECT * FROM v_stations WHERE town_code IN (FROM read_csv('/etc/passwd'))",
		"SELECT * FROM pragma_table_info('returns')",
		"SELECT * FROM duckdb_columns() WHERE table_name = 'returns'",
		"SELECT * FROM v_registry TABLESAMPLE 10%",
		"SELECT getvariable('a')",
		"SELECT * FROM sql_auto_complete('SEL')",
		"SELECT * FROM duckdb_views()",
		"SELECT sql FROM duckdb_views() WHERE view_name = 'v_returns'",
	} {
		_, err := e.Run(context.Background(), q, locale.EN)
		if allowed[q] != (err == nil) {
			t.Errorf("%q: allowed %v, error %v", q, allowed[q], err)
		}
	}
	if fingerprint(t, db) != before {
		t.Error("changed")
	}
}
