package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sgz/locale"
	"sgz/registry"
)

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := clientFor(t, url).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v\n%s", url, err, body)
		}
	}
	return resp.StatusCode
}

func TestAPIIndicatorsShape(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{})
	var rows []map[string]any
	if code := getJSON(t, ts.URL+"/api/v1/indicators?period=2026Q3&level=district", &rows); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	// The contract's keys with completeness (interfaces.md "(b)"): as_of and
	// as_of_mixed on stock rows that have a quarter.
	want := []string{"unit_code", "unit_name", "level", "period", "indicator", "value", "numerator", "denominator", "reported", "expected"}
	var sawMissing, sawStation bool
	for _, r := range rows {
		n := len(want)
		if _, ok := r["as_of"]; ok {
			if _, ok := r["as_of_mixed"]; !ok {
				t.Fatalf("as_of without as_of_mixed: %v", r)
			}
			n += 2
		}
		if len(r) != n {
			t.Fatalf("keys %v, want exactly %v (and as_of, as_of_mixed for stocks)", r, want)
		}
		for _, k := range want {
			if _, ok := r[k]; !ok {
				t.Fatalf("no %s in %v", k, r)
			}
		}
		if r["period"] != "2026Q3" || r["level"] != "district" {
			t.Fatalf("bad row %v", r)
		}
		if r["unit_code"] == fixtureLate && r["indicator"] == "station_coverage" {
			sawMissing = r["value"] == nil
		}
		if r["unit_code"] == "320505" && r["indicator"] == "station_coverage" {
			v, _ := r["value"].(float64)
			n, _ := r["numerator"].(float64)
			d, _ := r["denominator"].(float64)
			sawStation = d > 0 && v > 0 && v <= 1 && abs(v-n/d) < 1e-4
		}
		if r["indicator"] == "certified_total" && (r["numerator"] != nil || r["denominator"] != nil) {
			t.Fatalf("a count has numerator/denominator: %v", r)
		}
	}
	if !sawMissing {
		t.Error("the district without a return should have a null value")
	}
	if !sawStation {
		t.Error("station_coverage of 320505 should be numerator/denominator, a fraction")
	}
	var city []map[string]any
	getJSON(t, ts.URL+"/api/v1/indicators?period=2026&level=city", &city)
	if len(city) == 0 || city[0]["unit_code"] != "3205" || city[0]["period"] != "2026" {
		t.Fatalf("city: %v", city)
	}
	var towns []map[string]any
	getJSON(t, ts.URL+"/api/v1/indicators?period=2026Q3&level=town", &towns)
	if len(towns) == 0 || towns[0]["level"] != "town" {
		t.Fatal("no towns")
	}
	var e map[string]any
	if code := getJSON(t, ts.URL+"/api/v1/indicators?period=bad", &e); code != 400 {
		t.Errorf("bad period: %d", code)
	}
	if code := getJSON(t, ts.URL+"/api/v1/indicators?period=2026Q3&level=planet", &e); code != 400 {
		t.Errorf("bad level: %d", code)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestAPIAssessmentShape(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{})
	var rows []map[string]any
	if code := getJSON(t, ts.URL+"/api/v1/assessment?period=2026Q3", &rows); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(rows) != 10 {
		t.Fatalf("%d districts", len(rows))
	}
	prev := 1e9
	for i, r := range rows {
		if len(r) != 7 {
			t.Fatalf("keys: %v", r)
		}
		if r["reported"] == false {
			if r["rank"] != nil || i != len(rows)-1 {
				t.Errorf("a district that did not report is ranked or not last: %v", r)
			}
			continue
		}
		scores, ok := r["scores"].(map[string]any)
		if !ok || len(scores) == 0 {
			t.Fatalf("scores: %v", r)
		}
		total := r["total"].(float64)
		sum := 0.0
		for _, v := range scores {
			sum += v.(float64)
		}
		if abs(sum-total) > 0.05 {
			t.Errorf("total %v != sum %v", total, sum)
		}
		if total > prev {
			t.Error("not ranked")
		}
		prev = total
		if rank := r["rank"].(float64); rank < 1 || int(rank) > i+1 {
			t.Errorf("rank %v at %d", rank, i)
		}
	}
	if rows[len(rows)-1]["unit_code"] != fixtureLate {
		t.Errorf("the district without a return should rank last: %v", rows[len(rows)-1])
	}
}

func TestStaticAndHeaders(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{})
	for _, u := range []string{"/static/", "/static/vendor/", "/static/vendor/echarts/", "/static/" + assetVersion + "/vendor/"} {
		resp, err := http.Get(ts.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404 (no listing)", u, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+"/static/"+assetVersion+"/vendor/echarts/echarts.min.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("echarts headers: %v", resp.Header)
	}
	resp, err = clientFor(t, ts.URL).Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Error("no CSP")
	}
	if strings.Contains(string(body), "http://") || strings.Contains(string(body), "https://") {
		t.Error("the page names an outside URL")
	}
	// The reporting page shows the fixture's script-like name (xss.xlsx), as text.
	resp, err = clientFor(t, ts.URL).Get(ts.URL + "/reporting?period=2026Q3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "<script>alert") || !strings.Contains(string(body), template.HTMLEscapeString(xssName)) {
		t.Error("the name on the reporting page is not shown escaped")
	}
}

// TestNumbersFollowWrites: without a browser, an accepted upload and a send
// back change the API at once (the cache is dropped on every write).
func TestNumbersFollowWrites(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	cl := clientFor(t, ts.URL)
	value := func() any {
		var rows []map[string]any
		getJSON(t, ts.URL+"/api/v1/indicators?level=district&indicator=room_coverage&period=2026Q3", &rows)
		for _, r := range rows {
			if r["unit_code"] == fixtureLate {
				return r["value"]
			}
		}
		return "absent"
	}
	if v := value(); v != nil {
		t.Fatalf("before: %v", v)
	}
	resp, err := cl.Get(ts.URL + "/upload?district=" + fixtureLate)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var buf bytes.Buffer
	ct := multipartFile(&buf, "good.xlsx", workbook(t, registry.Suzhou(), fixtureLate, fixtureLast))
	req, _ := http.NewRequest("POST", ts.URL+"/upload", &buf)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", ts.URL)
	resp, err = cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	id := returnParam(loc)
	if id == "" {
		t.Fatalf("upload: %d %s", resp.StatusCode, loc)
	}
	if v := value(); v == nil {
		t.Fatal("an accepted upload did not change the API")
	}
	// The same bytes again: "unchanged", nothing stored, the page says so.
	buf.Reset()
	ct = multipartFile(&buf, "good-again.xlsx", workbook(t, registry.Suzhou(), fixtureLate, fixtureLast))
	req, _ = http.NewRequest("POST", ts.URL+"/upload", &buf)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", ts.URL)
	resp, err = cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "unchanged=1&return="+id) {
		t.Fatalf("identical upload: %s", loc)
	}
	resp, err = cl.Get(ts.URL + resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), `data-status="unchanged"`) || !strings.Contains(string(page), "完全相同") {
		t.Error("the page does not say the upload was unchanged")
	}
	// A cross-site post is refused.
	req, _ = http.NewRequest("POST", ts.URL+"/reporting/"+id+"/sendback", strings.NewReader(url.Values{"reason": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	resp, _ = cl.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site send back: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", ts.URL+"/reporting/"+id+"/sendback", strings.NewReader(url.Values{"reason": {"数据有误"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := value(); v != nil {
		t.Errorf("a return sent back still counts: %v", v)
	}
	// The district's page shows why.
	resp, err = cl.Get(ts.URL + "/upload")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "数据有误") {
		t.Error("the reason is not on the district's upload page")
	}
	// An oversized upload is refused without being recorded.
	small, _, smallDB := newTestServer(t, Options{NoWarm: true, MaxUpload: 1000})
	counts := func() string {
		var n, files, issues int
		if err := smallDB.QueryRow(`SELECT (SELECT count(*) FROM returns), (SELECT count(*) FROM return_files),
			(SELECT count(*) FROM return_issues)`).Scan(&n, &files, &issues); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d returns, %d files, %d issues", n, files, issues)
	}
	before := counts()
	buf.Reset()
	ct = multipartFile(&buf, "big.xlsx", bytes.Repeat([]byte("x"), 5000))
	req, _ = http.NewRequest("POST", small.URL+"/upload?district=320505", &buf)
	req.Header.Set("Content-Type", ct)
	resp, err = clientFor(t, small.URL).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc = resp.Header.Get("Location")
	if !strings.Contains(loc, "toolarge") {
		t.Errorf("oversized upload: %d %s", resp.StatusCode, loc)
	}
	if after := counts(); after != before {
		t.Errorf("an oversized upload was recorded: before %s, after %s", before, after)
	}
	// The page it leads to says why, with the limit.
	resp, err = clientFor(t, small.URL).Get(small.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := locale.T(locale.ZH, "up.toolarge", mib(1000)); !strings.Contains(string(b), template.HTMLEscapeString(want)) {
		t.Errorf("the upload page does not say %q", want)
	}
}
