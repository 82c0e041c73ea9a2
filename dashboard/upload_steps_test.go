package dashboard

import (
	"bytes"
	"html"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sgz"
	"sgz/ingest"
	"sgz/registry"
)

// The upload page guides a clerk (t-clerk, 相城区 320507, which has not sent
// 2026Q3) step by step, with the due date and whether an upload now is on
// time, on the server's clock.
func TestUploadPageSteps(t *testing.T) {
	var clock atomic.Int64
	set := func(day, hour int) { clock.Store(time.Date(2026, 10, day, hour, 0, 0, 0, sgz.Beijing).UnixNano()) }
	set(10, 10)
	ts, _, _ := newTestServer(t, Options{NoWarm: true, Now: func() time.Time { return time.Unix(0, clock.Load()).In(sgz.Beijing) }})
	// Sessions end on the server's clock: log in again after moving it.
	clerk := loginAs(t, ts.URL, "t-clerk")
	set = func(day, hour int) {
		clock.Store(time.Date(2026, 10, day, hour, 0, 0, 0, sgz.Beijing).UnixNano())
		clerk = loginAs(t, ts.URL, "t-clerk")
	}
	page := func(q string) string {
		t.Helper()
		resp, b := do(t, clerk.Client, "GET", ts.URL+"/upload"+q)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /upload%s: %d", q, resp.StatusCode)
		}
		return html.UnescapeString(string(b))
	}
	state := regexp.MustCompile(`<b id="due-state" data-late="(\d+)">([^<]*)</b>`)
	for _, c := range []struct {
		day, hour int
		late      string
		words     string
	}{
		{10, 10, "0", "今天（2026-10-10）上传为按时报送，距截止还有 5 天。"},
		{14, 18, "0", "今天（2026-10-14）上传为按时报送，明天截止。"},
		{15, 23, "0", "今天（2026-10-15）是截止日，今天上传仍为按时报送。"},
		{17, 9, "2", "今天（2026-10-17）上传：逾期 2 天，计为逾期报送。"},
	} {
		set(c.day, c.hour)
		p := page("?lang=zh")
		if !strings.Contains(p, "2026Q3 报表截止日：2026-10-15（含当天）。") {
			t.Errorf("10-%d: no due date", c.day)
		}
		m := state.FindStringSubmatch(p)
		if m == nil || m[1] != c.late || m[2] != c.words {
			t.Errorf("10-%d %d:00: %q, want %s %q", c.day, c.hour, m, c.late, c.words)
		}
	}
	p := page("?lang=zh")
	// The four steps, in order, with what each needs.
	steps := regexp.MustCompile(`<li id="step-(\w+)"><h3>([^<]*)</h3>`).FindAllStringSubmatch(p, -1)
	var got []string
	for _, s := range steps {
		got = append(got, s[1]+" "+s[2])
	}
	if strings.Join(got, "|") != "template 第一步　下载模板|fill 第二步　填写|upload 第三步　上传|after 第四步　之后" {
		t.Errorf("steps: %q", got)
	}
	for _, sh := range ingest.Sheets {
		want := `<span class="sheet required">` + sh.Name + `</span>`
		if !sh.Required {
			want = `<span class="sheet">` + sh.Name + `（可选）</span>`
		}
		if !strings.Contains(p, want) {
			t.Errorf("step 2 does not list %s", want)
		}
	}
	for _, w := range []string{`action="/template.xlsx"`, `<option value="2026Q3" selected>`, "表头的批注", "待审核", "退回修改", "标注了错误的工作簿"} {
		if !strings.Contains(p, w) {
			t.Errorf("upload page: no %q", w)
		}
	}
	// Step 1's link is the district's template for the period.
	resp, b := do(t, clerk.Client, "GET", ts.URL+"/template.xlsx?district=320507&period=2026Q3")
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("template: %d", resp.StatusCode)
	}
	// Uploaded late (10-17): accepted; the page then says it was first sent late
	// and that another upload is a correction.
	var buf bytes.Buffer
	ct := multipartFile(&buf, "xc.xlsx", workbook(t, registry.Suzhou(), "320507", sgz.MustPeriod("2026Q3")))
	req, _ := http.NewRequest("POST", ts.URL+"/upload?district=320507", &buf)
	req.Header.Set("Content-Type", ct)
	resp, err := clerk.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if returnParam(resp.Header.Get("Location")) == "" {
		t.Fatalf("upload: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	set(20, 9)
	p = page("?lang=zh")
	if !strings.Contains(p, "本期已于 2026-10-17 09:00 首次报送（逾期）；再次上传视为更正") {
		t.Errorf("after the upload: %s", regexp.MustCompile(`(?s)<p class="due.*?</p>`).FindString(p))
	}
	// English, the day before the due date, and an earlier quarter already sent on time.
	set(14, 10)
	p = page("?lang=en")
	if m := state.FindStringSubmatch(p); m == nil || m[2] != "Uploaded today (2026-10-14), it is on time: the due date is tomorrow." {
		t.Errorf("English: %q", m)
	}
	set(10, 10)
	p = page("?lang=en&period=2026Q2")
	for _, w := range []string{"The 2026Q2 return is due on 2026-07-15 (inclusive).", "Uploaded today (2026-10-10): 87 days late; it counts as late.",
		"(on time); another upload is a correction", "Step 1. Download the template", "Uploaded today (2026-10-10), it is on time: 5 days before"} {
		if w == "Uploaded today (2026-10-10), it is on time: 5 days before" {
			if strings.Contains(page("?lang=en"), w) {
				continue
			}
		} else if strings.Contains(p, w) {
			continue
		}
		t.Errorf("English upload page: no %q", w)
	}
}
