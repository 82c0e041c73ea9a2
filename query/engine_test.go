package query

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"sgz/locale"
)

func TestRefused(t *testing.T) {
	db, e := locked(t, Limits{})
	ctx := context.Background()
	before := fingerprint(t, db)
	refused := []string{
		"CREATE TABLE x (a INT)",
		"CREATE TEMP TABLE x AS SELECT 1",
		"CREATE VIEW v_x AS SELECT 1",
		"CREATE MACRO m(a) AS a",
		"CREATE SEQUENCE s",
		"INSERT INTO stations SELECT * FROM stations",
		"UPDATE returns SET status = 'rejected'",
		"DELETE FROM stations",
		"DROP TABLE stations",
		"DROP VIEW v_stations",
		"ALTER TABLE returns ADD COLUMN x INT",
		"TRUNCATE stations",
		"COPY stations TO '/tmp/sgz-leak.csv'",
		"COPY (SELECT * FROM v_stations) TO '/tmp/sgz-leak.parquet' (FORMAT parquet)",
		"COPY stations FROM '/etc/passwd'",
		"EXPORT DATABASE '/tmp/sgz-leak'",
		"IMPORT DATABASE '/tmp/sgz-leak'",
		"ATTACH ':memory:' AS m",
		"ATTACH '/tmp/sgz-other.duckdb' AS o",
		"DETACH sgz",
		"USE memory",
		"USE system",
		"INSTALL httpfs",
		"LOAD httpfs",
		"FORCE INSTALL httpfs",
		"SET threads = 1",
		"SET GLOBAL enable_external_access = true",
		"SET lock_configuration = false",
		"RESET memory_limit",
		"SET VARIABLE x = 1",
		"PRAGMA threads = 1",
		"PRAGMA show_tables",
		"CALL checkpoint()",
		"CALL pragma_version()",
		"CHECKPOINT",
		"FORCE CHECKPOINT",
		"VACUUM",
		"ANALYZE",
		"BEGIN TRANSACTION",
		"COMMIT",
		"ROLLBACK",
		"PREPARE p AS SELECT 1",
		"EXECUTE p",
		"EXPLAIN SELECT 1",
		"EXPLAIN ANALYZE DELETE FROM stations",
		"PIVOT v_stations ON town_code USING count(*)",
		"SELECT 1 INTO x",
		"CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
		"UPDATE v_stations SET built = false",
		// files and network, through every reading function and replacement scans
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_csv_auto('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM read_blob('/etc/passwd')",
		"SELECT * FROM read_json('/etc/passwd')",
		"SELECT * FROM read_json_auto('/etc/passwd')",
		"SELECT * FROM read_json_objects('/etc/passwd')",
		"SELECT * FROM read_ndjson('/etc/passwd')",
		"SELECT * FROM read_ndjson_objects('/etc/passwd')",
		"SELECT * FROM read_parquet('/etc/passwd')",
		"SELECT * FROM parquet_scan('/etc/passwd')",
		"SELECT * FROM parquet_metadata('/etc/passwd')",
		"SELECT * FROM parquet_schema('/etc/passwd')",
		"SELECT * FROM glob('/etc/*')",
		"SELECT * FROM sniff_csv('/etc/passwd')",
		"FROM '/etc/passwd'",
		"SELECT * FROM '/etc/passwd'",
		"SELECT * FROM 'https://example.com/x.csv'",
		"SELECT * FROM read_csv('https://example.com/x.csv')",
		"SELECT (SELECT count(*) FROM read_text('/etc/passwd'))",
		"SELECT * FROM v_stations WHERE town_code IN (SELECT content FROM read_text('/etc/passwd'))",
		"WITH p AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM p",
		// internal tables and ways around the views
		"SELECT phone FROM returns",
		"SELECT * FROM main.returns",
		"SELECT * FROM sgz.main.returns",
		"SELECT * FROM return_files",
		"SELECT * FROM query_history",
		"SELECT * FROM current_returns",
		"SELECT * FROM q_return_context",
		"SELECT * FROM registry_at('2026Q3')",
		"SELECT * FROM query_table('returns')",
		"SELECT * FROM query('SELECT phone FROM returns')",
		"SELECT * FROM query('DROP TABLE stations')",
		"SUMMARIZE returns",
		"DESCRIBE returns",
		"SUMMARIZE SELECT phone FROM returns",
		"SELECT * FROM (SUMMARIZE returns)",
		"WITH returns AS (SELECT 1) SELECT * FROM returns",
		"SELECT * FROM v_stations, (WITH returns AS (SELECT 1) SELECT * FROM returns) r",
		"SELECT * FROM system.main.duckdb_settings()",
		"SELECT * FROM duckdb_secrets()",
		"SELECT * FROM duckdb_databases()",
		"SELECT * FROM checkpoint()",
		"SELECT * FROM force_checkpoint()",
		// side effects
		"SELECT nextval('return_id_seq')",
		"SELECT currval('return_id_seq')",
		"SELECT setseed(0.5)",
		"SELECT getvariable('x')",
		"SELECT current_setting('memory_limit')",
		"SELECT getenv('HOME')",
		// several statements, hidden statements
		"SELECT 1; SELECT 2",
		"SELECT 1; DROP TABLE stations",
		"SELECT 1; -- x\nDROP TABLE stations",
		"SELECT 1 /* ; */; DROP TABLE stations",
		"/* SELECT 1; */ DROP TABLE stations",
		"-- SELECT\nDROP TABLE stations",
		"SELECT 1;\n/* */ DELETE FROM stations",
		"SELECT * FROM v_stations; DETACH sgz",
		"USE memory; DETACH sgz",
		"SELECT 1) AS q; DROP TABLE stations; SELECT * FROM (SELECT 1",
		"",
		"   ;  ",
		"-- nothing",
		strings.Repeat("SELECT 1 UNION ALL ", 5000) + "SELECT 1",
	}
	for _, q := range refused {
		for _, lang := range []locale.Lang{locale.ZH, locale.EN} {
			res, err := e.Run(ctx, q, lang)
			if err == nil {
				t.Errorf("%q ran (%d rows), want refused", q, len(res.Rows))
				continue
			}
			qe := AsError(err)
			if qe.Code == "" || qe.Code == "internal" || qe.In(lang) == "" {
				t.Errorf("%q: unclear error %q: %v", q, qe.Code, err)
			}
			if lang == locale.EN && testing.Verbose() {
				t.Logf("%-60.60q %-18s %s", q, qe.Code, firstLine(qe.In(lang)))
			}
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("the database changed:\nbefore %s\nafter  %s", before, after)
	}
	for _, f := range []string{"/tmp/sgz-leak.csv", "/tmp/sgz-leak.parquet", "/tmp/sgz-leak", "/tmp/sgz-other.duckdb"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	// The app's database is still attached and the engine still answers.
	res, err := e.Run(ctx, "SELECT count(*) AS n FROM v_stations", locale.EN)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != int64(8) {
		t.Errorf("v_stations: %v rows, want 8", res.Rows[0][0])
	}
}

func TestAllowed(t *testing.T) {
	db, e := locked(t, Limits{})
	ctx := context.Background()
	before := fingerprint(t, db)
	for _, q := range []string{
		"SELECT 1",
		"SELECT 1;",
		"select 1 ; ",
		"SELECT 1 -- trailing comment",
		"SELECT 1; -- trailing comment",
		"/* leading */ SELECT 1",
		"FROM v_stations",
		"SELECT * FROM main.v_stations",
		"SELECT * FROM sgz.v_stations",
		"SELECT * FROM sgz.main.v_stations",
		"WITH t AS (SELECT district_code, count(*) AS n FROM v_stations GROUP BY ALL) SELECT * FROM t ORDER BY n DESC",
		"WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 5) SELECT * FROM r",
		"SUMMARIZE v_stations",
		"SUMMARIZE SELECT * FROM v_funds",
		"DESCRIBE v_stations",
		"SHOW TABLES",
		"SHOW ALL TABLES",
		"SELECT * FROM range(10)",
		"SELECT * FROM generate_series(1, 3)",
		"SELECT unnest([1, 2, 3])",
		"SELECT * FROM duckdb_columns() WHERE table_name = 'v_stations'",
		"SELECT * FROM v_stations PIVOT (count(*) FOR built IN (true, false) GROUP BY district_code)",
		"SELECT district_name, sum(amount) FROM v_funds GROUP BY ALL ORDER BY 1 COLLATE zh",
		"SELECT random() < 2, now() IS NOT NULL",
		"SELECT '/etc/passwd' AS just_text",
		"SELECT json_extract('{\"a\": 1}', '$.a')",
		"VALUES (1, 'a'), (2, 'b')",
		"SELECT * FROM v_returns r JOIN v_return_issues i USING (return_id)",
	} {
		if _, err := e.Run(ctx, q, locale.EN); err != nil {
			t.Errorf("%q: %v", q, AsError(err).In(locale.EN))
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("the database changed")
	}
}

func TestResultShape(t *testing.T) {
	_, e := locked(t, Limits{MaxRows: 3})
	ctx := context.Background()
	res, err := e.Run(ctx, "SELECT district_code, period, town_code, built_on, resident FROM v_stations ORDER BY town_code DESC", locale.EN)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Rows) != 3 {
		t.Fatalf("truncated %v, %d rows; want true, 3", res.Truncated, len(res.Rows))
	}
	want := []Column{{"district_code", "VARCHAR"}, {"period", "VARCHAR"}, {"town_code", "VARCHAR"}, {"built_on", "DATE"}, {"resident", "INTEGER"}}
	for i, c := range want {
		if res.Columns[i] != c {
			t.Errorf("column %d: %+v, want %+v", i, res.Columns[i], c)
		}
	}
	// the order of the query is kept through the row limit
	if res.Rows[0][2] != "320581003" || res.Rows[2][2] != "320581002" || res.Rows[0][3] != "2025-05-01" {
		t.Errorf("rows %v", res.Rows)
	}
	res, err = e.Run(ctx, "SELECT * FROM v_stations LIMIT 3", locale.EN)
	if err != nil || res.Truncated || len(res.Rows) != 3 {
		t.Errorf("exactly the limit: truncated %v, err %v", res != nil && res.Truncated, err)
	}
	// a trailing semicolon is no obstacle to the limit inside the query
	res, err = e.Run(ctx, "SELECT * FROM range(100000000000);  \n", locale.EN)
	if err != nil || !res.Truncated || len(res.Rows) != 3 || res.Rows[2][0] != int64(2) {
		t.Errorf("wrapped with a semicolon: %v %v", res, err)
	}
	// the fallback for a query that cannot be wrapped still truncates
	res, err = e.Run(ctx, "SELECT * FROM range(10); -- done", locale.EN)
	if err != nil || !res.Truncated || len(res.Rows) != 3 {
		t.Errorf("unwrapped: %v %v", res, err)
	}
	res, err = e.Run(ctx, "SELECT 12.5::DECIMAL(18,4) AS d, 1::HUGEINT AS h, NULL AS n, [1,2] AS l, {'a': 1} AS s, 'x'::BLOB AS b", locale.EN)
	if err != nil {
		t.Fatal(err)
	}
	b, err := jsonMarshal(res.Rows)
	if err != nil || string(b) != `[[12.5,1,null,[1,2],{"a":1},"\\x78"]]` {
		t.Errorf("json %s %v", b, err)
	}
}

func TestTimeLimit(t *testing.T) {
	_, e := locked(t, Limits{Timeout: 500 * time.Millisecond})
	start := time.Now()
	_, err := e.Run(context.Background(), "SELECT count(*) FROM range(100000000) a, range(100000000) b", locale.EN)
	took := time.Since(start)
	if AsError(err).Code != "timeout" {
		t.Fatalf("want timeout, got %v", err)
	}
	// Behaviour, not speed: it ran until the limit and was then stopped (a
	// hang would fail the whole run; the time taken is only logged).
	if took < 500*time.Millisecond {
		t.Errorf("stopped after %s, before the limit", took)
	}
	t.Logf("stopped after %s: %s", took, AsError(err).In(locale.ZH))
	if _, err := e.Run(context.Background(), "SELECT 1", locale.EN); err != nil {
		t.Errorf("after a timeout: %v", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	_, e := locked(t, Limits{MemoryLimit: "200MB", TempLimit: "100MB"})
	_, err := e.Run(context.Background(), "SELECT list(i) FROM range(200000000) t(i)", locale.EN)
	if AsError(err).Code != "memory" {
		t.Fatalf("want memory, got %v", err)
	}
	t.Log(AsError(err).In(locale.EN))
	if _, err := e.Run(context.Background(), "SELECT count(*) FROM v_stations", locale.EN); err != nil {
		t.Errorf("after running out of memory: %v", err)
	}
}
