package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"sgz/store"
)

// `sgz serve` gives its own DuckDB instance --db-memory (not the console
// workers' --memory-limit), sets the Go soft limit from --go-memory for as
// long as it serves, and empties the temporary directory an earlier server
// left, and its own at exit.
func TestServeMemoryLimits(t *testing.T) {
	_, db := ingested(t, []string{"320505"}, []string{"2026Q3"}, 5)
	// What a server stopped while spilling leaves.
	stale := filepath.Join(db+".tmp", "duckdb_temp_storage_S32K-0.tmp")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}

	type seen struct {
		mem, threads, temp, flush string
		goLimit                   int64
		staleLeft                 bool
		err                       error
	}
	got := make(chan seen, 1)
	serveLocked = func(sdb *store.DB) {
		var s seen
		s.err = sdb.QueryRowContext(context.Background(), `SELECT current_setting('memory_limit')::VARCHAR,
			current_setting('max_temp_directory_size')::VARCHAR, current_setting('threads')::VARCHAR,
			current_setting('allocator_flush_threshold')::VARCHAR`).Scan(&s.mem, &s.temp, &s.threads, &s.flush)
		s.goLimit = debug.SetMemoryLimit(-1)
		_, err := os.Stat(stale)
		s.staleLeft = err == nil
		got <- s
	}
	defer func() { serveLocked = nil }()
	before := debug.SetMemoryLimit(-1)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var errb strings.Builder
	go func() {
		var out strings.Builder
		done <- run(ctx, []string{"--db", db, "serve", "--addr", addr, "--db-memory", "200",
			"--go-memory", "300", "--memory-limit", "700MB", "--temp-limit", "1GB"}, &out, &errb)
	}()
	var s seen
	select {
	case s = <-got:
	case code := <-done:
		cancel()
		t.Fatalf("serve ended (%d) before serving: %s", code, errb.String())
	case <-time.After(2 * time.Minute): // a hang is the failure
		cancel()
		<-done
		t.Fatal("serve did not start")
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	// DuckDB shows 200 MB as 190.7 MiB: compare the bytes.
	if !strings.HasPrefix(s.mem, "190.7 MiB") {
		t.Errorf("the server's memory_limit = %q, want --db-memory 200 (190.7 MiB), not --memory-limit 700MB", s.mem)
	}
	if !strings.HasPrefix(s.temp, "953.6 MiB") {
		t.Errorf("max_temp_directory_size = %q, want --temp-limit 1GB (953.6 MiB)", s.temp)
	}
	if s.flush != "30.5 MiB" {
		t.Errorf("allocator_flush_threshold = %q, want 32MB (30.5 MiB)", s.flush)
	}
	if s.goLimit != 300<<20 {
		t.Errorf("Go memory limit while serving = %d, want %d", s.goLimit, 300<<20)
	}
	if s.staleLeft {
		t.Error("the stale temporary file was not removed at start")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d: %s", code, errb.String())
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("Go memory limit after serving = %d, want it restored to %d", after, before)
	}
	if _, err := os.Stat(db + ".tmp"); err == nil {
		t.Error("the temporary directory is left after the server stopped")
	}
}
