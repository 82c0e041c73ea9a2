// Command parquetread runs one SQL query over a Parquet export of sgz
// (`sgz export --parquet DIR`: a directory per v_* view, Hive-partitioned by
// period) with a plain in-memory DuckDB, as a ministry's engine would read
// the files: each view's directory becomes a view of the same name. It is
// the same-run reference of the scale script (scripts/scale-years.sh) for
// the SQL console's full scan.
//
//	go run ./scripts/parquetread DIR 'SELECT count(*) FROM v_rooms_all'
//
// It prints the result's rows (tab-separated) and, on standard error, the
// query's wall time.
package main

import (
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: parquetread DIR SQL")
	}
	dir, q := os.Args[1], os.Args[2]
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ents, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "v_") {
			continue
		}
		glob := filepath.Join(dir, e.Name(), "**", "*.parquet")
		if m, _ := filepath.Glob(filepath.Join(dir, e.Name(), "*", "*.parquet")); len(m) == 0 {
			glob = filepath.Join(dir, e.Name(), "*.parquet") // not partitioned
		}
		stmt := fmt.Sprintf(`CREATE VIEW %s AS SELECT * FROM read_parquet('%s', hive_partitioning = true)`,
			e.Name(), strings.ReplaceAll(glob, "'", "''"))
		if _, err := db.Exec(stmt); err != nil {
			log.Fatalf("%s: %v", e.Name(), err)
		}
	}
	t0 := time.Now()
	rows, err := db.Query(q)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			log.Fatal(err)
		}
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = fmt.Sprint(v)
		}
		fmt.Println(strings.Join(out, "\t"))
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "parquetread: %.3f s\n", time.Since(t0).Seconds())
}
