package query

import (
	"context"
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
