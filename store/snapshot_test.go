package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A snapshot opens read-only in another instance (as the console's worker
// processes open it) and holds every committed write, also when a reader
// keeps the checkpoint from folding the log into the file.
func TestSnapshotHoldsEveryWrite(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	write := func(n int) {
		t.Helper()
		err := db.Write(ctx, func(w *Writer) error {
			return w.Exec(`INSERT INTO query_history VALUES ('s', now()::TIMESTAMP, 'x', true, ?, 0, NULL)`, n)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(dst string, want int) {
		t.Helper()
		snap, err := OpenReadOnly(ctx, dst)
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		var n int
		if err := snap.QueryRow(`SELECT count(*) FROM query_history`).Scan(&n); err != nil || n != want {
			t.Errorf("%s: %d rows (%v), want %d", dst, n, err, want)
		}
		if _, err := snap.Exec(`DELETE FROM query_history`); err == nil {
			t.Error("a read-only snapshot accepted a write")
		}
	}
	write(1)
	g0 := db.Generation()
	dir := t.TempDir()
	gen, err := db.Snapshot(ctx, filepath.Join(dir, "a.duckdb"))
	if err != nil || gen != g0 {
		t.Fatalf("snapshot: %d %v (generation %d)", gen, err, g0)
	}
	check(filepath.Join(dir, "a.duckdb"), 1)

	// A reader in the middle of a transaction; then a write.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	tx.QueryRow(`SELECT count(*) FROM query_history`).Scan(&n)
	write(2)
	if db.Generation() == g0 {
		t.Error("a write left the generation as it was")
	}
	if _, err := db.Snapshot(ctx, filepath.Join(dir, "b.duckdb")); err != nil {
		t.Fatal(err)
	}
	check(filepath.Join(dir, "b.duckdb"), 2)

	// A log-only write leaves the generation alone.
	g := db.Generation()
	db.Write(ctx, func(w *Writer) error { w.LogOnly(); return nil })
	if db.Generation() != g {
		t.Error("a log-only write changed the generation")
	}
}
