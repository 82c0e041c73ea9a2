package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"sgz/store"
)

func TestBuildShowsTheCasesItPromises(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "demo.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sum, err := Build(ctx, db, filepath.Join(dir, "returns"), now)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Span.String() != "2025Q1-2026Q3" || sum.Rejected != 1 || sum.Accepted != 7*10-1+1 {
		t.Fatalf("summary %+v", sum)
	}
	q := func(query string, args ...any) (n int) {
		t.Helper()
		if err := db.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := q(`SELECT count(*) FROM current_returns WHERE period = '2026Q3'`); n != 9 {
		t.Errorf("%d districts current for 2026Q3, want 9 (太仓 not yet)", n)
	}
	if n := q(`SELECT count(*) FROM current_returns WHERE period = '2026Q2'`); n != 10 {
		t.Errorf("%d current for 2026Q2", n)
	}
	// The rejected return keeps its errors, with cells.
	if n := q(`SELECT count(*) FROM return_issues JOIN returns USING (return_id)
		WHERE status = 'rejected' AND severity = 'error' AND sheet = '乡镇街道社工站' AND cell <> ''`); n != 2 {
		t.Errorf("%d cell errors on the rejected return", n)
	}
	// Receipt times fall after the quarter: the correction one day late.
	if n := q(`SELECT count(*) FROM returns WHERE received_at < make_timestamp(CAST(left(period, 4) AS BIGINT), 3 * CAST(right(period, 1) AS BIGINT), 28, 0, 0, 0)`); n != 0 {
		t.Errorf("%d returns received before their quarter ended", n)
	}
	if n := q(`SELECT count(*) FROM returns WHERE district_code = '320507' AND period = '2026Q3' AND status = 'accepted'
		AND received_at > TIMESTAMP '2026-10-15 23:59:59'`); n != 1 {
		t.Errorf("the corrected return is not late")
	}
	// The sent-back return no longer counts; its resubmission does.
	if n := q(`SELECT count(*) FROM returns WHERE sent_back_at IS NOT NULL AND sent_back_reason <> ''`); n != 1 {
		t.Errorf("%d sent back", n)
	}
	if n := q(`SELECT count(*) FROM current_returns c JOIN returns r ON r.district_code = c.district_code AND r.period = c.period
		WHERE r.sent_back_at IS NOT NULL AND c.return_id > r.return_id AND c.received_at > r.sent_back_at`); n != 1 {
		t.Errorf("the resubmission after the send-back does not count")
	}
	// The review history: the send-back kept in v_returns_history; the old
	// quarters approved, the last two pending.
	if n := q(`SELECT count(*) FROM v_returns_history WHERE action = 'sendback' AND reason <> ''`); n != 1 {
		t.Errorf("%d send-backs in the history", n)
	}
	if n := q(`SELECT count(*) FROM v_returns WHERE is_current AND period = '2026Q1' AND review_status = 'approved'`); n != 10 {
		t.Errorf("%d approved in 2026Q1, want 10", n)
	}
	if n := q(`SELECT count(*) FROM v_returns WHERE is_current AND period >= '2026Q2' AND review_status = 'pending'`); n != 19 {
		t.Errorf("%d pending in 2026Q2-Q3, want 19", n)
	}
	// Messy workbooks read to the same data as clean ones: no errors, and
	// coverage rises over time.
	if n := q(`SELECT count(*) FROM returns WHERE status = 'rejected' AND district_code IN ('320509', '320583')`); n != 0 {
		t.Errorf("messy returns rejected")
	}
	first := q(`SELECT count(*) FILTER (built) FROM stations JOIN current_returns USING (return_id) WHERE period = '2025Q1'`)
	last := q(`SELECT count(*) FILTER (built) FROM stations JOIN current_returns USING (return_id) WHERE period = '2026Q2'`)
	if !(first < last) {
		t.Errorf("built stations %d in 2025Q1, %d in 2026Q2", first, last)
	}
}
