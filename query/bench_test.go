package query

import (
	"context"
	"path/filepath"
	"testing"

	"sgz/locale"
)

// BenchmarkRun measures the cost of the checks on a trivial query.
func BenchmarkRun(b *testing.B) {
	_, e := locked(b, Limits{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.Run(ctx, "SELECT 1", locale.EN); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRaw is the same query without the engine.
func BenchmarkRaw(b *testing.B) {
	db, _ := locked(b, Limits{})
	ctx := context.Background()
	for b.Loop() {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunWorker is BenchmarkRun in a worker process (start, open the
// snapshot, lock down, check, run): the price of the memory ceiling.
func BenchmarkRunWorker(b *testing.B) {
	_, e := isolated(b, Limits{})
	ctx := context.Background()
	for b.Loop() {
		if _, err := e.Run(ctx, "SELECT 1", locale.EN); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot is the copy made after each write, before the next
// console query (the fixture: a few returns and the Suzhou registry).
func BenchmarkSnapshot(b *testing.B) {
	db := fixture(b)
	dst := filepath.Join(b.TempDir(), "s.duckdb")
	ctx := context.Background()
	for b.Loop() {
		if _, err := db.Snapshot(ctx, dst); err != nil {
			b.Fatal(err)
		}
	}
}
