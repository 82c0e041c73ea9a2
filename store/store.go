// Package store owns the DuckDB file: opening it once per process, applying the
// numbered migrations embedded from migrations/*.sql, and running writes as one
// transaction on one connection (the only way the Appender is atomic).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the process's one handle on the database file.
type DB struct {
	*sql.DB
	Path      string
	connector *duckdb.Connector
	writes    sync.RWMutex  // Write holds it shared; Snapshot exclusively
	gen       atomic.Uint64 // committed writes since Open (see Generation)
	changes   atomic.Uint64 // writes a published snapshot must hold (see Changes)
}

// Options tune how the file is opened.
type Options struct {
	// Init runs once per new connection (e.g. SET statements).
	Init func(execer driver.ExecerContext) error
}

// Open opens (creating if needed) the DuckDB file at path and brings its schema
// up to date. An empty path or ":memory:" gives an in-memory database.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opt Options) (*DB, error) {
	dsn := path
	if dsn == ":memory:" {
		dsn = ""
	}
	c, err := duckdb.NewConnector(dsn, opt.Init)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{DB: sql.OpenDB(c), Path: path, connector: c}
	// Checkpoint after 128 MB of WAL rather than DuckDB's 16 MB: a bulk
	// ingest commits often, and each checkpoint rewrites the tables' tails.
	if _, err := db.ExecContext(ctx, `SET checkpoint_threshold = '128MB'`); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate database %s: %w", path, err)
	}
	return db, nil
}

// Close closes the pool and the DuckDB instance.
func (db *DB) Close() error {
	err := db.DB.Close()
	if cerr := db.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", base)
		}
		b, err := migrations.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return err
	}
	ms, err := Migrations()
	if err != nil {
		return err
	}
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		err := db.Write(ctx, func(w *Writer) error {
			if err := w.Exec(m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			return w.Exec(`INSERT INTO schema_migrations VALUES (?, ?, ?)`, m.Version, m.Name, time.Now().UTC())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Writer is a write transaction on one connection. Its appenders belong to
// the same transaction: they are flushed before COMMIT, and any error anywhere
// rolls the whole transaction back.
type Writer struct {
	ctx       context.Context
	conn      driver.Conn
	appenders map[string]*duckdb.Appender
	order     []string
	logOnly   bool
	accounts  bool
}

// LogOnly marks the transaction as writing only logs (query history, audit
// entries) that the analysts' views do not show: it does not make the SQL
// console's snapshot stale (see DB.Generation).
func (w *Writer) LogOnly() { w.logOnly = true }

// Accounts marks the transaction as changing accounts, roles or API tokens:
// not in the analysts' views (like LogOnly), but what a published snapshot
// must hold for read-only replicas (see Changes).
func (w *Writer) Accounts() { w.logOnly, w.accounts = true, true }

// Write runs fn in one transaction. If fn or any flush fails, nothing is kept.
func (db *DB) Write(ctx context.Context, fn func(w *Writer) error) error {
	db.writes.RLock()
	defer db.writes.RUnlock()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		w := &Writer{ctx: ctx, conn: dc.(driver.Conn), appenders: map[string]*duckdb.Appender{}}
		defer func() {
			if !w.logOnly {
				// A failed write may have changed nothing: a spare snapshot at worst.
				db.gen.Add(1)
			}
			if !w.logOnly || w.accounts {
				db.changes.Add(1)
			}
		}()
		if err := w.Exec("BEGIN TRANSACTION"); err != nil {
			return err
		}
		err := fn(w)
		if err == nil {
			err = w.closeAppenders()
		} else {
			w.discardAppenders()
		}
		if err == nil {
			err = w.Exec("COMMIT")
		}
		if err != nil {
			// DuckDB may report a failed transaction only at COMMIT, or not at
			// all: roll back explicitly whatever happened.
			if rbErr := w.Exec("ROLLBACK"); rbErr != nil && !strings.Contains(rbErr.Error(), "no transaction") {
				err = errors.Join(err, rbErr)
			}
			return err
		}
		return nil
	})
}

// Exec runs a statement inside the transaction.
func (w *Writer) Exec(query string, args ...any) error {
	ex, ok := w.conn.(driver.ExecerContext)
	if !ok {
		return errors.New("driver connection cannot exec")
	}
	_, err := ex.ExecContext(w.ctx, query, named(args))
	return err
}

// QueryRow runs a query that returns one row and scans it into dest (pointers
// to int64, string, bool, float64 or *any).
func (w *Writer) QueryRow(query string, args []any, dest ...any) error {
	q, ok := w.conn.(driver.QueryerContext)
	if !ok {
		return errors.New("driver connection cannot query")
	}
	rows, err := q.QueryContext(w.ctx, query, named(args))
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(vals); err != nil {
		return fmt.Errorf("query returned no row: %w", err)
	}
	for i, d := range dest {
		if i >= len(vals) {
			break
		}
		if err := assign(d, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// Int64s runs a query and returns its first column as integers.
func (w *Writer) Int64s(query string, args ...any) ([]int64, error) {
	return firstColumn[int64](w, query, args)
}

// Strings runs a query and returns its first column as strings.
func (w *Writer) Strings(query string, args ...any) ([]string, error) {
	return firstColumn[string](w, query, args)
}

func firstColumn[T int64 | string](w *Writer, query string, args []any) ([]T, error) {
	q, ok := w.conn.(driver.QueryerContext)
	if !ok {
		return nil, errors.New("driver connection cannot query")
	}
	rows, err := q.QueryContext(w.ctx, query, named(args))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	vals := make([]driver.Value, len(rows.Columns()))
	for {
		err := rows.Next(vals)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var v T
		if err := assign(&v, vals[0]); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *any:
		*d = v
	case *int64:
		switch x := v.(type) {
		case int64:
			*d = x
		case int32:
			*d = int64(x)
		case uint64:
			*d = int64(x)
		case nil:
			*d = 0
		default:
			return fmt.Errorf("cannot scan %T into int64", v)
		}
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
		case nil:
			*d = ""
		default:
			*d = fmt.Sprint(x)
		}
	case *bool:
		x, _ := v.(bool)
		*d = x
	default:
		return fmt.Errorf("cannot scan into %T", dest)
	}
	return nil
}

func named(args []any) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

// Append adds one row to table through the transaction's appender for it.
func (w *Writer) Append(table string, values ...driver.Value) error {
	a, ok := w.appenders[table]
	if !ok {
		var err error
		if a, err = duckdb.NewAppenderFromConn(w.conn, "", table); err != nil {
			return fmt.Errorf("appender %s: %w", table, err)
		}
		w.appenders[table] = a
		w.order = append(w.order, table)
	}
	if err := a.AppendRow(values...); err != nil {
		return fmt.Errorf("append to %s: %w", table, err)
	}
	return nil
}

func (w *Writer) closeAppenders() error {
	var first error
	for _, t := range w.order {
		if err := w.appenders[t].Close(); err != nil && first == nil {
			first = fmt.Errorf("flush %s: %w", t, err)
		}
	}
	w.appenders, w.order = map[string]*duckdb.Appender{}, nil
	return first
}

func (w *Writer) discardAppenders() {
	for _, t := range w.order {
		a := w.appenders[t]
		_ = a.Clear()
		_ = a.Close()
	}
	w.appenders, w.order = map[string]*duckdb.Appender{}, nil
}

// Money converts an exact amount in ten-thousandths (万元 × 10⁴) to the value
// the Appender stores in a DECIMAL(18,4) column.
func Money(scaled int64) duckdb.Decimal {
	return duckdb.Decimal{Width: 18, Scale: 4, Value: bigInt(scaled)}
}
