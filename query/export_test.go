package query

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportParquet(t *testing.T) {
	db := fixture(t) // not locked: the export writes files
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "parquet")
	out, err := ExportParquet(ctx, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	views, err := Views(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]Exported{}
	for _, x := range out {
		exported[x.View] = x
	}
	for _, v := range views {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+v.Name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		x, ok := exported[v.Name]
		if n == 0 {
			if ok {
				t.Errorf("%s: empty but exported", v.Name)
			}
			continue
		}
		if !ok || x.Rows != n {
			t.Errorf("%s: exported %+v, want %d rows", v.Name, x, n)
			continue
		}
		cols := make([]string, len(v.Columns))
		for i, c := range v.Columns {
			cols[i] = `"` + c.Name + `"`
		}
		list := strings.Join(cols, ", ")
		src := fmt.Sprintf("read_parquet('%s/**/*.parquet', hive_partitioning = true)", x.Path)
		if x.Partitioned {
			// Hive style: the period is a directory, e.g. period=2026Q3/
			m, _ := filepath.Glob(filepath.Join(x.Path, "period=*", "*.parquet"))
			if len(m) == 0 {
				t.Errorf("%s: no period=… directories", v.Name)
			}
		}
		var diff int64
		q := fmt.Sprintf(`SELECT count(*) FROM (
			(SELECT %[1]s FROM %[2]s EXCEPT ALL SELECT %[1]s FROM %[3]s)
			UNION ALL
			(SELECT %[1]s FROM %[3]s EXCEPT ALL SELECT %[1]s FROM %[2]s))`, list, v.Name, src)
		if err := db.QueryRowContext(ctx, q).Scan(&diff); err != nil {
			t.Fatalf("%s: %v", v.Name, err)
		}
		if diff != 0 {
			t.Errorf("%s: %d rows differ between the view and its Parquet", v.Name, diff)
		}
	}
	if len(exported) < 10 {
		t.Errorf("only %d views exported", len(exported))
	}
	if _, err := ExportParquet(ctx, db, dir); err == nil {
		t.Error("export into a non-empty directory accepted")
	}
	// A locked-down instance cannot export.
	if err := Lockdown(ctx, db, Limits{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportParquet(ctx, db, filepath.Join(t.TempDir(), "x")); err == nil {
		t.Error("export from a locked database accepted")
	}
}

func TestCopyDatabase(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	for _, viewsOnly := range []bool{false, true} {
		file := filepath.Join(t.TempDir(), "copy.duckdb")
		if err := CopyDatabase(ctx, db, file, viewsOnly); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(file); err != nil || st.Mode().Perm()&0o222 != 0 {
			t.Errorf("copy %v: %v, mode %v", file, err, st.Mode())
		}
		// The copy opens read-only and has the views' rows.
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("ATTACH '%s' AS c (READ_ONLY)", file)); err != nil {
			t.Fatal(err)
		}
		var n, phones int64
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM c.v_stations").Scan(&n); err != nil || n != 8 {
			t.Errorf("copy (views only %v): %d stations, %v", viewsOnly, n, err)
		}
		conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_columns() WHERE database_name = 'c' AND column_name = 'phone'`).Scan(&phones)
		if viewsOnly != (phones == 0) {
			t.Errorf("copy (views only %v) has %d phone columns", viewsOnly, phones)
		}
		if _, err := conn.ExecContext(ctx, "DETACH c"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if err := CopyDatabase(ctx, db, file, false); err == nil {
			t.Error("overwrote an existing file")
		}
	}
}

// An export bounds its DuckDB instance's memory (ExportMemory): without it
// DuckDB may take 80% of the machine (the national copy held 2.3 GB).
func TestExportBoundsMemory(t *testing.T) {
	ctx := context.Background()
	for _, what := range []string{"parquet", "copy"} {
		db := fixture(t)
		if _, err := db.ExecContext(ctx, "SET GLOBAL memory_limit = '3GB'"); err != nil {
			t.Fatal(err)
		}
		var err error
		if what == "parquet" {
			_, err = ExportParquet(ctx, db, filepath.Join(t.TempDir(), "parquet"))
		} else {
			err = CopyDatabase(ctx, db, filepath.Join(t.TempDir(), "copy.duckdb"), false)
		}
		if err != nil {
			t.Fatal(err)
		}
		var got, want string
		if err := db.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "SET GLOBAL memory_limit = "+sqlString(ExportMemory)); err != nil {
			t.Fatal(err)
		}
		db.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&want)
		if got != want || strings.Contains(got, "GiB") {
			t.Errorf("%s: memory_limit %s during the export, want %s (ExportMemory %s)", what, got, want, ExportMemory)
		}
	}
}
