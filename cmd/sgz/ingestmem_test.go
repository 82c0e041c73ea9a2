package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/gen"
	"sgz/locale"
	"sgz/registry"
	"sgz/store"
)

// `sgz ingest` bounds its own DuckDB instance with --db-memory (default
// 256 MB): with DuckDB's default limit its peak grew with every workbook
// stored before (docs/operations.md, "Scale: eight quarters of the whole
// country"). Under the smallest limit allowed it still stores every file;
// beside a server it goes through the server and leaves the server's own
// limit as it was.
func TestIngestBoundsItsDuckDBMemory(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	write := func(sub string, districts []string, p string) string {
		t.Helper()
		in := filepath.Join(dir, sub)
		if _, err := gen.WriteSet(in, registry.Suzhou(), districts, []sgz.Period{sgz.MustPeriod(p)}, gen.Options{Seed: 11}); err != nil {
			t.Fatal(err)
		}
		return in
	}
	inQ2 := write("q2", []string{"320505", "320506"}, "2026Q2")
	inQ3 := write("q3", []string{"320505", "320506"}, "2026Q3")
	inBeside := write("beside", []string{"320507"}, "2026Q3")

	var seen []string
	ingestOpened = func(sdb *store.DB) {
		var s string
		if err := sdb.QueryRowContext(context.Background(), `SELECT current_setting('memory_limit')::VARCHAR`).Scan(&s); err != nil {
			s = err.Error()
		}
		seen = append(seen, s)
	}
	defer func() { ingestOpened = nil }()

	if code, _, e := sgzRun(t, "--db", db, "ingest", inQ2); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, e)
	}
	// DuckDB shows 256 MB as 244.1 MiB and 128 MB as 122.0 MiB.
	if len(seen) != 1 || seen[0] != "244.1 MiB" {
		t.Fatalf("memory_limit during the ingest = %q, want the default --db-memory 256 (244.1 MiB)", seen)
	}
	if code, _, e := sgzRun(t, "--db", db, "ingest", "--db-memory", "128", inQ3); code != 0 {
		t.Fatalf("ingest --db-memory 128: exit %d: %s", code, e)
	}
	if len(seen) != 2 || seen[1] != "122.0 MiB" {
		t.Fatalf("memory_limit during the ingest = %q, want --db-memory 128 (122.0 MiB)", seen)
	}

	// Beside a server the ingest runs in the server's process, whose
	// instance keeps its own limit (serve --db-memory, locked at start).
	server := make(chan *store.DB, 1)
	serveLocked = func(sdb *store.DB) { server <- sdb }
	defer func() { serveLocked = nil }()
	startServe(t, db)
	sdb := <-server
	limitOf := func() string {
		t.Helper()
		var s string
		if err := sdb.QueryRowContext(context.Background(), `SELECT current_setting('memory_limit')::VARCHAR`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := limitOf()
	if code, _, e := sgzRun(t, "--db", db, "ingest", "--db-memory", "128", inBeside); code != 0 {
		t.Fatalf("ingest beside the server: exit %d: %s", code, e)
	}
	if after := limitOf(); after != before {
		t.Errorf("the server's memory_limit went from %s to %s after an ingest through it", before, after)
	}
	if len(seen) != 2 {
		t.Errorf("the ingest through the server set a limit of its own: %q", seen)
	}
	var returns, files int
	if err := sdb.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM current_returns), (SELECT count(*) FROM return_files)`).Scan(&returns, &files); err != nil {
		t.Fatal(err)
	}
	if returns != 5 || files != 5 {
		t.Errorf("%d returns count and %d files are stored, want 5 and 5 (every file of the three ingests)", returns, files)
	}
}

// An ingest that runs out of DuckDB's memory says so naming --db-memory
// (zh and en), with DuckDB's own words; other errors, and errors beside a
// server (whose limit it is), pass unchanged. The error is a real one: a
// DuckDB instance under a small limit, not allowed to spill.
func TestIngestOutOfMemoryNamesTheFlag(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"SET memory_limit = '16MB'", "SET temp_directory = ''"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	oom := db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT i::VARCHAR || 'x' FROM range(5000000) t(i))`).Scan(&n)
	if oom == nil || !strings.Contains(oom.Error(), "Out of Memory") {
		t.Fatalf("no out-of-memory error from DuckDB under 16 MB: %v", oom)
	}
	got := outOfMemory(oom, 128, false)
	for lang, want := range map[locale.Lang]string{
		locale.ZH: "导入时 DuckDB 内存不足（--db-memory 128 MB）",
		locale.EN: "DuckDB ran out of memory during the ingest (--db-memory 128 MB)",
	} {
		if s := locale.Say(lang, got); !strings.Contains(s, want) || !strings.Contains(s, "Out of Memory") {
			t.Errorf("%s: %q, want %q and DuckDB's words", lang, s, want)
		}
	}
	if got := outOfMemory(oom, 128, true); got != oom {
		t.Errorf("beside a server: %v, want DuckDB's error as it is", got)
	}
	other := errors.New("disk full")
	if got := outOfMemory(other, 128, false); got != other {
		t.Errorf("another error became %v", got)
	}
}
