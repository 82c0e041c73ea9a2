package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz/store"
)

func openDB(t *testing.T) *store.DB {
	t.Helper()
	db := openDBPath(t, filepath.Join(t.TempDir(), "sgz.duckdb"))
	t.Cleanup(func() { db.Close() })
	return db
}

func openDBPath(t testing.TB, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustScan reads one row, failing the test when the query fails (a scan
// error left unchecked would compare zero values).
func mustScan(t testing.TB, r *sql.Row, dest ...any) {
	t.Helper()
	if err := r.Scan(dest...); err != nil {
		t.Fatal(err)
	}
}

// fingerprint summarises every table but the attempt log, so that a test can
// show a rejected file changed nothing.
func fingerprint(t *testing.T, db *store.DB) string {
	t.Helper()
	var out []string
	for _, table := range []string{"registry_versions", "registry_units", "stations", "rooms", "funds", "trainings", "workforce", "projects"} {
		var s string
		err := db.QueryRow(`SELECT count(*)::VARCHAR || ':' || coalesce(md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)), '') FROM ` + table + ` t`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, table+"="+s)
	}
	var cur string
	mustScan(t, db.QueryRow(`SELECT coalesce(string_agg(return_id::VARCHAR, ',' ORDER BY return_id), '') FROM current_returns`), &cur)
	return strings.Join(out, " ") + " current=" + cur
}

func TestRunAcceptsRejectsAndRecordsEveryAttempt(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	good := writeFile(t, dir, "a/320505-2026Q3.xlsx", goodBook(suzhou, testDistrict, testPeriod).bytes(t))
	out, err := Run(ctx, db, []string{good}, RunOptions{})
	if err != nil || len(out) != 1 || out[0].Status != "accepted" || out[0].ReturnID == 0 {
		t.Fatalf("good file: %+v %v", out, err)
	}
	before := fingerprint(t, db)

	// Every kind of rejection leaves the data as it was.
	bad := goodBook(suzhou, testDistrict, testPeriod)
	bad.sheet(SheetStations).set("C3", "在建")
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(bytes.Repeat([]byte(" "), 300<<20))
	zw.Close()
	enc := excelize.NewFile()
	encBuf := new(bytes.Buffer)
	enc.WriteTo(encBuf, excelize.Options{Password: "secret"})
	goodBytes := goodBook(suzhou, testDistrict, testPeriod).bytes(t)
	rejects := map[string][]byte{
		"bad-cell.xlsx":  bad.bytes(t),
		"csv.xlsx":       []byte("code,name\n320505,虎丘区\n"),
		"truncated.xlsx": goodBytes[:len(goodBytes)/2],
		"bomb.xlsx":      zbuf.Bytes(),
		"password.xlsx":  encBuf.Bytes(),
		"empty.xlsx":     nil,
	}
	xls, err := os.ReadFile("xlsx/testdata/legacy.xls")
	if err == nil {
		rejects["legacy.xlsx"] = xls
	}
	var paths []string
	for name, data := range rejects {
		paths = append(paths, writeFile(t, dir, "b/"+name, data))
	}
	start := time.Now()
	out, err = Run(ctx, db, paths, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 30*time.Second {
		t.Errorf("bad files took %v", time.Since(start)) // a hang guard, not a benchmark
	}
	for _, o := range out {
		if o.Status != "rejected" || len(o.Errors) == 0 || o.ReturnID == 0 {
			t.Errorf("%s: %+v", o.File, o)
		}
		name := filepath.Base(o.File)
		if name != "bad-cell.xlsx" && len(o.Errors) != 1 {
			t.Errorf("%s: a bad file gets one clear error, got %s", name, describe(o.Errors))
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("rejected files changed the data:\nbefore %s\nafter  %s", before, after)
	}
	var attempts, rejected, stored int
	mustScan(t, db.QueryRow(`SELECT count(*), count(*) FILTER (status = 'rejected') FROM returns`), &attempts, &rejected)
	mustScan(t, db.QueryRow(`SELECT count(*) FROM return_files`), &stored)
	if attempts != 1+len(rejects) || rejected != len(rejects) {
		t.Errorf("%d attempts, %d rejected", attempts, rejected)
	}
	if stored != 1+len(rejects) {
		t.Errorf("%d files stored, want every distinct content", stored)
	}
	// The rejected attempt keeps its errors, in both languages, with cells.
	var sheet, cell, zh, en string
	err = db.QueryRow(`SELECT sheet, cell, message_zh, message_en FROM return_issues JOIN returns USING (return_id)
		WHERE file_name = 'bad-cell.xlsx' AND severity = 'error'`).Scan(&sheet, &cell, &zh, &en)
	if err != nil || sheet != SheetStations || cell != "C3" || !strings.Contains(zh, "在建") || !strings.Contains(en, "yes or no") {
		t.Errorf("stored issue %q %q %q %q %v", sheet, cell, zh, en, err)
	}
	// The original bytes are kept and can be checked again.
	var content []byte
	mustScan(t, db.QueryRow(`SELECT content FROM return_files JOIN returns USING (sha256) WHERE file_name = 'bad-cell.xlsx'`), &content)
	if again := Check("again.xlsx", content, testOptions()); again.OK() || again.Errors[0].Cell != "C3" {
		t.Errorf("re-validation of stored bytes: %s", describe(again.Errors))
	}
}

func TestResubmissionSupersedesAndKeepsHistory(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	first := goodBook(suzhou, testDistrict, testPeriod)
	second := goodBook(suzhou, testDistrict, testPeriod)
	second.sheet(SheetStations).set("F3", 6)
	p1 := writeFile(t, dir, "first.xlsx", first.bytes(t))
	p2 := writeFile(t, dir, "second.xlsx", second.bytes(t))
	// Both in one run: the later file in the list is the newer return.
	out, err := Run(ctx, db, []string{p1, p2}, RunOptions{Workers: 2})
	if err != nil || out[0].Status != "accepted" || out[1].Status != "accepted" {
		t.Fatalf("%+v %v", out, err)
	}
	var cur int64
	var resident int
	mustScan(t, db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = ? AND period = ?`, testDistrict, "2026Q3"), &cur)
	if cur != out[1].ReturnID {
		t.Fatalf("current return %d, want the newer %d", cur, out[1].ReturnID)
	}
	mustScan(t, db.QueryRow(`SELECT resident FROM stations WHERE return_id = ? AND row_num = 3`, cur), &resident)
	if resident != 6 {
		t.Errorf("current resident %d", resident)
	}
	var kept int
	mustScan(t, db.QueryRow(`SELECT count(*) FROM stations WHERE return_id = ?`, out[0].ReturnID), &kept)
	if kept != 5 {
		t.Errorf("the superseded return's rows are gone: %d", kept)
	}
	// A rejected resubmission does not displace the accepted one.
	bad := goodBook(suzhou, testDistrict, testPeriod)
	bad.sheet(SheetStations).set("F3", -1)
	out2, _ := Run(ctx, db, []string{writeFile(t, dir, "third.xlsx", bad.bytes(t))}, RunOptions{})
	mustScan(t, db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = ?`, testDistrict), &cur)
	if out2[0].Status != "rejected" || cur != out[1].ReturnID {
		t.Errorf("after a rejected resubmission the current return is %d", cur)
	}
}

func TestUploadScopedToDistrict(t *testing.T) {
	res := Check("x.xlsx", goodBook(suzhou, testDistrict, testPeriod).bytes(t), func() Options {
		o := testOptions()
		o.OnlyDistrict = "320506"
		return o
	}())
	if res.OK() || res.Errors[0].Msg.Key != "ingest.district.scope" || res.Errors[0].Cell != "B3" {
		t.Fatalf("%s", describe(res.Errors))
	}
}

func TestExpandFindsWorkbooksRecursively(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a/x.xlsx", nil)
	writeFile(t, dir, "a/b/y.XLSX", nil)
	writeFile(t, dir, "a/~$x.xlsx", nil)
	writeFile(t, dir, "a/notes.txt", nil)
	got, err := Expand([]string{filepath.Join(dir, "a")})
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := Expand([]string{filepath.Join(dir, "nope")}); err == nil {
		t.Fatal("a missing path is not an error")
	}
}

func TestWarnsWhenABuiltUnitIsReportedNotBuilt(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	prev := goodBook(suzhou, testDistrict, testPeriod.Prev())
	prev.sheet(SheetInfo).set("B4", testPeriod.Prev().String())
	now := goodBook(suzhou, testDistrict, testPeriod)
	// Row 3 is built in both; make it not built now.
	for _, ref := range []string{"D3", "E3", "F3", "G3", "H3", "I3", "J3", "K3"} {
		now.sheet(SheetStations).set(ref, nil)
	}
	now.sheet(SheetStations).set("C3", "否")
	out, err := Run(ctx, db, []string{writeFile(t, dir, "q2.xlsx", prev.bytes(t)), writeFile(t, dir, "q3.xlsx", now.bytes(t))}, RunOptions{Workers: 1})
	if err != nil || out[1].Status != "accepted" {
		t.Fatalf("%v %+v", err, out)
	}
	if len(out[1].Warnings) != 1 || out[1].Warnings[0].Msg.Key != "ingest.built.regressed" || out[1].Warnings[0].Cell != "C3" {
		t.Fatalf("warnings: %s", describe(out[1].Warnings))
	}
}

func TestReceiptTimeIsBeijingWallTime(t *testing.T) {
	db := openDB(t)
	at := time.Date(2026, 10, 15, 15, 30, 0, 0, time.UTC) // 23:30 in Beijing
	res := Check("x.xlsx", goodBook(suzhou, testDistrict, testPeriod).bytes(t), testOptions())
	if _, _, err := Record(context.Background(), db, res, "cli", at); err != nil {
		t.Fatal(err)
	}
	var got string
	mustScan(t, db.QueryRow(`SELECT strftime(received_at, '%Y-%m-%d %H:%M') FROM returns`), &got)
	if got != "2026-10-15 23:30" {
		t.Fatalf("received_at %s, want Beijing wall time 2026-10-15 23:30", got)
	}
}
