package query

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"sgz/registry"
	"sgz/store"
)

// fixture opens a new database file with the built-in registry and a few
// returns: 320581 (常熟市) for 2026Q2 and 2026Q3 (twice: the second counts),
// 320506 (吴中区) for 2026Q3, and a rejected attempt.
func fixture(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "sgz.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := registry.EnsureDefault(ctx, db); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 8, 9, 0, 0, 0, time.UTC)
	type ret struct {
		id             int64
		district, name string
		period, status string
		after          time.Duration
	}
	rets := []ret{
		{1, "320581", "常熟市民政局", "2026Q2", "accepted", 0},
		{2, "320581", "常熟市民政局", "2026Q3", "accepted", time.Hour},
		{3, "320581", "常熟市民政局", "2026Q3", "accepted", 2 * time.Hour},
		{4, "320506", "吴中区民政局", "2026Q3", "accepted", 3 * time.Hour},
		{5, "320506", "吴中区民政局", "2026Q3", "rejected", 4 * time.Hour},
	}
	err = db.Write(ctx, func(w *store.Writer) error {
		for _, r := range rets {
			errs := 0
			if r.status == "rejected" {
				errs = 1
			}
			if err := w.Exec(`INSERT INTO returns VALUES (?, ?, ?, 10, ?, ?, 'cli', ?, ?, ?, '张三', '13800000000', '2026-10-08', ?, 0, NULL, NULL)`,
				r.id, fmt.Sprintf("r%d.xlsx", r.id), fmt.Sprintf("%064d", r.id), at.Add(r.after), r.status,
				r.district, r.name, r.period, errs); err != nil {
				return err
			}
			if err := w.Exec(`INSERT INTO return_files VALUES (?, 'PK-bytes')`, fmt.Sprintf("%064d", r.id)); err != nil {
				return err
			}
			if r.status == "rejected" {
				if err := w.Exec(`INSERT INTO return_issues VALUES (?, 1, 'error', '乡镇街道社工站', 'E14', 'x', '应为数字', 'must be a number')`, r.id); err != nil {
					return err
				}
				continue
			}
			towns := []string{"320581001", "320581002", "320581003"}
			if r.district == "320506" {
				towns = []string{"320506001", "320506003"}
			}
			for i, tc := range towns {
				built := i < 2 || r.id == 3
				if err := w.Exec(`INSERT INTO stations VALUES (?, ?, ?, NULL, ?, DATE '2025-05-01', ?, ?, 1, 1, 0, '委托运营', '某社工机构', ?)`,
					r.id, 5+i, tc, built, built, 2+i, i == 0); err != nil {
					return err
				}
			}
			if r.district == "320581" {
				for i, vc := range []string{"320581001001", "320581001002", "320581001003"} {
					if err := w.Exec(`INSERT INTO rooms VALUES (?, ?, ?, NULL, ?, NULL, ?)`, r.id, 5+i, vc, i != 1, i == 0); err != nil {
						return err
					}
				}
			}
			if err := w.Exec(`INSERT INTO funds VALUES (?, 5, ?, '政府购买服务', 12.5, NULL), (?, 6, '320581001', '社会捐赠', 1.25, '捐款')`,
				r.id, r.district, r.id); err != nil {
				return err
			}
			if err := w.Exec(`INSERT INTO trainings VALUES (?, 5, '督导培训', DATE '2026-08-01', 8, 30, '督导培养', 0.6)`, r.id); err != nil {
				return err
			}
			if err := w.Exec(`INSERT INTO workforce VALUES (?, 120, 80, 35, 5, 12, 150, 6)`, r.id); err != nil {
				return err
			}
			if err := w.Exec(`INSERT INTO projects VALUES (?, 5, '长者关爱', ?, '为老服务', 300, true)`, r.id, towns[0]); err != nil {
				return err
			}
		}
		// Return 1 approved by an evaluator (review history, migration 005).
		return w.Exec(`INSERT INTO review_events VALUES (nextval('review_event_seq'), TIMESTAMP '2026-10-20 10:00:00', '评审甲',
			'approve', 1, '320581', '2026Q2', 'pending', 'approved', '', NULL)`)
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// locked is a fixture that went through Lockdown, with its engine.
func locked(t testing.TB, lim Limits) (*store.DB, *Engine) {
	t.Helper()
	db := fixture(t)
	ctx := context.Background()
	if err := Lockdown(ctx, db, lim); err != nil {
		t.Fatal(err)
	}
	e, err := New(ctx, db, lim)
	if err != nil {
		t.Fatal(err)
	}
	return db, e
}

// fingerprint summarises every table, view and sequence in the database and
// the settings that matter, so that any change shows.
func fingerprint(t testing.TB, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	var parts []string
	rows, err := db.QueryContext(ctx, `SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE NOT internal
		UNION ALL SELECT database_name, schema_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var names [][3]string
	for rows.Next() {
		var d, s, n string
		if err := rows.Scan(&d, &s, &n); err != nil {
			t.Fatal(err)
		}
		names = append(names, [3]string{d, s, n})
	}
	rows.Close()
	for _, n := range names {
		q := fmt.Sprintf(`SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t))::VARCHAR, '') FROM "%s"."%s"."%s" t`, n[0], n[1], n[2])
		var h string
		if err := db.QueryRowContext(ctx, q).Scan(&h); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		parts = append(parts, strings.Join(n[:], ".")+"="+h)
	}
	for _, q := range []string{
		`SELECT string_agg(database_name || ':' || coalesce(path, ''), ',' ORDER BY database_name) FROM duckdb_databases()`,
		`SELECT string_agg(sequence_name || ':' || last_value::VARCHAR, ',') FROM duckdb_sequences()`,
		`SELECT string_agg(name || '=' || coalesce(value, ''), ',' ORDER BY name) FROM duckdb_settings()
		 WHERE name IN ('enable_external_access', 'lock_configuration', 'memory_limit', 'threads', 'autoload_known_extensions')`,
	} {
		var s *string
		if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if s != nil {
			parts = append(parts, *s)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "\n")
}
