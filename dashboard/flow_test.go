package dashboard

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"sgz/ingest"
	"sgz/registry"
)

// fetch GETs a URL as t-all (every role) and returns the body.
func fetch(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := clientFor(t, u).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func openXLSX(t *testing.T, what string, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s is not a valid .xlsx: %v (%d bytes: %.80q)", what, err, len(b), b)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func reportedCount(t *testing.T, base, period, district string) (value any) {
	t.Helper()
	var rows []map[string]any
	getJSON(t, base+"/api/v1/indicators?level=district&indicator=station_coverage&period="+period, &rows)
	for _, r := range rows {
		if r["unit_code"] == district {
			return r["value"]
		}
	}
	t.Fatalf("no %s in the API", district)
	return nil
}

func TestBrowserUploadSendBackAndDownloads(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	reg := registry.Suzhou()
	dir := t.TempDir()

	// A return with errors: two bad cells.
	var badCells []string
	bad := workbook(t, reg, fixtureLate, fixtureLast, func(f *excelize.File) {
		badCells = append(badCells, ingest.SheetStations+"!"+setBelow(f, ingest.SheetStations, "驻站社工人数", 1, "三个"))
		badCells = append(badCells, ingest.SheetStations+"!"+setBelow(f, ingest.SheetStations, "是否建成社工站", 2, "也许"))
	})
	badPath := filepath.Join(dir, "相城区-2026Q3-bad.xlsx")
	os.WriteFile(badPath, bad, 0o644)
	goodPath := filepath.Join(dir, "相城区-2026Q3.xlsx")
	os.WriteFile(goodPath, workbook(t, reg, fixtureLate, fixtureLast), 0o644)

	tb := openTab(t, ts.URL)
	tb.visit("/?period=2026Q3&lang=zh")
	before := tb.text("#completeness")
	if !strings.Contains(before, "9 / 10") {
		t.Errorf("completeness before: %q", before)
	}
	if v := reportedCount(t, ts.URL, "2026Q3", fixtureLate); v != nil {
		t.Fatalf("%s has a value before its upload: %v", fixtureLate, v)
	}

	// The clerk chooses the district, uploads the bad file and sees every error by sheet and cell.
	tb.visit("/upload?district=" + fixtureLate)
	tb.run(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{badPath}), chromedp.Click(chromedp.CSS("#upload-send")))
	tb.waitFor(`document.querySelector('#upload-result')`)
	errText := tb.text("#upload-errors")
	for _, cell := range badCells {
		if !strings.Contains(errText, cell) {
			t.Errorf("error list does not name %s:\n%s", cell, errText)
		}
	}
	tb.clean("bad upload")
	if v := reportedCount(t, ts.URL, "2026Q3", fixtureLate); v != nil {
		t.Fatalf("a rejected return changed the numbers: %v", v)
	}
	// The workbook back, with the bad cells filled and commented.
	href := eval[string](tb, `document.querySelector('#dl-marked').getAttribute('href')`)
	resp, body := fetch(t, ts.URL+href)
	if resp.StatusCode != 200 {
		t.Fatalf("marked workbook: %d", resp.StatusCode)
	}
	f := openXLSX(t, "marked workbook", body)
	comments, err := f.GetComments(ingest.SheetStations)
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range badCells {
		ref := strings.TrimPrefix(cell, ingest.SheetStations+"!")
		found := false
		for _, cm := range comments {
			if cm.Cell == ref {
				found = true
			}
		}
		if !found {
			t.Errorf("no comment on %s", cell)
		}
		id, _ := f.GetCellStyle(ingest.SheetStations, ref)
		st, _ := f.GetStyle(id)
		if st == nil || len(st.Fill.Color) == 0 {
			t.Errorf("%s not filled", cell)
		}
	}

	// The good file is accepted and changes the overview.
	tb.visit("/upload")
	tb.run(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{goodPath}), chromedp.Click(chromedp.CSS("#upload-send")))
	tb.waitFor(`document.querySelector('#upload-result')`)
	if res := tb.text("#upload-result"); !strings.Contains(res, "已接收") {
		t.Fatalf("good upload: %q", res)
	}
	tb.clean("good upload")
	tb.visit("/?period=2026Q3")
	if after := tb.text("#completeness"); !strings.Contains(after, "10 / 10") {
		t.Errorf("completeness after a good upload: %q", after)
	}
	if v := reportedCount(t, ts.URL, "2026Q3", fixtureLate); v == nil {
		t.Fatal("the accepted return does not count")
	}

	// The evaluator sends it back with a reason: it no longer counts, and the district sees why.
	tb.visit("/reporting?period=2026Q3")
	id := eval[string](tb, `(function(){var f=document.querySelector('#returns tbody tr form[action$="/sendback"]');
		var rows=document.querySelectorAll('#returns tbody tr');for(var i=0;i<rows.length;i++){if(rows[i].innerText.indexOf('`+fixtureLate+`')>=0&&rows[i].querySelector('form[action$="/sendback"]'))return rows[i].id.replace('return-','')}return ''})()`)
	if id == "" {
		t.Fatal("no send-back form for the new return")
	}
	tb.run(chromedp.SendKeys(chromedp.CSS("#return-"+id+" input[name=reason]"), "培训数据与台账不符"),
		chromedp.Click(chromedp.CSS("#return-"+id+" button")))
	tb.waitFor(`document.querySelector('#flash')`)
	tb.clean("send back")
	if v := reportedCount(t, ts.URL, "2026Q3", fixtureLate); v != nil {
		t.Errorf("a return sent back still counts: %v", v)
	}
	tb.visit("/upload")
	if mine := tb.text("#mine"); !strings.Contains(mine, "培训数据与台账不符") {
		t.Errorf("the district does not see the reason:\n%s", mine)
	}
	// And accepts it again.
	tb.visit("/reporting?period=2026Q3")
	tb.run(chromedp.Click(chromedp.CSS("#return-" + id + " button")))
	tb.waitFor(`document.querySelector('#flash')`)
	if v := reportedCount(t, ts.URL, "2026Q3", fixtureLate); v == nil {
		t.Error("a restored return does not count")
	}
	tb.clean("restore")

	// Downloads are valid workbooks.
	for _, u := range []string{"/assessment.xlsx?period=2026Q3", "/template.xlsx?district=" + fixtureLate + "&period=2026Q4", "/returns/" + id + "/file", "/indicators.xlsx?period=2026&level=town"} {
		resp, body := fetch(t, ts.URL+u)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", u, resp.StatusCode)
			continue
		}
		f := openXLSX(t, u, body)
		if len(f.GetSheetList()) == 0 {
			t.Errorf("%s: no sheets", u)
		}
	}
	resp, body = fetch(t, ts.URL+"/assessment.csv?period=2026Q3")
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("320505")) {
		t.Errorf("csv: %d %.200s", resp.StatusCode, body)
	}
}
