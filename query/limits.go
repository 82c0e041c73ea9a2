// Package query is the analysts' SQL: the documented v_* views (migration
// 003_views.sql, docs/views.md), a read-only query engine shared by
// `sgz query` and the dashboard's SQL console (with its gin routes), the
// console's history and example queries, and the exports for other tools
// (Parquet partitioned by period, a copy of the database file).
//
// Read-only is enforced by DuckDB, in layers (docs/views.md):
//
//  1. Lockdown, once per process before any console query: external access
//     (files, network), extension install/load and every later SET are off for
//     the whole instance.
//  2. The query is parsed by DuckDB (json_serialize_sql): exactly one SELECT,
//     reading only the v_* views, its own CTEs and a few harmless table
//     functions; no sequence or query-string functions.
//  3. It is prepared through the driver connection's Prepare, which refuses
//     more than one statement without executing any, and its statement type
//     must be SELECT.
//  4. It runs inside BEGIN TRANSACTION READ ONLY, rolled back afterwards, with
//     a context time limit that interrupts DuckDB, under a row limit and the
//     instance's memory limit.
//
// In `sgz serve` all of this happens in a worker process per query
// (NewIsolated, worker.go), under a memory limit the kernel enforces, over a
// read-only snapshot of the database; the scheduler (sched.go) gives users
// turns. docs/sql.md has the design and the figures.
package query

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sgz/locale"
	"sgz/store"
)

// Limits bound what an analyst's query may use. MemoryLimit, TempLimit and
// Threads are instance-wide DuckDB settings fixed by Lockdown (they also bound
// the application's own queries); the others apply per query. With workers
// (NewIsolated), MemoryLimit is each worker's RLIMIT_DATA and Concurrent the
// number of workers at once.
type Limits struct {
	Timeout      time.Duration // wall time of one query (default 30 s)
	MaxRows      int           // rows returned to the console or `sgz query` (default 10,000)
	MaxDownload  int           // rows in a .csv or .xlsx download (default 1,000,000; xlsx holds 1,048,575)
	MaxSQLBytes  int           // length of the SQL text (default 64 KiB)
	MemoryLimit  string        // DuckDB memory_limit (default "2GB")
	TempLimit    string        // DuckDB max_temp_directory_size: spilling to disk (default "4GB")
	Threads      int           // DuckDB threads; 0 keeps DuckDB's default (the number of cores)
	HistoryLimit int           // queries kept per session (default 100)
	Concurrent   int           // console queries running at once; others wait within their time limit (default 2)
	PerUser      int           // queries of one user running at once (default 1)
	Queue        int           // more queries of one user waiting their turn; beyond, refused (default 2)
	// MaxResultBytes bounds what a worker process hands the server: one row,
	// and the whole result shown in the console (default 16 MiB).
	MaxResultBytes int64
}

// DefaultLimits are the settings used when none are given.
func DefaultLimits() Limits {
	return Limits{
		Timeout:        30 * time.Second,
		MaxRows:        10000,
		MaxDownload:    1000000,
		MaxSQLBytes:    64 << 10,
		MemoryLimit:    "1GB",
		TempLimit:      "4GB",
		HistoryLimit:   100,
		Concurrent:     2,
		PerUser:        1,
		Queue:          2,
		MaxResultBytes: 16 << 20,
	}
}

// withDefaults fills zero fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	if l.MaxDownload <= 0 {
		l.MaxDownload = d.MaxDownload
	}
	if l.MaxSQLBytes <= 0 {
		l.MaxSQLBytes = d.MaxSQLBytes
	}
	if l.MemoryLimit == "" {
		l.MemoryLimit = d.MemoryLimit
	}
	if l.TempLimit == "" {
		l.TempLimit = d.TempLimit
	}
	if l.HistoryLimit <= 0 {
		l.HistoryLimit = d.HistoryLimit
	}
	if l.Concurrent <= 0 {
		l.Concurrent = d.Concurrent
	}
	if l.PerUser <= 0 {
		l.PerUser = d.PerUser
	}
	if l.Queue <= 0 {
		l.Queue = d.Queue
	}
	if l.MaxResultBytes <= 0 {
		l.MaxResultBytes = d.MaxResultBytes
	}
	return l
}

// validSize accepts DuckDB sizes such as 512MB, 2GB, 1.5GiB.
func validSize(s string) bool {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return false
	}
	switch strings.ToUpper(strings.TrimSpace(s[i:])) {
	case "B", "KB", "MB", "GB", "TB", "KIB", "MIB", "GIB", "TIB":
		return true
	}
	return false
}

// Lockdown makes the DuckDB instance behind db safe for analysts' queries. It
// sets the instance-wide limits, then turns off every access to files and the
// network (COPY, ATTACH of files, read_csv and friends, httpfs), the
// installation and loading of extensions, and finally locks the configuration
// so that nothing — not even the application — can SET anything again.
//
// Call it once at start-up, after store.Open (migrations) and after anything
// that needs files through DuckDB (`sgz export` does not lock down). The
// application's own writes (db.Write, appenders) keep working. Calling it
// again on a locked instance is a no-op.
func Lockdown(ctx context.Context, db *store.DB, lim Limits) error {
	lim = lim.withDefaults()
	locked, err := isLocked(ctx, db)
	if err != nil {
		return err
	}
	if locked {
		return nil
	}
	if !validSize(lim.MemoryLimit) {
		return locale.Errorf("query.badsize", "memory-limit", lim.MemoryLimit)
	}
	if !validSize(lim.TempLimit) {
		return locale.Errorf("query.badsize", "temp-limit", lim.TempLimit)
	}
	stmts := []string{
		fmt.Sprintf("SET GLOBAL memory_limit = '%s'", lim.MemoryLimit),
		fmt.Sprintf("SET GLOBAL max_temp_directory_size = '%s'", lim.TempLimit),
	}
	if lim.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL threads = %d", lim.Threads))
	}
	stmts = append(stmts,
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
		"SET GLOBAL allow_community_extensions = false",
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL lock_configuration = true",
	)
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("lockdown: %s: %w", s, err)
		}
	}
	return nil
}

// isLocked reports whether Lockdown has been applied (external access off and
// the configuration locked).
func isLocked(ctx context.Context, db *store.DB) (bool, error) {
	var ext, lock string
	err := db.QueryRowContext(ctx, `SELECT current_setting('enable_external_access')::VARCHAR,
		current_setting('lock_configuration')::VARCHAR`).Scan(&ext, &lock)
	if err != nil {
		return false, err
	}
	return ext == "false" && lock == "true", nil
}
