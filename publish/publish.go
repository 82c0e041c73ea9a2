// Package publish writes read-only snapshots of the serving database for
// replicas (sgz serve --replica) and for a ministry-wide engine (DuckDB,
// Trino, Spark reading Parquet), atomically, after each change that counts.
//
// Layout of a publication directory DIR (docs/operations.md):
//
//	DIR/current -> snapshots/<generation>      a symlink, replaced by rename
//	DIR/snapshots/<generation>/sgz.duckdb      the whole database, one file (no log)
//	DIR/snapshots/<generation>/parquet/<view>/period=<P>/data_0.parquet
//	DIR/snapshots/<generation>/parquet/<view>/data_0.parquet   (views without a period)
//	DIR/snapshots/<generation>/manifest.json   generation, time, views and rows, files and SHA-256
//
// A publication is prepared in DIR/snapshots/.tmp-*, synced, renamed to its
// generation, and only then made current: a reader following current never
// sees half of one. A failed publication leaves the previous one current.
package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"sgz/query"
	"sgz/store"
)

// Names inside a publication directory.
const (
	CurrentLink  = "current"
	SnapshotsDir = "snapshots"
	DBFile       = "sgz.duckdb"
	ParquetDir   = "parquet"
	ManifestFile = "manifest.json"
)

// Defaults of Options.
const (
	DefaultKeep     = 3
	DefaultDebounce = time.Second
	// DefaultGrace: a snapshot replaced less than this long ago is kept
	// even beyond Keep (a replica that read the pointer just before it
	// moved opens it within milliseconds; a minute is ample).
	DefaultGrace = time.Minute
)

// Manifest describes one publication (manifest.json).
type Manifest struct {
	Generation uint64    `json:"generation"` // 1, 2, 3 … across restarts of the writer
	Time       time.Time `json:"time"`       // when the snapshot was taken (UTC)
	// DBChanges is store.DB.Changes when the snapshot was taken: the
	// writer's count of changes since it started (it restarts at 0).
	DBChanges uint64 `json:"db_changes"`
	Schema    int    `json:"schema_version"` // the last migration applied
	Views     []View `json:"views"`
	Files     []File `json:"files"`
}

// View is one analysts' view written as Parquet.
type View struct {
	Name        string `json:"name"`
	Rows        int64  `json:"rows"`
	Path        string `json:"path"`        // relative to the snapshot: parquet/<view>
	Partitioned bool   `json:"partitioned"` // Hive style by period: period=2026Q3/
}

// File is one file of the publication, with its checksum.
type File struct {
	Path   string `json:"path"` // relative to the snapshot, slash-separated
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Options configure a Publisher.
type Options struct {
	Dir      string        // the publication directory (created if needed)
	Keep     int           // snapshots kept (default DefaultKeep)
	Debounce time.Duration // changes within it make one publication (default DefaultDebounce)
	Grace    time.Duration // see DefaultGrace
	Logger   *slog.Logger
	// Poll is how often Run looks for changes (default 100 ms).
	Poll time.Duration
}

// Publisher publishes snapshots of one database.
type Publisher struct {
	db  *store.DB
	opt Options
	log *slog.Logger
	m   *pubMetrics

	mu        sync.Mutex // one publication at a time
	last      uint64     // the newest generation in the directory
	published uint64     // db.Changes() of the last publication
	lastTime  time.Time
	ever      bool // published at least once by this process
}

// New prepares dir: creates it, removes publications of an earlier
// process that never finished, and finds the last generation.
func New(db *store.DB, opt Options) (*Publisher, error) {
	if opt.Dir == "" {
		return nil, errors.New("publish: no directory")
	}
	abs, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, err
	}
	opt.Dir = abs
	if opt.Keep <= 0 {
		opt.Keep = DefaultKeep
	}
	if opt.Debounce < 0 {
		opt.Debounce = 0
	}
	if opt.Grace <= 0 {
		opt.Grace = DefaultGrace
	}
	if opt.Poll <= 0 {
		opt.Poll = 100 * time.Millisecond
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	snaps := filepath.Join(opt.Dir, SnapshotsDir)
	if err := os.MkdirAll(snaps, 0o755); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(snaps)
	if err != nil {
		return nil, err
	}
	p := &Publisher{db: db, opt: opt, log: opt.Logger, m: newPubMetrics()}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			os.RemoveAll(filepath.Join(snaps, e.Name()))
			continue
		}
		if g, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && g > p.last {
			p.last = g
		}
	}
	return p, nil
}

// Run publishes once at once, then after every change that counts
// (store.DB.Changes), changes within Debounce making one publication,
// until ctx ends. A failed publication is logged and counted, and tried
// again after a pause.
func (p *Publisher) Run(ctx context.Context) {
	retry := time.Time{}
	for {
		p.mu.Lock()
		pending := !p.ever || p.db.Changes() != p.published
		p.mu.Unlock()
		if pending && time.Now().After(retry) {
			if p.ever {
				// Let a burst of changes end (a clerk's batch, a registry load).
				if !sleep(ctx, p.opt.Debounce) {
					return
				}
			}
			if _, err := p.Publish(ctx); err != nil {
				if ctx.Err() != nil {
					return
				}
				retry = time.Now().Add(max(10*time.Second, p.opt.Debounce))
			}
		}
		if !sleep(ctx, p.opt.Poll) {
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// Last is the generation and time of the newest publication of this process
// (0 before the first).
func (p *Publisher) Last() (uint64, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ever {
		return 0, time.Time{}
	}
	return p.last, p.lastTime
}

// Publish publishes a snapshot now and makes it current.
func (p *Publisher) Publish(ctx context.Context) (*Manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	m, err := p.publish(ctx)
	p.m.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		p.m.results.WithLabelValues("failed").Inc()
		p.log.Error("snapshot publication failed; the previous one stays current", "dir", p.opt.Dir, "err", err)
		return nil, err
	}
	p.m.results.WithLabelValues("ok").Inc()
	p.m.generation.Set(float64(m.Generation))
	p.m.lastOK.Set(float64(m.Time.Unix()))
	p.log.Info("snapshot published", "generation", m.Generation, "ms", time.Since(start).Milliseconds())
	p.prune()
	return m, nil
}

func (p *Publisher) publish(ctx context.Context) (*Manifest, error) {
	snaps := filepath.Join(p.opt.Dir, SnapshotsDir)
	gen := p.last + 1
	tmp, err := os.MkdirTemp(snaps, ".tmp-")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	dbFile := filepath.Join(tmp, DBFile)
	changes := p.db.Changes() // read before: a later change is published next time
	t0 := time.Now()
	if _, err := p.db.Snapshot(ctx, dbFile); err != nil {
		return nil, err
	}
	p.m.blocked.Observe(time.Since(t0).Seconds()) // the writes waited that long at most
	m := &Manifest{Generation: gen, Time: t0.UTC().Truncate(time.Millisecond), DBChanges: changes}
	// Opening the copy replays a copied log; closing it checkpoints: one
	// file. The Parquet files are written from the copy, so that both hold
	// the same rows, and the server's locked-down instance is not asked to
	// write files.
	c, err := store.Open(ctx, dbFile)
	if err != nil {
		return nil, err
	}
	// One thread: the publication is in the background, and the server's
	// requests keep the other cores (25% slower on the demo database).
	_, err = c.ExecContext(ctx, "SET threads = 1")
	var exp []query.Exported
	if err == nil {
		exp, err = query.ExportParquet(ctx, c, filepath.Join(tmp, ParquetDir))
	}
	if err == nil {
		err = c.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&m.Schema)
	}
	if err == nil {
		_, err = c.ExecContext(ctx, "CHECKPOINT")
	}
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dbFile + ".wal"); err == nil {
		return nil, fmt.Errorf("publish: %s.wal left after checkpoint", dbFile)
	}
	for _, e := range exp {
		rel, err := filepath.Rel(tmp, e.Path)
		if err != nil {
			return nil, err
		}
		m.Views = append(m.Views, View{Name: e.View, Rows: e.Rows, Path: filepath.ToSlash(rel), Partitioned: e.Partitioned})
	}
	if m.Files, err = checksumAndSync(tmp); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeSynced(filepath.Join(tmp, ManifestFile), append(b, '\n')); err != nil {
		return nil, err
	}
	if err := syncDirs(tmp); err != nil {
		return nil, err
	}
	final := filepath.Join(snaps, strconv.FormatUint(gen, 10))
	if err := os.Rename(tmp, final); err != nil {
		return nil, err
	}
	ok = true
	if err := syncDir(snaps); err != nil {
		return nil, err
	}
	// From here the generation exists: a failure to point at it leaves
	// the previous one current, and the next publication goes past it.
	p.last = gen
	if err := point(p.opt.Dir, gen); err != nil {
		return nil, err
	}
	p.published, p.lastTime, p.ever = changes, m.Time, true
	return m, nil
}

// point makes DIR/current point at snapshots/<gen>: a new symlink renamed
// over the old one (rename is atomic), then the directory synced.
func point(dir string, gen uint64) error {
	tmp := filepath.Join(dir, ".current.tmp")
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join(SnapshotsDir, strconv.FormatUint(gen, 10)), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, CurrentLink)); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// checksumAndSync lists every file under dir with its size and SHA-256,
// after syncing it to disk.
func checksumAndSync(dir string) ([]File, error) {
	var out []File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		if err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out = append(out, File{Path: filepath.ToSlash(rel), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDirs syncs every directory under dir (their entries: the files' names).
func syncDirs(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(path)
	})
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// prune removes old snapshots. The rule (docs/operations.md): the newest
// Keep generations stay, and so does any generation replaced (its
// successor published) less than Grace ago, so that a replica that read
// the pointer just before it moved still finds what it points at. A
// replica that has opened a snapshot holds its file open: removing the
// directory does not disturb the requests it serves from it.
func (p *Publisher) prune() {
	gens, err := Generations(p.opt.Dir)
	if err != nil || len(gens) <= p.opt.Keep {
		return
	}
	snaps := filepath.Join(p.opt.Dir, SnapshotsDir)
	for i := 0; i < len(gens)-p.opt.Keep; i++ {
		next, err := ReadManifest(filepath.Join(snaps, strconv.FormatUint(gens[i+1], 10)))
		if err != nil || time.Since(next.Time) < p.opt.Grace {
			continue
		}
		if err := os.RemoveAll(filepath.Join(snaps, strconv.FormatUint(gens[i], 10))); err != nil {
			p.log.Warn("snapshot removal", "generation", gens[i], "err", err)
		}
	}
}

// Generations lists the published generations in dir, oldest first.
func Generations(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(filepath.Join(dir, SnapshotsDir))
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, e := range ents {
		if g, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && e.IsDir() {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// Current is the current publication of dir: its generation and directory
// (DIR/snapshots/<generation>). os.ErrNotExist when nothing is published.
func Current(dir string) (uint64, string, error) {
	target, err := os.Readlink(filepath.Join(dir, CurrentLink))
	if err != nil {
		return 0, "", err
	}
	g, err := strconv.ParseUint(filepath.Base(target), 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%s: %s is not a snapshot", filepath.Join(dir, CurrentLink), target)
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return g, target, nil
}

// ReadManifest reads a snapshot directory's manifest.json.
func ReadManifest(snapshot string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(snapshot, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(snapshot, ManifestFile), err)
	}
	return &m, nil
}
