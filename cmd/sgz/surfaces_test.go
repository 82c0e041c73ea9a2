package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sgz/auth"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/dashboard"
	"sgz/locale"
	"sgz/metrics"
	"sgz/registry"
	"sgz/store"
)

// completeRow is what every surface must agree on for one (unit, indicator).
type completeRow struct {
	Value              string // %.10g, "" when missing
	Reported, Expected int
	AsOf               string // "" for flows and when nothing reported
	Mixed              bool
}

func (r completeRow) String() string {
	return fmt.Sprintf("value=%s %d/%d as_of=%s mixed=%v", r.Value, r.Reported, r.Expected, r.AsOf, r.Mixed)
}

func g10(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'g', 10, 64)
}

func fromJSON(t *testing.T, what string, b []byte) map[string]completeRow {
	t.Helper()
	var rows []metrics.IndicatorJSON
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("%s: %v\n%.300s", what, err, b)
	}
	out := map[string]completeRow{}
	for _, r := range rows {
		c := completeRow{Value: g10(r.Value), Reported: r.Reported, Expected: r.Expected}
		if r.AsOf != nil {
			c.AsOf = *r.AsOf
		}
		if r.AsOfMixed != nil {
			c.Mixed = *r.AsOfMixed
		}
		out[r.UnitCode+"/"+r.Indicator] = c
	}
	return out
}

// fromDetail reads the long form (the CSV, or the workbook's detail sheet):
// 单位代码 … 指标代码 数值 分子 分母 已报 应报 计数单位 数据截至 截至季度不一.
func fromDetail(t *testing.T, what string, recs [][]string) map[string]completeRow {
	t.Helper()
	out := map[string]completeRow{}
	for _, r := range recs {
		c := completeRow{}
		if r[6] != "" {
			v, err := strconv.ParseFloat(r[6], 64)
			if err != nil {
				t.Fatalf("%s: value %q", what, r[6])
			}
			c.Value = g10(&v)
		}
		c.Reported, _ = strconv.Atoi(r[9])
		c.Expected, _ = strconv.Atoi(r[10])
		c.AsOf, _, _ = strings.Cut(r[12], "–")
		c.Mixed = len(r) > 13 && r[13] == "是"
		out[r[0]+"/"+r[4]] = c
	}
	return out
}

func sameRows(t *testing.T, what string, want, got map[string]completeRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			if bad++; bad <= 5 {
				t.Errorf("%s %s: %v, want %v", what, k, g, w)
			}
		}
	}
}

// surfaceToken is the API token httpGet sends (an evaluator's).
var surfaceToken string

func httpGet(t *testing.T, u string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if surfaceToken != "" {
		req.Header.Set("Authorization", "Bearer "+surfaceToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return b
}

func xlsxDetail(t *testing.T, what string, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer f.Close()
	rows, err := f.GetRows(metrics.SheetDetail, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) < 4 {
		t.Fatalf("%s: detail sheet %v (%d rows)", what, err, len(rows))
	}
	out := make([][]string, 0, len(rows)-3)
	for _, r := range rows[3:] {
		for len(r) < 14 {
			r = append(r, "")
		}
		out = append(out, r)
	}
	return out
}

// Every surface — CLI json, csv and xlsx, the API, the pages and the
// server's exports — gives the same values with the same completeness for
// the same database, period and reference date. The database: every Suzhou
// district for 2026Q1–Q3, except 相城区 (320507), which has no 2026Q3 return;
// the year 2026 as of 2026-12-02 (2026Q4 not yet due).
func TestEverySurfaceAgrees(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	reg := registry.Suzhou()
	var all, most []string
	for _, d := range reg.OfLevel(sgz.District) {
		all = append(all, d.Code)
		if d.Code != "320507" {
			most = append(most, d.Code)
		}
	}
	ingestSet(t, db, all, []string{"2026Q1", "2026Q2"}, "--received-at", "2026-07-10")
	ingestSet(t, db, most, []string{"2026Q3"}, "--received-at", "2026-10-20T09:30+08:00")
	const period, asOf = "2026", "2026-12-02"
	cliJSON := map[string]string{}

	for _, level := range []string{"city", "district"} {
		args := []string{"--db", db, "--period", period, "--level", level, "--as-of", asOf}
		code, js, errOut := sgzRun(t, append([]string{"indicators", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("json: %s", errOut)
		}
		want := fromJSON(t, "cli json", []byte(js))
		// The case the test is about: a stock from an earlier quarter, said so.
		if level == "city" {
			if w := want["3205/station_coverage"]; w.Reported != 10 || w.Expected != 10 || w.AsOf != "2026Q2" || !w.Mixed {
				t.Fatalf("city station_coverage %v", w)
			}
			if w := want["3205/gov_funding"]; w.Reported != 29 || w.Expected != 30 || w.AsOf != "" {
				t.Fatalf("city gov_funding %v", w)
			}
		} else if w := want["320507/station_coverage"]; w.AsOf != "2026Q2" || w.Mixed || w.Reported != 1 {
			t.Fatalf("相城区 station_coverage %v", w)
		}
		code, csvOut, errOut := sgzRun(t, append([]string{"indicators", "--format", "csv"}, args...)...)
		if code != 0 {
			t.Fatalf("csv: %s", errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvOut, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, level+": cli csv", want, fromDetail(t, "cli csv", recs[1:]))
		xf := filepath.Join(dir, level+".xlsx")
		if code, _, errOut := sgzRun(t, append([]string{"indicators", "-o", xf}, args...)...); code != 0 {
			t.Fatalf("xlsx: %s", errOut)
		}
		xb, _ := os.ReadFile(xf)
		sameRows(t, level+": cli xlsx", want, fromDetail(t, "cli xlsx", xlsxDetail(t, "cli xlsx", xb)))
		cliJSON[level] = js
	}
	code, asJSON, errOut := sgzRun(t, "--db", db, "assess", "--no-record", "--format", "json", "--period", period, "--as-of", asOf)
	if code != 0 {
		t.Fatalf("assess: %s", errOut)
	}

	// The server on the same database (the CLI has closed it).
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := auth.AddUser(context.Background(), s, auth.NewUser{Name: "surfaces", Password: "surfaces-password-2026", Roles: []auth.Role{auth.Evaluator}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, surfaceToken, err = auth.CreateToken(context.Background(), s, "surfaces", time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	defer func() { surfaceToken = "" }()
	h, err := dashboard.New(s, dashboard.Options{NoSQL: true, NoWarm: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	q := "period=" + period + "&as_of=" + asOf
	city := fromJSON(t, "cli json", []byte(cliJSON["city"]))
	district := fromJSON(t, "cli json", []byte(cliJSON["district"]))
	for level, want := range map[string]map[string]completeRow{"city": city, "district": district} {
		sameRows(t, level+": api", want, fromJSON(t, "api", httpGet(t, ts.URL+"/api/v1/indicators?"+q+"&level="+level)))
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(httpGet(t, ts.URL+"/indicators.csv?"+q+"&level="+level), []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, level+": csv export", want, fromDetail(t, "csv export", recs[1:]))
		sameRows(t, level+": xlsx export", want, fromDetail(t, "xlsx export", xlsxDetail(t, "xlsx export", httpGet(t, ts.URL+"/indicators.xlsx?"+q+"&level="+level))))
	}
	// The assessment: the same JSON from the CLI and the API, 相城区 ranked.
	var cliA, apiA []metrics.AssessmentJSON
	json.Unmarshal([]byte(asJSON), &cliA)
	if err := json.Unmarshal(httpGet(t, ts.URL+"/api/v1/assessment?"+q), &apiA); err != nil || len(cliA) != 10 {
		t.Fatalf("assessment: %v, %d rows", err, len(cliA))
	}
	cb, _ := json.Marshal(cliA)
	ab, _ := json.Marshal(apiA)
	if !bytes.Equal(cb, ab) {
		t.Errorf("assessment differs:\ncli %s\napi %s", cb, ab)
	}
	for _, r := range cliA {
		if !r.Reported || r.Rank == nil {
			t.Errorf("%s reported in 2026 but unranked", r.UnitCode)
		}
	}

	// The pages: the same numbers (rounded half away, as shown) and the same
	// completeness sentences (metrics.CompletenessText) as the CLI's values.
	ctx := context.Background()
	vals, err := metrics.ComputeLevels(ctx, s, sgz.Span{From: sgz.MustPeriod("2026Q1"), To: sgz.MustPeriod("2026Q4")},
		[]sgz.Level{sgz.City, sgz.District}, mustAsOf(t, asOf))
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]metrics.Value{}
	var children []metrics.Value
	for _, v := range vals {
		byKey[v.UnitCode+"/"+v.Indicator] = v
		if v.Level == sgz.District {
			children = append(children, v)
		}
		// The values the pages use are the CLI's.
		want := city
		if v.Level == sgz.District {
			want = district
		}
		if w := want[v.UnitCode+"/"+v.Indicator]; w.Value != g10(v.Value) || w.Reported != v.Reported || w.Expected != v.Expected {
			t.Errorf("page values %s/%s: %v vs cli %v", v.UnitCode, v.Indicator, g10(v.Value), w)
		}
	}
	sc := byKey["3205/station_coverage"]
	ov := string(httpGet(t, ts.URL+"/?"+q))
	card := regexp.MustCompile(`(?s)data-indicator="station_coverage".*?<div class="value">(.*?)</div>.*?<div class="comp">(.*?)</div>`).FindStringSubmatch(ov)
	if card == nil || card[1] != metrics.Fixed(*sc.Value*100, 1)+"%" || card[2] != metrics.CompletenessText(locale.ZH, sc, children) {
		t.Errorf("overview card %q, want %s and %q", card, metrics.Fixed(*sc.Value*100, 1), metrics.CompletenessText(locale.ZH, sc, children))
	}
	if !strings.Contains(card[2], "相城区取 2026Q2") {
		t.Errorf("the overview does not name the district that lags: %q", card[2])
	}
	gf := byKey["3205/gov_funding"]
	gcard := regexp.MustCompile(`(?s)data-indicator="gov_funding".*?<div class="comp">(.*?)</div>`).FindStringSubmatch(ov)
	if gcard == nil || gcard[1] != "29 / 30 个区县·季度" || gcard[1] != metrics.CompletenessText(locale.ZH, gf, nil) {
		t.Errorf("overview flow card %q", gcard)
	}
	ind := string(httpGet(t, ts.URL+"/indicator/station_coverage?"+q))
	if !strings.Contains(ind, `<b id="top-value">`+metrics.Fixed(*sc.Value*100, 1)+"%</b>") ||
		!strings.Contains(ind, `<span id="top-comp">已报送 `+metrics.CompletenessText(locale.ZH, sc, children)+"</span>") {
		t.Error("indicator page: top value or completeness differs")
	}
	rows := regexp.MustCompile(`<tr><td>(\d{6})</td><td><a[^>]*>[^<]*</a></td><td class="num" data-v="[^"]*">([^< ]*)(?: <small class="note asof">取 (\d{4}Q\d)</small>)?`).FindAllStringSubmatch(ind, -1)
	if len(rows) != 10 {
		t.Fatalf("indicator page: %d district rows", len(rows))
	}
	if !strings.Contains(ind, `<small class="note asof">取 2026Q2</small>`) || strings.Count(ind, `class="note asof"`) != 1 {
		t.Error("indicator page: only 相城区 should say its value is from 2026Q2")
	}
	for _, r := range rows {
		v := byKey[r[1]+"/station_coverage"]
		if r[2] != metrics.Fixed(*v.Value*100, 1)+"%" {
			t.Errorf("indicator page %s: %s, want %s", r[1], r[2], metrics.Fixed(*v.Value*100, 1))
		}
		if wantAsOf := map[bool]string{true: v.AsOf, false: ""}[v.AsOf != sc.AsOfLatest]; r[3] != wantAsOf {
			t.Errorf("indicator page %s as of %q, want %q", r[1], r[3], wantAsOf)
		}
	}
}

func mustAsOf(t *testing.T, s string) *metrics.Config {
	ref, err := metrics.ParseAsOf(s)
	if err != nil {
		t.Fatal(err)
	}
	return metrics.DefaultConfig().At(ref)
}
