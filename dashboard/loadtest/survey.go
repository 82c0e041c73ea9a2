package main

// The survey: every page of the permission table's navigation (and the
// pages behind it: a district, an indicator, a return, the year view) and the
// JSON API, each measured on its own under the same number of concurrent
// clients, against a server already running (`sgz serve`), so that the
// server's memory can be read from /proc/PID/status. Pages are requested by
// logged-in sessions (the login form, as a browser), the API with a token.
//
//	go run ./dashboard/loadtest -server http://127.0.0.1:8080 -user NAME -password-file F -token-file T -pid PID
//
// For every URL it prints the first request (the server computing it, unless
// its start-up warming did) and then the p50/p95/p99 of -per-url requests
// from -clients clients. URLs with {district} rotate over -districts district
// codes spread over the country (a leader looks at many districts, each
// computed once). -out FILE writes the same as tab-separated lines.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type surveyOpts struct {
	base, user, password, token string
	pid                         int
	clients, perURL, districts  int
	dur                         time.Duration
	period, year                string
	out                         string
	only                        string // a regexp: only the URLs whose name or path match
}

// target is one URL of the survey.
type target struct {
	kind, name, path string // kind: page or api
}

type surveyResult struct {
	target
	first                   float64 // ms, the first request
	n, fails                int
	p50, p95, p99, max, rps float64
	bytes                   int64 // of one answer as sent (gzip where the server compresses)
	hwm                     int64 // server's VmHWM after this URL, KB
}

func survey(o surveyOpts) {
	o.base = strings.TrimRight(o.base, "/")
	api := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2}, Timeout: 120 * time.Second}
	getWith := func(c *http.Client, path string, bearer bool) (int, int64, error) {
		req, _ := http.NewRequest("GET", o.base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		if bearer {
			req.Header.Set("Authorization", "Bearer "+o.token)
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, 0, err
		}
		nb, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nb, nil
	}
	apiJSON := func(path string, v any) {
		req, _ := http.NewRequest("GET", o.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+o.token)
		resp, err := api.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			log.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			log.Fatalf("%s: %v", path, err)
		}
	}

	// The period: the newest quarter with returns, unless given.
	if o.period == "" {
		var ps []string
		apiJSON("/api/v1/periods", &ps)
		if len(ps) == 0 {
			log.Fatal("the server has no period with returns")
		}
		sort.Strings(ps)
		o.period = ps[len(ps)-1]
	}
	if o.year == "" {
		o.year = o.period[:4]
	}
	// District codes spread over the country, and a return's id.
	var rows []struct {
		Code string `json:"unit_code"`
	}
	apiJSON("/api/v1/indicators?level=district&indicator=station_coverage&period="+o.period, &rows)
	var codes []string
	seen := map[string]bool{}
	for i := 0; i < len(rows) && len(codes) < o.districts; i += max(1, len(rows)/max(1, o.districts)) {
		if !seen[rows[i].Code] {
			seen[rows[i].Code] = true
			codes = append(codes, rows[i].Code)
		}
	}
	if len(codes) == 0 {
		log.Fatal("no district in /api/v1/indicators")
	}
	var rep struct {
		Rows []struct {
			ReturnID *int64 `json:"return_id"`
		} `json:"rows"`
	}
	apiJSON("/api/v1/reporting?period="+o.period, &rep)
	returnID := ""
	for _, r := range rep.Rows {
		if r.ReturnID != nil {
			returnID = strconv.FormatInt(*r.ReturnID, 10)
			break
		}
	}
	fmt.Printf("survey of %s: period %s, year %s, %d districts rotated (%s…), %d clients, %d requests or %s per URL\n",
		o.base, o.period, o.year, len(codes), codes[0], o.clients, o.perURL, o.dur)

	p, y := o.period, o.year
	targets := []target{
		{"ref", "/healthz (no account; reference)", "/healthz"},
		{"page", "overview", "/?period=" + p},
		{"page", "overview, year", "/?period=" + y},
		{"page", "big screen", "/big?period=" + p},
		{"page", "map", "/map?period=" + p},
		{"page", "indicators", "/indicators?period=" + p},
		{"page", "indicator (one, every district)", "/indicator/station_coverage?period=" + p},
		{"page", "assessment", "/assessment?period=" + p},
		{"page", "assessment, year", "/assessment?period=" + y},
		{"page", "district (its towns)", "/district/{district}?period=" + p},
		{"page", "district, year", "/district/{district}?period=" + y},
		{"page", "reporting", "/reporting?period=" + p},
		{"page", "SQL console", "/sql"},
		{"api", "indicators, district", "/api/v1/indicators?level=district&period=" + p},
		{"api", "indicators, city", "/api/v1/indicators?level=city&period=" + p},
		{"api", "indicators, province", "/api/v1/indicators?level=province&period=" + p},
		{"api", "indicators, district, year", "/api/v1/indicators?level=district&period=" + y},
		{"api", "indicators, one district's towns", "/api/v1/indicators?level=town&district={district}&period=" + p},
		{"api", "assessment", "/api/v1/assessment?period=" + p},
		{"api", "assessment, year", "/api/v1/assessment?period=" + y},
		{"api", "headline, a city", "/api/v1/headline?unit={city}&period=" + p},
		{"api", "headline, a district", "/api/v1/headline?unit={district}&period=" + p},
		{"api", "headline, a city, year", "/api/v1/headline?unit={city}&period=" + y},
		{"api", "forecast", "/api/v1/forecast?period=" + p},
		{"api", "reporting", "/api/v1/reporting?period=" + p},
		{"api", "periods", "/api/v1/periods"},
	}
	if returnID != "" {
		targets = append(targets[:13], append([]target{{"page", "a return", "/returns/" + returnID}}, targets[13:]...)...)
	}

	// Sessions: the first login changes the initial password when the
	// server asks for it (an account made by `sgz user add`).
	sessions := make([]*http.Client, o.clients)
	for i := range sessions {
		sessions[i] = sessionLogin(o.base, o.user, &o.password)
	}

	if o.only != "" {
		re := regexp.MustCompile(o.only)
		var keep []target
		for _, t := range targets {
			if re.MatchString(t.name) || re.MatchString(t.path) {
				keep = append(keep, t)
			}
		}
		targets = keep
	}
	var results []surveyResult
	for _, t := range targets {
		path := func(k int) string {
			d := codes[k%len(codes)]
			return strings.NewReplacer("{district}", d, "{city}", d[:4]).Replace(t.path)
		}
		get := func(i, k int) (int, int64, error) {
			if t.kind == "page" {
				return getWith(sessions[i], path(k), false)
			}
			return getWith(api, path(k), true)
		}
		t0 := time.Now()
		code, nb, err := get(0, 0)
		first := ms(time.Since(t0))
		if err != nil || code != 200 {
			log.Fatalf("%s: %v (status %d)", path(0), err, code)
		}
		r := surveyResult{target: t, first: first, bytes: nb}
		l := loadRun(o.clients, o.perURL, o.dur, func(i, k int) (int, error) {
			code, _, err := get(i, k)
			return code, err
		})
		r.n, r.fails = len(l.lat), l.fails
		if r.n > 0 {
			r.p50, r.p95, r.p99, r.max, r.rps = l.q(0.50), l.q(0.95), l.q(0.99), l.max(), l.rps()
		}
		r.hwm = vmHWM(o.pid)
		results = append(results, r)
		fmt.Printf("  %-4s %-34s first %8.1f ms  %5d req %6.0f/s  p50 %7.1f  p95 %7.1f  p99 %7.1f  max %7.1f ms  %8d B  %d failed  server peak %s\n",
			t.kind, t.name, r.first, r.n, r.rps, r.p50, r.p95, r.p99, r.max, r.bytes, r.fails, mb(r.hwm))
	}

	// Targets: every page p95 ≤ 300 ms, the API p99 ≤ 50 ms.
	worstPage, worstAPI := surveyResult{}, surveyResult{}
	for _, r := range results {
		if r.kind == "page" && r.p95 > worstPage.p95 {
			worstPage = r
		}
		if r.kind == "api" && r.p99 > worstAPI.p99 {
			worstAPI = r
		}
	}
	fmt.Printf("worst page p95 %.1f ms (%s), target 300 ms: %s\n", worstPage.p95, worstPage.name, verdict(worstPage.p95 <= 300))
	fmt.Printf("worst API p99 %.1f ms (%s), target 50 ms: %s\n", worstAPI.p99, worstAPI.name, verdict(worstAPI.p99 <= 50))
	if o.pid > 0 {
		fmt.Printf("server peak RSS (VmHWM) %s, target 1 GB: %s\n", mb(vmHWM(o.pid)), verdict(vmHWM(o.pid) <= 1<<20))
	}
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			log.Fatal(err)
		}
		w := bufio.NewWriter(f)
		fmt.Fprintln(w, "kind\tname\tpath\tfirst_ms\tn\tfailed\tp50_ms\tp95_ms\tp99_ms\tmax_ms\treq_s\tbytes\tserver_hwm_kb")
		for _, r := range results {
			fmt.Fprintf(w, "%s\t%s\t%s\t%.1f\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.0f\t%d\t%d\n",
				r.kind, r.name, r.path, r.first, r.n, r.fails, r.p50, r.p95, r.p99, r.max, r.rps, r.bytes, r.hwm)
		}
		w.Flush()
		f.Close()
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func mb(kb int64) string {
	if kb <= 0 {
		return "-"
	}
	return strconv.FormatInt(kb/1024, 10) + " MB"
}

// vmHWM is the peak resident size of process pid in KB (0 when unknown).
func vmHWM(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// sessionLogin logs a new client in through the login form. When the
// server sends it to /password (an initial password), it changes the
// password to *password + "-changed" and logs in with that from then on.
func sessionLogin(base, name string, password *string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 120 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfField.FindSubmatch(b)
		if m == nil {
			log.Fatalf("no csrf field on %s", path)
		}
		return string(m[1])
	}
	post := func(path string, v url.Values) *http.Response {
		resp, err := c.PostForm(base+path, v)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := post("/login", url.Values{"csrf": {csrf("/login")}, "name": {name}, "password": {*password}})
	if resp.StatusCode != http.StatusSeeOther {
		log.Fatalf("login as %s: %d", name, resp.StatusCode)
	}
	if resp.Header.Get("Location") == "/password" || strings.HasPrefix(resp.Header.Get("Location"), "/password?") {
		nw := *password + "-changed"
		resp = post("/password", url.Values{"csrf": {csrf("/password")}, "old": {*password}, "new": {nw}, "new2": {nw}})
		if resp.StatusCode != http.StatusSeeOther {
			log.Fatalf("changing the initial password of %s: %d", name, resp.StatusCode)
		}
		*password = nw
	}
	return c
}
