package query

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"sgz/locale"
	"sgz/store"
)

func testWorkers() Workers {
	return Workers{Command: []string{os.Args[0]}, Env: []string{"SGZ_TEST_SQL_WORKER=1"}}
}

// isolated is an engine over the fixture whose queries run in workers. The
// server's database is not locked down: analysts' SQL never runs in it.
func isolated(t testing.TB, lim Limits) (*store.DB, *Engine) {
	t.Helper()
	db := fixture(t)
	e, err := NewIsolated(context.Background(), db, lim, testWorkers())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return db, e
}

func TestWorkerAnswersAsInProcess(t *testing.T) {
	_, in := locked(t, Limits{MaxRows: 3})
	_, out := isolated(t, Limits{MaxRows: 3})
	ctx := context.Background()
	for _, q := range []string{
		"SELECT district_code, period, town_code, built FROM v_stations ORDER BY ALL",
		"SELECT 1::DECIMAL(18,4) / 3 AS d, 2.5::DOUBLE AS f, 9007199254740993::BIGINT AS big, DATE '2026-09-30' AS day, NULL AS n, [1, 2] AS l, {'a': '社工站'} AS s",
		"SELECT 'x' AS a WHERE false",
	} {
		want, err := in.Run(ctx, q, locale.ZH)
		if err != nil {
			t.Fatal(err)
		}
		got, err := out.Run(ctx, q, locale.ZH)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if !reflect.DeepEqual(got.Columns, want.Columns) || got.Truncated != want.Truncated ||
			fmt.Sprint(got.Rows) != fmt.Sprint(want.Rows) {
			t.Errorf("%s:\nworker     %v %v %v\nin process %v %v %v", q, got.Columns, got.Rows, got.Truncated,
				want.Columns, want.Rows, want.Truncated)
		}
	}
}

func TestWorkerKeepsTheGuards(t *testing.T) {
	db, e := isolated(t, Limits{})
	before := fingerprint(t, db)
	for q, code := range map[string]string{
		"DELETE FROM stations":                       "not_select",
		"SELECT 1; DELETE FROM stations":             "multiple",
		"SELECT * FROM returns":                      "forbidden_table",
		"SELECT * FROM read_csv('/etc/passwd')":      "forbidden_function",
		"COPY stations TO '/tmp/sgz-leak.csv'":       "not_select",
		"ATTACH '/tmp/sgz-other.duckdb' AS o":        "not_select",
		"SELECT * FROM v_stations, v_nonexistent":    "forbidden_table",
		"SELECT current_setting('memory_limit')":     "forbidden_function",
		"SELECT count(*) FROM query('FROM returns')": "forbidden_function",
	} {
		_, err := e.Run(context.Background(), q, locale.ZH)
		if got := AsError(err).Code; got != code {
			t.Errorf("%s: code %q (%v), want %q", q, got, err, code)
		}
	}
	if after := fingerprint(t, db); after != before {
		t.Error("the database changed")
	}
}

// peakRSS is the process's high-water resident memory, bytes.
func peakRSS(t testing.TB) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("this system has no /proc/self/status (not Linux), where the process's peak memory is read from; the memory ceiling it checks is Linux's RLIMIT_DATA")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func TestWorkerMemoryBombsStopInTheWorker(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory does not fit under the ceiling")
	}
	_, e := isolated(t, Limits{MemoryLimit: "400MB"})
	ctx := context.Background()
	// Start the high-water mark afresh: earlier tests ran queries in this
	// process.
	hwm := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, q := range []string{"SELECT repeat('x', 1000000000) AS x", "SELECT list(range(500000000)) AS x"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.Run(WithUser(ctx, fmt.Sprint("analyst", i)), q, locale.ZH)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		qe := AsError(err)
		if qe.Code != "memory" || !strings.Contains(qe.In(locale.ZH), "400MB") || !strings.Contains(qe.In(locale.EN), "memory limit of 400MB") {
			t.Errorf("bomb %d: %v (%s)", i, err, qe.Code)
		}
	}
	// Either bomb alone would take this process past 1 GB (4.9 GB measured).
	if rss := peakRSS(t); hwm && rss > 1<<30 {
		t.Errorf("the test process peaked at %d MB", rss>>20)
	}
	// The engine goes on.
	res, err := e.Run(ctx, "SELECT count(*) AS n FROM v_returns", locale.ZH)
	if err != nil || fmt.Sprint(res.Rows) != "[[5]]" {
		t.Fatalf("after the bombs: %v %v", res, err)
	}
}

func TestWorkerLimitsResultAndTime(t *testing.T) {
	_, e := isolated(t, Limits{MaxResultBytes: 1 << 20, Timeout: 2 * time.Second})
	ctx := context.Background()
	_, err := e.Run(ctx, "SELECT repeat('x', 2000000) AS x", locale.EN)
	if qe := AsError(err); qe.Code != "too_large" || !strings.Contains(qe.In(locale.EN), "1 MB") {
		t.Errorf("large row: %v", err)
	}
	_, err = e.Run(ctx, "SELECT sum(range) FROM range(100000000000000)", locale.ZH)
	if qe := AsError(err); qe.Code != "timeout" || !strings.Contains(qe.In(locale.ZH), "2s") {
		t.Errorf("slow query: %v", err)
	}
}

func TestWorkerSnapshotFollowsWrites(t *testing.T) {
	db, e := isolated(t, Limits{})
	ctx := context.Background()
	count := func() string {
		t.Helper()
		res, err := e.Run(ctx, "SELECT count(*) FROM v_returns", locale.ZH)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(res.Rows)
	}
	if got := count(); got != "[[5]]" {
		t.Fatalf("count %s", got)
	}
	// The query history is written after every query: no new snapshot for it.
	for range 2 {
		res, err := e.Run(ctx, "SELECT 1", locale.ZH)
		if err := e.Record(ctx, "s1", "SELECT 1", res, err); err != nil {
			t.Fatal(err)
		}
	}
	count()
	if e.pool.seq != 1 {
		t.Errorf("%d snapshots for one state of the data", e.pool.seq)
	}
	err := db.Write(ctx, func(w *store.Writer) error {
		return w.Exec(`INSERT INTO returns SELECT * REPLACE (6 AS return_id) FROM returns WHERE return_id = 4`)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(); got != "[[6]]" {
		t.Errorf("after a write: %s", got)
	}
	// The old snapshot is gone once unused; one file (and no log) remains.
	files, _ := filepath.Glob(filepath.Join(e.pool.dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], "snapshot-2.duckdb") {
		t.Errorf("snapshot files: %v", files)
	}
	dir := e.pool.dir
	e.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left %s", dir)
	}
}

func TestSchedulerTurns(t *testing.T) {
	s := newScheduler(1, 1, 2)
	ctx := context.Background()
	relA, err := s.acquire(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 4)
	var wg sync.WaitGroup
	wait := func(user string, running, waiting int) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); { // a hang, not a speed
			if r, w, _ := s.stats(user); r == running && w == waiting {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("%s never had %d running, %d waiting", user, running, waiting)
	}
	queue := func(user, name string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rel, err := s.acquire(ctx, user)
			if err != nil {
				order <- "error " + err.Error()
				return
			}
			order <- name
			rel()
		}()
	}
	queue("a", "a2")
	wait("a", 1, 1)
	queue("a", "a3")
	wait("a", 1, 2)
	// One running and two waiting: a fourth is refused at once.
	if _, err := s.acquire(ctx, "a"); AsError(err).Code != "busy" || !strings.Contains(AsError(err).In(locale.ZH), "3 条") {
		t.Errorf("fourth query of a: %v", err)
	}
	queue("b", "b1")
	wait("b", 0, 1)
	// A waiting query given up leaves the line.
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { _, err := s.acquire(cctx, "c"); done <- err }()
	wait("c", 0, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("canceled wait: %v", err)
	}
	relA()
	wg.Wait()
	close(order)
	var got []string
	for n := range order {
		got = append(got, n)
	}
	// b, who has not had a turn, goes before a's second query.
	if strings.Join(got, " ") != "b1 a2 a3" {
		t.Errorf("order %v", got)
	}
	if r, w, total := s.stats("a"); r != 0 || w != 0 || total != 0 {
		t.Errorf("left %d %d %d", r, w, total)
	}
}

func TestConsoleBusyAndBombOverHTTP(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory does not fit under the ceiling")
	}
	gin.SetMode(gin.TestMode)
	_, e := isolated(t, Limits{MemoryLimit: "300MB", Timeout: time.Minute})
	r := gin.New()
	Routes(r.Group("/api/v1/sql"), e)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	code, out := post(t, srv, "/api/v1/sql/query", `{"sql": "SELECT repeat('x', 1000000000) AS x"}`)
	msg := fmt.Sprint(out["error"])
	if code != http.StatusUnprocessableEntity || !strings.Contains(msg, "memory") || !strings.Contains(msg, "300MB") {
		t.Errorf("bomb: %d %v", code, out)
	}
	// Three slow queries of one analyst (one running, two waiting), then a
	// fourth: 429 in the analyst's language.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/sql/query",
				strings.NewReader(`{"sql": "SELECT sum(range) FROM range(100000000000000)"}`))
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	for deadline := time.Now().Add(time.Minute); ; {
		if r, w, _ := e.sched.stats("127.0.0.1"); r == 1 && w == 2 {
			break
		}
		if time.Now().After(deadline) { // a hang, not a speed
			r, w, tot := e.sched.stats("127.0.0.1")
			t.Fatalf("the slow queries never queued: %d %d %d %v", r, w, tot, e.sched.users)
		}
		time.Sleep(time.Millisecond)
	}
	code, out = post(t, srv, "/api/v1/sql/query", `{"sql": "SELECT 1"}`)
	if code != http.StatusTooManyRequests || !strings.Contains(fmt.Sprint(out["error"]), "排队") {
		t.Errorf("fourth query: %d %v", code, out)
	}
	code, out = post(t, srv, "/api/v1/sql/query?lang=en", `{"sql": "SELECT 1"}`)
	if code != http.StatusTooManyRequests || !strings.Contains(fmt.Sprint(out["error"]), "waiting") {
		t.Errorf("fourth query (en): %d %v", code, out)
	}
	cancel()
	wg.Wait()
}

// The console's CSV, answered by a worker, neutralises a registry name that
// is a formula.
func TestWorkerCSVNeutralisesFormulas(t *testing.T) {
	gin.SetMode(gin.TestMode)
	db, e := isolated(t, Limits{})
	evil := `=HYPERLINK("http://evil.example/","x")`
	err := db.Write(context.Background(), func(w *store.Writer) error {
		return w.Exec(`UPDATE registry_units SET name = ? WHERE code = '320581'`, evil)
	})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	Routes(r.Group("/api/v1/sql"), e)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/api/v1/sql/query.csv?sql=" +
		url.QueryEscape("SELECT DISTINCT name, -3.5 AS x FROM v_registry WHERE code = '320581'"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	want := "\ufeffname,x\n\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\",-3.5\n"
	if resp.StatusCode != 200 || string(b) != want {
		t.Errorf("%d %q, want %q", resp.StatusCode, b, want)
	}
}

// A worker that dies for another reason than its memory says so, with its
// last words; and it sees none of the server's environment but what it needs.
func TestWorkerFailureAndEnvironment(t *testing.T) {
	db := fixture(t)
	t.Setenv("SGZ_SESSION_KEY", "secret")
	e, err := NewIsolated(context.Background(), db, Limits{}, Workers{
		Command: []string{"/bin/sh", "-c", `echo "broken${SGZ_SESSION_KEY}" >&2; exit 3`}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = e.Run(context.Background(), "SELECT 1", locale.EN)
	qe := AsError(err)
	if qe.Code != "internal" || qe.In(locale.EN) != "the query's process ended unexpectedly (exit status 3): broken" ||
		!strings.Contains(qe.In(locale.ZH), "查询进程意外退出") {
		t.Errorf("%s: %s", qe.Code, qe.In(locale.EN))
	}
}
