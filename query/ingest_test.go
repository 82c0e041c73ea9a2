package query

import (
	"context"
	"path/filepath"
	"testing"

	"sgz/ingest"
	"sgz/locale"
	"sgz/registry"
	"sgz/store"
)

// The real ingest (xlsx parsing, validation, appenders in one transaction)
// works on a locked-down database, and the console sees the new return.
func TestIngestAfterLockdown(t *testing.T) {
	files, _ := filepath.Glob("../testdata/fixtures/320505-2026Q3-exceljs-clean.xlsx")
	if len(files) == 0 {
		t.Fatal("the committed fixture workbook is missing")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "i.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := registry.EnsureDefault(ctx, db); err != nil {
		t.Fatal(err)
	}
	e, err := Setup(ctx, db, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := ingest.Run(ctx, db, files, ingest.RunOptions{Source: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Status != "accepted" {
		t.Fatalf("ingest after lockdown: %+v", out)
	}
	res, err := e.Run(ctx, "SELECT count(*) FROM v_stations WHERE district_code = '320505' AND period = '2026Q3'", locale.EN)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.Rows[0][0].(int64); n == 0 {
		t.Error("the console does not see the ingested return")
	}
	t.Logf("%d station rows", res.Rows[0][0])
}
