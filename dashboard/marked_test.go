package dashboard

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sgz/ingest"
	"sgz/registry"
)

// The marked workbook is offered for a rejected workbook (its first sheet
// lists every error, those without a cell too) and not for a file that is
// not a workbook, whose link would have nothing to mark: asked for anyway,
// it is a page that says so.
func TestMarkedWorkbookOffered(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	cl := loginAs(t, ts.URL, "t-clerk") // the clerk of fixtureLate
	upload := func(name string, data []byte) (string, string) {
		t.Helper()
		var buf bytes.Buffer
		ct := multipartFile(&buf, name, data)
		req, _ := http.NewRequest("POST", ts.URL+"/upload?district="+fixtureLate, &buf)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", ts.URL)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		resp, err = cl.Get(ts.URL + loc)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return returnParam(loc), string(page)
	}
	resp, _ := cl.Get(ts.URL + "/upload?district=" + fixtureLate)
	resp.Body.Close()

	id, page := upload("not-a-workbook.xlsx", []byte("code,name\n320507,x\n"))
	if strings.Contains(page, `id="dl-marked"`) {
		t.Error("the marked workbook is offered for a file that is not a workbook")
	}
	resp, body := fetch(t, ts.URL+"/returns/"+id+"/marked.xlsx")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "不是可读的 .xlsx 工作簿") {
		t.Errorf("marked.xlsx of a non-workbook: %d %s", resp.StatusCode, body)
	}

	// A workbook with a town row missing (an error without a cell) and a bad cell.
	bad := workbook(t, registry.Suzhou(), fixtureLate, fixtureLast, func(f *excelize.File) {
		f.SetCellValue(ingest.SheetStations, "C3", "在建")
		rows, _ := f.GetRows(ingest.SheetStations)
		f.RemoveRow(ingest.SheetStations, len(rows))
	})
	id, page = upload("bad.xlsx", bad)
	if !strings.Contains(page, `id="dl-marked"`) {
		t.Fatal("the marked workbook is not offered for a rejected workbook")
	}
	resp, body = fetch(t, ts.URL+"/returns/"+id+"/marked.xlsx")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("marked.xlsx: %d", resp.StatusCode)
	}
	f := openXLSX(t, "marked workbook", body)
	if first := f.GetSheetList()[0]; first != "校验结果" {
		t.Fatalf("first sheet %q", first)
	}
	rows, _ := f.GetRows("校验结果")
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	if !strings.Contains(text, "|C3|在建|") || !strings.Contains(text, "缺少乡镇(街道)") {
		t.Errorf("校验结果 lacks the errors:\n%s", text)
	}
}
