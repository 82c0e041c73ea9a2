package ingest

import (
	"context"
	"testing"
	"time"
)

// returns.md (revised): a return whose bytes are identical to the one that
// counts for its district and period changes nothing and is "unchanged";
// each outcome is handed over as soon as it is committed.
func TestUnchangedReturnIsNotStoredAgain(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	data := goodBook(suzhou, testDistrict, testPeriod).bytes(t)
	a := writeFile(t, dir, "a.xlsx", data)
	copyOfA := writeFile(t, dir, "copy.xlsx", data)
	attempts := func() int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM returns`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var committed []Outcome
	opt := RunOptions{Committed: func(o Outcome) {
		// Called once the file is stored: the database already holds it.
		var n int
		db.QueryRow(`SELECT count(*) FROM returns WHERE return_id = ?`, o.ReturnID).Scan(&n)
		if n != 1 {
			t.Errorf("%s reported before it is committed", o.File)
		}
		committed = append(committed, o)
	}}
	// In one run: the copy is unchanged against the file before it.
	out, err := Run(ctx, db, []string{a, copyOfA}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Status != "accepted" || out[1].Status != "unchanged" || out[1].ReturnID != out[0].ReturnID {
		t.Fatalf("outcomes %+v", out)
	}
	if len(committed) != 2 || committed[1].Status != "unchanged" {
		t.Errorf("committed %+v", committed)
	}
	before, n := fingerprint(t, db), attempts()
	if n != 1 {
		t.Errorf("%d attempts stored, want 1", n)
	}
	// Re-running the folder (after a crash, say) stores nothing.
	out, err = Run(ctx, db, []string{a}, RunOptions{})
	if err != nil || out[0].Status != "unchanged" || out[0].ReturnID != committed[0].ReturnID {
		t.Fatalf("rerun: %+v %v", out, err)
	}
	if fingerprint(t, db) != before || attempts() != n {
		t.Error("an unchanged return changed the database")
	}
	// Record (the upload path) says the same.
	res := Check("again.xlsx", data, testOptions())
	id, accepted, err := Record(ctx, db, res, "upload", time.Now())
	if err != nil || accepted || res.Unchanged != committed[0].ReturnID || id != res.Unchanged {
		t.Errorf("Record: id %d accepted %v unchanged %d err %v", id, accepted, res.Unchanged, err)
	}
	// A changed file is a new return; then the old bytes are new again.
	b := goodBook(suzhou, testDistrict, testPeriod)
	b.sheet(SheetInfo).set("B5", "李四")
	changed := writeFile(t, dir, "b.xlsx", b.bytes(t))
	out, err = Run(ctx, db, []string{changed, a}, RunOptions{})
	if err != nil || out[0].Status != "accepted" || out[1].Status != "accepted" {
		t.Fatalf("changed: %+v %v", out, err)
	}
	// Once the return that counts is sent back, the same bytes count again.
	if _, err := db.Exec(`UPDATE returns SET sent_back_at = now() WHERE return_id = ?`, out[1].ReturnID); err != nil {
		t.Fatal(err)
	}
	out, err = Run(ctx, db, []string{a}, RunOptions{})
	if err != nil || out[0].Status != "accepted" {
		t.Fatalf("after send-back: %+v %v", out, err)
	}
}
