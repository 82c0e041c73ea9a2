package query

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sgz/locale"
	"sgz/store"
)

// Exported is one view written by ExportParquet.
type Exported struct {
	View        string `json:"view"`
	Rows        int64  `json:"rows"`
	Path        string `json:"path"`
	Partitioned bool   `json:"partitioned"` // by period, Hive style (period=2026Q3/)
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ExportParquet writes every v_* view under dir as Parquet for Python, R,
// Spark or Trino: dir/<view>/period=<P>/data_0.parquet for views with a
// period column (Hive partitioning: the period is in the path, not in the
// files), dir/<view>/data_0.parquet for the others. Views without rows are
// skipped. dir must not exist or be empty. It needs a database that has not
// been locked down (DuckDB writes the files).
func ExportParquet(ctx context.Context, db *store.DB, dir string) ([]Exported, error) {
	if locked, err := isLocked(ctx, db); err != nil {
		return nil, err
	} else if locked {
		return nil, locale.Errorf("query.exportlock")
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, locale.Errorf("query.exportdir", dir)
	}
	if err := boundMemory(ctx, db); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	views, err := Views(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []Exported
	for _, v := range views {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(v.Name)).Scan(&n); err != nil {
			return out, fmt.Errorf("%s: %w", v.Name, err)
		}
		if n == 0 {
			continue
		}
		partitioned := false
		for _, c := range v.Columns {
			if c.Name == "period" {
				partitioned = true
			}
		}
		path := filepath.Join(abs, v.Name)
		cols := parquetColumns(v)
		var q string
		if partitioned {
			q = fmt.Sprintf(`COPY (SELECT %s FROM %s ORDER BY period, return_id) TO %s
				(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (period))`, cols, ident(v.Name), sqlString(path))
		} else {
			if err := os.MkdirAll(path, 0o755); err != nil {
				return out, err
			}
			q = fmt.Sprintf(`COPY (SELECT %s FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)`,
				cols, ident(v.Name), sqlString(filepath.Join(path, "data_0.parquet")))
		}
		if _, err := db.ExecContext(ctx, q); err != nil {
			return out, fmt.Errorf("%s: %w", v.Name, err)
		}
		out = append(out, Exported{View: v.Name, Rows: n, Path: path, Partitioned: partitioned})
	}
	return out, nil
}

// parquetColumns is the select list of a view for Parquet: Parquet has no
// 128-bit integer, and DuckDB would write a HUGEINT (a sum of integers in
// a view) as a DOUBLE; such counts are written as BIGINT (INT64) instead.
func parquetColumns(v View) string {
	cols := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		cols[i] = ident(c.Name)
		if c.Type == "HUGEINT" || c.Type == "UHUGEINT" {
			cols[i] = fmt.Sprintf("CAST(%s AS BIGINT) AS %s", ident(c.Name), ident(c.Name))
		}
	}
	return strings.Join(cols, ", ")
}

// ExportMemory is the DuckDB memory_limit of an export (ExportParquet,
// CopyDatabase): DuckDB's default, 80% of the machine's memory, let the
// national eight-quarter export hold 1.6 GB (Parquet) and 2.3 GB (copy);
// under a limit DuckDB spills its sorts to disk instead
// (docs/operations.md, "Scale: eight quarters of the whole country"). An
// export runs on an instance of its own (the command's, or a snapshot's
// beside a server), so the setting changes no other reader.
var ExportMemory = "512MB"

// boundMemory sets the instance's memory_limit to ExportMemory.
func boundMemory(ctx context.Context, db *store.DB) error {
	_, err := db.ExecContext(ctx, "SET GLOBAL memory_limit = "+sqlString(ExportMemory))
	return err
}

// CopyDatabase writes a copy of the database to file (which must not exist)
// and makes it read-only on disk. With viewsOnly, the copy holds only the
// v_* views' rows as tables (no phone numbers, no file bytes, no internal
// tables); otherwise everything (COPY FROM DATABASE). It needs a database
// that has not been locked down.
func CopyDatabase(ctx context.Context, db *store.DB, file string, viewsOnly bool) error {
	if locked, err := isLocked(ctx, db); err != nil {
		return err
	} else if locked {
		return locale.Errorf("query.exportlock")
	}
	if _, err := os.Stat(file); err == nil {
		return locale.Errorf("query.exportfile", file)
	}
	if err := boundMemory(ctx, db); err != nil {
		return err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var src string
	if err := conn.QueryRowContext(ctx, `SELECT current_database()`).Scan(&src); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "ATTACH "+sqlString(abs)+" AS sgz_export_copy"); err != nil {
		return err
	}
	detached := false
	detach := func() error {
		if detached {
			return nil
		}
		detached = true
		_, err := conn.ExecContext(context.Background(), "DETACH sgz_export_copy")
		return err
	}
	ok := false
	defer func() {
		if derr := detach(); derr == nil && !ok {
			os.Remove(abs)
			os.Remove(abs + ".wal")
		}
	}()
	if viewsOnly {
		views, err := Views(ctx, db)
		if err != nil {
			return err
		}
		for _, v := range views {
			q := fmt.Sprintf("CREATE TABLE sgz_export_copy.main.%s AS SELECT * FROM %s.main.%s", ident(v.Name), ident(src), ident(v.Name))
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", v.Name, err)
			}
			stmts := []string{fmt.Sprintf("COMMENT ON TABLE sgz_export_copy.main.%s IS %s", ident(v.Name), sqlString(v.Comment))}
			for _, c := range v.Columns {
				stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN sgz_export_copy.main.%s.%s IS %s",
					ident(v.Name), ident(c.Name), sqlString(c.Comment)))
			}
			for _, s := range stmts {
				if _, err := conn.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("%s: %w", v.Name, err)
				}
			}
		}
	} else if _, err := conn.ExecContext(ctx, fmt.Sprintf("COPY FROM DATABASE %s TO sgz_export_copy", ident(src))); err != nil {
		return err
	}
	if err := detach(); err != nil {
		return err
	}
	ok = true
	return os.Chmod(abs, 0o444)
}
