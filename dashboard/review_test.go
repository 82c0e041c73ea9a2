package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sgz"
	"sgz/auth"
	"sgz/metrics"
	"sgz/registry"
	"sgz/store"
)

// call makes one request as a browser would (cookies kept, redirects not
// followed) and returns the status, the redirect and the body. form, when
// not nil, is posted url-encoded; file, when set, is uploaded as "file".
// (Authentication will be added here in one place.)
func call(t *testing.T, cl *testClient, method, u string, form url.Values, file []byte) (int, string, string) {
	t.Helper()
	var body io.Reader
	ctype := ""
	switch {
	case file != nil:
		var buf bytes.Buffer
		ctype = multipartFile(&buf, "return.xlsx", file)
		body = &buf
	case form != nil:
		body = strings.NewReader(form.Encode())
		ctype = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// The review of a return and the closing of a period, through the pages of
// a real server on a real database file.
func TestReviewAndCloseThroughPages(t *testing.T) {
	ts, srv, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	base := ts.URL
	// A clerk of 320506 (the fixture has clerks of other districts only).
	if _, err := auth.AddUser(ctx, db, auth.NewUser{Name: "t-clerk-320506", Password: testPassword("t-clerk-320506"), Roles: []auth.Role{auth.Clerk}, Districts: []string{"320506"}}, srv.opt.Now()); err != nil {
		t.Fatal(err)
	}
	cl := loginAs(t, base, "t-evaluator") // reviews
	up := loginAs(t, base, "t-clerk")     // uploads for fixtureLate
	admin := loginAs(t, base, "t-admin")  // reopens
	clerk := loginAs(t, base, "t-clerk-320506")
	count := func() (n int) {
		db.QueryRow(`SELECT count(*) FROM returns`).Scan(&n)
		return
	}

	// The late district uploads its 2026Q3 return: accepted, pending.
	call(t, up, "GET", base+"/upload?district="+fixtureLate, nil, nil)
	good := workbook(t, registry.Suzhou(), fixtureLate, fixtureLast)
	code, loc, _ := call(t, up, "POST", base+"/upload?district="+fixtureLate, nil, good)
	id := returnParam(loc)
	if code != http.StatusSeeOther || id == "" {
		t.Fatalf("upload: %d %s", code, loc)
	}
	for _, page := range []string{"/assessment?period=2026Q3", "/reporting?period=2026Q3", "/returns/" + id, "/upload", "/district/" + fixtureLate + "?period=2026Q3", "/indicator/station_coverage?period=2026Q3"} {
		who := cl
		if strings.HasPrefix(page, "/upload") {
			who = up // the upload page is the clerk's
		}
		if _, _, b := call(t, who, "GET", base+page, nil, nil); !strings.Contains(b, "待审核") {
			t.Errorf("%s does not mark the pending return 待审核", page)
		}
	}
	if _, _, b := call(t, cl, "GET", base+"/reporting?period=2026Q3", nil, nil); !strings.Contains(b, `action="/reporting/`+id+`/approve"`) {
		t.Error("no approve form for the pending return")
	}

	// Approved: locked.
	code, loc, _ = call(t, cl, "POST", base+"/reporting/"+id+"/approve", url.Values{"back": {"/reporting?period=2026Q3"}}, nil)
	if code != http.StatusSeeOther || !strings.Contains(loc, "done="+id+"&what=approve") {
		t.Fatalf("approve: %d %s", code, loc)
	}
	if _, _, b := call(t, cl, "GET", base+loc, nil, nil); !strings.Contains(b, "报表 "+id+" 已审核通过并锁定") {
		t.Error("no flash after approving")
	}
	_, _, b := call(t, cl, "GET", base+"/returns/"+id, nil, nil)
	if !strings.Contains(b, "已审核") || !strings.Contains(b, `id="review-history"`) || !strings.Contains(b, "审核通过") || !strings.Contains(b, "待审核 → 已审核") {
		t.Errorf("return page after approval:\n%s", b)
	}
	code, _, b = call(t, cl, "POST", base+"/reporting/"+id+"/sendback", url.Values{"reason": {"再看看"}}, nil)
	if code != http.StatusConflict || !strings.Contains(b, "已审核并锁定：只有管理员可以退回") {
		t.Errorf("send back an approved return: %d %s", code, b)
	}
	n0 := count()
	code, loc, _ = call(t, up, "POST", base+"/upload?district="+fixtureLate, nil, good)
	if code != http.StatusSeeOther || !strings.Contains(loc, "refused=2026Q3") {
		t.Errorf("upload over an approved return: %d %s", code, loc)
	}
	if _, _, b = call(t, up, "GET", base+loc, nil, nil); !strings.Contains(b, "上传被拒绝，未作任何记录") || !strings.Contains(b, "已审核并锁定") {
		t.Errorf("refusal not shown:\n%s", b)
	}
	if count() != n0 {
		t.Error("a refused upload was recorded")
	}

	// Another district's return is sent back: the clerk sees the reason on
	// the upload page and the return page; restore keeps the history.
	var other int64
	db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = '320506' AND period = '2026Q3'`).Scan(&other)
	oid := fmt.Sprint(other)
	if code, _, _ = call(t, cl, "POST", base+"/reporting/"+oid+"/sendback", url.Values{"reason": {"  "}}, nil); code != http.StatusSeeOther {
		t.Errorf("empty reason: %d", code)
	}
	if st, _ := statusOf(db, other); st != "pending" {
		t.Fatalf("an empty reason changed the state: %s", st)
	}
	if code, _, _ = call(t, cl, "POST", base+"/reporting/"+oid+"/sendback", url.Values{"reason": {"培训台账与报表不符"}}, nil); code != http.StatusSeeOther {
		t.Fatalf("send back: %d", code)
	}
	_, _, b = call(t, clerk, "GET", base+"/upload?district=320506", nil, nil)
	if !strings.Contains(b, `id="sent-back"`) || !strings.Contains(b, "培训台账与报表不符") {
		t.Errorf("the clerk's upload page does not show the send-back:\n%s", b)
	}
	if _, _, b = call(t, clerk, "GET", base+"/returns/"+oid, nil, nil); !strings.Contains(b, "培训台账与报表不符") {
		t.Error("the return page does not show the reason")
	}
	if code, _, _ = call(t, cl, "POST", base+"/reporting/"+oid+"/restore", url.Values{"back": {"/returns/" + oid}}, nil); code != http.StatusSeeOther {
		t.Fatalf("restore: %d", code)
	}
	_, _, b = call(t, cl, "GET", base+"/returns/"+oid, nil, nil)
	if !strings.Contains(b, "退回修改") || !strings.Contains(b, "恢复计入") || !strings.Contains(b, "培训台账与报表不符") {
		t.Errorf("history lost after restore:\n%s", b)
	}
	var hist int
	var sbWhy, rs string
	db.QueryRow(`SELECT count(*) FROM v_returns_history WHERE return_id = ?`, other).Scan(&hist)
	db.QueryRow(`SELECT sent_back_reason, review_status FROM v_returns WHERE return_id = ?`, other).Scan(&sbWhy, &rs)
	if hist != 2 || sbWhy != "培训台账与报表不符" || rs != "pending" {
		t.Errorf("after restore: %d events, v_returns %q %q", hist, sbWhy, rs)
	}

	// The rule "pending_counts": false: the pending district stops counting,
	// the approved one still counts.
	strict := metrics.DefaultConfig()
	f := false
	strict.PendingCounts = &f
	s2, err := NewServer(db, Options{NoWarm: true, Config: strict, SQLEngine: srv.opt.SQLEngine})
	if err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewUnstartedServer(nil)
	s2.opt.PublicURL = "http://" + ts2.Listener.Addr().String()
	ts2.Config.Handler = s2.Engine()
	ts2.Start()
	defer ts2.Close()
	if v := reportedCount(t, base, "2026Q3", "320506"); v == nil {
		t.Error("default rules: a pending return does not count")
	}
	if v := reportedCount(t, ts2.URL, "2026Q3", "320506"); v != nil {
		t.Errorf("pending_counts false: a pending return counts: %v", v)
	}
	if v := reportedCount(t, ts2.URL, "2026Q3", fixtureLate); v == nil {
		t.Error("pending_counts false: the approved return does not count")
	}

	// Close 2026Q3 on the assessment page.
	if _, _, b = call(t, cl, "GET", base+"/assessment?period=2026Q3", nil, nil); !strings.Contains(b, `action="/assessment/close"`) || !strings.Contains(b, "考核归档 2026Q3") {
		t.Fatal("no close form on the assessment page")
	}
	code, loc, _ = call(t, cl, "POST", base+"/assessment/close", url.Values{"period": {"2026Q3"}, "reason": {"季度考核定稿"}}, nil)
	if code != http.StatusSeeOther || !strings.Contains(loc, "what=close") {
		t.Fatalf("close: %d %s", code, loc)
	}
	_, _, b = call(t, cl, "GET", base+loc, nil, nil)
	if !strings.Contains(b, "已考核归档，考核记录 #") || !strings.Contains(b, "2026Q3 已于") || !strings.Contains(b, "季度考核定稿") || strings.Contains(b, `action="/assessment/reopen"`) {
		t.Errorf("assessment page after closing (an evaluator may not reopen):\n%s", b)
	}
	if _, _, b = call(t, admin, "GET", base+"/assessment?period=2026Q3", nil, nil); !strings.Contains(b, `action="/assessment/reopen"`) || !strings.Contains(b, "重新开放（管理员）") {
		t.Errorf("no reopen form for the administrator:\n%s", b)
	}
	_, _, apiClosed := call(t, cl, "GET", base+"/api/v1/assessment?period=2026Q3", nil, nil)
	_, _, xlsxClosed := call(t, cl, "GET", base+"/assessment.xlsx?period=2026Q3", nil, nil)
	_, _, csvClosed := call(t, cl, "GET", base+"/assessment.csv?period=2026Q3", nil, nil)
	fx := openXLSX(t, "assessment.xlsx", []byte(xlsxClosed))
	rows, _ := fx.GetRows(metrics.SheetReturns)
	if !strings.Contains(fmt.Sprint(rows), "待审核") || !strings.Contains(fmt.Sprint(rows), "已审核") {
		t.Error("the returns sheet does not mark the review states")
	}
	scoresClosed, _ := fx.GetRows(metrics.SheetScores)

	// Closed: uploads, review actions and closing again are refused.
	code, loc, _ = call(t, clerk, "POST", base+"/upload?district=320506", nil, workbook(t, registry.Suzhou(), "320506", fixtureLast))
	if !strings.Contains(loc, "refused=2026Q3") {
		t.Errorf("upload into a closed period: %d %s", code, loc)
	}
	if _, _, b = call(t, clerk, "GET", base+loc, nil, nil); !strings.Contains(b, "2026Q3 已考核归档（2026Q3，归档于") {
		t.Errorf("closed-period refusal not shown")
	}
	if code, _, b = call(t, cl, "POST", base+"/reporting/"+oid+"/approve", url.Values{}, nil); code != http.StatusConflict || !strings.Contains(b, "已考核归档") {
		t.Errorf("approve in a closed period: %d", code)
	}
	if code, _, b = call(t, cl, "POST", base+"/assessment/close", url.Values{"period": {"2026Q3"}}, nil); code != http.StatusConflict || !strings.Contains(b, "已经考核归档") {
		t.Errorf("close twice: %d", code)
	}
	if _, _, b = call(t, cl, "GET", base+"/reporting?period=2026Q3", nil, nil); !strings.Contains(b, `id="closed"`) || strings.Contains(b, `/approve"`) {
		t.Error("the reporting page of a closed period offers review actions")
	}

	// A later change (other weights): the closed period's exports stay those recorded.
	other3 := metrics.DefaultConfig()
	r := other3.Indicators["station_coverage"]
	r.Weight = 40
	other3.Indicators["station_coverage"] = r
	s3, err := NewServer(db, Options{NoWarm: true, Config: other3, SQLEngine: srv.opt.SQLEngine})
	if err != nil {
		t.Fatal(err)
	}
	ts3 := httptest.NewUnstartedServer(nil)
	s3.opt.PublicURL = "http://" + ts3.Listener.Addr().String()
	ts3.Config.Handler = s3.Engine()
	ts3.Start()
	defer ts3.Close()
	cl3 := loginAs(t, ts3.URL, "t-evaluator")
	if _, _, b = call(t, cl3, "GET", ts3.URL+"/api/v1/assessment?period=2026Q3", nil, nil); b != apiClosed {
		t.Errorf("API of a closed period changed with the rules")
	}
	if _, _, b = call(t, cl3, "GET", ts3.URL+"/assessment.csv?period=2026Q3", nil, nil); b != csvClosed {
		t.Errorf("CSV of a closed period changed with the rules")
	}
	_, _, b = call(t, cl3, "GET", ts3.URL+"/assessment.xlsx?period=2026Q3", nil, nil)
	if got, _ := openXLSX(t, "later xlsx", []byte(b)).GetRows(metrics.SheetScores); fmt.Sprint(got) != fmt.Sprint(scoresClosed) {
		t.Errorf("xlsx of a closed period changed with the rules")
	}
	var live []map[string]any
	if _, _, b = call(t, cl3, "GET", ts3.URL+"/api/v1/assessment?period=2026Q2", nil, nil); json.Unmarshal([]byte(b), &live) != nil || b == "" {
		t.Fatal("open period API")
	}
	if a, _ := metrics.Assess(ctx, db, sgz.QuarterSpan(fixtureLast), other3); a != nil {
		if js, _ := json.Marshal(metrics.AssessmentRows(a)); string(js)+"\n" == apiClosed || string(js) == apiClosed {
			t.Error("the other rules give the same assessment: the test proves nothing")
		}
	}

	// Reopened: uploads and review work again.
	if code, _, _ = call(t, cl, "POST", base+"/assessment/reopen", url.Values{"period": {"2026Q3"}}, nil); code != http.StatusForbidden {
		t.Errorf("an evaluator reopened a period: %d", code)
	}
	code, loc, _ = call(t, admin, "POST", base+"/assessment/reopen", url.Values{"period": {"2026Q3"}, "reason": {"补报"}}, nil)
	if code != http.StatusSeeOther || !strings.Contains(loc, "what=reopen") {
		t.Fatalf("reopen: %d %s", code, loc)
	}
	if _, _, b = call(t, admin, "GET", base+loc, nil, nil); !strings.Contains(b, "已重新开放") {
		t.Error("no flash after reopening")
	}
	code, loc, _ = call(t, clerk, "POST", base+"/upload?district=320506", nil, workbook(t, registry.Suzhou(), "320506", fixtureLast))
	if returnParam(loc) == "" {
		t.Errorf("upload after reopening: %d %s", code, loc)
	}
	var ph int
	db.QueryRow(`SELECT count(*) FROM v_returns_history WHERE action IN ('close', 'reopen')`).Scan(&ph)
	if ph != 2 {
		t.Errorf("%d close/reopen events", ph)
	}
}

func statusOf(db *store.DB, id int64) (string, error) {
	var s string
	err := db.QueryRow(`SELECT review_status FROM v_returns WHERE return_id = ?`, id).Scan(&s)
	return s, err
}

// In a browser: an evaluator approves a return, closes the period on the
// assessment page; the clerk's upload is then refused with the reason; an
// administrator reopens it and the upload goes through.
func TestBrowserApproveCloseRefusesUpload(t *testing.T) {
	browser(t)
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	goodPath := filepath.Join(t.TempDir(), "相城区-2026Q3.xlsx")
	os.WriteFile(goodPath, workbook(t, registry.Suzhou(), fixtureLate, fixtureLast), 0o644)
	var id int64
	db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = '320506' AND period = '2026Q3'`).Scan(&id)
	rid := fmt.Sprint(id)

	tb := openTab(t, ts.URL)
	tb.visit("/reporting?period=2026Q3")
	tb.run(chromedp.Click(chromedp.CSS("#return-" + rid + " form.approve button")))
	tb.waitFor(`document.querySelector('#flash')`)
	if f := tb.text("#flash"); !strings.Contains(f, "已审核通过并锁定") {
		t.Errorf("flash after approve: %q", f)
	}
	tb.visit("/returns/" + rid)
	if h := tb.text("#review-history"); !strings.Contains(h, "审核通过") || !strings.Contains(h, "待审核 → 已审核") {
		t.Errorf("history on the return page: %q", h)
	}
	tb.clean("approve")

	tb.visit("/assessment?period=2026Q3")
	tb.run(chromedp.SendKeys(chromedp.CSS("#period-actions input[name=reason]"), "季度考核定稿"),
		chromedp.Click(chromedp.CSS("#close")))
	tb.waitFor(`document.querySelector('#closed')`)
	if c := tb.text("#closed"); !strings.Contains(c, "2026Q3 已于") || !strings.Contains(c, "季度考核定稿") {
		t.Errorf("closed banner: %q", c)
	}
	tb.clean("close")

	tb.visit("/upload?district=" + fixtureLate)
	tb.run(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{goodPath}), chromedp.Click(chromedp.CSS("#upload-send")))
	tb.waitFor(`document.querySelector('#flash')`)
	if f := tb.text("#flash"); !strings.Contains(f, "上传被拒绝") || !strings.Contains(f, "2026Q3 已考核归档") {
		t.Errorf("upload into a closed period: %q", f)
	}
	if v := reportedCount(t, ts.URL, "2026Q3", fixtureLate); v != nil {
		t.Errorf("a refused upload counts: %v", v)
	}
	tb.clean("refused upload")

	tb.visit("/assessment?period=2026Q3")
	tb.run(chromedp.Click(chromedp.CSS("#reopen")))
	tb.waitFor(`document.querySelector('#flash')`)
	tb.visit("/upload?district=" + fixtureLate)
	tb.run(chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{goodPath}), chromedp.Click(chromedp.CSS("#upload-send")))
	tb.waitFor(`document.querySelector('#upload-result')`)
	if r := tb.text("#upload-result"); !strings.Contains(r, "已接收") {
		t.Errorf("upload after reopening: %q", r)
	}
	tb.clean("reopen")
}
