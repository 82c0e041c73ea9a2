package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"sgz"
	"sgz/gen"
	"sgz/registry"
)

// A backup taken while returns are being ingested through the server
// restores to a database whose indicators equal those of a database holding
// the same returns; a backup after them equals the original.
func TestBackupDuringIngestRestores(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	db := filepath.Join(dir, "live.duckdb")
	q3 := []sgz.Period{sgz.MustPeriod("2026Q3")}
	first := []string{"320505", "320506"}
	later := []string{"320507", "320508", "320509", "320581", "320582", "320583"}
	if _, err := gen.WriteSet("inA", registry.Suzhou(), first, q3, gen.Options{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	for _, d := range later {
		if _, err := gen.WriteSet(filepath.Join("inC", d), registry.Suzhou(), []string{d}, q3, gen.Options{Seed: 6}); err != nil {
			t.Fatal(err)
		}
	}
	const at = "2026-10-10"
	if code, _, e := sgzRun(t, "--db", db, "ingest", "--received-at", at, "inA"); code != 0 {
		t.Fatal(e)
	}
	startServe(t, db)

	var wg sync.WaitGroup
	wg.Add(1)
	var ingestErr []string
	twoIn := make(chan struct{})
	go func() {
		defer wg.Done()
		for i, d := range later {
			if code, _, e := sgzRun(t, "--db", db, "ingest", "--received-at", at, filepath.Join("inC", d)); code != 0 {
				ingestErr = append(ingestErr, e)
			}
			if i == 1 {
				close(twoIn)
			}
		}
	}()
	<-twoIn // the backup is taken while the other four go in
	code, out, e := sgzRun(t, "--db", db, "backup", "-o", "during.duckdb")
	wg.Wait()
	if code != 0 || !strings.Contains(out, "已备份到 during.duckdb") {
		t.Fatalf("backup while serving: %d %s %s", code, out, e)
	}
	if len(ingestErr) > 0 {
		t.Fatal(ingestErr)
	}
	if code, _, e := sgzRun(t, "--db", db, "backup", "-o", "after.duckdb"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := sgzRun(t, "--db", db, "backup", "-o", "after.duckdb"); code == 0 || !strings.Contains(e, "after.duckdb 已存在") {
		t.Errorf("backup over a file: %d %s", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "--lang", "en", "backup"); code == 0 || !strings.Contains(e, "the backup file is required") {
		t.Errorf("backup without -o: %d %s", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "backup", "-o", filepath.Join("no", "such", "b.duckdb")); code == 0 || !strings.Contains(e, "无法写出备份") {
		t.Errorf("backup into a missing folder: %d %s", code, e)
	}
	if _, err := os.Stat("during.duckdb.wal"); err == nil {
		t.Error("the backup is two files")
	}
	indicators := func(d string) string {
		t.Helper()
		code, out, e := sgzRun(t, "--db", d, "indicators", "--period", "2026Q3", "--format", "json", "--as-of", "2026-12-01")
		if code != 0 {
			t.Fatal(e)
		}
		return out
	}
	districts := func(d string) []string {
		t.Helper()
		code, out, e := sgzRun(t, "--db", d, "query", "--format", "json", "SELECT DISTINCT district_code FROM v_returns ORDER BY 1")
		if code != 0 {
			t.Fatal(e)
		}
		var res struct{ Rows [][]string }
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err, out)
		}
		var ds []string
		for _, r := range res.Rows {
			ds = append(ds, r[0])
		}
		return ds
	}
	// After: equal to the original, still serving.
	if code, out, e := sgzRun(t, "--db", "r-after.duckdb", "restore", "after.duckdb"); code != 0 || !strings.Contains(out, "已从 after.duckdb 恢复到 r-after.duckdb") {
		t.Fatalf("restore: %d %s %s", code, out, e)
	}
	if indicators("r-after.duckdb") != indicators(db) {
		t.Error("the restored backup's indicators differ from the original's")
	}
	// During: some of the later returns, and the same numbers as a
	// database given exactly those returns.
	if code, _, e := sgzRun(t, "--db", "r-during.duckdb", "restore", "during.duckdb"); code != 0 {
		t.Fatal(e)
	}
	got := districts("r-during.duckdb")
	t.Logf("the backup during the ingest holds %v", got)
	if len(got) < len(first)+2 {
		t.Errorf("the backup lacks returns ingested before it began: %v", got)
	}
	fresh := "fresh.duckdb"
	args := []string{"--db", fresh, "ingest", "--received-at", at, "inA"}
	for _, d := range got {
		if !contains(first, d) {
			args = append(args, filepath.Join("inC", d))
		}
	}
	if code, _, e := sgzRun(t, args...); code != 0 {
		t.Fatal(e)
	}
	if indicators("r-during.duckdb") != indicators(fresh) {
		t.Error("the backup taken during the ingest is not a consistent state")
	}
	if code, out, e := sgzRun(t, "--db", "r-during.duckdb", "audit", "verify"); code != 0 {
		t.Errorf("audit verify on the restored backup: %s %s", out, e)
	}
	if all := districts(db); len(all) != len(first)+len(later) || !sort.StringsAreSorted(all) {
		t.Errorf("the original: %v", all)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// restore checks what it is given and what it would replace.
func TestRestoreRefuses(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if code, _, e := sgzRun(t, "--db", "a.duckdb", "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := sgzRun(t, "--db", "a.duckdb", "backup", "-o", "b.duckdb"); code != 0 {
		t.Fatal(e)
	}
	os.WriteFile("text.duckdb", []byte("not a database\n"), 0o600)
	plain, err := sql.Open("duckdb", "plain.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec("CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	plain.Close()
	old, err := sql.Open("duckdb", "old.duckdb")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL); INSERT INTO schema_migrations VALUES (1, '001', now())"); err != nil {
		t.Fatal(err)
	}
	old.Close()
	os.WriteFile("wal.duckdb", nil, 0o600)
	os.WriteFile("wal.duckdb.wal", nil, 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--db", "a.duckdb", "restore", "b.duckdb"}, "数据库 a.duckdb 已存在：确认要用备份替换它时加 --force"},
		{[]string{"--db", "a.duckdb", "--lang", "en", "restore", "b.duckdb"}, "the database a.duckdb exists: add --force"},
		{[]string{"--db", "n.duckdb", "restore", "missing.duckdb"}, "找不到备份文件 missing.duckdb"},
		{[]string{"--db", "a.duckdb", "restore", "--force", "a.duckdb"}, "a.duckdb 就是 --db 本身"},
		{[]string{"--db", "n.duckdb", "restore", "text.duckdb"}, "text.duckdb 不能作为数据库打开"},
		{[]string{"--db", "n.duckdb", "restore", "plain.duckdb"}, "plain.duckdb 不是 sgz 的数据库"},
		{[]string{"--db", "n.duckdb", "restore", "old.duckdb"}, "old.duckdb 缺少迁移"},
		{[]string{"--db", "n.duckdb", "restore", "wal.duckdb"}, "wal.duckdb 旁有未合并的日志文件"},
		{[]string{"--db", filepath.Join("no", "such", "n.duckdb"), "restore", "b.duckdb"}, "无法恢复到 " + filepath.Join("no", "such", "n.duckdb")},
	}
	for _, c := range cases {
		code, out, e := sgzRun(t, c.args...)
		if code == 0 || out != "" || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %q %q, want %q", c.args, code, out, e, c.want)
		}
	}
	if _, err := os.Stat("n.duckdb"); err == nil {
		t.Error("a refused restore created the database")
	}
	if code, _, e := sgzRun(t, "--db", "a.duckdb", "restore", "--force", "b.duckdb"); code != 0 {
		t.Errorf("restore --force: %s", e)
	}
}
