package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/gen"
	"sgz/registry"
	"sgz/store"
)

// ingestSet writes and ingests generated returns of some districts and quarters.
func ingestSet(t *testing.T, db string, districts []string, periods []string, extra ...string) {
	t.Helper()
	var ps []sgz.Period
	for _, p := range periods {
		ps = append(ps, sgz.MustPeriod(p))
	}
	dir := filepath.Join(t.TempDir(), "in")
	if _, err := gen.WriteSet(dir, registry.Suzhou(), districts, ps, gen.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--db", db, "ingest"}, extra...)
	if code, _, errOut := sgzRun(t, append(args, dir)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
}

type indicatorRow struct {
	Unit        string   `json:"unit_code"`
	Indicator   string   `json:"indicator"`
	Value       *float64 `json:"value"`
	Numerator   *float64 `json:"numerator"`
	Denominator *float64 `json:"denominator"`
	Reported    *int     `json:"reported"`
	Expected    *int     `json:"expected"`
	AsOf        *string  `json:"as_of"`
	AsOfMixed   *bool    `json:"as_of_mixed"`
}

func indicatorsJSON(t *testing.T, args ...string) map[string]indicatorRow {
	t.Helper()
	code, out, errOut := sgzRun(t, append([]string{"indicators", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("indicators %v: exit %d: %s", args, code, errOut)
	}
	var rows []indicatorRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := map[string]indicatorRow{}
	for _, r := range rows {
		m[r.Unit+"/"+r.Indicator] = r
	}
	return m
}

// --as-of decides which quarters are expected: 2026Q4 (due 2027-01-15) is not
// in the reporting denominator before its due date.
func TestIndicatorsAsOf(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.duckdb")
	ingestSet(t, db, []string{"320505", "320506"}, []string{"2026Q3"})
	for _, c := range []struct {
		asOf string
		den  float64
	}{{"2026-12-02", 30}, {"2027-01-15", 40}} {
		got := indicatorsJSON(t, "--db", db, "--period", "2026", "--level", "city", "--as-of", c.asOf)
		r := got["3205/reporting_rate"]
		if r.Denominator == nil || *r.Denominator != c.den {
			t.Errorf("as of %s: reporting_rate denominator %v, want %v", c.asOf, r.Denominator, c.den)
		}
	}
	code, _, errOut := sgzRun(t, "--db", db, "indicators", "--period", "2026", "--as-of", "2026-02-30")
	if code == 0 || !strings.Contains(errOut, "参数 --as-of 无效") || !strings.Contains(errOut, "2026-02-30") {
		t.Errorf("bad --as-of: exit %d: %s", code, errOut)
	}
	code, _, errOut = sgzRun(t, "--db", db, "--lang", "en", "assess", "--no-record", "--period", "2026", "--as-of", "soon")
	if code == 0 || !strings.Contains(errOut, "invalid --as-of") {
		t.Errorf("bad --as-of on assess: exit %d: %s", code, errOut)
	}
}

// --received-at records when the bureau received the files of a run; timeliness
// uses it: 2026Q3 is due by 2026-10-15.
func TestIngestReceivedAt(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.duckdb")
	ingestSet(t, db, []string{"320505"}, []string{"2026Q3"}, "--received-at", "2026-10-12")
	ingestSet(t, db, []string{"320506"}, []string{"2026Q3"}, "--received-at", "2026-10-20T09:30+08:00")
	got := indicatorsJSON(t, "--db", db, "--period", "2026Q3", "--as-of", "2026-12-02")
	if r := got["320505/reporting_rate"]; r.Value == nil || *r.Value != 1 {
		t.Errorf("on time: %+v", r)
	}
	if r := got["320506/reporting_rate"]; r.Value == nil || *r.Value != 0 || *r.Expected != 1 || *r.Reported != 1 {
		t.Errorf("late: %+v", r)
	}
	code, out, errOut := sgzRun(t, "--db", db, "query", "--format", "csv",
		"SELECT district_code, strftime(received_at, '%Y-%m-%d %H:%M') FROM v_returns ORDER BY 1")
	if code != 0 || !strings.Contains(out, "320505,2026-10-12 00:00") || !strings.Contains(out, "320506,2026-10-20 09:30") {
		t.Errorf("received_at: exit %d %s %s", code, out, errOut)
	}
	// Said on the way in; stated receipts are noted with the time they were recorded.
	dir := filepath.Join(t.TempDir(), "in")
	if _, err := gen.WriteSet(dir, registry.Suzhou(), []string{"320507"}, []sgz.Period{sgz.MustPeriod("2026Q3")}, gen.Options{Seed: 4}); err != nil {
		t.Fatal(err)
	}
	code, out, _ = sgzRun(t, "--db", db, "ingest", "--received-at", "2026-10-15T23:59+08:00", dir)
	if code != 0 || !strings.Contains(out, "接收时间按 --received-at 记为 2026-10-15 23:59（北京时间）") {
		t.Errorf("exit %d: %s", code, out)
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var stated string
	s.QueryRow(`SELECT count(*), any_value(stated_by) FROM return_receipts`).Scan(&n, &stated)
	s.Close()
	if n != 3 || stated != "cli --received-at" {
		t.Errorf("return_receipts: %d rows, %q", n, stated)
	}
	got = indicatorsJSON(t, "--db", db, "--period", "2026Q3", "--as-of", "2026-12-02")
	if r := got["320507/reporting_rate"]; r.Value == nil || *r.Value != 1 {
		t.Errorf("the due day's last minute is on time: %+v", r)
	}
	// A bad or future time: a clear error naming the flag; nothing ingested.
	for arg, want := range map[string]string{"2026-10-32": "参数 --received-at 无效：\"2026-10-32\"", "12 Oct": "参数 --received-at 无效", "2099-01-01": "晚于当前时间"} {
		code, out, errOut := sgzRun(t, "--db", db, "ingest", "--received-at", arg, dir)
		if code == 0 || !strings.Contains(errOut, want) || strings.Contains(out, "已接收") {
			t.Errorf("--received-at %s: exit %d: %s %s", arg, code, out, errOut)
		}
	}
	code, _, errOut = sgzRun(t, "--db", db, "--lang", "en", "ingest", "--received-at", "soon", dir)
	if code == 0 || !strings.Contains(errOut, "invalid --received-at \"soon\"") {
		t.Errorf("en: %s", errOut)
	}
}
