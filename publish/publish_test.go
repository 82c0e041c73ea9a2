package publish

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"sgz"
	"sgz/demo"
	"sgz/query"
	"sgz/store"
)

var (
	demoOnce sync.Once
	demoFile string
	demoErr  error
	demoDir  string
)

// demoDB is a private copy of the demo database (built once per run).
func demoDB(t testing.TB) *store.DB {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "sgz-publish-")
		if demoErr != nil {
			return
		}
		demoFile = filepath.Join(demoDir, "demo.duckdb")
		ctx := context.Background()
		db, err := store.Open(ctx, demoFile)
		if err != nil {
			demoErr = err
			return
		}
		defer db.Close()
		_, demoErr = demo.Build(ctx, db, filepath.Join(demoDir, "returns"), time.Date(2026, 11, 20, 12, 0, 0, 0, sgz.Beijing))
		if demoErr == nil {
			_, demoErr = db.ExecContext(ctx, "CHECKPOINT")
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	dst := filepath.Join(t.TempDir(), "db.duckdb")
	b, err := os.ReadFile(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	code := m.Run()
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// The published Parquet, read back by DuckDB the way a ministry-wide
// engine reads it (through DIR/current, Hive partitioning by period),
// holds the views' rows: the same count and the same sum of every numeric
// column, per period; the DuckDB file opens read-only; the manifest's
// checksums are the files'.
func TestPublishedSnapshotReadsBack(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	p, err := New(db, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m, err := p.Publish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("published the demo database in %s", time.Since(start).Round(time.Millisecond))
	gen, path, err := Current(dir)
	if err != nil || gen != 1 || m.Generation != 1 || path != filepath.Join(dir, SnapshotsDir, "1") {
		t.Fatalf("current: %d %s %v", gen, path, err)
	}
	if got, _ := p.Last(); got != 1 {
		t.Errorf("Last: %d", got)
	}
	rm, err := ReadManifest(filepath.Join(dir, CurrentLink))
	if err != nil || rm.Generation != 1 || len(rm.Views) == 0 || rm.Schema < 6 {
		t.Fatalf("manifest: %+v %v", rm, err)
	}
	for _, f := range rm.Files {
		b, err := os.ReadFile(filepath.Join(path, filepath.FromSlash(f.Path)))
		sum := sha256.Sum256(b)
		if err != nil || int64(len(b)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: not as the manifest says (%v)", f.Path, err)
		}
	}
	snap, err := store.OpenReadOnly(ctx, filepath.Join(dir, CurrentLink, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	views, err := query.Views(ctx, snap)
	if err != nil {
		t.Fatal(err)
	}
	inManifest := map[string]View{}
	for _, v := range rm.Views {
		inManifest[v.Name] = v
	}
	// A separate engine: an in-memory DuckDB reading the files.
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := sql.OpenDB(c)
	defer eng.Close()
	partitioned := 0
	for _, v := range views {
		var n int64
		if err := snap.QueryRowContext(ctx, "SELECT count(*) FROM "+v.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		mv, ok := inManifest[v.Name]
		if n == 0 {
			continue // empty views are not written
		}
		if !ok || mv.Rows != n || mv.Path != "parquet/"+v.Name {
			t.Errorf("%s: manifest %+v, want %d rows", v.Name, mv, n)
			continue
		}
		// Per period when partitioned: count and the sum of each numeric column.
		var aggs []string
		group := "1"
		for _, col := range v.Columns {
			if col.Name == "period" {
				group = "period"
			}
			if isNumeric(col.Type) {
				aggs = append(aggs, fmt.Sprintf(`coalesce(sum("%s")::VARCHAR, 'null')`, col.Name))
			}
		}
		if group == "period" {
			partitioned++
			if !mv.Partitioned {
				t.Errorf("%s: not partitioned by period", v.Name)
			}
		}
		sel := fmt.Sprintf("SELECT %s::VARCHAR AS k, count(*)::VARCHAR || '|' || concat_ws('|', %s) AS v FROM %%s GROUP BY ALL ORDER BY k",
			group, strings.Join(append(aggs, "''"), ", "))
		want := rowsOf(t, snap.DB, fmt.Sprintf(sel, v.Name))
		src := fmt.Sprintf("read_parquet('%s', hive_partitioning = true)", filepath.Join(dir, CurrentLink, ParquetDir, v.Name, "**", "*.parquet"))
		got := rowsOf(t, eng, fmt.Sprintf(sel, src))
		if want != got {
			t.Errorf("%s: the Parquet read back differs:\nviews   %s\nparquet %s", v.Name, want, got)
		}
	}
	if partitioned == 0 {
		t.Error("no view partitioned by period")
	}
}

func isNumeric(typ string) bool {
	for _, p := range []string{"INTEGER", "BIGINT", "DECIMAL", "DOUBLE", "HUGEINT", "SMALLINT", "FLOAT"} {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

func rowsOf(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%s; ", k.String, v.String)
	}
	return b.String()
}

// A publication that fails (here at its last step: the generation's name
// is taken) leaves the previous one current and whole, leaves no temporary
// files, and is counted; the next one succeeds.
func TestFailedPublicationKeepsThePrevious(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	p, err := New(db, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	obstacle := filepath.Join(dir, SnapshotsDir, "2", "in-the-way")
	if err := os.MkdirAll(obstacle, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx); err == nil {
		t.Fatal("a publication onto a taken name succeeded")
	}
	if g, _, err := Current(dir); err != nil || g != 1 {
		t.Fatalf("after a failure, current is %d (%v)", g, err)
	}
	m, err := ReadManifest(filepath.Join(dir, CurrentLink))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if _, err := os.Stat(filepath.Join(dir, CurrentLink, filepath.FromSlash(f.Path))); err != nil {
			t.Errorf("the previous publication lost %s", f.Path)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, SnapshotsDir, ".tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if n := counterValue(p.m.results.WithLabelValues("failed")); n != 1 {
		t.Errorf("failed publications counted: %v", n)
	}
	os.RemoveAll(filepath.Join(dir, SnapshotsDir, "2"))
	if m, err := p.Publish(ctx); err != nil || m.Generation != 2 {
		t.Fatalf("after the obstacle went: %v %v", m, err)
	}
	if n := counterValue(p.m.results.WithLabelValues("ok")); n != 2 {
		t.Errorf("publications counted: %v", n)
	}
	// A new publisher on the directory (the writer restarted) goes on
	// from the last generation and clears what a crash left.
	os.MkdirAll(filepath.Join(dir, SnapshotsDir, ".tmp-crashed"), 0o755)
	p2, err := New(db, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := p2.Publish(ctx); err != nil || m.Generation != 3 {
		t.Fatalf("after a restart: %v %v", m, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, SnapshotsDir, ".tmp-*")); len(left) > 0 {
		t.Errorf("a crashed publication's files were not removed: %v", left)
	}
}

// A relative directory (sgz serve --publish pub) works as an absolute one.
func TestPublishRelativeDir(t *testing.T) {
	db := demoDB(t)
	t.Chdir(t.TempDir())
	p, err := New(db, Options{Dir: "pub"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g, path, err := Current("pub"); err != nil || g != 1 {
		t.Fatalf("current: %d %s %v", g, path, err)
	} else if _, err := ReadManifest(path); err != nil {
		t.Fatal(err)
	}
}

// Old snapshots go: the newest Keep stay, and any replaced less than Grace ago.
func TestRetention(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	for _, c := range []struct {
		grace time.Duration
		want  string
	}{{time.Millisecond, "[3 4]"}, {time.Hour, "[1 2 3 4]"}} {
		dir := t.TempDir()
		p, err := New(db, Options{Dir: dir, Keep: 2, Grace: c.grace})
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			if _, err := p.Publish(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		gens, _ := Generations(dir)
		if got := fmt.Sprint(gens); got != c.want {
			t.Errorf("grace %s: kept %s, want %s", c.grace, got, c.want)
		}
	}
}

// Run publishes at once, then once for a burst of changes, not for a
// session or an audit entry, and again for an account change.
func TestRunPublishesChangesThatCount(t *testing.T) {
	db := demoDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	p, err := New(db, Options{Dir: dir, Debounce: 2 * time.Second, Poll: 10 * time.Millisecond, Keep: 100})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); p.Run(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	published := func() int {
		gens, _ := Generations(dir)
		return len(gens)
	}
	settled := func(what string) {
		t.Helper()
		end := time.Now().Add(60 * time.Second)
		for {
			p.mu.Lock()
			done := p.ever && p.published == db.Changes()
			p.mu.Unlock()
			if done {
				return
			}
			if time.Now().After(end) {
				t.Fatalf("%s: not published", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	settled("the first publication")
	if n := published(); n != 1 {
		t.Fatalf("%d publications at start", n)
	}
	write := func(mark func(w *store.Writer)) {
		if err := db.Write(ctx, func(w *store.Writer) error { mark(w); return w.Exec("SELECT 1") }); err != nil {
			t.Fatal(err)
		}
	}
	for range 5 { // a burst
		write(func(*store.Writer) {})
	}
	settled("a burst")
	if n := published(); n != 2 {
		t.Errorf("a burst of 5 changes made %d publications, want 1", n-1)
	}
	write((*store.Writer).LogOnly) // a session, an audit entry
	time.Sleep(3 * time.Second)    // beyond Debounce: a publication would have started
	settled("a log write")
	if n := published(); n != 2 {
		t.Errorf("a log-only write was published")
	}
	write((*store.Writer).Accounts)
	settled("an account change")
	if n := published(); n != 3 {
		t.Errorf("an account change made %d publications, want 1", n-2)
	}
}

// BenchmarkPublishDemo: one publication of the demo database (copy,
// Parquet of every view, checksums, sync, rename).
func BenchmarkPublishDemo(b *testing.B) {
	db := demoDB(b)
	p, err := New(db, Options{Dir: b.TempDir(), Keep: 2, Grace: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.Publish(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}
