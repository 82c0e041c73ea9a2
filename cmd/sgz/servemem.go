package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/spf13/cobra"

	"sgz/query"
	"sgz/store"
)

// serveMemory bounds the server's own memory (docs/operations.md, "Scale"):
// its DuckDB instance gets a memory_limit of its own, lower than the
// console workers' (--memory-limit, each in its own process), and spills
// to its temporary directory beyond it (bounded by --temp-limit, emptied at
// start and at exit); the Go heap gets a soft limit, so the collector works
// harder before the process grows past it.
type serveMemory struct {
	dbMB int // --db-memory: memory_limit of the server's DuckDB instance, MB
	goMB int // --go-memory: the Go runtime's soft memory limit, MB (0: none)
}

// defaultGoMB is --go-memory's default: the national database's server
// holds about 320 MB live once its pages are computed, 400 MB at most under
// 32 clients (docs/operations.md, "Values kept once"); 600 before each value
// was kept once, when the live heap was 500 MB.
const defaultGoMB = 450

func (m *serveMemory) flags(cmd *cobra.Command) {
	cmd.Flags().IntVar(&m.dbMB, "db-memory", 256, "服务进程自身 DuckDB 的内存上限(MB)，超出部分写入临时目录 / memory limit of the server's own DuckDB, MB (beyond it DuckDB spills to its temporary directory)")
	cmd.Flags().IntVar(&m.goMB, "go-memory", defaultGoMB, "服务进程 Go 堆的软上限(MB)，0 为不限 / soft limit of the server's Go heap, MB (0: none)")
	limit(cmd, "db-memory", 128, 1<<20, false) // at 64 a national ingest failed to pin a block, which invalidates the open database (docs/operations.md)
	limit(cmd, "go-memory", 0, 1<<20, false)
}

// serveLocked, when set (by a test), sees the server's database once it
// is locked down.
var serveLocked func(*store.DB)

// serverLimits are the console's limits with the server's own memory_limit:
// what Lockdown sets on the server's instance. The workers keep lim.
func (m *serveMemory) serverLimits(lim query.Limits) query.Limits {
	lim.MemoryLimit = fmt.Sprintf("%dMB", m.dbMB)
	return lim
}

// prepare readies the DuckDB instance a server serves (its own, or a
// replica's snapshot): the allocator, then Lockdown with the server's own
// memory limit (serverLimits).
func (m *serveMemory) prepare(ctx context.Context, db *store.DB, lim query.Limits) error {
	if err := m.allocator(ctx, db); err != nil {
		return err
	}
	if err := query.Lockdown(ctx, db, m.serverLimits(lim)); err != nil {
		return err
	}
	if serveLocked != nil {
		serveLocked(db)
	}
	return nil
}

// allocator makes DuckDB hand freed memory back sooner (its allocator keeps
// up to 128 MB after each task by default, and the server runs many): set
// before Lockdown, which locks the configuration.
func (m *serveMemory) allocator(ctx context.Context, db *store.DB) error {
	for _, q := range []string{
		"SET GLOBAL allocator_flush_threshold = '32MB'",
		"SET GLOBAL allocator_background_threads = true",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// setGo sets the Go soft limit and returns what undoes it (a test runs
// serve in its own process).
func (m *serveMemory) setGo() func() {
	if m.goMB <= 0 {
		return func() {}
	}
	prev := debug.SetMemoryLimit(int64(m.goMB) << 20)
	return func() { debug.SetMemoryLimit(prev) }
}

// tempDir is where db's DuckDB spills (by default the database's path with
// .tmp appended).
func tempDir(ctx context.Context, db *store.DB) string {
	var dir string
	if err := db.QueryRowContext(ctx, "SELECT current_setting('temp_directory')::VARCHAR").Scan(&dir); err != nil {
		slog.Warn("temp_directory", "err", err)
		return ""
	}
	return dir
}

// emptyTempDir removes what a DuckDB left in its temporary directory: a
// server stopped while spilling left gigabytes there. Called while this
// process holds the database (no other instance spills there) before its
// first query, and again after it closed the database.
func emptyTempDir(dir string) {
	if dir == "" {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			slog.Warn("temp_directory", "path", filepath.Join(dir, e.Name()), "err", err)
		}
	}
	os.Remove(dir) // only if empty
}
