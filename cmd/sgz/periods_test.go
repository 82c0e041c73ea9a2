package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/gen"
	"sgz/registry"
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
