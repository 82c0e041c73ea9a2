// Command loadtest measures the dashboards on the whole-country data set:
// API latency under concurrent clients, and the time the overview takes to be
// ready in headless Chromium. Every request goes to 127.0.0.1; the number of
// requests and the time are bounded.
//
//	go run ./dashboard/loadtest -work /tmp/sgz-dash-load [-clients 32] [-requests 20000] [-duration 60s]
//	go run ./dashboard/loadtest -server URL -user NAME -password-file F -token-file T [-pid PID]   (survey.go)
//
// The first run builds WORK/national.duckdb: the registry of
// testdata/china-divisions-2023.csv.gz and one generated return per district
// for each of -periods, ingested with full validation.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/chromedp"

	"sgz"
	"sgz/auth"
	"sgz/dashboard"
	"sgz/gen"
	"sgz/ingest"
	"sgz/registry"
	"sgz/store"
)

func main() {
	work := flag.String("work", "/tmp/sgz-dash-load", "working folder (database, returns)")
	regFile := flag.String("registry", "testdata/china-divisions-2023.csv.gz", "registry CSV")
	periods := flag.String("periods", "2026Q2-2026Q3", "quarters of generated returns")
	clients := flag.Int("clients", 32, "concurrent clients")
	total := flag.Int("requests", 20000, "requests in all (bound)")
	dur := flag.Duration("duration", 60*time.Second, "time bound")
	overviewN := flag.Int("overview-requests", 5000, "requests of the overview page with logged-in clients (bound)")
	chromium := flag.String("chromium", "/usr/bin/chromium", "Chromium for the page timing ('' to skip)")
	var so surveyOpts
	flag.StringVar(&so.base, "server", "", "survey a running server at this URL (every page and API route, one at a time) instead of building and serving WORK")
	flag.StringVar(&so.user, "user", "", "survey: the account the pages log in as (admin and analyst roles, for every page)")
	pwFile := flag.String("password-file", "", "survey: file holding that account's password")
	tokFile := flag.String("token-file", "", "survey: file holding an API token (sgz token create)")
	flag.IntVar(&so.pid, "pid", 0, "survey: the server's process id, for its peak memory (VmHWM)")
	flag.IntVar(&so.perURL, "per-url", 640, "survey: requests per URL (bound)")
	flag.DurationVar(&so.dur, "per-url-duration", 30*time.Second, "survey: time per URL (bound)")
	flag.IntVar(&so.districts, "districts", 64, "survey: district codes rotated in the district URLs")
	flag.StringVar(&so.period, "period", "", "survey: the quarter (default: the newest with returns)")
	flag.StringVar(&so.year, "year", "", "survey: the year view (default: the quarter's year)")
	flag.StringVar(&so.only, "only", "", "survey: only the URLs whose name or path match this regexp")
	flag.StringVar(&so.out, "out", "", "survey: write the figures as tab-separated lines to this file")
	flag.Parse()
	if so.base != "" {
		so.clients = *clients
		so.password = strings.TrimSpace(readFile(*pwFile))
		so.token = strings.TrimSpace(readFile(*tokFile))
		survey(so)
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx := context.Background()
	if err := os.MkdirAll(*work, 0o755); err != nil {
		log.Fatal(err)
	}
	dbPath := filepath.Join(*work, "national.duckdb")
	_, statErr := os.Stat(dbPath)
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	sp, err := sgz.ParseSpan(*periods)
	if err != nil {
		log.Fatal(err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		build(ctx, db, *regFile, filepath.Join(*work, "returns"), sp.Quarters())
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM current_returns`).Scan(&n)
	fmt.Printf("database %s: %d current returns\n", dbPath, n)

	// An account for the load: an evaluator (dashboards and the reporting API).
	if u, _ := auth.FindUser(ctx, db, loadUser); u == nil {
		if _, err := auth.AddUser(ctx, db, auth.NewUser{Name: loadUser, Password: loadPassword, Roles: []auth.Role{auth.Evaluator}}, time.Now()); err != nil {
			log.Fatal(err)
		}
	}
	_, token, err := auth.CreateToken(ctx, db, loadUser, time.Hour, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv, err := dashboard.NewServer(db, dashboard.Options{PublicURL: "http://" + ln.Addr().String()})
	if err != nil {
		log.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go dashboard.ServeListener(sctx, ln, srv.Engine())
	base := "http://" + ln.Addr().String()
	p := sp.To.String()
	urls := []string{
		"/api/v1/indicators?level=district&period=" + p,
		"/api/v1/indicators?level=city&period=" + p,
		"/api/v1/indicators?level=province&period=" + p,
		"/api/v1/indicators?level=district&period=" + sp.String(),
		"/api/v1/assessment?period=" + p,
		"/api/v1/reporting?period=" + p,
	}
	cl := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}, Timeout: 30 * time.Second}
	get := func(u string) (time.Duration, int, error) {
		t0 := time.Now()
		req, _ := http.NewRequest("GET", base+u, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		// As a browser does; the bytes are counted as sent, not decoded
		// here (a real client decodes on its own CPU, not the server's).
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := cl.Do(req)
		if err != nil {
			return 0, 0, err
		}
		nb, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, 0, fmt.Errorf("%s: %d", u, resp.StatusCode)
		}
		return time.Since(t0), int(nb), nil
	}
	fmt.Println("cold (first request computes, then cached until a return is accepted or sent back):")
	for _, u := range urls {
		d, nb, err := get(u)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("  %-60s %8.1f ms %9d bytes\n", u, ms(d), nb)
	}
	// Warm pages too.
	for _, u := range []string{"/?period=" + p, "/assessment?period=" + p, "/map?period=" + p} {
		d, nb, err := get(u)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("  page %-55s %8.1f ms %9d bytes\n", u, ms(d), nb)
	}

	fmt.Printf("load: %d clients, at most %d requests or %s, round-robin over %d API URLs\n", *clients, *total, *dur, len(urls))
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var fails atomic.Int64
	deadline := time.Now().Add(*dur)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				k := next.Add(1)
				if k > int64(*total) {
					break
				}
				d, _, err := get(urls[int(k)%len(urls)])
				if err != nil {
					fails.Add(1)
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(f float64) float64 { return ms(lat[min(len(lat)-1, int(f*float64(len(lat))))]) }
	fmt.Printf("  %d requests in %.1f s (%.0f req/s), %d failed\n", len(lat), el.Seconds(), float64(len(lat))/el.Seconds(), fails.Load())
	fmt.Printf("  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n", q(0.50), q(0.95), q(0.99), ms(lat[len(lat)-1]))

	overviewLoad(base, "/?period="+p, *clients, *overviewN, *dur, token)

	if *chromium != "" {
		if _, err := os.Stat(*chromium); err == nil {
			pageTiming(*chromium, base, p)
		} else {
			fmt.Println("chromium not found: page timing skipped")
		}
	}
}

const (
	loadUser     = "load-evaluator"
	loadPassword = "load-password-2026"
)

// login logs a new client in through the login form: its own session.
func login(base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	if err != nil {
		log.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
	if m == nil {
		log.Fatal("no csrf field on /login")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "name": {loadUser}, "password": {loadPassword}})
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		log.Fatalf("login: %d", resp.StatusCode)
	}
	return c
}

// latencies is what loadRun measured: the time of each successful request
// (sorted), the failed ones, the wall time.
type latencies struct {
	lat   []time.Duration
	fails int
	el    time.Duration
}

// loadRun sends up to total requests (k = 1, 2, …) from clients at once
// until dur has passed: do(i, k) is client i's request k, its status (200
// counts as a success).
func loadRun(clients, total int, dur time.Duration, do func(i, k int) (int, error)) latencies {
	var next, fails atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				k := next.Add(1)
				if k > int64(total) {
					break
				}
				t0 := time.Now()
				code, err := do(i, int(k))
				if err != nil || code != 200 {
					fails.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return latencies{lat: lat, fails: int(fails.Load()), el: time.Since(start)}
}

// q is the f quantile in ms (0 when nothing succeeded).
func (l latencies) q(f float64) float64 {
	if len(l.lat) == 0 {
		return 0
	}
	return ms(l.lat[min(len(l.lat)-1, int(f*float64(len(l.lat))))])
}

func (l latencies) max() float64 { return l.q(1) }

func (l latencies) rps() float64 { return float64(len(l.lat)) / l.el.Seconds() }

// overviewLoad: the overview page requested by `clients` browsers, each
// logged in with its own session (cookie → session table → page), and, in
// the same run, the same page with an API token and /healthz (no account
// at all), as references.
func overviewLoad(base, page string, clients, total int, dur time.Duration, token string) {
	sessions := make([]*http.Client, clients)
	for i := range sessions {
		sessions[i] = login(base)
	}
	run := func(what string, do func(i int) (int, error)) {
		l := loadRun(clients, total, dur, func(i, _ int) (int, error) { return do(i) })
		if len(l.lat) == 0 {
			fmt.Printf("  %-44s no successful request, %d failed\n", what, l.fails)
			return
		}
		fmt.Printf("  %-44s %6d requests %6.0f req/s  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  max %6.2f ms  %d failed\n",
			what, len(l.lat), l.rps(), l.q(0.50), l.q(0.95), l.q(0.99), l.max(), l.fails)
	}
	get := func(c *http.Client, u string, hdr ...string) (int, error) {
		req, _ := http.NewRequest("GET", base+u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	plain := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}, Timeout: 30 * time.Second}
	fmt.Printf("overview %s, %d clients, at most %d requests or %s each line:\n", page, clients, total, dur)
	run("/healthz (no account; reference)", func(i int) (int, error) { return get(plain, "/healthz") })
	run("overview, API token (reference)", func(i int) (int, error) { return get(plain, page, "Authorization", "Bearer "+token) })
	run(fmt.Sprintf("overview, %d logged-in sessions", clients), func(i int) (int, error) { return get(sessions[i], page) })
}

func readFile(name string) string {
	if name == "" {
		log.Fatal("-server needs -user, -password-file and -token-file")
	}
	b, err := os.ReadFile(name)
	if err != nil {
		log.Fatal(err)
	}
	return string(b)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pageTiming loads the overview in headless Chromium (cache warm, as after the
// first visitor) and reports navigation start → every chart 'finished'.
func pageTiming(path, base, p string) {
	dir, _ := os.MkdirTemp("", "sgz-load-chromium-")
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1600, 1000))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(alloc)
	defer cancel2()
	if err := chromedp.Do(ctx); err != nil {
		log.Fatal(err)
	}
	ready := chromedp.Poll[bool](`window.sgzCharts && document.readyState === 'complete' && sgzCharts.finished >= sgzCharts.total && sgzCharts.total > 0`,
		chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(5*time.Millisecond))
	for _, u := range []string{"/?period=" + p, "/big?period=" + p, "/map?period=" + p} {
		var runs []float64
		for i := 0; i < 5; i++ {
			tctx, tcancel := context.WithTimeout(ctx, 30*time.Second)
			t0 := time.Now()
			err := chromedp.Do(tctx, chromedp.Navigate(base+u))
			if err == nil {
				_, err = chromedp.Run(tctx, ready)
			}
			tcancel()
			if err != nil {
				log.Fatalf("%s: %v", u, err)
			}
			runs = append(runs, ms(time.Since(t0)))
		}
		sort.Float64s(runs)
		fmt.Printf("browser: %-40s ready (all charts finished) median %.0f ms, max %.0f ms over %d loads (first load included)\n",
			u, runs[len(runs)/2], runs[len(runs)-1], len(runs))
	}
}

// build loads the registry and ingests one generated return per district and quarter.
func build(ctx context.Context, db *store.DB, regFile, dir string, qs []sgz.Period) {
	f, err := os.Open(regFile)
	if err != nil {
		log.Fatal(err)
	}
	reg, err := registry.ParseCSV(f, regFile)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	if err := registry.Save(ctx, db, reg, registry.BasePeriod, filepath.Base(regFile)); err != nil {
		log.Fatal(err)
	}
	var codes []string
	for _, d := range reg.OfLevel(sgz.District) {
		codes = append(codes, d.Code)
	}
	t0 := time.Now()
	files, err := gen.WriteSet(dir, reg, codes, qs, gen.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("generated %d returns in %.0f s\n", len(files), time.Since(t0).Seconds())
	// Oldest quarter first, so that corrections supersede in order.
	sort.SliceStable(files, func(i, j int) bool { return qOf(files[i]) < qOf(files[j]) })
	t0 = time.Now()
	out, err := ingest.Run(ctx, db, files, ingest.RunOptions{Source: "cli"})
	if err != nil {
		log.Fatal(err)
	}
	acc := 0
	for _, o := range out {
		if o.Status == "accepted" {
			acc++
		}
	}
	fmt.Printf("ingested %d returns (%d accepted) in %.0f s\n", len(out), acc, time.Since(t0).Seconds())
}

func qOf(p string) string {
	b := filepath.Base(p)
	if i := strings.LastIndex(b, "-"); i >= 0 {
		return b[i+1:]
	}
	return b
}
