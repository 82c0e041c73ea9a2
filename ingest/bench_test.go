package ingest

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkCheck validates the return of Suzhou's largest district (常熟市:
// 14 in-scope towns, ~350 villages) held in memory.
func BenchmarkCheck(b *testing.B) {
	data := goodBook(suzhou, "320581", testPeriod).bytes(b)
	opt := testOptions()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if res := Check("x.xlsx", data, opt); !res.OK() {
			b.Fatal(describe(res.Errors))
		}
	}
}

// BenchmarkRun ingests the ten Suzhou districts' returns for one quarter into
// a real DuckDB file: read, validate, record (one transaction per return).
func BenchmarkRun(b *testing.B) {
	dir := b.TempDir()
	var files []string
	for _, d := range []string{"320505", "320506", "320507", "320508", "320509", "320576", "320581", "320582", "320583", "320585"} {
		files = append(files, writeFile(b, dir, d+".xlsx", goodBook(suzhou, d, testPeriod).bytes(b)))
	}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := openDBPath(b, filepath.Join(b.TempDir(), "b.duckdb"))
		b.StartTimer()
		out, err := Run(ctx, db, files, RunOptions{})
		if err != nil || out[len(out)-1].Status != "accepted" {
			b.Fatal(err, out[len(out)-1].Errors)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
