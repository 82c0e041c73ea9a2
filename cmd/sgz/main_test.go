package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sgz"
	"sgz/gen"
	"sgz/locale"
	"sgz/registry"
)

// sgzRun runs the command line in-process, as a user would.
func sgzRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestIngestJSONShapeAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	files, err := gen.WriteSet(filepath.Join(dir, "in"), registry.Suzhou(), []string{"320505", "320506"},
		[]sgz.Period{sgz.MustPeriod("2026Q3")}, gen.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sgzRun(t, "--db", db, "ingest", "--json", filepath.Join(dir, "in"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got) != len(files) {
		t.Fatalf("%d objects for %d files", len(got), len(files))
	}
	ids := map[int64]bool{}
	for _, o := range got {
		for _, k := range []string{"file", "status", "district", "period", "return_id", "errors", "warnings"} {
			if _, ok := o[k]; !ok {
				t.Errorf("object lacks %q: %v", k, o)
			}
		}
		// return_id is a string (interfaces.md) holding the new return's id.
		if s, ok := o["return_id"].(string); !ok {
			t.Errorf("return_id %v is a %T, want a string", o["return_id"], o["return_id"])
		} else if id, err := strconv.ParseInt(s, 10, 64); err != nil || id < 1 || ids[id] {
			t.Errorf("return_id %q: want a new positive id", s)
		} else {
			ids[id] = true
		}
		if o["status"] != "accepted" || o["period"] != "2026Q3" {
			t.Errorf("%v", o)
		}
		if errs, ok := o["errors"].([]any); !ok || len(errs) != 0 {
			t.Errorf("errors should be an empty array: %v", o["errors"])
		}
	}

	// The same folder again (after a crash, say): exit 0, every file
	// "unchanged" with the id of the return that counts, nothing stored.
	idOf := map[string]any{}
	for _, o := range got {
		idOf[o["file"].(string)] = o["return_id"]
	}
	code, out, errOut = sgzRun(t, "--db", db, "ingest", "--json", filepath.Join(dir, "in"))
	got = nil
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 || len(got) != len(files) {
		t.Fatalf("rerun: exit %d %v\n%s%s", code, err, out, errOut)
	}
	for _, o := range got {
		if o["status"] != "unchanged" || o["return_id"] != idOf[o["file"].(string)] {
			t.Errorf("rerun: %v", o)
		}
	}
	code, out, _ = sgzRun(t, "--db", db, "ingest", filepath.Join(dir, "in"))
	if code != 0 || strings.Count(out, "未变化") != len(files) {
		t.Errorf("rerun as text: exit %d\n%s", code, out)
	}

	// A bad file: exit non-zero, errors with sheet and cell, in English on request.
	bad := filepath.Join(dir, "bad.xlsx")
	os.WriteFile(bad, []byte("code,name\n"), 0o644)
	code, out, _ = sgzRun(t, "--db", db, "--lang", "en", "ingest", "--json", bad)
	if code == 0 {
		t.Fatal("a rejected file exits 0")
	}
	got = nil
	json.Unmarshal([]byte(out), &got)
	if len(got) != 1 || got[0]["status"] != "rejected" {
		t.Fatalf("%s", out)
	}
	e := got[0]["errors"].([]any)[0].(map[string]any)
	if e["sheet"] != "" || e["cell"] != "" || !strings.Contains(e["message"].(string), "not a valid .xlsx") {
		t.Errorf("whole-file error %v", e)
	}
	// Text output in Chinese names the file and says rejected.
	code, out, _ = sgzRun(t, "--db", db, "ingest", bad)
	if code == 0 || !strings.Contains(out, "bad.xlsx") || !strings.Contains(out, "已拒收") || !strings.Contains(out, "不是有效的 .xlsx") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestUserErrorsNameTheFlagOrPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "ingest", filepath.Join(dir, "nope")}, "找不到文件或文件夹"},
		{[]string{"--db", db, "--lang", "en", "ingest", filepath.Join(dir, "nope")}, "no such file or folder"},
		{[]string{"--db", db, "ingest", "--max-size", "0", dir}, "--max-size"},
		{[]string{"--db", db, "--lang", "fr", "ingest", dir}, "unknown language"},
		{[]string{"--db", db, "registry", "load", filepath.Join(dir, "x.csv")}, "无法打开名录文件"},
		{[]string{"--db", db, "registry", "load", "--from", "2026Q9", filepath.Join(dir, "x.csv")}, "--from"},
		{[]string{"--db", filepath.Join(dir, "no", "such", "dir", "x.duckdb"), "registry", "versions"}, "无法打开数据库"},
		{[]string{"--db", filepath.Join(dir, "typo.duckdb"), "indicators", "--period", "2026Q3"}, "不存在"},
		{[]string{"--db", filepath.Join(dir, "typo.duckdb"), "--lang", "en", "query", "SELECT 1"}, "does not exist"},
	}
	for _, c := range cases {
		code, _, errOut := sgzRun(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errOut, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo.duckdb")); err == nil {
		t.Error("a read-only command created the database it was pointed at")
	}
}

func TestIndicatorsAssessQueryRecheckFromTheCommandLine(t *testing.T) {
	dir, db := ingested(t, []string{"320505", "320506"}, []string{"2026Q2", "2026Q3"}, 3)
	// indicators --format json: the interfaces.md shape.
	code, out, e := sgzRun(t, "--db", db, "indicators", "--period", "2026Q3", "--level", "district", "--format", "json")
	if code != 0 {
		t.Fatal(e)
	}
	var vals []map[string]any
	if err := json.Unmarshal([]byte(out), &vals); err != nil || len(vals) == 0 {
		t.Fatalf("%v %s", err, out)
	}
	seen := false
	for _, v := range vals {
		if v["unit_code"] == "320505" && v["indicator"] == "station_coverage" {
			seen = true
			if v["level"] != "district" || v["period"] != "2026Q3" || v["denominator"] != 5.0 {
				t.Errorf("%v", v)
			}
		}
	}
	if !seen {
		t.Error("no station_coverage for 320505")
	}
	// assess to .xlsx, and a year.
	xlsxOut := filepath.Join(dir, "a.xlsx")
	if code, _, e := sgzRun(t, "--db", db, "assess", "--period", "2026", "-o", xlsxOut); code != 0 {
		t.Fatal(e)
	}
	if st, err := os.Stat(xlsxOut); err != nil || st.Size() == 0 {
		t.Fatal("no assessment workbook", err)
	}
	code, out, _ = sgzRun(t, "--db", db, "assess", "--period", "2026Q3", "--format", "json", "--no-record")
	var rows []map[string]any
	// Every district of the registry is listed; the two that reported lead.
	if json.Unmarshal([]byte(out), &rows); code != 0 || len(rows) != 10 || rows[0]["rank"] != 1.0 ||
		(rows[0]["unit_code"] != "320505" && rows[0]["unit_code"] != "320506") {
		t.Errorf("assess json: %d rows", len(rows))
	}
	// Bad flags name the flag.
	if code, _, e := sgzRun(t, "--db", db, "indicators", "--period", "2026Q7"); code == 0 || !strings.Contains(e, "period") {
		t.Errorf("bad period: %d %s", code, e)
	}
	// query: reads views, refuses writes.
	towns := 0
	for _, d := range []string{"320505", "320506"} {
		for _, u := range registry.Suzhou().Within(d, sgz.Town) {
			if u.InScope {
				towns++
			}
		}
	}
	code, out, _ = sgzRun(t, "--db", db, "query", "--format", "csv", "SELECT count(*) AS n FROM v_stations WHERE period = '2026Q3'")
	if code != 0 || strings.TrimSpace(strings.TrimPrefix(out, "\ufeff")) != fmt.Sprintf("n\n%d", towns) {
		t.Errorf("query: %d %q, want %d towns", code, out, towns)
	}
	if code, _, e := sgzRun(t, "--db", db, "query", "DELETE FROM stations"); code == 0 || e == "" {
		t.Error("a DELETE was not refused")
	}
	// recheck: the stored bytes checked again, nothing changed.
	code, out, e = sgzRun(t, "--db", db, "recheck", "1")
	if code != 0 || !strings.Contains(out, "已接收") {
		t.Errorf("recheck: %d %s %s", code, out, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "recheck", "999"); code == 0 || !strings.Contains(e, "999") {
		t.Errorf("recheck of a missing return: %d %s", code, e)
	}
	// export --parquet writes files partitioned by period.
	pq := filepath.Join(dir, "pq")
	if code, _, e := sgzRun(t, "--db", db, "export", "--parquet", pq); code != 0 {
		t.Fatal(e)
	}
	if m, _ := filepath.Glob(filepath.Join(pq, "*", "period=2026Q3", "*.parquet")); len(m) == 0 {
		entries, _ := os.ReadDir(pq)
		t.Errorf("no period=2026Q3 partition under %s: %v", pq, entries)
	}
}

// Every sentence of every package linked into sgz exists in Chinese and
// English with the same fmt verbs.
func TestEveryMessageInBothLanguages(t *testing.T) {
	if len(locale.Keys()) < 100 {
		t.Fatalf("only %d sentences registered: are the packages linked?", len(locale.Keys()))
	}
	for _, p := range locale.Problems() {
		t.Error(p)
	}
}

// ingested is a database in a temporary folder (also returned) holding the
// generated returns of districts for periods, ingested by sgz itself.
func ingested(t *testing.T, districts, periods []string, seed int64) (dir, db string) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "t.duckdb")
	var ps []sgz.Period
	for _, p := range periods {
		ps = append(ps, sgz.MustPeriod(p))
	}
	if _, err := gen.WriteSet(filepath.Join(dir, "in"), registry.Suzhou(), districts, ps, gen.Options{Seed: seed}); err != nil {
		t.Fatal(err)
	}
	if code, _, e := sgzRun(t, "--db", db, "ingest", filepath.Join(dir, "in")); code != 0 {
		t.Fatalf("ingest: %s", e)
	}
	return dir, db
}
