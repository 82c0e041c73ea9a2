package dashboard

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sgz"
	"sgz/internal/needs"
	"sgz/registry"
)

// One Chromium for every browser test of the package.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
	browserDir    string
)

func chromiumPath() string {
	for _, p := range []string{os.Getenv("SGZ_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// browser starts (once) the shared headless Chromium, or skips the test.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") != "" { // .ci/run installs it: a missing install must not pass as a skip
			t.Fatal("chromium not found, though CI installs it in .ci/run")
		}
		t.Skip("chromium not found: install Debian's chromium (apt-get install chromium fonts-wqy-microhei) to run the browser tests")
	}
	browserOnce.Do(func() {
		browserDir, browserErr = os.MkdirTemp("", "sgz-chromium-")
		if browserErr != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("lang", "zh-CN"),
			chromedp.UserDataDir(browserDir),
			chromedp.WindowSize(1600, 1000),
		)
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		browserCtx = ctx
		browserCancel = func() { cancel(); cancelAlloc() }
		browserErr = chromedp.Do(ctx)
	})
	if browserErr != nil {
		t.Fatalf("start chromium %s: %v", path, browserErr)
	}
	return browserCtx
}

func stopBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
	if browserDir != "" {
		os.RemoveAll(browserDir)
	}
}

// tab is one browser tab that records every request, console error and dialog.
type tab struct {
	t    testing.TB
	ctx  context.Context
	base *url.URL

	mu       sync.Mutex
	requests []string
	errors   []string
	dialogs  []string
}

func openTab(t testing.TB, base string) *tab {
	t.Helper()
	bctx := browser(t)
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	tb := &tab{t: t, ctx: ctx, base: u}
	reqs := chromedp.Events(ctx, network.RequestWillBeSent)
	console := chromedp.Console(ctx)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range reqs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.requests = append(tb.requests, ev.Request.URL)
			tb.mu.Unlock()
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				tb.mu.Lock()
				tb.errors = append(tb.errors, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				tb.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, ev.Message)
			tb.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	tb.login("t-all")
	return tb
}

// login logs the tab in as a fixture account through the login page.
func (tb *tab) login(name string) {
	tb.t.Helper()
	tb.loginWith(name, testPassword(name))
}

// loginWith logs in with a name and password and lands on the password page
// (a page every account may open, without charts still drawing).
func (tb *tab) loginWith(name, password string) {
	tb.t.Helper()
	tb.run(chromedp.Navigate(tb.base.String()+"/login?next=/password"), chromedp.WaitVisible(chromedp.CSS("#login-name")))
	tb.run(chromedp.SetValue(chromedp.CSS("#login-name"), name), chromedp.SetValue(chromedp.CSS("#login-password"), password),
		chromedp.Click(chromedp.CSS("#login-send")))
	tb.waitFor(`location.pathname === "/password" && document.readyState === "complete" && document.querySelector("#who")`)
}

// run runs actions with a time limit.
func (tb *tab) run(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// chartsReady waits until every chart has drawn (ECharts 'finished') into a canvas.
var chartsReady = chromedp.Poll[bool](`(function(){
	if (document.readyState !== 'complete' || !window.sgzCharts) return false;
	var n = document.querySelectorAll('.chart').length;
	return window.sgzCharts.finished >= window.sgzCharts.total &&
		document.querySelectorAll('.chart[data-finished="1"] canvas').length >= n;
})()`, chromedp.WithPollingTimeout(20*time.Second))

// visit loads a page and waits for its charts.
func (tb *tab) visit(path string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(tb.base.String()+path)); err != nil {
		tb.t.Fatalf("navigate %s: %v", path, err)
	}
	tb.waitCharts(path)
}

// waitFor polls a JavaScript condition across navigations.
func (tb *tab) waitFor(expr string) {
	tb.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("timed out waiting for %s", expr)
}

func (tb *tab) waitCharts(what string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	var err error
	for try := 0; try < 3; try++ {
		// Right after a navigation (a login's redirect) on a loaded machine,
		// the first evaluation may still aim at the previous page's context.
		if _, err = chromedp.Run(ctx, chartsReady); err == nil || !strings.Contains(err.Error(), "Cannot find context") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.t.Fatalf("%s: charts not drawn: %v", what, err)
	}
}

// clean asserts no console error, no dialog and no request off the server.
func (tb *tab) clean(what string) {
	tb.t.Helper()
	time.Sleep(50 * time.Millisecond) // let the last events arrive
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errors {
		tb.t.Errorf("%s: console: %s", what, e)
	}
	for _, d := range tb.dialogs {
		tb.t.Errorf("%s: a dialog opened: %q", what, d)
	}
	for _, r := range tb.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Host != tb.base.Host) {
			tb.t.Errorf("%s: request left the server: %s", what, r)
		}
	}
	tb.errors, tb.dialogs, tb.requests = nil, nil, nil
}

// allow forgets console errors that contain every one of parts (an expected failure).
func (tb *tab) allow(parts ...string) {
	time.Sleep(50 * time.Millisecond)
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var keep []string
	for _, e := range tb.errors {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(e, p)
		}
		if !all {
			keep = append(keep, e)
		}
	}
	tb.errors = keep
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(function(){var e=document.querySelector(%q);return e?e.innerText:""})()`, sel))
}

func TestBrowserPages(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	tb := openTab(t, ts.URL)
	pages := []struct {
		path   string
		charts int    // at least
		want   string // text on the page
	}{
		{"/", 2, "覆盖率"},
		{"/?period=2026", 2, "2026"},
		{"/assessment", 0, "总分"},
		{"/reporting", 0, "报送"},
		{"/upload?district=320505", 0, "虎丘区"},
		{"/returns/1", 0, "乡镇街道社工站"},
		{"/district/320505", 2, "乡镇"},
		{"/district/" + fixtureLate, 2, "本期未报送"},
		{"/indicator/station_coverage", 2, "计算公式"},
		{"/indicator/gov_funding?period=2026", 2, "万元"},
		{"/indicators", 0, "培训人次"},
		{"/map", 1, "社工站覆盖率"},
		{"/map?indicator=gov_funding&period=2026", 1, "政府购买服务"},
		{"/sql", 0, "SQL"},
		{"/?lang=en", 2, "coverage"},
		{"/?screen=big&lang=zh", 2, "覆盖率"},
	}
	for _, p := range pages {
		tb.visit(p.path)
		n := eval[int](tb, `document.querySelectorAll('.chart canvas').length`)
		if n < p.charts {
			t.Errorf("%s: %d chart canvases, want ≥ %d", p.path, n, p.charts)
		}
		if body := tb.text("main"); !strings.Contains(body, p.want) {
			t.Errorf("%s: no %q in the page", p.path, p.want)
		}
		// Every chart can be saved as an image.
		if n := eval[int](tb, `Array.prototype.filter.call(document.querySelectorAll('.chart'), function(el){
			var o = echarts.getInstanceByDom(el).getOption(); return !(o.toolbox && o.toolbox[0].feature.saveAsImage)}).length`); n != 0 {
			t.Errorf("%s: %d charts without saveAsImage", p.path, n)
		}
		tb.clean(p.path)
	}
	// The assessment table sorts by a column.
	tb.visit("/assessment?lang=zh")
	first := tb.text("#assessment tbody tr:first-child td:nth-child(2)")
	tb.run(chromedp.Click(chromedp.CSS("#assessment thead th:last-child")))
	if after := tb.text("#assessment tbody tr:first-child td:nth-child(2)"); after == first {
		t.Errorf("sorting by total (ascending) kept %q first", first)
	}
	// Printing hides the navigation and keeps the charts.
	tb.visit("/")
	if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if d := eval[string](tb, `getComputedStyle(document.querySelector('header.top')).display`); d != "none" {
		t.Errorf("print: the header is %q", d)
	}
	if n := eval[int](tb, `document.querySelectorAll('.chart canvas').length`); n == 0 {
		t.Error("print: no charts")
	}
	chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	// The big screen reloads itself.
	tb.visit("/?screen=big")
	if r := eval[string](tb, `document.body.getAttribute('data-refresh')`); r == "" || r == "0" {
		t.Error("big screen without auto-refresh")
	}
	// The language stays chosen (cookie).
	tb.visit("/?lang=en")
	tb.visit("/assessment")
	if !strings.Contains(tb.text("main"), "Total") {
		t.Error("English not kept by the cookie")
	}
	tb.visit("/?lang=zh")
}

func TestBrowserPeriodSelectorChangesNumbers(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	tb := openTab(t, ts.URL)
	tb.visit("/?period=2026Q3&lang=zh")
	before := tb.text(`.card[data-indicator="room_coverage"] .value`)
	// Choose 2025Q4 in the selector, as a user does.
	tb.run(chromedp.WaitVisible(chromedp.CSS("#period-select")))
	eval[bool](tb, `(function(){var s=document.getElementById('period-select');s.value='2025Q4';s.dispatchEvent(new Event('change'));return true})()`)
	tb.waitFor(`document.getElementById('period-label') && document.getElementById('period-label').innerText === '2025Q4'`)
	tb.waitCharts("2025Q4")
	after := tb.text(`.card[data-indicator="room_coverage"] .value`)
	if before == "" || before == after {
		t.Errorf("room coverage %q in 2026Q3 and %q in 2025Q4: the selector did not change the numbers", before, after)
	}
	tb.clean("period selector")
}

func TestBrowserXSSNamesShowAsText(t *testing.T) {
	browser(t)
	ts, _, db := newTestServer(t, Options{})
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM returns WHERE file_name = 'xss.xlsx'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	tb := openTab(t, ts.URL)
	for _, p := range []string{"/reporting?period=2026Q3&lang=zh", fmt.Sprintf("/returns/%d", id), "/district/320505?period=2026Q3", "/indicator/station_coverage?period=2026Q3"} {
		tb.visit(p)
		if !eval[bool](tb, fmt.Sprintf(`document.body.innerText.indexOf(%q) >= 0`, xssName)) {
			if strings.HasPrefix(p, "/reporting") || strings.HasPrefix(p, "/returns") {
				t.Errorf("%s: the name is not shown as text", p)
			}
		}
		if n := eval[int](tb, `document.querySelectorAll('script:not([src])').length`); n != 0 {
			t.Errorf("%s: %d inline scripts in the DOM", p, n)
		}
		tb.clean(p)
	}
}

func TestBrowserSQLConsole(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	tb := openTab(t, ts.URL)
	tb.visit("/sql?lang=zh")
	tb.waitFor(`document.querySelectorAll('#sql-examples li').length > 0 && document.querySelectorAll('#sql-views details').length > 0`)
	eval[bool](tb, `(function(){document.getElementById('sql-text').value="SELECT district_code, count(*) AS n FROM v_stations GROUP BY 1 ORDER BY 1";return true})()`)
	tb.run(chromedp.Click(chromedp.CSS("#sql-run")))
	tb.waitFor(`document.querySelectorAll('#sql-result tbody tr').length > 0 || document.getElementById('sql-error').innerText !== ''`)
	if e := tb.text("#sql-error"); e != "" {
		t.Fatalf("query error: %s", e)
	}
	if n := eval[int](tb, `document.querySelectorAll('#sql-result tbody tr').length`); n != 10 {
		t.Errorf("%d rows, want 10 districts", n)
	}
	// A write is refused with a clear message and changes nothing.
	eval[bool](tb, `(function(){document.getElementById('sql-text').value="DELETE FROM returns";return true})()`)
	tb.run(chromedp.Click(chromedp.CSS("#sql-run")))
	tb.waitFor(`document.getElementById('sql-error').innerText !== ''`)
	tb.allow("/api/v1/sql/query", "400") // the refusal itself
	tb.clean("sql")
}

func TestBrowserGeoJSONMap(t *testing.T) {
	browser(t)
	// A made-up boundary map: one square per district, named as in the registry.
	var feats []string
	for i, d := range registry.Suzhou().OfLevel(sgz.District) {
		x, y := float64(i%4), float64(i/4)
		feats = append(feats, fmt.Sprintf(`{"type":"Feature","properties":{"name":%q},"geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			d.Name, x, y, x+1, y, x+1, y+1, x, y+1, x, y))
	}
	geo := []byte(`{"type":"FeatureCollection","features":[` + strings.Join(feats, ",") + `]}`)
	ts, _, _ := newTestServer(t, Options{GeoJSON: geo})
	tb := openTab(t, ts.URL)
	tb.visit("/map?lang=zh")
	if n := eval[int](tb, `document.querySelectorAll('#chart-map canvas').length`); n == 0 {
		t.Error("no map drawn")
	}
	tb.clean("geojson map")
}

// TestScreenshots writes the screenshots of docs/ (overview.png,
// district.png, map.png, upload.png at 1600×1000; bigscreen.png at
// 1920×1080, bigscreen-1366.png at 1366×768; brief.png, the briefing's first
// page drawn by LibreOffice) when SGZ_SCREENSHOTS names the docs folder:
//
//	SGZ_SCREENSHOTS=$PWD/docs go test ./dashboard -run Screenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("SGZ_SCREENSHOTS")
	if dir == "" {
		t.Skip("set SGZ_SCREENSHOTS=<docs folder> to write the screenshots")
	}
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	tb := openTab(t, ts.URL)
	for _, s := range []struct {
		path, file string
		w, h       int64
	}{
		{"/?period=2026Q3&lang=zh", "overview.png", 1600, 1000},
		{"/district/320506?period=2026Q3&lang=zh", "district.png", 1600, 1000},
		{"/big?period=2026Q3&lang=zh&rotate=600s", "bigscreen.png", 1920, 1080},
		{"/big?period=2026Q3&lang=zh", "bigscreen-1366.png", 1366, 768},
		{"/map?period=2026Q3&lang=zh", "map.png", 1600, 1000},
		{"/upload?district=320507&lang=zh", "upload.png", 1600, 1000},
	} {
		if extra := os.Getenv("SGZ_SCREENSHOT_EXTRA"); extra != "" {
			s.path, s.file = extra, "extra.png"
		}
		tb.run(chromedp.EmulateViewport(s.w, s.h))
		tb.visit(s.path)
		time.Sleep(300 * time.Millisecond)
		ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		tb.clean(s.path)
	}
	// The briefing (the overview's download), as LibreOffice reads it: its
	// HTML export, drawn by the browser.
	if os.Getenv("SGZ_SCREENSHOT_EXTRA") == "" {
		soffice := needs.Soffice(t, true)
		resp, docx := fetch(t, ts.URL+"/brief.docx?period=2026Q3&lang=zh")
		if resp.StatusCode != 200 {
			t.Fatalf("brief.docx: %d", resp.StatusCode)
		}
		tmp := t.TempDir()
		in := filepath.Join(tmp, "brief.docx")
		if err := os.WriteFile(in, docx, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(tmp, "lo"), "--headless",
			"--convert-to", "html", "--outdir", tmp, in).CombinedOutput()
		if err != nil {
			t.Fatalf("soffice: %v\n%s", err, out)
		}
		tb.run(chromedp.EmulateViewport(1000, 1300), chromedp.Navigate("file://"+filepath.Join(tmp, "brief.html")))
		sctx, scancel := context.WithTimeout(tb.ctx, 20*time.Second)
		png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
		scancel()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "brief.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func chromedpNavigate(tb *tab, path string) chromedp.Action[chromedp.Void] {
	return chromedp.Navigate(tb.base.String() + path)
}

func chromedpClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel))
}
