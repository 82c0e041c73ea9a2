package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationsApplyOnceAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.duckdb")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := Migrations()
	var n int
	db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) || n == 0 {
		t.Fatalf("applied %d migrations, have %d", n, len(ms))
	}
	db.Close()
	db, err = Open(ctx, path) // second open must not re-apply
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) {
		t.Fatalf("after reopen %d", n)
	}
}

func TestWriteIsAtomicWithAppender(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Write(ctx, func(w *Writer) error {
		for i := 0; i < 5000; i++ {
			if err := w.Append("funds", int64(1), int32(i), "320505", "社会捐赠", Money(12345), nil); err != nil {
				return err
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM funds`).Scan(&n)
	if n != 0 {
		t.Fatalf("failed write left %d rows", n)
	}
	// An appender error (NOT NULL violated at flush) also rolls back the Exec'd rows.
	err = db.Write(ctx, func(w *Writer) error {
		if err := w.Exec(`INSERT INTO return_files VALUES ('x', 'abc'::BLOB)`); err != nil {
			return err
		}
		return w.Append("funds", int64(1), int32(1), nil, "社会捐赠", Money(1), nil)
	})
	if err == nil {
		t.Fatal("NULL into NOT NULL accepted")
	}
	db.QueryRow(`SELECT count(*) FROM return_files`).Scan(&n)
	if n != 0 {
		t.Fatalf("rolled-back exec kept %d rows", n)
	}
}

func TestMoneyRoundTripsExactly(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	vals := []int64{0, 1, 12345, 999999999999, 3}
	err := db.Write(ctx, func(w *Writer) error {
		for i, v := range vals {
			if err := w.Append("funds", int64(1), int32(i), "320505", "社会捐赠", Money(v), "备注"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT CAST(amount * 10000 AS BIGINT), amount::VARCHAR FROM funds ORDER BY row_num`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var got int64
		var s string
		rows.Scan(&got, &s)
		if got != vals[i] {
			t.Errorf("row %d: %d stored as %d (%s)", i, vals[i], got, s)
		}
		i++
	}
	if i != len(vals) {
		t.Fatalf("read %d rows", i)
	}
}

func TestCurrentReturnsPicksNewestAcceptedAndHonoursSendBack(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	ins := func(id int64, status string, at time.Time) {
		t.Helper()
		_, err := db.Exec(`INSERT INTO returns (return_id, file_name, sha256, size_bytes, received_at, status, source,
			district_code, period, error_count, warning_count) VALUES (?, 'f.xlsx', 'h', 1, ?, ?, 'cli', '320505', '2026Q3', 0, 0)`, id, at, status)
		if err != nil {
			t.Fatal(err)
		}
	}
	cur := func() (id int64) {
		t.Helper()
		err := db.QueryRowContext(ctx, `SELECT coalesce(max(return_id), 0) FROM current_returns`).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	ins(1, "accepted", t0)
	ins(2, "rejected", t0.Add(time.Hour))
	if cur() != 1 {
		t.Fatal("rejected return counted")
	}
	ins(3, "accepted", t0.Add(2*time.Hour))
	if cur() != 3 {
		t.Fatal("newer accepted return does not supersede")
	}
	db.Exec(`UPDATE returns SET sent_back_at = now(), sent_back_reason = 'x' WHERE return_id = 3`)
	if cur() != 0 {
		t.Fatal("sent-back return still counts (or an older one came back)")
	}
}
