package dashboard

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/ingest"
	"sgz/registry"
	"sgz/review"
)

// The district page, the reporting page and a return's page read the returns
// once per database generation (memoGen), not on every request: a write that
// does not drop the numbers' cache (a rejected return, a review made beside
// the server) must still show on the next request.
func TestReturnPagesFollowEveryWrite(t *testing.T) {
	ts, _, db := newTestServer(t, Options{})
	ctx := context.Background()
	const district = "320505" // 虎丘区: returns in the fixture
	page := func(path string) string {
		t.Helper()
		resp, b := fetch(t, ts.URL+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	distURL := "/district/" + district + "?period=" + fixtureLast.String()
	repURL := "/reporting?period=" + fixtureLast.String()
	// Twice each: the second answer comes from the cache.
	for range 2 {
		page(distURL)
		page(repURL)
	}

	// A rejected return, recorded straight into the database as `sgz ingest`
	// alone would (no Server.Invalidate).
	bad := workbook(t, registry.Suzhou(), district, fixtureLast, func(f *excelize.File) {
		setBelow(f, ingest.SheetStations, "驻站社工人数", 1, "三个")
	})
	name := filepath.Join(t.TempDir(), "虎丘区-2026Q3-拒收样例.xlsx")
	if err := os.WriteFile(name, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := ingest.Run(ctx, db, []string{name}, ingest.RunOptions{Source: "cli"})
	if err != nil || len(out) != 1 || out[0].Status != "rejected" {
		t.Fatalf("the bad return: %+v, %v", out, err)
	}
	if b := page(distURL); !strings.Contains(b, "拒收样例") {
		t.Error("the district page does not list the rejected return recorded after it was first shown")
	}
	if b := page(repURL); !strings.Contains(b, "拒收样例") {
		t.Error("the reporting page does not list the rejected return recorded after it was first shown")
	}

	// A review made beside the server shows on the return's page at once.
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = ? AND period = ?`, district, fixtureLast.String()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	retURL := "/returns/" + strconv.FormatInt(id, 10)
	before := page(retURL)
	page(retURL)
	if _, err := review.SendBack(ctx, db, id, review.Act{By: "scale-test", Reason: "请核对驻站社工人数（测试）"}); err != nil {
		t.Fatal(err)
	}
	after := page(retURL)
	if strings.Contains(before, "请核对驻站社工人数（测试）") || !strings.Contains(after, "请核对驻站社工人数（测试）") {
		t.Error("the return's page does not show a send-back made after it was first shown")
	}
}

// A headline that cannot be given (several cities, an unknown unit) is a
// user's error found by computing every city: it is memoized like a
// headline, until the next write, instead of being computed again on every
// overview request (3–6 s each on the national database).
func TestHeadlineErrorIsMemoized(t *testing.T) {
	_, s, _ := newTestServer(t, Options{})
	ctx := context.Background()
	sp := sgz.QuarterSpan(fixtureLast)
	_, err1 := s.headlineOf(ctx, sp, "999999")
	if err1 == nil {
		t.Fatal("an unknown unit has a headline")
	}
	s.calc.mu.Lock()
	e := s.calc.memo["HV|"+sp.String()+"|999999"]
	s.calc.mu.Unlock()
	if e == nil || e.err != nil {
		t.Fatalf("the unknown unit's answer is not memoized: %+v", e)
	}
	_, err2 := s.headlineOf(ctx, sp, "999999")
	if err2 == nil || err2.Error() != err1.Error() {
		t.Errorf("memoized answer %v, first %v", err2, err1)
	}
	if h, err := s.headlineOf(ctx, sp, ""); err != nil || h == nil || h.UnitCode != "3205" {
		t.Errorf("the city's headline: %+v, %v", h, err)
	}
	s.calc.invalidate()
	s.calc.mu.Lock()
	e = s.calc.memo["HV|"+sp.String()+"|999999"]
	s.calc.mu.Unlock()
	if e != nil {
		t.Error("a write does not drop the memoized answer")
	}
}

// A kept page (pagecache.go) is rendered once per user and state of the
// data: a second session of the same user gets it with its own CSRF token,
// another user (other roles) gets their own page, and a write makes it anew.
func TestRenderedPagesKept(t *testing.T) {
	ts, s, db := newTestServer(t, Options{})
	get := func(tc *testClient, path string) string {
		t.Helper()
		resp, err := tc.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	const path = "/assessment?period=2026Q3"
	a1, a2 := loginAs(t, ts.URL, "t-evaluator"), loginAs(t, ts.URL, "t-evaluator")
	if a1.CSRF == "" || a1.CSRF == a2.CSRF {
		t.Fatalf("sessions' tokens %q, %q", a1.CSRF, a2.CSRF)
	}
	p1 := get(a1, path)
	s.calc.rendered.mu.Lock()
	kept := len(s.calc.rendered.items)
	s.calc.rendered.mu.Unlock()
	if kept != 1 {
		t.Fatalf("%d pages kept after one, want 1", kept)
	}
	p2 := get(a2, path)
	s.calc.rendered.mu.Lock()
	kept = len(s.calc.rendered.items)
	s.calc.rendered.mu.Unlock()
	if kept != 1 {
		t.Errorf("the second session's page was made again: %d kept", kept)
	}
	for _, x := range []struct {
		page, own, other string
	}{{p1, a1.CSRF, a2.CSRF}, {p2, a2.CSRF, a1.CSRF}} {
		if !strings.Contains(x.page, `content="`+x.own+`"`) || strings.Contains(x.page, x.other) || strings.Contains(x.page, csrfSlot) {
			t.Error("a kept page does not carry its own session's CSRF token (and only it)")
		}
	}
	if strings.ReplaceAll(p1, a1.CSRF, "") != strings.ReplaceAll(p2, a2.CSRF, "") {
		t.Error("two sessions of one user got different pages")
	}
	// Another user: their own page (a leader may not review: no close button).
	lp := get(loginAs(t, ts.URL, "t-leader"), path)
	if strings.Contains(lp, `action="/assessment/close"`) || !strings.Contains(p1, `action="/assessment/close"`) {
		t.Error("the leader got the evaluator's page, or the evaluator the leader's")
	}
	// A write beside the server (a send-back) makes the page anew.
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM current_returns WHERE period = '2026Q3' ORDER BY district_code LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := review.SendBack(context.Background(), db, id, review.Act{By: "scale-test", Reason: "测试"}); err != nil {
		t.Fatal(err)
	}
	get(a1, path)
	s.calc.rendered.mu.Lock()
	kept = len(s.calc.rendered.items)
	s.calc.rendered.mu.Unlock()
	if kept != 3 { // the evaluator's before and after the write, the leader's
		t.Errorf("%d pages kept, want 3: the page was not made anew after a write", kept)
	}
	// As the server's own writes do, dropping the numbers: every kept page goes.
	s.Invalidate()
	s.calc.rendered.mu.Lock()
	kept = len(s.calc.rendered.items)
	s.calc.rendered.mu.Unlock()
	if kept != 0 {
		t.Errorf("%d pages kept after Invalidate", kept)
	}
}

// At most heavySlots of package metrics' computations run at once; the
// others wait for a slot.
func TestHeavyComputationsBounded(t *testing.T) {
	c := newCalc(nil, nil)
	var mu sync.Mutex
	var now, most int
	var wg sync.WaitGroup
	for i := 0; i < 4*heavySlots; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gated(c, func() (int, error) {
				mu.Lock()
				now++
				most = max(most, now)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				now--
				mu.Unlock()
				return 0, nil
			})
		}()
	}
	wg.Wait()
	if most < 1 || most > heavySlots {
		t.Errorf("%d computations at once, want at most %d", most, heavySlots)
	}
}
