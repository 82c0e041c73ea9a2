package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/duckdb/duckdb-go/v2"
)

// Generation counts the writes through Write since the database was opened:
// a snapshot taken at generation g is current while Generation() == g.
func (db *DB) Generation() uint64 { return db.gen.Load() }

// Changes counts the writes since Open that a published snapshot (package
// publish) must hold: every write but sessions, the audit trail and the
// console's history (LogOnly without Accounts). Like Generation, it starts
// at 0 at each Open.
func (db *DB) Changes() uint64 { return db.changes.Load() }

// Snapshot writes a consistent copy of the database file to dst (replacing
// it) and returns the generation it holds. Writes through Write wait while
// the file is copied; reads go on. The copy is what a separate process opens
// read-only (OpenReadOnly): DuckDB lets no other process open a file this
// process holds, not even to read it.
func (db *DB) Snapshot(ctx context.Context, dst string) (uint64, error) {
	if db.Path == "" || db.Path == ":memory:" {
		return 0, errors.New("snapshot: the database is in memory")
	}
	db.writes.Lock()
	defer db.writes.Unlock()
	gen := db.gen.Load()
	// Fold the write-ahead log into the file so that the copy is one file.
	// When a checkpoint cannot run now (another transaction), the log is
	// copied too: the main file only changes at checkpoints and commits,
	// and no write can commit while we hold the lock.
	_, _ = db.ExecContext(ctx, "CHECKPOINT")
	for _, f := range []struct{ src, dst string }{{db.Path, dst}, {db.Path + ".wal", dst + ".wal"}} {
		if err := CopyFile(f.src, f.dst); err != nil {
			if f.src != db.Path && errors.Is(err, os.ErrNotExist) {
				if rerr := os.Remove(f.dst); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
					return 0, rerr
				}
				continue
			}
			return 0, fmt.Errorf("snapshot %s: %w", dst, err)
		}
	}
	return gen, nil
}

// CopyFile copies src to dst through dst+".part", synced to disk before
// it is renamed into place: dst is either absent or whole.
func CopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".part"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// OpenReadOnly opens a database file for reading only, without migrations:
// several processes may hold the same file this way at once.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	c, err := duckdb.NewConnector(path+"?access_mode=read_only", nil)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{DB: sql.OpenDB(c), Path: path, connector: c}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}
