package dashboard

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var dataOption = regexp.MustCompile(`id="chart-(\w+)" data-option="([^"]*)"`)

// chartsOf are the chart options of a page, by chart id.
func chartsOf(t *testing.T, page string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, m := range dataOption.FindAllStringSubmatch(page, -1) {
		var o map[string]any
		if err := json.Unmarshal([]byte(html.UnescapeString(m[2])), &o); err != nil {
			t.Fatalf("chart %s: %v", m[1], err)
		}
		out[m[1]] = o
	}
	return out
}

func TestBigScreenPage(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	// ?screen=big on the overview is the big screen, same period and language.
	c := clientFor(t, ts.URL)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(ts.URL + "/?screen=big&period=2026Q3&lang=zh&as_of=2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.CheckRedirect = nil
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/big?as_of=2026-11-30&lang=zh&period=2026Q3" {
		t.Errorf("?screen=big: %d to %q, want 302 to the big screen", resp.StatusCode, loc)
	}
	resp, b := fetch(t, ts.URL+"/big?period=2026Q3&lang=zh")
	page := string(b)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/big: %d", resp.StatusCode)
	}
	for _, no := range []string{`id="nav"`, `<nav`, `id="period-select"`} {
		if strings.Contains(page, no) {
			t.Errorf("the big screen has %s (no navigation on the big screen)", no)
		}
	}
	// 相城区 sent nothing for 2026Q3: 未报送 in the status line and in the ranking.
	if !strings.Contains(page, "已报送 9 / 10 个区县") || !regexp.MustCompile(`id="bs-unreported">未报送：相城区<`).MatchString(page) {
		t.Errorf("status line: %s", regexp.MustCompile(`(?s)<p class="bs-status".*?</p>`).FindString(page))
	}
	ch := chartsOf(t, page)
	for _, id := range []string{"map", "ranking", "trend"} {
		if ch[id] == nil {
			t.Errorf("no %s chart", id)
		}
	}
	if rk := ch["ranking"]; rk != nil {
		ys := fmt.Sprint(rk["yAxis"])
		if !strings.Contains(ys, "相城区（未报送）") {
			t.Errorf("ranking axis without 相城区（未报送）: %s", ys)
		}
		data := rk["series"].([]any)[0].(map[string]any)["data"].([]any)
		names := rk["yAxis"].([]any)[0].(map[string]any)["data"].([]any)
		if len(data) != 10 || len(names) != 10 {
			t.Fatalf("ranking: %d bars, %d names", len(data), len(names))
		}
		for i, d := range data {
			_, has := d.(map[string]any)["value"]
			if unrep := strings.Contains(names[i].(string), "未报送"); has == unrep {
				t.Errorf("ranking row %d %s: value %v", i, names[i], d)
			}
		}
		if !strings.Contains(fmt.Sprint(names[len(names)-1]), "相城区") {
			t.Errorf("the district that did not report is not last: %v", names)
		}
	}
	// The milestones of the city, as the metrics package says them.
	if !strings.Contains(page, "两年全覆盖（") || !strings.Contains(page, "三年全规范（") {
		t.Errorf("milestones: %s", regexp.MustCompile(`(?s)<section class="bs-ms".*?</ul>`).FindString(page))
	}
	// No rotation unless asked; a rotation of every district when asked.
	if strings.Contains(page, `id="spotlight"`) {
		t.Error("a spotlight without ?rotate")
	}
	_, b = fetch(t, ts.URL+"/big?period=2026Q3&lang=zh&rotate=20s")
	if n := strings.Count(string(b), `class="spot"`); n != 10 || !strings.Contains(string(b), `data-rotate="20"`) {
		t.Errorf("rotate=20s: %d spots", n)
	}
	if !strings.Contains(string(b), "第 1 名 · ") {
		t.Error("the spotlight does not give the rank")
	}
	for q, want := range map[string]int{"20s": 20, "20": 20, "1m": 60, "off": 0, "": 0} {
		if got, ok := parseRotate(q); !ok || got != want {
			t.Errorf("rotate=%q: %d %v, want %d", q, got, ok, want)
		}
	}
	for _, q := range []string{"2s", "fast", "11m"} {
		resp, b := fetch(t, ts.URL+"/big?rotate="+q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "轮播间隔 rotate=&#34;"+q+"&#34; 无法识别") {
			t.Errorf("rotate=%s: %d %s", q, resp.StatusCode, b)
		}
	}
	// English.
	_, b = fetch(t, ts.URL+"/big?period=2026Q3&lang=en")
	if !strings.Contains(string(b), "9 of 10 districts reported") || !strings.Contains(string(b), "Not reported: ") {
		t.Error("the English big screen")
	}
	// The other pages keep their big-type mode, with the way back.
	_, b = fetch(t, ts.URL+"/district/320505?screen=big&lang=zh")
	if !strings.Contains(string(b), `<body class="big"`) || !strings.Contains(string(b), "普通模式") {
		t.Error("district page ?screen=big")
	}
}

// boxes measures the big screen in the browser: scrolling, what sticks out
// of the window, and the charts drawn.
type bigBoxes struct {
	ScrollH, ScrollW, InnerH, InnerW int
	Out                              []string // elements whose box leaves the window
	Canvases                         int      // canvases with a non-zero size
	Nav                              int
	FontPx                           float64 // the body's type
	Value                            float64 // a headline figure's type
}

const measureBig = `(function(){
	var d = document.documentElement, out = [];
	document.querySelectorAll('#headline-panel, .hl-fig, .chart, #milestones, #bs-title, #bs-status, #spotlight').forEach(function(e){
		var r = e.getBoundingClientRect();
		if (r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 || r.height < 1) out.push((e.id || e.className) + ' ' + Math.round(r.bottom) + '/' + Math.round(r.right));
	});
	document.querySelectorAll('#milestones, .hl-fig .value').forEach(function(e){
		if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) out.push((e.id || e.className) + ' overflows');
	});
	var cv = Array.prototype.filter.call(document.querySelectorAll('.chart canvas'), function(c){ return c.width > 0 && c.height > 0 && c.getBoundingClientRect().height > 100; }).length;
	return {ScrollH: d.scrollHeight, ScrollW: d.scrollWidth, InnerH: innerHeight, InnerW: innerWidth, Out: out, Canvases: cv,
		Nav: document.querySelectorAll('nav, #nav, header.top').length,
		FontPx: parseFloat(getComputedStyle(document.body).fontSize),
		Value: parseFloat(getComputedStyle(document.querySelector('.hl-fig .value')).fontSize)};
})()`

func TestBrowserBigScreenFits(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	tb := openTab(t, ts.URL)
	defer tb.run(chromedp.EmulateViewport(1600, 1000))
	for _, size := range []struct {
		w, h    int64
		minFont float64
		lang    string
	}{{1920, 1080, 19, "zh"}, {1366, 768, 13, "zh"}, {1280, 720, 12, "zh"}, {1920, 1080, 19, "en"}, {1366, 768, 13, "en"}} {
		tb.run(chromedp.EmulateViewport(size.w, size.h))
		tb.visit("/big?period=2026Q3&lang=" + size.lang)
		m := eval[bigBoxes](tb, measureBig)
		t.Logf("%s %d×%d: scroll %d×%d in %d×%d; type %.1f px, figures %.1f px; %d charts drawn", size.lang, size.w, size.h, m.ScrollW, m.ScrollH, m.InnerW, m.InnerH, m.FontPx, m.Value, m.Canvases)
		if m.ScrollH > m.InnerH || m.ScrollW > m.InnerW {
			t.Errorf("%d×%d: the page scrolls: %d×%d in a %d×%d window", size.w, size.h, m.ScrollW, m.ScrollH, m.InnerW, m.InnerH)
		}
		if len(m.Out) > 0 {
			t.Errorf("%d×%d: outside the window or cut: %v", size.w, size.h, m.Out)
		}
		if m.Canvases < 3 {
			t.Errorf("%d×%d: %d charts drawn, want map, ranking and trend", size.w, size.h, m.Canvases)
		}
		if m.Nav != 0 {
			t.Errorf("%d×%d: navigation on the big screen", size.w, size.h)
		}
		if m.FontPx < size.minFont || m.Value < 1.4*m.FontPx {
			t.Errorf("%d×%d: type %.1f px, figures %.1f px (want ≥ %.0f, figures larger)", size.w, size.h, m.FontPx, m.Value, size.minFont)
		}
		tb.clean(fmt.Sprintf("big screen %s %d×%d", size.lang, size.w, size.h))
	}
	// The map on the big screen is the city's boundary map.
	tb.run(chromedp.EmulateViewport(1920, 1080))
	tb.visit("/big?period=2026Q3&lang=zh&rotate=5s")
	tb.clean("language back to Chinese")
	if n := eval[int](tb, `echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().geo.length`); n != 1 {
		t.Errorf("the big screen's map is not the boundary map (%d geo)", n)
	}
	// Rotation: a district in focus, then the next one.
	first := eval[string](tb, `document.body.getAttribute('data-spot') || ''`)
	if first == "" || tb.text("#spotlight .spot:not([hidden]) .spot-name") == "" {
		t.Fatal("rotation: no district in focus")
	}
	if m := eval[bigBoxes](tb, measureBig); len(m.Out) > 0 || m.ScrollH > m.InnerH {
		t.Errorf("with the spotlight: %v, scroll height %d", m.Out, m.ScrollH)
	}
	start := time.Now()
	tb.waitFor(fmt.Sprintf(`document.body.getAttribute('data-spot') !== %q`, first))
	if visible := eval[int](tb, `document.querySelectorAll('#spotlight .spot:not([hidden])').length`); visible != 1 {
		t.Errorf("rotation: %d districts shown at once", visible)
	}
	t.Logf("rotation: %s, then %s after %v", first, eval[string](tb, `document.body.getAttribute('data-spot')`), time.Since(start).Round(100*time.Millisecond))
	tb.clean("big screen rotation")
}

// The big screen is kept like the other pages (pagecache.go): on the
// national database it took 0.4 s of CPU a request to render (a ranking and
// a map of every district), and a wall of screens asks for it every minute.
func TestBigScreenKept(t *testing.T) {
	ts, s, _ := newTestServer(t, Options{})
	c := loginAs(t, ts.URL, "t-leader")
	var pages []string
	for range 2 {
		resp, b := do(t, c.Client, "GET", ts.URL+"/big?period=2026Q3")
		if resp.StatusCode != 200 {
			t.Fatalf("/big: %d", resp.StatusCode)
		}
		pages = append(pages, string(b))
		s.calc.rendered.mu.Lock()
		kept := len(s.calc.rendered.items)
		s.calc.rendered.mu.Unlock()
		if kept != 1 {
			t.Fatalf("%d pages kept, want the big screen's one", kept)
		}
	}
	if pages[0] != pages[1] || !strings.Contains(pages[0], "sgz-chart") && !strings.Contains(pages[0], "echarts") {
		t.Error("the kept big screen differs from the first, or is not the big screen")
	}
}
