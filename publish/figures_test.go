package publish

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"sgz/store"
)

// TestPublishFigures measures publications of the database named by
// SGZ_PUBLISH_DB (a copy of it is opened), each beside a plain copy of the
// same file as the reference, in the same run (docs/operations.md):
//
//	SGZ_PUBLISH_DB=/tmp/national.duckdb go test -run PublishFigures -v ./publish
func TestPublishFigures(t *testing.T) {
	src := os.Getenv("SGZ_PUBLISH_DB")
	if src == "" {
		t.Skip("a measurement, not a check (the publication's behaviour is tested by the other tests here); set SGZ_PUBLISH_DB to a database file, or demo, to take the figures of docs/operations.md")
	}
	ctx := context.Background()
	work := t.TempDir()
	var db *store.DB
	if src == "demo" { // the demo database
		db = demoDB(t)
	} else {
		file := filepath.Join(work, "db.duckdb")
		if err := store.CopyFile(src, file); err != nil {
			t.Fatal(err)
		}
		var err error
		if db, err = store.Open(ctx, file); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
	}
	file := db.Path
	p, err := New(db, Options{Dir: filepath.Join(work, "pub"), Keep: 1, Grace: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(file)
	blockedBefore := 0.0
	for i := range 3 {
		t0 := time.Now()
		if err := store.CopyFile(file, filepath.Join(work, "ref.duckdb")); err != nil {
			t.Fatal(err)
		}
		ref := time.Since(t0)
		t0 = time.Now()
		m, err := p.Publish(ctx)
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(t0)
		var h dto.Metric
		p.m.blocked.Write(&h)
		blocked := h.GetHistogram().GetSampleSum() - blockedBefore
		blockedBefore += blocked
		var bytes, rows int64
		for _, f := range m.Files {
			bytes += f.Bytes
		}
		for _, v := range m.Views {
			rows += v.Rows
		}
		t.Logf("run %d: database %.1f MB; publication %s (writes blocked %.3f s), %d files %.1f MB, %d view rows; reference copy of the file %s",
			i+1, float64(st.Size())/1e6, took.Round(time.Millisecond), blocked, len(m.Files), float64(bytes)/1e6, rows, ref.Round(time.Millisecond))
	}
}
