package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sgz/auth"
	"sgz/publish"
	"sgz/registry"
)

const testPeerSecret = "peer-secret-of-the-test-0123456789"

// startReplica serves dir's snapshots read-only, following them, with
// logins checked at writer.
func startReplica(t *testing.T, ctx context.Context, dir, writer string, cache time.Duration) (*httptest.Server, *Replica) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	rep, err := NewReplica(Options{PublicURL: "http://" + ts.Listener.Addr().String(),
		Replica: &ReplicaOptions{WriterURL: writer, PeerSecret: testPeerSecret, PeerCache: cache}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Refresh(ctx, dir); err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = rep
	ts.Start()
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rep.Watch(wctx, dir, 20*time.Millisecond) }()
	t.Cleanup(func() { ts.Close(); cancel(); wg.Wait(); rep.Close() })
	return ts, rep
}

// asSession / asToken: a request carrying a session cookie or a token.
func getWith(ctx context.Context, u, cookie, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return 0, nil, err
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	cl := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func sessionOf(t *testing.T, tc *testClient, base string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/", nil)
	for _, c := range tc.Jar.Cookies(req.URL) {
		if c.Name == sessionCookie {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// waitFor polls cond until it holds or the (generous: a hang is the
// failure) bound passes.
func waitFor(t *testing.T, what string, bound time.Duration, cond func() bool) {
	t.Helper()
	end := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("%s: not within %s", what, bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func reportedDistricts(t *testing.T, base, cookie string) float64 {
	t.Helper()
	code, b, err := getWith(context.Background(), base+"/api/v1/headline?period=2026Q3", cookie, "")
	if err != nil || code != 200 {
		t.Fatalf("headline at %s: %d %v %.200s", base, code, err, b)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	v, _ := h["districts_reported"].(float64)
	return v
}

// The check: a writer and two replicas on real DuckDB files and
// real HTTP servers; requests flow to both replicas throughout; a clerk
// uploads a return to the writer; both replicas come to serve the new
// numbers, equal to the writer's, and not one request failed meanwhile,
// though each replica switched snapshots (and old snapshots were removed)
// under the load.
func TestReplicasFollowTheWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	writer, _, db := newTestServer(t, Options{NoWarm: true, PeerSecret: testPeerSecret})
	dir := t.TempDir()
	pub, err := publish.New(db, publish.Options{Dir: dir, Keep: 2, Grace: time.Millisecond, Debounce: 50 * time.Millisecond, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	pctx, pcancel := context.WithCancel(ctx)
	var pwg sync.WaitGroup
	pwg.Add(1)
	go func() { defer pwg.Done(); pub.Run(pctx) }()
	t.Cleanup(func() { pcancel(); pwg.Wait() })
	waitFor(t, "the first publication", 60*time.Second, func() bool { _, _, err := publish.Current(dir); return err == nil })

	r1, rep1 := startReplica(t, ctx, dir, writer.URL, 200*time.Millisecond)
	r2, rep2 := startReplica(t, ctx, dir, writer.URL, 200*time.Millisecond)
	replicas := []*httptest.Server{r1, r2}
	g1, _ := rep1.Current()

	// A leader logs in on the writer; the session works on the replicas.
	leader := loginAs(t, writer.URL, "t-leader")
	cookie := sessionOf(t, leader, writer.URL)
	before := reportedDistricts(t, writer.URL, cookie)
	for _, r := range replicas {
		if got := reportedDistricts(t, r.URL, cookie); got != before {
			t.Fatalf("replica %s before the upload: %v districts reported, writer %v", r.URL, got, before)
		}
	}

	// Requests flow to both replicas throughout (errors collected, not fatal).
	var (
		mu       sync.Mutex
		failures []string
		served   atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for _, r := range replicas {
		for range 2 {
			wg.Add(1)
			go func(base string) {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					for _, path := range []string{"/api/v1/headline?period=2026Q3", "/api/v1/assessment?period=2026Q3", "/"} {
						code, b, err := getWith(ctx, base+path, cookie, "")
						if err != nil || code != 200 {
							mu.Lock()
							failures = append(failures, fmt.Sprintf("%s%s: %d %v %.120s", base, path, code, err, b))
							mu.Unlock()
						}
						served.Add(1)
					}
					time.Sleep(20 * time.Millisecond) // viewers, not a flood: the machine is shared
				}
			}(r.URL)
		}
	}

	// A clerk uploads the late district's return to the writer.
	clerk := loginAs(t, writer.URL, "t-clerk")
	var buf bytes.Buffer
	ct := multipartFile(&buf, "late.xlsx", workbook(t, registry.Suzhou(), clerkDistrict, fixtureLast))
	req, _ := http.NewRequest("POST", writer.URL+"/upload?district="+clerkDistrict, &buf)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", writer.URL)
	resp, err := clerk.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if returnParam(resp.Header.Get("Location")) == "" {
		t.Fatalf("upload: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	after := reportedDistricts(t, writer.URL, cookie)
	if after != before+1 {
		t.Fatalf("the writer: %v districts reported after the upload, want %v", after, before+1)
	}
	for _, r := range replicas {
		waitFor(t, "replica "+r.URL+" serving the new numbers", 60*time.Second, func() bool {
			return reportedDistricts(t, r.URL, cookie) == after
		})
	}
	// More publications under the load: switches, and old snapshots removed.
	for range 3 {
		if _, err := pub.Publish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	last, _, _ := publish.Current(dir)
	for _, rep := range []*Replica{rep1, rep2} {
		waitFor(t, "a replica on the last snapshot", 60*time.Second, func() bool { g, _ := rep.Current(); return g == last })
	}
	close(stop)
	wg.Wait()
	if len(failures) > 0 {
		t.Errorf("%d of %d requests to the replicas failed during the switches, e.g. %s", len(failures), served.Load(), failures[0])
	}
	if served.Load() < 20 {
		t.Errorf("only %d requests reached the replicas", served.Load())
	}
	if last < g1+4 {
		t.Errorf("generation %d → %d: the replicas did not switch under the load", g1, last)
	}
	if gens, _ := publish.Generations(dir); len(gens) > 2 {
		t.Errorf("kept %v, want the newest 2", gens)
	}

	// The same numbers as the writer's, to the last field.
	_, wb, _ := getWith(ctx, writer.URL+"/api/v1/assessment?period=2026Q3", cookie, "")
	var want any
	if err := json.Unmarshal(wb, &want); err != nil {
		t.Fatal(err)
	}
	for _, r := range replicas {
		_, b, _ := getWith(ctx, r.URL+"/api/v1/assessment?period=2026Q3", cookie, "")
		var got any
		if err := json.Unmarshal(b, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("replica %s assessment differs from the writer's (%v)", r.URL, err)
		}
	}

	// /healthz says which snapshot and how old.
	_, hb, _ := getWith(ctx, r1.URL+"/healthz", "", "")
	var health struct {
		Status     string
		Replica    bool
		Generation uint64
		Age        *float64 `json:"age_seconds"`
	}
	if err := json.Unmarshal(hb, &health); err != nil || health.Status != "ok" || !health.Replica || health.Generation != last || health.Age == nil || *health.Age < 0 {
		t.Errorf("replica /healthz: %s", hb)
	}

	// Writes are the writer's: a replica names it.
	for _, rt := range routes {
		if !rt.Writes {
			continue
		}
		req, _ := http.NewRequest(rt.Method, r1.URL+concrete(rt.Path, 1), nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "只读副本") || !strings.Contains(string(b), writer.URL) {
			t.Errorf("%s %s on a replica: %d %.200s", rt.Method, rt.Path, resp.StatusCode, b)
		}
	}

	// An export on a replica is on the writer's audit trail.
	auditCount := func() (n int64) {
		db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'export' AND actor = 't-leader' AND object LIKE '%/assessment.csv'`).Scan(&n)
		return n
	}
	n0 := auditCount()
	if code, b, err := getWith(ctx, r2.URL+"/assessment.csv?period=2026Q3", cookie, ""); err != nil || code != 200 {
		t.Fatalf("export on a replica: %d %v %.200s", code, err, b)
	}
	if auditCount() != n0+1 {
		t.Error("an export on a replica is not on the writer's audit trail")
	}

	// Logout on the writer: the session stops working on the replicas
	// within the bound (their cache, 200 ms here).
	resp, err = leader.PostForm(writer.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loggedOut := time.Now()
	for _, r := range replicas {
		waitFor(t, "the session ending on "+r.URL, 30*time.Second, func() bool {
			code, _, err := getWith(ctx, r.URL+"/api/v1/headline?period=2026Q3", cookie, "")
			return err == nil && code == http.StatusUnauthorized
		})
	}
	t.Logf("a logout reached both replicas in %s", time.Since(loggedOut).Round(time.Millisecond))

	// An API token made on the writer works on a replica until revoked.
	id, tok, err := auth.CreateToken(ctx, db, "t-leader", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code, b, _ := getWith(ctx, r1.URL+"/api/v1/headline?period=2026Q3", "", tok); code != 200 {
		t.Fatalf("a token on a replica: %d %.200s", code, b)
	}
	if err := auth.RevokeToken(ctx, db, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the revoked token refused on a replica", 30*time.Second, func() bool {
		code, _, _ := getWith(ctx, r1.URL+"/api/v1/headline?period=2026Q3", "", tok)
		return code == http.StatusUnauthorized
	})
}

// The peer routes: only with the shared secret, never for a user.
func TestPeerRoutes(t *testing.T) {
	writer, _, _ := newTestServer(t, Options{NoWarm: true, PeerSecret: testPeerSecret})
	ask := func(secret, cred string) (int, string) {
		req, _ := http.NewRequest("GET", writer.URL+"/api/internal/peer/auth", nil)
		if secret != "" {
			req.Header.Set(peerHeader, secret)
		}
		req.Header.Set(credHeader, cred)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := ask("", "session x"); code != http.StatusUnauthorized {
		t.Errorf("without the secret: %d", code)
	}
	if code, _ := ask("wrong-secret-0123456789", "session x"); code != http.StatusUnauthorized {
		t.Errorf("a wrong secret: %d", code)
	}
	if code, b := ask(testPeerSecret, "session nonsense"); code != 200 || !strings.Contains(b, `"user":null`) {
		t.Errorf("an unknown session: %d %s", code, b)
	}
	if code, _ := ask(testPeerSecret, "password x"); code != http.StatusBadRequest {
		t.Errorf("an unknown kind of credential: %d", code)
	}
	// A writer without --peer-secret-file answers no one.
	plain, _, _ := newTestServer(t, Options{NoWarm: true})
	req, _ := http.NewRequest("GET", plain.URL+"/api/internal/peer/auth", nil)
	req.Header.Set(peerHeader, "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("peer route of a writer without a secret: %d", resp.StatusCode)
	}
}

// A replica whose writer is down says so (503), and one without a snapshot
// yet says it is starting; bad options are named.
func TestReplicaEdges(t *testing.T) {
	if _, err := NewReplica(Options{Replica: &ReplicaOptions{WriterURL: "nonsense", PeerSecret: testPeerSecret}}); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Errorf("a bad --writer: %v", err)
	}
	if _, err := NewReplica(Options{Replica: &ReplicaOptions{WriterURL: "http://127.0.0.1:1"}}); err == nil || !strings.Contains(err.Error(), "--peer-secret-file") {
		t.Errorf("no secret: %v", err)
	}
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	rep, err := NewReplica(Options{NoWarm: true, Replica: &ReplicaOptions{WriterURL: dead, PeerSecret: testPeerSecret}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(rep)
	defer ts.Close()
	code, b, _ := getWith(context.Background(), ts.URL+"/", "some-session", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(string(b), "尚无可用的数据快照") {
		t.Errorf("no snapshot yet: %d %s", code, b)
	}
	code, b, _ = getWith(context.Background(), ts.URL+"/healthz", "", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(string(b), "starting") {
		t.Errorf("/healthz without a snapshot: %d %s", code, b)
	}
	db := openCopy(t)
	dir := t.TempDir()
	p, err := publish.New(db, publish.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := rep.Refresh(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	// A snapshot of another schema (a writer upgraded before its replicas)
	// is refused; the replica keeps the one it serves.
	g0, _ := rep.Current()
	if _, err := p.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, newest, _ := publish.Current(dir)
	mb, _ := os.ReadFile(filepath.Join(newest, publish.ManifestFile))
	os.WriteFile(filepath.Join(newest, publish.ManifestFile), bytes.Replace(mb, []byte(`"schema_version": `), []byte(`"schema_version": 9`), 1), 0o644)
	if err := rep.Refresh(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("a snapshot of another schema: %v", err)
	}
	if g, _ := rep.Current(); g != g0 {
		t.Errorf("the replica switched to a snapshot of another schema: %d → %d", g0, g)
	}
	code, b, _ = getWith(context.Background(), ts.URL+"/api/v1/headline", "some-session", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(string(b), dead) || !strings.Contains(string(b), "核对登录") {
		t.Errorf("writer down: %d %s", code, b)
	}
	// Anonymous requests need no writer: the login page and redirects.
	if code, _, _ := getWith(context.Background(), ts.URL+"/login", "", ""); code != 200 {
		t.Errorf("the login page on a replica: %d", code)
	}
}
