package review

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

var t0 = time.Date(2026, 12, 1, 9, 30, 0, 0, sgz.Beijing)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func addReturn(t *testing.T, db *store.DB, id int64, district, period, received, status string) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO returns VALUES (?, ?, ?, 1, ?::TIMESTAMP, ?, 'cli', ?, NULL, ?, NULL, NULL, NULL, 0, 0, NULL, NULL)`,
		id, fmt.Sprintf("r%d.xlsx", id), fmt.Sprintf("%064x", id), received, status, district, period); err != nil {
		t.Fatal(err)
	}
}

func say(err error) string {
	if err == nil {
		return "<nil>"
	}
	return locale.Say(locale.ZH, err) + " / " + locale.Say(locale.EN, err)
}

func wantErr(t *testing.T, err error, key string) {
	t.Helper()
	le := (*locale.Error)(nil)
	if err == nil || !errors.As(err, &le) || le.Key != key {
		t.Fatalf("want %s, got %s", key, say(err))
	}
}

func status(t *testing.T, db *store.DB, id int64) string {
	t.Helper()
	s, err := Status(context.Background(), db, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pending → approved → locked: a send-back is refused unless an
// administrator does it; an upload over it is refused; restore puts it back
// to pending and the whole story stays in v_returns_history.
func TestReviewStates(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	addReturn(t, db, 1, "320505", "2026Q3", "2026-10-10 09:00:00", "accepted")
	addReturn(t, db, 2, "320505", "2026Q3", "2026-10-09 09:00:00", "accepted") // older: superseded
	addReturn(t, db, 3, "320506", "2026Q3", "2026-10-10 09:00:00", "rejected")

	if s := status(t, db, 1); s != Pending {
		t.Fatalf("new return %q", s)
	}
	if s := status(t, db, 3); s != "" {
		t.Fatalf("rejected return %q", s)
	}
	_, err := Approve(ctx, db, 3, Act{At: t0})
	wantErr(t, err, "review.notaccepted")
	_, err = Approve(ctx, db, 2, Act{At: t0})
	wantErr(t, err, "review.superseded")
	_, err = Approve(ctx, db, 99, Act{At: t0})
	wantErr(t, err, "review.notfound")
	_, err = SendBack(ctx, db, 1, Act{At: t0, Reason: "  "})
	wantErr(t, err, "review.reason.missing")
	_, err = Restore(ctx, db, 1, Act{At: t0})
	wantErr(t, err, "review.notsentback")

	ev, err := Approve(ctx, db, 1, Act{By: "评审甲", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Before != Pending || ev.After != Approved || status(t, db, 1) != Approved {
		t.Fatalf("approve %+v, status %s", ev, status(t, db, 1))
	}
	_, err = Approve(ctx, db, 1, Act{At: t0})
	wantErr(t, err, "review.locked")
	_, err = SendBack(ctx, db, 1, Act{By: "评审乙", Reason: "数字有误", At: t0})
	wantErr(t, err, "review.locked")
	wantErr(t, CheckUpload(ctx, db, "320505", sgz.MustPeriod("2026Q3")), "review.upload.locked")
	if err := CheckUpload(ctx, db, "320506", sgz.MustPeriod("2026Q3")); err != nil {
		t.Fatalf("another district: %s", say(err))
	}

	// An administrator unlocks it by sending it back.
	ev, err = SendBack(ctx, db, 1, Act{By: "管理员", Admin: true, Reason: "运营机构名称与合同不一致", At: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Before != Approved || ev.After != SentBack || status(t, db, 1) != SentBack {
		t.Fatalf("admin send-back %+v", ev)
	}
	_, err = SendBack(ctx, db, 1, Act{Reason: "again", At: t0})
	wantErr(t, err, "review.is.sentback")
	_, err = Approve(ctx, db, 1, Act{At: t0})
	wantErr(t, err, "review.is.sentback")
	if err := CheckUpload(ctx, db, "320505", sgz.MustPeriod("2026Q3")); err != nil {
		t.Fatalf("upload after send-back: %s", say(err))
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM current_returns WHERE district_code = '320505'`).Scan(&n)
	if n != 0 {
		t.Fatal("a sent-back return still counts")
	}

	if _, err := Restore(ctx, db, 1, Act{By: "评审乙", Reason: "核实无误", At: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if s := status(t, db, 1); s != Pending {
		t.Fatalf("after restore %q", s)
	}
	db.QueryRow(`SELECT count(*) FROM current_returns WHERE district_code = '320505'`).Scan(&n)
	if n != 1 {
		t.Fatal("a restored return does not count")
	}
	// v_returns keeps the send-back after the restore.
	var sbAt, sbWhy, rs string
	if err := db.QueryRow(`SELECT strftime(sent_back_at, '%Y-%m-%d %H:%M'), sent_back_reason, review_status FROM v_returns WHERE return_id = 1`).Scan(&sbAt, &sbWhy, &rs); err != nil {
		t.Fatal(err)
	}
	if sbAt != "2026-12-01 10:30" || sbWhy != "运营机构名称与合同不一致" || rs != "pending" {
		t.Errorf("v_returns after restore: %s %s %s", sbAt, sbWhy, rs)
	}
	rows, err := db.Query(`SELECT action, actor, strftime(acted_at, '%H:%M'), status_before, status_after, reason FROM v_returns_history WHERE return_id = 1 ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var a, b, c, d, e, f string
		rows.Scan(&a, &b, &c, &d, &e, &f)
		got = append(got, strings.Join([]string{a, b, c, d, e, f}, "|"))
	}
	rows.Close()
	want := []string{
		"approve|评审甲|09:30|pending|approved|",
		"sendback|管理员|10:30|approved|sent_back|运营机构名称与合同不一致",
		"restore|评审乙|11:30|sent_back|pending|核实无误",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("history\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	h, err := History(ctx, db, 1)
	if err != nil || len(h) != 3 || h[1].At.Format("2006-01-02 15:04 MST") != "2026-12-01 10:30 CST" {
		t.Errorf("History %v %+v", err, h)
	}
	// Long reasons are cut, not refused.
	if ev, err := SendBack(ctx, db, 1, Act{Reason: strings.Repeat("长", MaxReason+20), At: t0}); err != nil || len([]rune(ev.Reason)) != MaxReason {
		t.Errorf("long reason: %v", err)
	}
}

// A closed span refuses review actions and uploads in its quarters, keeps
// its closing in the history and opens again only for an administrator.
func TestCloseAndReopen(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	addReturn(t, db, 1, "320505", "2026Q3", "2026-10-10 09:00:00", "accepted")
	span, _ := sgz.ParseSpan("2026")
	record := func(w *store.Writer) (int64, []byte, error) { return 42, []byte(`{"period":"2026"}`), nil }
	c, err := Close(ctx, db, span, Act{By: "评审甲", Reason: "年度考核", At: t0}, record)
	if err != nil {
		t.Fatal(err)
	}
	if c.AssessmentID != 42 {
		t.Fatalf("closure %+v", c)
	}
	_, err = Close(ctx, db, span, Act{At: t0}, record)
	wantErr(t, err, "review.close.already")
	err = CheckUpload(ctx, db, "320506", sgz.MustPeriod("2026Q3"))
	wantErr(t, err, "review.closed")
	if !strings.Contains(say(err), "2026Q3 已考核归档（2026，归档于 2026-12-01 09:30）") {
		t.Errorf("message %s", say(err))
	}
	if err := CheckOpen(ctx, db, sgz.MustPeriod("2027Q1")); err != nil {
		t.Errorf("2027Q1: %s", say(err))
	}
	_, err = Approve(ctx, db, 1, Act{At: t0})
	wantErr(t, err, "review.closed")
	snap, sc, err := Snapshot(ctx, db, span)
	if err != nil || sc == nil || string(snap) != `{"period":"2026"}` {
		t.Fatalf("snapshot %s %v %v", snap, sc, err)
	}
	_, err = Reopen(ctx, db, span, Act{By: "评审甲", At: t0})
	wantErr(t, err, "review.reopen.admin")
	q3, _ := sgz.ParseSpan("2026Q3")
	_, err = Reopen(ctx, db, q3, Act{Admin: true, At: t0})
	wantErr(t, err, "review.reopen.notclosed")
	if _, err := Reopen(ctx, db, span, Act{By: "管理员", Admin: true, Reason: "补报", At: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := CheckUpload(ctx, db, "320506", sgz.MustPeriod("2026Q3")); err != nil {
		t.Errorf("after reopen: %s", say(err))
	}
	if _, err := Approve(ctx, db, 1, Act{At: t0}); err != nil {
		t.Errorf("approve after reopen: %s", say(err))
	}
	ph, err := PeriodHistory(ctx, db)
	if err != nil || len(ph) != 2 || ph[0].Action != ActClose || ph[0].AssessmentID != 42 || ph[1].Action != ActReopen || ph[1].Reason != "补报" {
		t.Errorf("period history %v %+v", err, ph)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM v_returns_history WHERE action IN ('close', 'reopen') AND period = '2026'`).Scan(&n)
	if n != 2 {
		t.Errorf("v_returns_history has %d close/reopen rows", n)
	}
	// Closing again after the reopen is a new closing.
	if _, err := Close(ctx, db, span, Act{At: t0}, func(w *store.Writer) (int64, []byte, error) { return 43, []byte(`{}`), nil }); err != nil {
		t.Fatal(err)
	}
	if _, c, _ := Snapshot(ctx, db, span); c == nil || c.AssessmentID != 43 {
		t.Errorf("second closing %+v", c)
	}
}

// Every state and action has words in both languages.
func TestStateNamesAndText(t *testing.T) {
	if StateText(locale.ZH, Pending) != "待审核" || StateText(locale.ZH, Approved) != "已审核" || StateText(locale.ZH, SentBack) != "退回修改" || StateText(locale.EN, "") != "" {
		t.Error("state names")
	}
	for _, a := range []string{ActApprove, ActSendBack, ActRestore, ActClose, ActReopen} {
		if ActionText(locale.ZH, a) == "review.action."+a {
			t.Errorf("no text for %s", a)
		}
	}
	if p := locale.Problems(); len(p) > 0 {
		t.Error(p)
	}
}
