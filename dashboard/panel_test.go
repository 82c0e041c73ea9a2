package dashboard

import (
	"fmt"
	"html"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

var (
	hlFigRe  = regexp.MustCompile(`<a class="hl-fig" data-key="(\w+)" href="([^"]+)"><span class="name">[^<]*</span><span class="value">([^<]*)</span>(?:<span class="sub">([^<]*)</span>)?</a>`)
	hlRowRe  = regexp.MustCompile(`<tr data-key="([^"]*)"><t[dh]>([^<]*)</t[dh]><td class="num">([^<]*)</td>(?:<td class="num">([^<]*)</td>)?(?:<td class="num">([^<]*)</td>)?`)
	numberRe = regexp.MustCompile(`[0-9][0-9,]*(?:\.[0-9]+)?`)
	riskRe   = regexp.MustCompile(`(?s)<tr data-unit="(\d+)" data-ind="(\w+)">.*?<td class="warn risk-text">([^<]*)</td></tr>`)
)

// numbersIn reads the numbers a page shows in s ("1,102 / 1,180" → 1102, 1180).
func numbersIn(t *testing.T, s string) []float64 {
	t.Helper()
	var out []float64
	for _, m := range numberRe.FindAllString(s, -1) {
		f, err := strconv.ParseFloat(strings.ReplaceAll(m, ",", ""), 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out = append(out, f)
	}
	return out
}

// sameShown: the page's number equals the API's at the precision shown.
func sameShown(page float64, api any, digits int) bool {
	a, ok := api.(float64)
	if !ok {
		return false
	}
	p := math.Pow10(digits)
	return math.Abs(page-math.Round(a*p)/p) < 0.5/p
}

func TestHeadlinePanelsEqualTheHeadlineAPI(t *testing.T) {
	cfg := metrics.DefaultConfig()
	prov := 81234.0
	cfg.ProvinceCertifiedTotal = &prov // the rules give the province's total: the share is shown
	ts, _, _ := newTestServer(t, Options{NoWarm: true, Config: cfg})
	for _, c := range []struct{ page, unit, period string }{
		{"/", "", "2026Q3"},
		{"/", "", "2026"},                        // a year in progress
		{"/district/320505", "320505", "2026Q3"}, // a district
		{"/district/320507", "320507", "2026Q3"}, // a district without a return: every figure —
	} {
		t.Run(c.unit+"_"+c.period, func(t *testing.T) {
			period := c.period
			apiURL, pageURL := ts.URL+"/api/v1/headline?period="+period, ts.URL+c.page+"?period="+period
			if c.unit != "" {
				apiURL += "&unit=" + c.unit
			}
			var api map[string]any
			if code := getJSON(t, apiURL, &api); code != http.StatusOK {
				t.Fatalf("headline API: %d", code)
			}
			resp, b := fetch(t, pageURL)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("overview: %d", resp.StatusCode)
			}
			page := string(b)
			if !strings.Contains(page, `id="headline-panel"`) || !strings.Contains(page, api["unit_name"].(string)+"“五强”主要数据（"+period+"）") {
				t.Fatal("no 五强 panel titled with the period")
			}
			// Each figure: the API fields its numbers are, the digits shown, and
			// the sub-line's rate (coverage, province share) as a percentage.
			want := map[string]struct {
				fields []string
				digits int
				sub    string
			}{
				"stations_built":        {[]string{"stations_built", "towns_in_scope"}, 0, "station_coverage"},
				"rooms_built":           {[]string{"rooms_built", "villages_in_scope"}, 0, "room_coverage"},
				"charity_fund_towns":    {[]string{"charity_fund_towns", "charity_fund_villages"}, 0, ""},
				"certified_total":       {[]string{"certified_total"}, 0, "certified_province_share"},
				"organisations":         {[]string{"organisations", "org_staff"}, 0, ""},
				"supervisors":           {[]string{"supervisors"}, 0, ""},
				"gov_funding":           {[]string{"gov_funding"}, 1, ""},
				"charity_funding":       {[]string{"charity_funding"}, 1, ""},
				"training_participants": {[]string{"training_participants"}, 0, ""},
			}
			figs := hlFigRe.FindAllStringSubmatch(page, -1)
			if len(figs) != len(want) {
				t.Fatalf("%d figures on the panel, want %d", len(figs), len(want))
			}
			for _, f := range figs {
				key, href, value, sub := f[1], html.UnescapeString(f[2]), f[3], f[4]
				w, ok := want[key]
				if !ok {
					t.Errorf("unexpected figure %s", key)
					continue
				}
				parts := strings.Split(value, " / ")
				if len(parts) != len(w.fields) {
					t.Errorf("%s: %q shows %d figures, want %d", key, value, len(parts), len(w.fields))
					continue
				}
				for i, field := range w.fields {
					if api[field] == nil {
						if parts[i] != "—" {
							t.Errorf("%s: page %q, API %s = null", key, parts[i], field)
						}
						continue
					}
					if got := numbersIn(t, parts[i]); len(got) != 1 || !sameShown(got[0], api[field], w.digits) {
						t.Errorf("%s: page %q, API %s = %v", key, parts[i], field, api[field])
					}
				}
				if w.digits == 1 && api[w.fields[0]] != nil && !strings.HasSuffix(value, " 万元") {
					t.Errorf("%s: %q not in 万元", key, value)
				}
				if w.sub != "" && api[w.sub] == nil && numbersIn(t, sub) != nil {
					t.Errorf("%s: sub-line %q, API %s = null", key, sub, w.sub)
				}
				if w.sub != "" && api[w.sub] != nil {
					s := numbersIn(t, sub)
					if len(s) != 1 || !strings.HasSuffix(sub, "%") || !sameShown(s[0], api[w.sub].(float64)*100, 1) {
						t.Errorf("%s: sub-line %q, API %s = %v", key, sub, w.sub, api[w.sub])
					}
				}
				// Provenance: the indicator page or the API, for the viewed period, and it answers.
				if !strings.HasPrefix(href, "/indicator/") && !strings.HasPrefix(href, "/api/v1/headline?") || !strings.Contains(href, "period="+period) ||
					strings.HasPrefix(href, "/api/") && c.unit != "" && !strings.Contains(href, "unit="+c.unit) {
					t.Errorf("%s links to %q", key, href)
				}
				if r, _ := fetch(t, ts.URL+href); r.StatusCode != http.StatusOK {
					t.Errorf("%s: its provenance %s answers %d", key, href, r.StatusCode)
				}
			}
			// 人才队伍 by level and 服务项目 by domain.
			rows := map[string][]string{}
			for _, m := range hlRowRe.FindAllStringSubmatch(page, -1) {
				rows[m[1]] = m[2:]
			}
			for _, k := range []string{"certified_assistant", "certified_intermediate", "certified_senior", "supervisors"} {
				r, ok := rows[k]
				if !ok {
					t.Errorf("人才队伍: no row %s", k)
					continue
				}
				if n := numbersIn(t, r[1]); api[k] == nil && r[1] != "—" || api[k] != nil && (len(n) != 1 || !sameShown(n[0], api[k], 0)) {
					t.Errorf("人才队伍 %s: page %q, API %v", k, r[1], api[k])
				}
			}
			projects, _ := api["projects"].([]any)
			if len(projects) == 0 && c.unit != "320507" {
				t.Fatal("the fixture lists no 服务项目: the table is not exercised")
			}
			for _, p := range projects {
				d := p.(map[string]any)
				r, ok := rows[d["domain"].(string)]
				if !ok {
					t.Errorf("服务项目: no row for domain %q", d["domain"])
					continue
				}
				for i, f := range []string{"projects", "demonstration", "served"} {
					if n := numbersIn(t, r[1+i]); len(n) != 1 || !sameShown(n[0], d[f], 0) {
						t.Errorf("服务项目 %q %s: page %q, API %v", d["domain"], f, r[1+i], d[f])
					}
				}
			}
			tot := rows["projects_total"]
			if len(tot) < 4 || !sameShown(numbersIn(t, tot[1])[0], api["projects_total"], 0) || !sameShown(numbersIn(t, tot[2])[0], api["projects_demonstration"], 0) ||
				!sameShown(numbersIn(t, tot[3])[0], api["projects_served"], 0) {
				t.Errorf("服务项目 total %q, API %v / %v / %v", tot, api["projects_total"], api["projects_demonstration"], api["projects_served"])
			}
		})
	}
	// English: the same panel under English labels, no 万元.
	resp, b := fetch(t, ts.URL+"/?period=2026Q3&lang=en")
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "headline figures (2026Q3)") || strings.Contains(string(b), "万元</span>") {
		t.Errorf("English overview: %d, panel not in English", resp.StatusCode)
	}
	fetch(t, ts.URL+"/?lang=zh") // back to Chinese for the shared client
}

// riskOnPage is the at-risk list of a page: unit, indicator and sentence of each row.
func riskOnPage(page string) []string {
	var out []string
	for _, m := range riskRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1]+" "+m[2]+" "+html.UnescapeString(m[3]))
	}
	return out
}

func TestAtRiskListIsTheForecastAPIs(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	const period = "2026Q3"
	var api struct {
		AtRisk []struct {
			UnitCode  string `json:"unit_code"`
			Indicator string `json:"indicator"`
			Text      string `json:"text"`
		} `json:"at_risk"`
		Forecasts []struct {
			UnitCode string `json:"unit_code"`
			Level    string `json:"level"`
		} `json:"forecasts"`
	}
	if code := getJSON(t, ts.URL+"/api/v1/forecast?period="+period, &api); code != http.StatusOK {
		t.Fatalf("forecast API: %d", code)
	}
	if len(api.AtRisk) == 0 {
		t.Fatal("the fixture has nobody at risk: the list is not exercised")
	}
	var want []string
	byUnit := map[string][]string{}
	for _, f := range api.AtRisk {
		row := f.UnitCode + " " + f.Indicator + " " + f.Text
		want = append(want, row)
		byUnit[f.UnitCode] = append(byUnit[f.UnitCode], row)
	}
	_, b := fetch(t, ts.URL+"/?period="+period)
	if got := riskOnPage(string(b)); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("overview at-risk list:\n got %q\nwant %q", got, want)
	}
	if !strings.Contains(string(b), "按当前进度") && !strings.Contains(string(b), "季度") {
		t.Error("the at-risk sentences are not the Chinese ones")
	}
	// The big screen lists the first five and says how many more.
	_, b = fetch(t, ts.URL+"/big?period="+period)
	got := riskOnPage(string(b))
	n := min(bigRiskRows, len(want))
	if fmt.Sprint(got) != fmt.Sprint(want[:n]) {
		t.Errorf("big screen at-risk list:\n got %q\nwant %q", got, want[:n])
	}
	if more := len(want) - n; more > 0 != strings.Contains(string(b), fmt.Sprintf("另有 %d 项", more)) {
		t.Errorf("big screen: %d more rows, said %v", more, strings.Contains(string(b), "另有"))
	}
	if strings.Contains(string(b), `id="hl-workers"`) {
		t.Error("the big screen shows the 人才队伍 table (it must fit without scrolling)")
	}
	// Each district page: that district's rows, or the sentence that it is on track.
	var none bool
	seen := map[string]bool{}
	for _, f := range api.Forecasts {
		if f.Level != "district" || seen[f.UnitCode] {
			continue
		}
		seen[f.UnitCode] = true
		resp, b := fetch(t, ts.URL+"/district/"+f.UnitCode+"?period="+period)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("district %s: %d", f.UnitCode, resp.StatusCode)
		}
		if got := riskOnPage(string(b)); fmt.Sprint(got) != fmt.Sprint(byUnit[f.UnitCode]) {
			t.Errorf("district %s at-risk list:\n got %q\nwant %q", f.UnitCode, got, byUnit[f.UnitCode])
		}
		if len(byUnit[f.UnitCode]) == 0 {
			none = true
			if !strings.Contains(string(b), `id="risk-none"`) || !strings.Contains(string(b), "各项里程碑均可按期完成") {
				t.Errorf("district %s: nobody at risk, not said", f.UnitCode)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("no district forecasts")
	}
	// A quarter when nobody is at risk (the API's at_risk is empty): said in a sentence.
	var early struct {
		AtRisk []any `json:"at_risk"`
	}
	getJSON(t, ts.URL+"/api/v1/forecast?period=2025Q4", &early)
	_, b = fetch(t, ts.URL+"/?period=2025Q4")
	if len(early.AtRisk) != 0 || len(riskOnPage(string(b))) != 0 || !strings.Contains(string(b), `<p class="ok" id="risk-none">按当前进度，各项里程碑均可按期完成。</p>`) {
		t.Errorf("2025Q4: API at risk %d, page rows %d, no 'nobody at risk' sentence", len(early.AtRisk), len(riskOnPage(string(b))))
	}
	if !none {
		t.Log("every district is at risk: the 'nobody' sentence is not exercised here")
	}
}

func TestBriefingLinkOnlyForThoseWhoMayDownload(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	const link = `id="brief-link" href="/brief.docx?period=2026Q3"`
	leader := loginAs(t, ts.URL, "t-leader")
	resp, err := leader.Get(ts.URL + "/?period=2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(b, link) || !strings.Contains(b, "下载工作简报") {
		t.Fatalf("leader: %d, no briefing link", resp.StatusCode)
	}
	resp, err = leader.Get(ts.URL + "/brief.docx?period=2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	doc := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(doc, "PK") {
		t.Errorf("leader follows the link: %d %.40q", resp.StatusCode, doc)
	}
	analyst := loginAs(t, ts.URL, "t-analyst")
	resp, err = analyst.Get(ts.URL + "/?period=2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	b = readAll(t, resp)
	if resp.StatusCode != http.StatusOK || strings.Contains(b, "brief-link") || strings.Contains(b, "/brief.docx") {
		t.Errorf("analyst: %d, a briefing link shown", resp.StatusCode)
	}
	resp, err = analyst.Get(ts.URL + "/brief.docx?period=2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst GET /brief.docx: %d, want 403", resp.StatusCode)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A 服务项目 row without a 服务领域 is labelled as such, not left blank, and
// counted in the total; a headline without the province's total has no share.
func TestPanelProjectWithoutDomain(t *testing.T) {
	one, two := 12.0, 3.0
	h := &metrics.Headline{UnitName: "苏州市", CertifiedTotal: &one, Supervisors: &two,
		Projects:      []metrics.ProjectDomain{{Domain: "困境儿童", Projects: 2, Demonstration: 1, Served: 1500}, {Domain: "", Projects: 1, Served: 20}},
		ProjectsTotal: 3, ProjectsDemonstration: 1, ProjectsServed: 1520}
	p := buildPanel(locale.ZH, h, sgz.Span{From: sgz.MustPeriod("2026Q3"), To: sgz.MustPeriod("2026Q3")}, "", false)
	if len(p.Projects) != 2 || p.Projects[1].Label != "未注明领域" || p.Projects[0].Extra != "1,500" || p.ProjTot.Value != "3" || p.ProjTot.Extra != "1,520" {
		t.Errorf("projects %+v total %+v", p.Projects, p.ProjTot)
	}
	for _, f := range p.Figures {
		if f.Key == "certified_total" && (f.Value != "12" || f.Sub != "") {
			t.Errorf("certified: %+v (no province total: no share)", f)
		}
		if f.Key == "gov_funding" && f.Value != "—" {
			t.Errorf("gov_funding missing: %q, want —", f.Value)
		}
	}
}

// On the big screen at 1920×1080 the 五强 figures are one strip: one row,
// no value cut off, a strip no taller than a row of cards.
func TestBrowserBigScreenHeadlineStrip(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	tb := openTab(t, ts.URL)
	tb.run(chromedp.EmulateViewport(1920, 1080))
	tb.visit("/?period=2026Q3&screen=big&lang=zh")
	n := eval[int](tb, `document.querySelectorAll('#headline-panel .hl-fig').length`)
	rows := eval[int](tb, `new Set(Array.prototype.map.call(document.querySelectorAll('#headline-panel .hl-fig'), function(e){return e.offsetTop})).size`)
	cut := eval[int](tb, `Array.prototype.filter.call(document.querySelectorAll('#headline-panel .hl-fig .value'), function(e){return e.scrollWidth > e.clientWidth + 1}).length`)
	h := eval[int](tb, `document.querySelector('#headline-panel .hl-figures').getBoundingClientRect().height | 0`)
	if n != 9 || rows != 1 || cut != 0 || h > 160 {
		t.Errorf("big screen strip: %d figures in %d rows, %d values cut off, %d px high (want 9, 1 row, none, ≤ 160)", n, rows, cut, h)
	}
	if eval[int](tb, `document.querySelectorAll('#hl-workers, #hl-projects').length`) != 0 {
		t.Error("the big screen shows the 人才队伍 / 服务项目 tables")
	}
	tb.clean("big screen strip")
}
