package store

import (
	"context"
	"path/filepath"
	"testing"
)

// Migration 005 turns the send-backs already in a database into review
// events, so that an upgraded database keeps them in v_returns_history.
// (Simulated: 005's objects are dropped and it is applied again on reopen.)
func TestReviewMigrationKeepsEarlierSendBacks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO returns VALUES (1, 'a.xlsx', 'x', 1, TIMESTAMP '2026-10-10 09:00:00', 'accepted', 'cli', '320505', NULL, '2026Q3', NULL, NULL, NULL, 0, 0, TIMESTAMP '2026-10-12 10:00:00', '数字有误')`,
		`INSERT INTO returns VALUES (2, 'b.xlsx', 'y', 1, TIMESTAMP '2026-10-10 09:00:00', 'accepted', 'cli', '320506', NULL, '2026Q3', NULL, NULL, NULL, 0, 0, NULL, NULL)`,
		`DROP VIEW v_returns_history`, `DROP VIEW q_closed_spans`, `DROP VIEW approved_returns`,
		`CREATE OR REPLACE VIEW v_returns AS SELECT 1 AS x`, `DROP VIEW q_return_review`,
		`DROP TABLE review_closed_assessments`, `DROP TABLE review_events`, `DROP SEQUENCE review_event_seq`,
		`DELETE FROM schema_migrations WHERE version = 5`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var action, reason, state1, state2 string
	if err := db.QueryRow(`SELECT action, reason FROM v_returns_history WHERE return_id = 1`).Scan(&action, &reason); err != nil {
		t.Fatal(err)
	}
	db.QueryRow(`SELECT review_status FROM v_returns WHERE return_id = 1`).Scan(&state1)
	db.QueryRow(`SELECT review_status FROM v_returns WHERE return_id = 2`).Scan(&state2)
	if action != "sendback" || reason != "数字有误" || state1 != "sent_back" || state2 != "pending" {
		t.Errorf("after upgrade: %s %s %s %s", action, reason, state1, state2)
	}
}
