package dashboard

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sgz"
	"sgz/gen"
	"sgz/metrics"
	"sgz/registry"
	"sgz/store"
)

// getPage GETs a page as a client and returns its body (failing on anything but 200).
func getPage(t *testing.T, c *testClient, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", u, resp.StatusCode, b)
	}
	return string(b)
}

// sumSQL sums one number over the current returns of some districts and quarters, from the stored rows.
func sumSQL(t *testing.T, db *store.DB, q string, from, to string, districts []string) float64 {
	t.Helper()
	ph := strings.TrimSuffix(strings.Repeat("?,", len(districts)), ",")
	args := []any{from, to}
	for _, d := range districts {
		args = append(args, d)
	}
	var s float64
	if err := db.QueryRowContext(context.Background(), q+` AND c.period BETWEEN ? AND ? AND c.district_code IN (`+ph+`)`, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

const (
	certifiedSQL = `SELECT coalesce(sum(w.certified_total), 0)::DOUBLE FROM current_returns c JOIN workforce w USING (return_id) WHERE true`
	govSQL       = `SELECT coalesce(sum(f.amount), 0)::DOUBLE FROM current_returns c JOIN funds f USING (return_id) WHERE f.category = '政府购买服务'`
)

// card is the text of one overview card's comparison ("较上期(2026Q2) +12").
func card(t *testing.T, body, id, kind string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<div class="card" data-indicator="` + id + `">.*?<div class="delta" data-cmp="` + kind + `" title="([^"]*)">([^<]*)</div>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s comparison on the %s card", kind, id)
	}
	return html.UnescapeString(m[2])
}

// suzhouOthers are the fixture's districts but 相城区 (which has not sent 2026Q3).
func suzhouOthers() []string {
	var out []string
	for _, d := range registry.Suzhou().OfLevel(sgz.District) {
		if d.Code != fixtureLate {
			out = append(out, d.Code)
		}
	}
	return out
}

// 相城区 has not sent 2026Q3: the overview compares 2026Q3 with 2026Q2 over
// the 9 districts that reported in both, says so, and the figures equal
// sums computed here from the stored rows.
func TestOverviewComparesTheSameDistricts(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	others := suzhouOthers()
	if len(others) != 9 {
		t.Fatalf("%d districts", len(others))
	}
	leader := loginAs(t, ts.URL, "t-leader")
	body := getPage(t, leader, ts.URL+"/?period=2026Q3&as_of=2026-12-01&lang=zh")
	// The scope: 9 districts, named in the tooltip, 相城区 left out and why.
	m := regexp.MustCompile(`<span data-cmp="prev" title="([^"]*)">([^<]*)</span>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no 较上期 scope")
	}
	names, scope := html.UnescapeString(m[1]), html.UnescapeString(m[2])
	if !strings.HasPrefix(scope, "较上期（2026Q2）同口径：9 个区县") || !strings.Contains(scope, "不计入：相城区（本期未报送）") {
		t.Errorf("scope %q", scope)
	}
	if strings.Count(names, "、") != 8 || strings.Contains(names, "相城区") || !strings.Contains(names, "姑苏区") {
		t.Errorf("districts compared: %q", names)
	}
	// 同比: the fixture starts in 2025Q4, so nothing compares with 2025Q3, and the cards say —.
	if !strings.Contains(body, "同比（2025Q3）：没有两期均已报送的区县，不作比较") || card(t, body, "certified_total", "yoy") != "同比(2025Q3) —" {
		t.Errorf("同比 without a base: %q", card(t, body, "certified_total", "yoy"))
	}
	// Certified workers: the 9 districts' 2026Q3 total minus their 2026Q2 total.
	d := sumSQL(t, db, certifiedSQL, "2026Q3", "2026Q3", others) - sumSQL(t, db, certifiedSQL, "2026Q2", "2026Q2", others)
	if got, want := card(t, body, "certified_total", "prev"), "较上期(2026Q2) "+fmtDelta("certified_total", &d); got != want {
		t.Errorf("certified_total card %q, want %q", got, want)
	}
	// Each card's comparison carries its scope in its tooltip.
	if m := regexp.MustCompile(`(?s)data-indicator="certified_total">.*?data-cmp="prev" title="([^"]*)"`).FindStringSubmatch(body); m == nil ||
		!strings.HasPrefix(html.UnescapeString(m[1]), "较上期（2026Q2）同口径：9 个区县：") || strings.Contains(m[1], "相城区") {
		t.Errorf("card tooltip %v", m)
	}
	// The whole-city difference (9 against 10 districts) is not what is shown.
	all := append([]string{fixtureLate}, others...)
	artefact := sumSQL(t, db, certifiedSQL, "2026Q3", "2026Q3", all) - sumSQL(t, db, certifiedSQL, "2026Q2", "2026Q2", all)
	if artefact == d || strings.Contains(card(t, body, "certified_total", "prev"), fmtDelta("certified_total", &artefact)) {
		t.Errorf("the artefact %v is shown (fair %v)", artefact, d)
	}
	// Money, a flow: the same 9 districts.
	g := sumSQL(t, db, govSQL, "2026Q3", "2026Q3", others) - sumSQL(t, db, govSQL, "2026Q2", "2026Q2", others)
	if got, want := card(t, body, "gov_funding", "prev"), "较上期(2026Q2) "+fmtDelta("gov_funding", &g); got != want {
		t.Errorf("gov_funding card %q, want %q", got, want)
	}
	// A rate: from the summed numerators and denominators of the 9 (each
	// quarter's district values computed alone), its change in 个百分点.
	rate := func(p string) float64 {
		vals, err := metrics.Compute(context.Background(), db, mustSpan(p), sgz.District, metrics.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		var n, den float64
		for _, v := range vals {
			if v.Indicator == "station_coverage" && v.UnitCode != fixtureLate {
				n, den = n+*v.Numerator, den+*v.Denominator
			}
		}
		return n / den
	}
	r := rate("2026Q3") - rate("2026Q2")
	want := "较上期(2026Q2) " + strings.Replace(fmtDelta("station_coverage", &r), " pp", " 个百分点", 1)
	if got := card(t, body, "station_coverage", "prev"); got != want || !strings.Contains(got, "个百分点") {
		t.Errorf("station_coverage card %q, want %q", got, want)
	}
	// 未报送 named on the overview, linked to the reminder list, in the
	// coverage chart (a labelled marker) and in the ranking.
	if !strings.Contains(body, `<span class="warn" id="unreported">未报送：相城区</span> <a href="/reminders?`) {
		t.Errorf("no 未报送 note linked to the reminders")
	}
	if !strings.Contains(body, "相城区（未报送）") || !strings.Contains(body, "markPoint") {
		t.Errorf("the coverage chart does not say 未报送")
	}
	if !regexp.MustCompile(`相城区</a></td><td class="num">0\.00 <small class="warn unreported">未报送</small>`).MatchString(body) {
		t.Errorf("the ranking shows 相城区 without 未报送")
	}
	// The API says the same, from the same computation.
	var api struct {
		Effective   string `json:"effective_period"`
		Comparisons []struct {
			Kind, Scope, Base string
			BasePeriod        string `json:"base_period"`
			Districts         []struct{ Code string }
			NotInPeriod       []struct{ Code string } `json:"not_in_period"`
			Indicators        map[string]struct{ Value, Base, Change *float64 }
		}
	}
	if code := getJSON(t, ts.URL+"/api/v1/compare?period=2026Q3&as_of=2026-12-01", &api); code != 200 || len(api.Comparisons) != 2 {
		t.Fatalf("compare API %d %+v", code, api)
	}
	p := api.Comparisons[0]
	if p.Kind != "prev" || p.BasePeriod != "2026Q2" || len(p.Districts) != 9 || len(p.NotInPeriod) != 1 || p.NotInPeriod[0].Code != fixtureLate ||
		p.Indicators["certified_total"].Change == nil || *p.Indicators["certified_total"].Change != d || !strings.HasPrefix(p.Scope, "较上期（2026Q2）同口径：9 个区县") {
		t.Errorf("compare API: %+v", p)
	}
	if api.Comparisons[1].Kind != "yoy" || api.Comparisons[1].Indicators["certified_total"].Change != nil {
		t.Errorf("compare API 同比: %+v", api.Comparisons[1])
	}
	if code := getJSON(t, ts.URL+"/api/v1/compare?period=2026Q3&unit="+fixtureLate, &api); code != 200 || len(api.Comparisons[0].Districts) != 0 || len(api.Comparisons[0].NotInPeriod) != 1 {
		t.Errorf("compare API for 相城区: %d %+v", code, api)
	}
	if resp, b := fetch(t, ts.URL+"/api/v1/compare?period=2026Q3&unit=999999&lang=zh"); resp.StatusCode != 404 || !strings.Contains(string(b), "单位 999999 不在名录中") {
		t.Errorf("unknown unit: %d %s", resp.StatusCode, b)
	}
	// English says the same.
	en := getPage(t, leader, ts.URL+"/?period=2026Q3&as_of=2026-12-01&lang=en")
	if !strings.Contains(en, "vs the previous period (2026Q2), same districts: 9") || !strings.Contains(en, "left out: 相城区 (not reported in this period)") {
		t.Errorf("english scope missing")
	}
}

// addReturns ingests generated returns into a database before a server opens it.
func addReturns(t *testing.T, db *store.DB, districts []string, quarters ...string) {
	t.Helper()
	reg := registry.Suzhou()
	for _, q := range quarters {
		p := sgz.MustPeriod(q)
		for _, d := range districts {
			at := time.Date(p.Next().First().Year(), p.Next().First().Month(), 8, 10, 0, 0, 0, sgz.Beijing)
			ingestBytes(context.Background(), t, db, gen.FileName(d, p), workbook(t, reg, d, p), at)
		}
	}
}

// A year in progress: 2026 has Q1–Q3, so the year view is 年初至今 and is
// compared with 2025Q1–Q3 (never the whole of 2025), over the districts
// that reported in both.
func TestYearViewComparesTheSameQuarters(t *testing.T) {
	db := openCopy(t)
	three := []string{"320505", "320506", "320581"}
	addReturns(t, db, three, "2025Q1", "2025Q2", "2025Q3")
	addReturns(t, db, []string{"320508"}, "2025Q1", "2025Q2") // 姑苏区: two quarters a year earlier
	ts, _ := startServer(t, db, Options{NoWarm: true})
	leader := loginAs(t, ts.URL, "t-leader")
	body := getPage(t, leader, ts.URL+"/?period=2026&as_of=2026-12-01")
	if !strings.Contains(body, `<b id="span-label">年初至今（2026Q1-2026Q3）</b>`) {
		t.Errorf("no 年初至今 label")
	}
	if !strings.Contains(body, "同比（2025Q1-2025Q3）同口径：4 个区县") || strings.Contains(body, "较上期(") ||
		!strings.Contains(body, "姑苏区只比较两期均已报送的 2 个季度") {
		t.Errorf("year view comparison: %s", body[max(0, strings.Index(body, "compare-scope")-20):][:400])
	}
	// Flows over Q1–Q3 of both years (姑苏区 Q1–Q2); stocks at Q3 of both (姑苏区 Q2); those 4 districts only.
	g := sumSQL(t, db, govSQL, "2026Q1", "2026Q3", three) - sumSQL(t, db, govSQL, "2025Q1", "2025Q3", three) +
		sumSQL(t, db, govSQL, "2026Q1", "2026Q2", []string{"320508"}) - sumSQL(t, db, govSQL, "2025Q1", "2025Q2", []string{"320508"})
	if got, want := card(t, body, "gov_funding", "yoy"), "同比(2025Q1-2025Q3) "+fmtDelta("gov_funding", &g); got != want {
		t.Errorf("gov_funding %q, want %q", got, want)
	}
	c := sumSQL(t, db, certifiedSQL, "2026Q3", "2026Q3", three) - sumSQL(t, db, certifiedSQL, "2025Q3", "2025Q3", three) +
		sumSQL(t, db, certifiedSQL, "2026Q2", "2026Q2", []string{"320508"}) - sumSQL(t, db, certifiedSQL, "2025Q2", "2025Q2", []string{"320508"})
	if got, want := card(t, body, "certified_total", "yoy"), "同比(2025Q1-2025Q3) "+fmtDelta("certified_total", &c); got != want {
		t.Errorf("certified_total %q, want %q", got, want)
	}
	// 2025Q4 against 2025Q3: the 3 districts that sent both; the others' 2025Q3 is missing.
	q4 := getPage(t, leader, ts.URL+"/?period=2025Q4&as_of=2026-12-01")
	if !strings.Contains(q4, "较上期（2025Q3）同口径：3 个区县（不计入：") || !strings.Contains(q4, "太仓市（上期未报送）") {
		t.Errorf("2025Q4 against 2025Q3: %.300s", q4[max(0, strings.Index(q4, "compare-scope")):])
	}
	// A district's own year: compared with its own 2025Q1–Q3.
	dp := getPage(t, leader, ts.URL+"/district/320505?period=2026&as_of=2026-12-01")
	if !strings.Contains(dp, `<b id="span-label">年初至今（2026Q1-2026Q3）</b>`) || !strings.Contains(dp, `<th class="num" data-cmp="yoy">同比(2025Q1-2025Q3)</th>`) {
		t.Errorf("district year view")
	}
}

// The district page compares the district with itself: a number when it
// reported in both periods, 上期未报送 / 未报送 otherwise.
func TestDistrictComparisons(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	leader := loginAs(t, ts.URL, "t-leader")
	cell := func(body, id, kind string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<tr data-indicator="` + id + `">.*?<td class="num delta" data-cmp="` + kind + `">(.*?)</td>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no %s %s cell", id, kind)
		}
		return html.UnescapeString(m[1])
	}
	body := getPage(t, leader, ts.URL+"/district/320505?period=2026Q3&as_of=2026-12-01")
	d := sumSQL(t, db, certifiedSQL, "2026Q3", "2026Q3", []string{"320505"}) - sumSQL(t, db, certifiedSQL, "2026Q2", "2026Q2", []string{"320505"})
	if got := cell(body, "certified_total", "prev"); got != fmtDelta("certified_total", &d) {
		t.Errorf("姑苏区 certified 较上期 %q, want %v", got, d)
	}
	if got := cell(body, "station_coverage", "prev"); !strings.Contains(got, "个百分点") && got != "—" {
		t.Errorf("rate change %q", got)
	}
	if got := cell(body, "certified_total", "yoy"); got != `<span class="warn">去年同期未报送</span>` {
		t.Errorf("同比 with no base: %q", got)
	}
	// The fixture's first quarter: nothing before it.
	first := getPage(t, leader, ts.URL+"/district/320505?period=2025Q4&as_of=2026-12-01")
	if got := cell(first, "certified_total", "prev"); got != `<span class="warn">上期未报送</span>` {
		t.Errorf("first quarter: %q", got)
	}
	// 相城区 did not report 2026Q3: its values and comparisons say 未报送.
	x := getPage(t, leader, ts.URL+"/district/"+fixtureLate+"?period=2026Q3&as_of=2026-12-01")
	if got := cell(x, "certified_total", "prev"); got != `<span class="warn">未报送</span>` {
		t.Errorf("相城区 comparison %q", got)
	}
	if !regexp.MustCompile(`<tr data-indicator="station_coverage"><td><a [^>]*>[^<]*</a></td><td class="num"><span class="warn unreported">未报送</span>`).MatchString(x) {
		t.Errorf("相城区's value is not 未报送")
	}
	if !strings.Contains(x, "2026Q3（未报送）") {
		t.Errorf("the district trend does not mark 2026Q3 未报送")
	}
	if !strings.Contains(x, `<span class="warn">本期未报送：已过截止日，未收到有效报表</span>`) || strings.Contains(x, "缺报") {
		t.Errorf("相城区's status line does not say 本期未报送, or says 缺报")
	}
}

// 未报送 on the assessment, map, indicator pages and in the API.
func TestUnreportedEverywhere(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	leader := loginAs(t, ts.URL, "t-leader")
	q := "?period=2026Q3&as_of=2026-12-01"
	// Assessment: still scored (0.00 under the rules), shown as 未报送.
	as := getPage(t, leader, ts.URL+"/assessment"+q)
	row := regexp.MustCompile(`(?s)<tr class="unranked">.*?</tr>`).FindString(as)
	if !strings.Contains(row, "/district/"+fixtureLate) || strings.Count(row, `<span class="unreported">未报送</span>`) < 5 ||
		!strings.Contains(row, `<b>0.00</b> <small class="warn unreported">未报送</small>`) {
		t.Errorf("assessment row of 相城区: %.600s", row)
	}
	// The map: grey, its label and tooltip say 未报送, and reported:false.
	mp := html.UnescapeString(getPage(t, leader, ts.URL+"/map"+q))
	if !strings.Contains(mp, `"formatter":"相城区：未报送"`) || !strings.Contains(mp, `"subtext":"未报送：相城区"`) ||
		!strings.Contains(mp, `"name":"相城区","reported":false,"tooltip"`) {
		t.Errorf("map: %.400s", mp[max(0, strings.Index(mp, "相城区")-200):])
	}
	// The indicators list names the district that has not reported, the
	// indicator page shows it in its table and under its bar.
	il := getPage(t, leader, ts.URL+"/indicators"+q)
	if !strings.Contains(il, "9 / 10 个区县；未报送：相城区") {
		t.Errorf("indicators list")
	}
	ip := getPage(t, leader, ts.URL+"/indicator/station_coverage"+q)
	if !strings.Contains(ip, `<span class="warn unreported">未报送</span>`) || !strings.Contains(ip, "相城区（未报送）") {
		t.Errorf("indicator page")
	}
	// The API: reported false (assessment), reported 0 of 1 (indicators).
	var rows []map[string]any
	getJSON(t, ts.URL+"/api/v1/assessment"+q, &rows)
	for _, r := range rows {
		if (r["unit_code"] == fixtureLate) == (r["reported"] != false) {
			t.Errorf("assessment API %v", r)
		}
	}
	getJSON(t, ts.URL+"/api/v1/indicators"+q+"&level=district&indicator=station_coverage", &rows)
	for _, r := range rows {
		if r["unit_code"] == fixtureLate && (r["reported"] != 0.0 || r["expected"] != 1.0 || r["value"] != nil) {
			t.Errorf("indicators API %v", r)
		}
	}
	// Not yet due is 未到期, not 未报送.
	nd := getPage(t, leader, ts.URL+"/?period=2026Q4&as_of=2026-12-01")
	if strings.Contains(nd, `id="unreported"`) || !strings.Contains(nd, "未到期") {
		t.Errorf("2026Q4 before its due date")
	}
}

// The 催报 list: 相城区, due 2026-10-15, days late at the reference date;
// its reporter and phone for an evaluator, an admin and its own clerk only.
func TestReminders(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	var who, phone string
	if err := db.QueryRowContext(ctx, `SELECT reporter, phone FROM returns WHERE district_code = ? ORDER BY received_at DESC LIMIT 1`, fixtureLate).Scan(&who, &phone); err != nil || phone == "" {
		t.Fatalf("the fixture's phone: %q %v", phone, err)
	}
	q := "?as_of=2026-10-20"
	for _, x := range []struct {
		account string
		sees    bool
	}{{"t-evaluator", true}, {"t-admin", true}, {"t-clerk", true}, {"t-leader", false}, {"t-analyst", false}, {"t-clerk2", false}} {
		body := getPage(t, loginAs(t, ts.URL, x.account), ts.URL+"/reminders"+q)
		row := regexp.MustCompile(`(?s)<tr data-district="` + fixtureLate + `" data-remind="missing">.*?</tr>`).FindString(body)
		if !strings.Contains(row, "相城区") || !strings.Contains(row, "<td>2026Q3</td>") || !strings.Contains(row, "<td>2026-10-15</td>") ||
			!strings.Contains(row, `<td class="num days-late">5</td>`) {
			t.Errorf("%s: row %q", x.account, row)
		}
		if x.sees != strings.Contains(body, phone) || x.sees != strings.Contains(row, `<td class="reporter">`+who+`</td>`) {
			t.Errorf("%s sees the phone: %v, want %v", x.account, strings.Contains(body, phone), x.sees)
		}
		if !x.sees && !strings.Contains(body, "填报人和联系电话仅考核员、管理员和本区县填报员可见") {
			t.Errorf("%s: no word on the hidden phone", x.account)
		}
		if strings.Count(body, "<tr data-district=") != 1 {
			t.Errorf("%s: %d rows, want 1", x.account, strings.Count(body, "<tr data-district="))
		}
	}
	// The reporting page carries the same list; the overview links to it.
	ev := loginAs(t, ts.URL, "t-evaluator")
	if rp := getPage(t, ev, ts.URL+"/reporting?period=2026Q3&as_of=2026-10-20"); !strings.Contains(rp, `id="reminder-list"`) || !strings.Contains(rp, phone) || !strings.Contains(rp, "<h2>催报名单（2026Q3）</h2>") {
		t.Errorf("reporting page without the list")
	}
	if rp := getPage(t, ev, ts.URL+"/reminders?period=2026Q2&as_of=2026-10-20"); !strings.Contains(rp, "本期应报区县均已报送，无需催报。") {
		t.Errorf("a period every district reported")
	}
	// A return sent back and not resubmitted is on the list too.
	var back int64
	if err := db.QueryRowContext(ctx, `SELECT return_id FROM current_returns WHERE district_code = '320505' AND period = '2026Q3'`).Scan(&back); err != nil {
		t.Fatal(err)
	}
	resp, err := ev.PostForm(ts.URL+"/reporting/"+strconv.FormatInt(back, 10)+"/sendback", url.Values{"reason": {"数据有误"}, "csrf": {ev.CSRF}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rp := getPage(t, ev, ts.URL+"/reminders"+q); !strings.Contains(rp, `<tr data-district="320505" data-remind="sent_back">`) || !strings.Contains(rp, "退回修改后未重新报送") {
		t.Errorf("the return sent back is not on the list (%d)", resp.StatusCode)
	}
	// The CSV: formula-safe, the phone only for those who may see it.
	if _, err := db.ExecContext(ctx, `UPDATE returns SET reporter = '=HYPERLINK("x")' WHERE district_code = ?`, fixtureLate); err != nil {
		t.Fatal(err)
	}
	csvOf := func(c *testClient) [][]string {
		resp, err := c.Get(ts.URL + "/reminders.csv" + q + "&lang=en")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
		if err != nil || resp.StatusCode != 200 || len(recs) != 3 {
			t.Fatalf("CSV %d %v %q", resp.StatusCode, err, b)
		}
		return recs
	}
	e := csvOf(ev)
	if e[0][6] != "Reporter" || e[1][0] != "320505" || e[1][3] != "sent back, not resubmitted" || e[2][0] != fixtureLate || e[2][3] != "not sent" || e[2][5] != "5" || e[2][6] != `'=HYPERLINK("x")` || e[2][7] != phone {
		t.Errorf("evaluator CSV %q", e)
	}
	if l := csvOf(loginAs(t, ts.URL, "t-leader")); l[2][6] != "" || l[2][7] != "" || l[1][7] != "" {
		t.Errorf("leader CSV %q", l)
	}
}

func mustSpan(s string) sgz.Span {
	sp, err := sgz.ParseSpan(s)
	if err != nil {
		panic(err)
	}
	return sp
}

// The districts a comparison sums over, answered from the registry in memory
// (calc.districtsIn), are the set metrics.DistrictsOf reads from the
// database, for every unit of a one-city registry and of one with provinces
// and cities (a city whose row is missing included), and for the country,
// "" and a code in no registry.
func TestDistrictsInAsTheDatabase(t *testing.T) {
	ctx := context.Background()
	provinces := `code,name,level,parent_code
32,江苏省,province,
3205,苏州市,city,32
320501,甲区,district,3205
320501001,甲一街道,town,320501
3206,南通市,city,32
320601,丁区,district,3206
320602,戊区,district,3206
33,浙江省,province,
330101,戊区,district,3301
330101001,戊一街道,town,330101
`
	for _, csvText := range []string{"", provinces} {
		db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		reg := registry.Suzhou()
		if csvText != "" {
			if reg, err = registry.ParseCSV(strings.NewReader(csvText), "p.csv"); err != nil {
				t.Fatal(err)
			}
		}
		if err := registry.Save(ctx, db, reg, registry.BasePeriod, "p.csv"); err != nil {
			t.Fatal(err)
		}
		c := newCalc(db, nil)
		codes := []string{"", metrics.CountryCode, "999999", "3301"}
		for _, u := range reg.Units {
			if u.Level != sgz.Village {
				codes = append(codes, u.Code)
			}
		}
		p := sgz.MustPeriod("2026Q3")
		checked := 0
		for _, code := range codes {
			want, err := metrics.DistrictsOf(ctx, db, code, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.districtsIn(ctx, code, p)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || (got == nil) != (want == nil) {
				t.Errorf("%q: %v, the database says %v", code, got, want)
			}
			if len(want) > 0 {
				checked++
			}
		}
		if checked < 4 {
			t.Errorf("only %d units with districts compared", checked)
		}
	}
}

// The pages' comparisons (calc.compare, from the cached district tables,
// taken by unit or by a walk over every row) are metrics.Compare's — its
// districts and values read from the database (DistrictsOf, Trend) — for
// every district, the city and the country, each quarter against the one
// before and a year earlier, and the year.
func TestCalcCompareAsMetrics(t *testing.T) {
	_, s, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	units := []string{metrics.CountryCode, "3205"}
	for _, d := range registry.Suzhou().OfLevel(sgz.District) {
		units = append(units, d.Code)
	}
	type pair struct{ span, base sgz.Span }
	var pairs []pair
	for _, p := range fixturePeriods {
		sp := sgz.QuarterSpan(p)
		pairs = append(pairs, pair{sp, metrics.PrevSpan(sp)}, pair{sp, metrics.YearEarlier(sp)})
	}
	year := sgz.Span{From: sgz.MustPeriod("2026Q1"), To: fixtureLast}
	pairs = append(pairs, pair{year, metrics.YearEarlier(year)})
	trends := map[sgz.Span][]metrics.Value{}
	trend := func(sp sgz.Span) []metrics.Value {
		if v, ok := trends[sp]; ok {
			return v
		}
		v, err := metrics.Trend(ctx, db, sp.From, sp.To, sgz.District, s.opt.Config)
		if err != nil {
			t.Fatal(err)
		}
		trends[sp] = v
		return v
	}
	compared := 0
	for _, byUnit := range []int{64, 0} {
		compareByUnit = byUnit
		s.calc.invalidate()
		for _, u := range units {
			for _, p := range pairs {
				in, err := metrics.DistrictsOf(ctx, db, u, p.span.To)
				if err != nil {
					t.Fatal(err)
				}
				want, err := metrics.CompareValues(u, in, p.span, p.base, trend(p.span), trend(p.base))
				if err != nil {
					t.Fatal(err)
				}
				got, err := s.calc.compare(ctx, u, p.span, p.base)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("by unit up to %d, %s %s against %s:\n pages  %+v\n metrics %+v", byUnit, u, p.span, p.base, got, want)
				}
				compared += len(want.Districts)
			}
		}
	}
	compareByUnit = 64
	if compared < 100 {
		t.Errorf("only %d districts compared in all", compared)
	}
}
