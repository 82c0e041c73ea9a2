package query

import (
	"context"
	"database/sql/driver"
	"testing"
	"time"

	"sgz/locale"
	"sgz/store"
)

// After Lockdown the application still writes (statements, appenders, new
// pool connections), but nothing can reach files or change a setting.
func TestLockdownKeepsAppWrites(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	if _, err := New(ctx, db, Limits{}); err == nil {
		t.Fatal("an engine on an unlocked database")
	}
	if err := Lockdown(ctx, db, Limits{MemoryLimit: "1GB", Threads: 2}); err != nil {
		t.Fatal(err)
	}
	if err := Lockdown(ctx, db, Limits{}); err != nil {
		t.Fatalf("second lockdown: %v", err)
	}
	var mem, threads string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('memory_limit')::VARCHAR, current_setting('threads')::VARCHAR`).Scan(&mem, &threads); err != nil {
		t.Fatal(err)
	}
	if threads != "2" || mem == "" {
		t.Errorf("memory_limit %s threads %s", mem, threads)
	}
	// the application's writes: a transaction with an appender and statements
	err := db.Write(ctx, func(w *store.Writer) error {
		if err := w.Exec(`INSERT INTO returns VALUES (nextval('return_id_seq') + 100, 'x.xlsx', 'ab', 1, ?, 'accepted', 'cli',
			'320581', '常熟市', '2026Q4', NULL, NULL, NULL, 0, 0, NULL, NULL)`, time.Now()); err != nil {
			return err
		}
		return w.Append("workforce", int64(101), int32(1), int32(1), int32(0), int32(0), int32(1), int32(1), int32(1))
	})
	if err != nil {
		t.Fatalf("app write after lockdown: %v", err)
	}
	// several new connections at once (the pool grows after the lock)
	conns := make([]interface{ Close() error }, 0, 4)
	for i := 0; i < 4; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Raw(func(dc any) error {
			_, err := dc.(driver.ExecerContext).ExecContext(ctx, "SELECT 1", nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
	// even the application cannot undo the lock or reach files
	for _, q := range []string{
		"SET GLOBAL enable_external_access = true",
		"SET lock_configuration = false",
		"SET memory_limit = '100GB'",
		"COPY returns TO '/tmp/sgz-app-leak.csv'",
		"SELECT * FROM read_text('/etc/passwd')",
		"ATTACH '/tmp/sgz-app.duckdb' AS x",
		"LOAD httpfs",
	} {
		if _, err := db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s: accepted after lockdown", q)
		}
	}
	e, err := New(ctx, db, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(ctx, "SELECT count(*) FROM v_returns WHERE period = '2026Q4'", locale.ZH)
	if err != nil || res.Rows[0][0] != int64(1) {
		t.Errorf("the new return: %v %v", res, err)
	}
}

func TestExamplesRun(t *testing.T) {
	_, e := locked(t, Limits{})
	ctx := context.Background()
	seen := map[string]bool{}
	for _, ex := range Examples {
		if seen[ex.ID] {
			t.Errorf("example id %s twice", ex.ID)
		}
		seen[ex.ID] = true
		res, err := e.Run(ctx, ex.SQL, locale.EN)
		if err != nil {
			t.Errorf("%s: %v", ex.ID, AsError(err).In(locale.EN))
			continue
		}
		if len(res.Rows) == 0 {
			t.Errorf("%s: no rows on the fixture", ex.ID)
		}
	}
}

func TestHistory(t *testing.T) {
	_, e := locked(t, Limits{HistoryLimit: 3})
	ctx := context.Background()
	for i, q := range []string{"SELECT 1", "SELECT 2", "DROP TABLE stations", "SELECT 4", "SELECT 5"} {
		res, err := e.Run(ctx, q, locale.ZH)
		if err := e.Record(ctx, "alice", q, res, err); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			e.Record(ctx, "bob", "SELECT 'bob'", nil, nil)
		}
	}
	h, err := e.History(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].SQL != "SELECT 5" || h[2].SQL != "DROP TABLE stations" || h[2].OK || h[2].Error == "" {
		t.Errorf("history %+v", h)
	}
	if b, _ := e.History(ctx, "bob"); len(b) != 1 {
		t.Errorf("bob's history %+v", b)
	}
}
