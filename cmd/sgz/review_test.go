package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/gen"
	"sgz/registry"
	"sgz/store"
)

func countReturns(t *testing.T, db string) int {
	t.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	s.QueryRow(`SELECT count(*) FROM returns`).Scan(&n)
	return n
}

// sgz review and sgz period: approve locks a return (ingest over it is
// refused), send-back needs a reason, restore keeps the history; a closed
// period refuses ingest, review and other rules, and exports what was
// recorded at closing; reopen allows again.
func TestReviewAndPeriodCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	files, err := gen.WriteSet(filepath.Join(dir, "in"), registry.Suzhou(), []string{"320505", "320506"},
		[]sgz.Period{sgz.MustPeriod("2026Q3")}, gen.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, e := sgzRun(t, "--db", db, "ingest", filepath.Join(dir, "in")); code != 0 {
		t.Fatalf("ingest: %s", e)
	}
	// Return 1 is the first file's (files are ingested in name order), 2 the second's.
	code, out, e := sgzRun(t, "--db", db, "review", "approve", "--by", "张评审", "1")
	if code != 0 || !strings.Contains(out, "报表 #1：审核通过（待审核 → 已审核）") {
		t.Fatalf("approve: %d %s %s", code, out, e)
	}
	code, _, e = sgzRun(t, "--db", db, "review", "approve", "1")
	if code == 0 || !strings.Contains(e, "已审核并锁定") {
		t.Errorf("approve twice: %d %s", code, e)
	}
	// Ingest over the approved return is refused, and nothing is recorded.
	n0 := countReturns(t, db)
	// A corrected return of the other district (other bytes: identical ones would be "unchanged").
	other, err := gen.WriteSet(filepath.Join(dir, "in2"), registry.Suzhou(), []string{"320506"},
		[]sgz.Period{sgz.MustPeriod("2026Q3")}, gen.Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = sgzRun(t, "--db", db, "--lang", "en", "ingest", files[0], other[0])
	if code == 0 || !strings.Contains(out, "approved and locked") {
		t.Errorf("ingest over an approved return: %d\n%s", code, out)
	}
	if n := countReturns(t, db); n != n0+1 {
		t.Errorf("%d returns recorded, want only the other district's (+1)", n-n0)
	}

	code, _, e = sgzRun(t, "--db", db, "review", "sendback", "3")
	if code == 0 || !strings.Contains(e, "须填写退回原因") {
		t.Errorf("send back without a reason: %d %s", code, e)
	}
	if code, _, e = sgzRun(t, "--db", db, "review", "sendback", "--reason", "资金表合计有误", "3"); code != 0 {
		t.Fatalf("send back: %s", e)
	}
	if code, _, e = sgzRun(t, "--db", db, "review", "restore", "--reason", "已核实", "3"); code != 0 {
		t.Fatalf("restore: %s", e)
	}
	code, out, _ = sgzRun(t, "--db", db, "review", "history", "3")
	if code != 0 || !strings.Contains(out, "退回修改") || !strings.Contains(out, "资金表合计有误") || !strings.Contains(out, "恢复计入") || !strings.Contains(out, "当前审核状态：待审核") {
		t.Errorf("history: %s", out)
	}
	code, out, _ = sgzRun(t, "--db", db, "query", "--format", "csv", "SELECT action, reason FROM v_returns_history WHERE return_id = 3 ORDER BY event_id")
	if code != 0 || !strings.Contains(out, "sendback,资金表合计有误") || !strings.Contains(out, "restore,已核实") {
		t.Errorf("v_returns_history: %s", out)
	}

	if code, out, _ = sgzRun(t, "--db", db, "period", "list"); code != 0 || !strings.Contains(out, "没有已考核归档的期间") {
		t.Errorf("list with none closed: %s", out)
	}
	// Close 2026Q3.
	code, out, e = sgzRun(t, "--db", db, "period", "close", "--reason", "季度考核定稿", "2026Q3")
	if code != 0 || !strings.Contains(out, "2026Q3 已考核归档：考核记录 #") {
		t.Fatalf("close: %d %s %s", code, out, e)
	}
	code, out, _ = sgzRun(t, "--db", db, "period", "list")
	if code != 0 || !strings.Contains(out, "2026Q3") || !strings.Contains(out, "季度考核定稿") {
		t.Errorf("list: %s", out)
	}
	n0 = countReturns(t, db)
	code, out, _ = sgzRun(t, "--db", db, "ingest", files[1])
	if code == 0 || !strings.Contains(out, "2026Q3 已考核归档（2026Q3，归档于") {
		t.Errorf("ingest into a closed period: %d\n%s", code, out)
	}
	if countReturns(t, db) != n0 {
		t.Error("a refused file was recorded")
	}
	code, _, e = sgzRun(t, "--db", db, "review", "sendback", "--reason", "x", "3")
	if code == 0 || !strings.Contains(e, "已考核归档") {
		t.Errorf("review in a closed period: %d %s", code, e)
	}
	// Other rules are refused; the export is the recorded one.
	rules := filepath.Join(dir, "rules.json")
	os.WriteFile(rules, []byte(`{"pending_counts": false}`), 0o644)
	code, _, e = sgzRun(t, "--db", db, "assess", "--period", "2026Q3", "--config", rules, "--format", "json")
	if code == 0 || !strings.Contains(e, "不能改变已归档期间的结果") {
		t.Errorf("assess with other rules: %d %s", code, e)
	}
	code, closedJSON, e := sgzRun(t, "--db", db, "assess", "--period", "2026Q3", "--format", "json")
	if code != 0 || !strings.Contains(e, "导出的是归档时记录的考核") {
		t.Errorf("assess a closed period: %d %s", code, e)
	}
	code, _, e = sgzRun(t, "--db", db, "period", "reopen", "2026Q4")
	if code == 0 || !strings.Contains(e, "没有考核归档") {
		t.Errorf("reopen an open period: %d %s", code, e)
	}
	if code, _, e = sgzRun(t, "--db", db, "period", "reopen", "--reason", "补报", "2026Q3"); code != 0 {
		t.Fatalf("reopen: %s", e)
	}
	// Open again: the other rules apply (return 3 is pending: it stops counting).
	code, strictJSON, e := sgzRun(t, "--db", db, "assess", "--period", "2026Q3", "--config", rules, "--format", "json", "--no-record")
	if code != 0 || strictJSON == closedJSON {
		t.Errorf("assess with other rules after reopen: %d %s", code, e)
	}
	if code, out, _ = sgzRun(t, "--db", db, "ingest", files[1]); code != 0 {
		t.Errorf("ingest after reopen: %d\n%s", code, out)
	}
}
