package dashboard

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"sgz/locale"
	"sgz/metrics"
	"sgz/registry"
	"sgz/store"
)

// has reports whether body shows the message key (in Chinese, escaped as a
// page shows it), formatted with args.
func has(body, key string, args ...any) bool {
	text := locale.T(locale.ZH, key, args...)
	if len(args) == 0 { // a sentence with verbs: the words before the first
		text = strings.SplitN(text, "%", 2)[0]
	}
	return strings.Contains(body, template.HTMLEscapeString(text))
}

// Messages of the evaluator's and clerk's actions that go wrong, and of the
// pages' rarer states; requests through escReq (escape_test.go).
func TestPageMessages(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	var id, old int64
	if err := db.QueryRow(`SELECT return_id FROM returns WHERE file_name = 'xss.xlsx'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT min(return_id) FROM returns WHERE district_code = '320505' AND period = '2026Q3'`).Scan(&old); err != nil {
		t.Fatal(err)
	}
	// post sends a form and returns the page it redirects to.
	post := func(path string, form url.Values) string {
		t.Helper()
		status, loc := escReq(t, "POST", ts.URL+path, form)
		if status != 303 {
			t.Fatalf("%s: status %d, want a redirect: %.300s", path, status, loc)
		}
		_, page := escReq(t, "GET", ts.URL+loc, nil)
		return page
	}
	if page := post(fmt.Sprintf("/reporting/%d/sendback", id), url.Values{"reason": {"  "}}); !has(page, "rep.reason.missing") {
		t.Error("no message for a send back without a reason")
	}
	// Restoring a return that was not sent back; sending back one that no longer counts.
	// Refused review actions answer 409 with the reason (package review's messages).
	if status, page := escReq(t, "POST", ts.URL+fmt.Sprintf("/reporting/%d/restore", id), url.Values{}); status != 409 || !strings.Contains(page, fmt.Sprintf("报表 #%d 没有被退回", id)) {
		t.Errorf("restore of a counted return: %d %.300s", status, page)
	}
	if status, page := escReq(t, "POST", ts.URL+fmt.Sprintf("/reporting/%d/sendback", old), url.Values{"reason": {"x"}}); status != 409 {
		t.Errorf("send back of a superseded return: %d %.300s", status, page)
	}
	if page := post("/upload?district=320505", url.Values{"x": {"1"}}); !has(page, "up.nofile") {
		t.Error("no message for an upload without a file")
	}
	// The SQL console of a server without one says so.
	nosql, _, _ := newTestServer(t, Options{NoWarm: true, NoSQL: true})
	if _, body := escReq(t, "GET", nosql.URL+"/sql", nil); !has(body, "sql.none") {
		t.Error("the SQL page does not say the console is off")
	}
	// A database error is an error page that says so (and no details).
	if _, err := db.Exec(`DROP VIEW v_indicator_inputs`); err != nil {
		t.Log(err)
	}
	if _, err := db.Exec(`ALTER TABLE returns RENAME TO returns_gone`); err != nil {
		t.Fatal(err)
	}
	status, body := escReq(t, "GET", fmt.Sprintf("%s/returns/%d", ts.URL, id), nil)
	if status != 500 || !has(body, "dash.internal") || strings.Contains(body, "returns_gone") {
		t.Errorf("database error: %d %.300s", status, body)
	}
}

// The milestone states: met, overdue (deadline passed, not met), on the
// district and overview pages.
func TestMilestoneMessages(t *testing.T) {
	cfg, err := metrics.ParseConfig(strings.NewReader(`{"plan_start_year": 2025, "milestones": [
		{"name_zh": "低目标", "name_en": "Low", "indicators": ["station_coverage"], "year": 1, "target": 0.01},
		{"name_zh": "高目标", "name_en": "High", "indicators": ["room_coverage"], "year": 1, "target": 1.5}]}`), "ms.json")
	if err != nil {
		t.Fatal(err)
	}
	ts, _, _ := newTestServer(t, Options{NoWarm: true, Config: cfg})
	_, body := escReq(t, "GET", ts.URL+"/district/320505?period=2026Q3", nil)
	if !has(body, "metrics.ms.met") || !has(body, "metrics.ms.overdue") {
		t.Errorf("district page: met %v, overdue %v", has(body, "metrics.ms.met"), has(body, "metrics.ms.overdue"))
	}
	_, body = escReq(t, "GET", ts.URL+"/?period=2026Q3", nil)
	if !has(body, "metrics.ms.met") || !strings.Contains(body, "低目标") {
		t.Error("overview: the met milestone is not said")
	}
}

// serveRegistry serves a database holding only the registry csvText.
func serveRegistry(t *testing.T, csvText string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg, err := registry.ParseCSV(strings.NewReader(csvText), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.Save(ctx, db, reg, registry.BasePeriod, "r.csv"); err != nil {
		t.Fatal(err)
	}
	if err := addTestAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	ts, _ := startServer(t, db, Options{NoWarm: true, NoSQL: true})
	return ts.URL
}

// With more than 60 districts the overview's coverage chart shows cities,
// with more than 60 cities provinces; the ranking shows its top 20 and links
// to all.
func TestOverviewOfALargeRegistry(t *testing.T) {
	var b strings.Builder
	b.WriteString("code,name,level,parent_code\n32,江苏省,province,\n")
	for c := 1; c <= 3; c++ {
		fmt.Fprintf(&b, "32%02d,市%d,city,32\n", c, c)
		for d := 1; d <= 25; d++ {
			fmt.Fprintf(&b, "32%02d%02d,区%d-%d,district,32%02d\n", c, d, c, d, c)
		}
	}
	base := serveRegistry(t, b.String())
	// No embedded city map fits these made-up cities: the map page draws tiles.
	if _, page := escReq(t, "GET", base+"/map?period=2026Q3", nil); !has(page, "map.tiles") {
		t.Error("the map of a registry without boundaries is not drawn as tiles")
	}
	_, body := escReq(t, "GET", base+"/?period=2026Q3", nil)
	if !has(body, "ov.coverage.city") {
		t.Error("75 districts in 3 cities: the chart is not by city")
	}
	if !strings.Contains(body, template.HTMLEscapeString(strings.SplitN(locale.T(locale.ZH, "ov.allranking", 75), "%", 2)[0])) {
		t.Error("no link to the whole ranking")
	}
	b.Reset()
	b.WriteString("code,name,level,parent_code\n")
	for p := 11; p <= 13; p++ {
		fmt.Fprintf(&b, "%d,省%d,province,\n", p, p)
		for c := 1; c <= 25; c++ {
			fmt.Fprintf(&b, "%d%02d,市%d-%d,city,%d\n", p, c, p, c, p)
			fmt.Fprintf(&b, "%d%02d01,区%d-%d,district,%d%02d\n", p, c, p, c, p, c)
		}
	}
	_, body = escReq(t, "GET", serveRegistry(t, b.String())+"/?period=2026Q3", nil)
	if !has(body, "ov.coverage.province") {
		t.Error("75 cities in 3 provinces: the chart is not by province")
	}
}
