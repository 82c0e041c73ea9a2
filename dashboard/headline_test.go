package dashboard

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
	"sgz/store"
)

// headlineOracle computes the headline figures of unit over the quarters
// from..to independently of package metrics: plain SQL over the analysts'
// views (v_returns, v_registry, v_stations, …), the rules of indicators.md
// written out again.
func headlineOracle(t *testing.T, db *store.DB, unit, from, to string) map[string]any {
	t.Helper()
	q := `
WITH sel AS (
    SELECT code FROM v_registry
    WHERE level = 'district' AND (code = $1 OR city_code = $1)
      AND from_period = (SELECT max(from_period) FROM v_registry WHERE from_period <= $3)),
r AS (
    SELECT return_id, district_code, period,
           (SELECT max(from_period) FROM v_registry g WHERE g.from_period <= v.period) AS ver
    FROM v_returns v
    WHERE is_current AND period BETWEEN $2 AND $3 AND district_code IN (SELECT code FROM sel)),
lat AS (SELECT * FROM r QUALIFY period = max(period) OVER (PARTITION BY district_code)),
reg AS (SELECT g.*, lat.return_id FROM lat JOIN v_registry g ON g.from_period = lat.ver AND g.district_code = lat.district_code AND g.in_scope)
SELECT
    (SELECT count(*) FROM sel),
    (SELECT count(*) FROM lat),
    (SELECT count(*) FROM v_stations s JOIN lat USING (return_id) WHERE s.built AND s.in_scope),
    (SELECT count(*) FROM reg WHERE level = 'town'),
    (SELECT count(*) FROM v_rooms x JOIN lat USING (return_id) WHERE x.built AND x.in_scope),
    (SELECT count(*) FROM reg WHERE level = 'village'),
    (SELECT count(*) FROM v_stations s JOIN lat USING (return_id) WHERE s.charity_fund AND s.in_scope),
    (SELECT count(*) FROM v_rooms x JOIN lat USING (return_id) WHERE x.charity_fund AND x.in_scope),
    (SELECT sum(certified_total)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT sum(organisations)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT sum(org_staff)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT sum(supervisors)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT sum(assistant)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT sum(intermediate)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT sum(senior)::DOUBLE FROM v_workforce JOIN lat USING (return_id)),
    (SELECT coalesce(sum(amount) FILTER (WHERE category = '政府购买服务'), 0)::DOUBLE FROM v_funds JOIN r USING (return_id)),
    (SELECT coalesce(sum(amount) FILTER (WHERE category IN ('社区慈善基金', '社会捐赠')), 0)::DOUBLE FROM v_funds JOIN r USING (return_id)),
    (SELECT coalesce(sum(participants), 0)::DOUBLE FROM v_trainings JOIN r USING (return_id)),
    (SELECT sum(cost)::DOUBLE FROM v_trainings JOIN r USING (return_id)),
    (SELECT count(*) FROM v_projects JOIN lat USING (return_id)),
    (SELECT count(*) FILTER (WHERE demonstration) FROM v_projects JOIN lat USING (return_id)),
    (SELECT coalesce(sum(served), 0) FROM v_projects JOIN lat USING (return_id))`
	var exp, rep, sb, towns, rb, vill, ft, fv int
	var cert, org, staff, sup, as, in, se, gov, ch, tp, cost sql.NullFloat64
	var np, nd, ns int
	if err := db.QueryRowContext(context.Background(), q, unit, from, to).Scan(&exp, &rep, &sb, &towns, &rb, &vill, &ft, &fv,
		&cert, &org, &staff, &sup, &as, &in, &se, &gov, &ch, &tp, &cost, &np, &nd, &ns); err != nil {
		t.Fatal(err)
	}
	m := map[string]any{"districts_expected": float64(exp), "districts_reported": float64(rep),
		"projects_total": float64(np), "projects_demonstration": float64(nd), "projects_served": float64(ns)}
	if rep == 0 {
		for _, k := range []string{"stations_built", "towns_in_scope", "station_coverage", "rooms_built", "villages_in_scope",
			"room_coverage", "charity_fund_towns", "charity_fund_villages", "certified_total", "organisations", "org_staff",
			"supervisors", "certified_assistant", "certified_intermediate", "certified_senior", "gov_funding",
			"charity_funding", "training_participants", "training_cost"} {
			m[k] = nil
		}
		return m
	}
	f := func(x sql.NullFloat64) any {
		if !x.Valid {
			return nil
		}
		return x.Float64
	}
	m["stations_built"], m["towns_in_scope"] = float64(sb), float64(towns)
	m["station_coverage"] = float64(sb) / float64(towns)
	m["rooms_built"], m["villages_in_scope"] = float64(rb), float64(vill)
	m["room_coverage"] = float64(rb) / float64(vill)
	m["charity_fund_towns"], m["charity_fund_villages"] = float64(ft), float64(fv)
	m["certified_total"], m["organisations"], m["org_staff"], m["supervisors"] = f(cert), f(org), f(staff), f(sup)
	m["certified_assistant"], m["certified_intermediate"], m["certified_senior"] = f(as), f(in), f(se)
	m["gov_funding"], m["charity_funding"], m["training_participants"], m["training_cost"] = f(gov), f(ch), f(tp), f(cost)
	return m
}

func TestAPIHeadlineEqualsSumsOfTheStoredRows(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	cases := []struct{ unit, period, from, to, code string }{
		{"", "2026Q3", "2026Q3", "2026Q3", "3205"},         // 相城区 has not reported
		{"", "2026", "2026Q1", "2026Q3", "3205"},           // a year in progress: 相城区's stocks from Q2
		{"", "2025Q4-2026Q3", "2025Q4", "2026Q3", "3205"},  // four quarters
		{"320505", "2026Q3", "2026Q3", "2026Q3", "320505"}, // a district (two returns sent, one current)
		{"320507", "2026Q3", "2026Q3", "2026Q3", "320507"}, // no return: every figure null
		{"320507", "2026Q2", "2026Q2", "2026Q2", "320507"}, // the same district a quarter earlier
		{"3205", "2026", "2026Q1", "2026Q3", "3205"},       // the city by its code: the cities' one pass
	}
	for _, c := range cases {
		t.Run(c.unit+"_"+c.period, func(t *testing.T) {
			var got map[string]any
			url := ts.URL + "/api/v1/headline?period=" + c.period
			if c.unit != "" {
				url += "&unit=" + c.unit
			}
			if code := getJSON(t, url, &got); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			if got["unit_code"] != c.code || got["period"] != c.period {
				t.Errorf("unit %v period %v, want %s %s", got["unit_code"], got["period"], c.code, c.period)
			}
			want := headlineOracle(t, db, c.code, c.from, c.to)
			for k, w := range want {
				g, ok := got[k]
				if !ok {
					t.Errorf("%s: missing", k)
					continue
				}
				if (w == nil) != (g == nil) {
					t.Errorf("%s = %v, want %v", k, g, w)
					continue
				}
				if w != nil && math.Abs(g.(float64)-w.(float64)) > 1e-6*math.Max(1, math.Abs(w.(float64))) {
					t.Errorf("%s = %v, want %v", k, g, w)
				}
			}
			if c.code == "3205" && got["districts_expected"].(float64) != 10 {
				t.Errorf("districts_expected %v, want 10", got["districts_expected"])
			}
			if c.period == "2026Q3" && c.code == "3205" && got["districts_reported"].(float64) != 9 {
				t.Errorf("districts_reported %v, want 9 (相城区 has not reported)", got["districts_reported"])
			}
			if c.unit != "320507" || c.period == "2026Q2" {
				if got["stations_built"] == nil || got["projects_total"].(float64) == 0 {
					t.Errorf("a unit with returns has no figures: %v", got)
				}
			}
			// The projects by domain add up to the total.
			var n, d, sv float64
			for _, p := range got["projects"].([]any) {
				pm := p.(map[string]any)
				n += pm["projects"].(float64)
				d += pm["demonstration"].(float64)
				sv += pm["served"].(float64)
			}
			if n != want["projects_total"] || d != want["projects_demonstration"] || sv != want["projects_served"] {
				t.Errorf("projects by domain %v/%v/%v, want %v/%v/%v", n, d, sv, want["projects_total"], want["projects_demonstration"], want["projects_served"])
			}
		})
	}
}

func TestAPIHeadlineRefusesWhatIsNotAUnit(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	for _, c := range []struct{ unit, want string }{
		{"999999", "单位 999999 不是名录中的市或区县"},
		{"abc", `单位代码 \"abc\" 无效`},
	} {
		resp, err := clientFor(t, ts.URL).Get(ts.URL + "/api/v1/headline?period=2026Q3&unit=" + c.unit)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), c.want) {
			t.Errorf("unit %s: status %d %s, want 400 %s", c.unit, resp.StatusCode, body, c.want)
		}
	}
}

// The briefing downloads as a .docx whose headline figures are the API's.
func TestBriefDownload(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	resp, err := clientFor(t, ts.URL).Get(ts.URL + "/brief.docx?period=2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "brief-2026Q3.docx") {
		t.Fatalf("status %d %v", resp.StatusCode, resp.Header)
	}
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(b)
		}
	}
	var h map[string]any
	getJSON(t, ts.URL+"/api/v1/headline?period=2026Q3", &h)
	want := fmt.Sprintf("已建成乡镇（街道）社工站 %v 个，纳入考核乡镇（街道）%v 个", h["stations_built"], h["towns_in_scope"])
	if !strings.Contains(doc, want) || !strings.Contains(doc, "（已报送 9 个区县，应报 10 个）") {
		t.Errorf("document lacks %q", want)
	}
	if code := getJSON(t, ts.URL+"/brief.docx?period=2026Q9", &h); code != http.StatusBadRequest {
		t.Errorf("bad period: %d", code)
	}
}

// The forecast API is metrics.Forecasts with its sentences.
func TestAPIForecast(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	var got struct {
		Period    string `json:"period"`
		Forecasts []struct {
			UnitCode                       string `json:"unit_code"`
			Indicator, Status, Reach, Text string
		} `json:"forecasts"`
		AtRisk []struct {
			UnitCode string `json:"unit_code"`
			Text     string
			AtRisk   bool `json:"at_risk"`
		} `json:"at_risk"`
	}
	if code := getJSON(t, ts.URL+"/api/v1/forecast?period=2026Q3", &got); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	want, err := metrics.Forecasts(context.Background(), db, sgz.MustPeriod("2026Q3"), []sgz.Level{sgz.City, sgz.District}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Period != "2026Q3" || len(got.Forecasts) != len(want) || len(want) != 11*3 {
		t.Fatalf("period %s, %d forecasts, want %d (city + 10 districts × 3)", got.Period, len(got.Forecasts), len(want))
	}
	for i, w := range want {
		g := got.Forecasts[i]
		if g.UnitCode != w.UnitCode || g.Indicator != w.Indicator || g.Status != string(w.Status) || g.Reach != w.Reach || g.Text != w.Text(locale.ZH) {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	if len(got.AtRisk) != len(metrics.AtRisk(want)) {
		t.Errorf("%d at risk, want %d", len(got.AtRisk), len(metrics.AtRisk(want)))
	}
	for _, r := range got.AtRisk {
		if !r.AtRisk || !strings.Contains(r.Text, "按当前进度") {
			t.Errorf("at risk: %+v", r)
		}
	}
}
