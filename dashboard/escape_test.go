package dashboard

// Escaping without a browser: every page that shows a name from a return, a
// send-back reason or a part of the URL shows it as text. Each check asserts
// both that the raw markup is absent and that the escaped text is present
// (so a page that stops showing the value fails too, instead of passing for
// nothing).

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// escReq makes every HTTP request of this file and messages_test.go (GET when
// form is nil, else a form POST) without following redirects, and returns
// the status and body; for a redirect, the body is the Location.
// Authentication, when the dashboard requires it, is added here.
func escReq(t *testing.T, method, u string, form url.Values) (int, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := clientFor(t, u).Do(req) // t-all, logged in: redirects not followed, CSRF token sent
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode/100 == 3 && loc != "" {
		return resp.StatusCode, loc
	}
	return resp.StatusCode, string(b)
}

const urlPayload = `"><img src=x onerror=alert(1)>`

// Error pages name the code, id or period taken from the URL, escaped.
func TestEscapeURLPartsOnErrorPages(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	p := urlPayload
	pe, qe := url.PathEscape(p), url.QueryEscape(p)
	cases := []struct {
		path   string
		status int
		echo   bool // the page names the value
	}{
		{"/district/" + pe, 404, true},
		{"/indicator/" + pe, 404, true},
		{"/returns/" + pe, 404, true},
		{"/returns/" + pe + "/file", 404, true},
		{"/returns/" + pe + "/marked.xlsx", 404, true},
		{"/?period=" + qe, 400, true},
		{"/assessment?period=" + qe, 400, true},
		{"/map?indicator=" + qe, 404, true},
		{"/template.xlsx?period=2026Q3&district=" + qe, 404, true},
		{"/template.xlsx?district=320505&period=" + qe, 400, true},
		{"/nowhere/" + pe, 404, false},
	}
	for _, c := range cases {
		status, body := escReq(t, "GET", ts.URL+c.path, nil)
		if status != c.status {
			t.Errorf("%s: status %d, want %d\n%.300s", c.path, status, c.status, body)
		}
		if strings.Contains(body, "<img") {
			t.Errorf("%s: the URL's markup is in the page unescaped:\n%.500s", c.path, body)
		}
		if c.echo && !strings.Contains(body, template.HTMLEscapeString(p)) {
			t.Errorf("%s: the page does not name %q (escaped):\n%.500s", c.path, p, body)
		}
	}
	// Under /api the error is JSON: no raw markup either.
	status, body := escReq(t, "GET", ts.URL+"/api/v1/indicators?level="+qe, nil)
	if status != 400 || strings.Contains(body, "<img") || !strings.Contains(body, `\u003cimg`) {
		t.Errorf("api: %d %s", status, body)
	}
}

// The names of the return whose clerk typed markup (fixture xss.xlsx) show
// as text on every page that shows them.
func TestEscapeNamesOnPages(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM returns WHERE file_name = 'xss.xlsx'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	esc := template.HTMLEscapeString(xssName)
	// The pages that show names typed in a return (the others show the
	// registry's names only).
	pages := []string{fmt.Sprintf("/returns/%d", id), fmt.Sprintf("/returns/%d?lang=en", id),
		"/reporting?period=2026Q3", "/district/320505?period=2026Q3"}
	for _, p := range pages {
		status, body := escReq(t, "GET", ts.URL+p, nil)
		if status != 200 {
			t.Errorf("%s: status %d", p, status)
			continue
		}
		if strings.Contains(body, "<script>alert") {
			t.Errorf("%s: the name is in the page unescaped", p)
		}
		if !strings.Contains(body, esc) {
			t.Errorf("%s: the name is not shown as text", p)
		}
	}
	// The return page shows it in the reporter (填报单位) and in the rows of
	// the stations table (名称, 运营机构).
	_, body := escReq(t, "GET", fmt.Sprintf("%s/returns/%d", ts.URL, id), nil)
	if n := strings.Count(body, esc); n < 3 {
		t.Errorf("return page: the name shown %d times as text, want ≥ 3", n)
	}
}

// A send-back reason is shown as text wherever it appears.
func TestEscapeSendBackReason(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM returns WHERE file_name = 'xss.xlsx'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	reason := `表格有误 <b onmouseover=alert(2)>x</b> & "退回"`
	status, body := escReq(t, "POST", fmt.Sprintf("%s/reporting/%d/sendback", ts.URL, id),
		url.Values{"reason": {reason}, "back": {"/reporting?period=2026Q3"}})
	if status != http.StatusSeeOther {
		t.Fatalf("send back: %d %.300s", status, body)
	}
	esc := template.HTMLEscapeString(reason)
	for _, p := range []string{"/reporting?period=2026Q3", fmt.Sprintf("/returns/%d", id), "/district/320505?period=2026Q3",
		"/upload?district=320505&period=2026Q3"} {
		status, body := escReq(t, "GET", ts.URL+p, nil)
		if status != 200 {
			t.Errorf("%s: status %d", p, status)
			continue
		}
		if strings.Contains(body, "<b onmouseover") {
			t.Errorf("%s: the reason is in the page unescaped", p)
		}
		if !strings.Contains(body, esc) {
			t.Errorf("%s: the reason is not shown as text", p)
		}
	}
}
