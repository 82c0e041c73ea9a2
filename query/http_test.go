package query

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
)

func server(t *testing.T, lim Limits) (*httptest.Server, *Engine) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	_, e := locked(t, lim)
	r := gin.New()
	Routes(r.Group("/api/v1/sql"), e)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, e
}

func post(t *testing.T, srv *httptest.Server, path, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return resp.StatusCode, out
}

func TestRoutes(t *testing.T) {
	srv, e := server(t, Limits{MaxRows: 5})
	db := e.DB()
	before := fingerprint(t, db)

	code, out := post(t, srv, "/api/v1/sql/query", `{"sql": "SELECT district_code, period, town_code FROM v_stations ORDER BY ALL", "session": "s1"}`)
	if code != 200 || out["truncated"] != true || len(out["rows"].([]any)) != 5 {
		t.Fatalf("query: %d %v", code, out)
	}
	cols := out["columns"].([]any)
	if c := cols[0].(map[string]any); c["name"] != "district_code" || c["type"] != "VARCHAR" {
		t.Errorf("columns %v", cols)
	}
	if _, ok := out["elapsed_ms"].(float64); !ok {
		t.Errorf("elapsed_ms missing: %v", out)
	}

	// exact decimals are JSON numbers
	_, out = post(t, srv, "/api/v1/sql/query", `{"sql": "SELECT 12.5::DECIMAL(18,4) AS d, 123456789012345678901::HUGEINT AS h"}`)
	if r := out["rows"].([]any)[0].([]any); r[0] != 12.5 || r[1] != 1.2345678901234568e+20 {
		t.Errorf("numbers: %v", r)
	}

	// refused, in the request's language
	code, out = post(t, srv, "/api/v1/sql/query?lang=en", `{"sql": "DROP TABLE stations", "session": "s1"}`)
	errObj, _ := out["error"].(map[string]any)
	if code != 400 || errObj["code"] != "not_select" || !strings.Contains(errObj["message"].(string), "refused") {
		t.Errorf("refused (en): %d %v", code, out)
	}
	_, out = post(t, srv, "/api/v1/sql/query", `{"sql": "SELECT phone FROM returns"}`)
	errObj, _ = out["error"].(map[string]any)
	if errObj["code"] != "forbidden_table" || !strings.Contains(errObj["message"].(string), "视图") {
		t.Errorf("refused (zh): %v", out)
	}
	_, out = post(t, srv, "/api/v1/sql/query", `{"sql": "COPY v_stations TO '/tmp/x.csv'"}`, "Accept-Language", "en-US,en;q=0.9")
	if m := out["error"].(map[string]any)["message"].(string); !strings.Contains(m, "only reading") {
		t.Errorf("Accept-Language: %v", m)
	}
	code, _ = post(t, srv, "/api/v1/sql/query", `not json`)
	if code != 400 {
		t.Errorf("bad json: %d", code)
	}

	// CSV: UTF-8 with a BOM, every row (the download limit, not the display one)
	resp, err := http.Get(srv.URL + "/api/v1/sql/query.csv?session=s1&sql=" + url.QueryEscape("SELECT town_code, district_name FROM v_stations ORDER BY ALL"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\ufefftown_code,district_name\n")) ||
		strings.Count(string(body), "\n") != 9 || !strings.Contains(string(body), "常熟市") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), ".csv") {
		t.Errorf("csv: %d %q", resp.StatusCode, body)
	}
	// a refused download is a JSON error
	resp, _ = http.Get(srv.URL + "/api/v1/sql/query.csv?sql=" + url.QueryEscape("SELECT * FROM read_csv('/etc/passwd')"))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "forbidden_function") {
		t.Errorf("refused csv: %d %s", resp.StatusCode, body)
	}

	// XLSX, by form
	resp, err = http.PostForm(srv.URL+"/api/v1/sql/query.xlsx", url.Values{"sql": {"SELECT town_code, built_on, resident, amount FROM v_stations JOIN v_funds USING (return_id) ORDER BY ALL"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d %s", resp.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("query")
	f.Close()
	if len(rows) != 17 || rows[0][0] != "town_code" || rows[1][1] != "2025-05-01" {
		t.Errorf("xlsx rows %d: %v", len(rows), rows[:2])
	}

	// views, examples, history
	var views []View
	getJSON(t, srv.URL+"/api/v1/sql/views", &views)
	if len(views) < 16 || views[0].Comment == "" || views[0].Columns[0].Comment == "" {
		t.Errorf("views %v", views)
	}
	var ex []Example
	getJSON(t, srv.URL+"/api/v1/sql/examples", &ex)
	if len(ex) != len(Examples) {
		t.Errorf("examples %d", len(ex))
	}
	var hist []HistoryEntry
	getJSON(t, srv.URL+"/api/v1/sql/history?session=s1", &hist)
	if len(hist) != 3 || !strings.Contains(hist[0].SQL, "SELECT town_code") || hist[1].OK {
		t.Errorf("history %+v", hist)
	}
	if resp, _ := http.Get(srv.URL + "/api/v1/sql/history"); resp.StatusCode != 400 {
		t.Errorf("history without session: %d", resp.StatusCode)
	}

	// only query_history may have changed
	after := fingerprint(t, db)
	if strip(before) != strip(after) {
		t.Errorf("the database changed:\n%s\n%s", before, after)
	}
}

func strip(fp string) string {
	var keep []string
	for _, l := range strings.Split(fp, "\n") {
		if !strings.Contains(l, "query_history") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// postNoFatal is post for a goroutine: it reports a failure as an error
// (t.Fatal must not be called outside the test's goroutine).
func postNoFatal(srv *httptest.Server, path, body string) (int, map[string]any, error) {
	resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

// hangLimit bounds the waits below: reaching it means a hang, not slowness
// (the machine may be loaded; speed is measured in benchmarks).
const hangLimit = 2 * time.Minute

// A query that would run for minutes is stopped at the time limit, and the
// server answers other requests meanwhile.
func TestSlowQueryDoesNotBlock(t *testing.T) {
	// Every request here comes from one address, one user for userOf: let
	// that user run two at once (one user's queries wait for each other:
	// TestConsoleBusyAndBombOverHTTP).
	const limit = 3 * time.Second
	srv, e := server(t, Limits{Timeout: limit, PerUser: 2})
	type answer struct {
		code int
		out  map[string]any
		err  error
		took time.Duration
	}
	done := make(chan answer, 1)
	start := time.Now()
	go func() {
		code, out, err := postNoFatal(srv, "/api/v1/sql/query?lang=en", `{"sql": "SELECT count(*) FROM range(1000000000) a, range(1000000000) b WHERE a.range + b.range = 7"}`)
		done <- answer{code, out, err, time.Since(start)}
	}()
	// Wait until the slow query holds its slot, so the quick ones really run
	// beside it.
	for runningNow(e) == 0 {
		select {
		case a := <-done:
			t.Fatalf("the slow query ended before it started running: %+v", a)
		case <-time.After(time.Millisecond):
		}
		if time.Since(start) > hangLimit {
			t.Fatal("the slow query never started")
		}
	}
	quick := 0
	for i := 0; i < 3; i++ {
		code, out := post(t, srv, "/api/v1/sql/query", `{"sql": "SELECT count(*) AS n FROM v_stations"}`)
		if code != 200 {
			t.Fatalf("during the slow query: %d %v", code, out)
		}
		if runningNow(e) > 0 { // still running beside the slow one
			quick++
		}
	}
	if quick == 0 && time.Since(start) < limit {
		t.Error("no quick query answered while the slow one ran")
	}
	var a answer
	select {
	case a = <-done:
	case <-time.After(hangLimit):
		t.Fatal("the slow query was never stopped")
	}
	if a.err != nil {
		t.Fatal(a.err)
	}
	if a.code != http.StatusRequestTimeout || a.out["error"].(map[string]any)["code"] != "timeout" {
		t.Errorf("slow query: %d %v", a.code, a.out)
	}
	if a.took < limit {
		t.Errorf("stopped after %s, before the limit of %s", a.took, limit)
	}
	t.Logf("slow query stopped after %s (limit %s)", a.took, limit)
}

// runningNow is how many console queries hold a turn.
func runningNow(e *Engine) int {
	e.sched.mu.Lock()
	defer e.sched.mu.Unlock()
	return e.sched.running
}
