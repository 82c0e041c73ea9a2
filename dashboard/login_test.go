package dashboard

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sgz/auth"
	"sgz/registry"
	"sgz/store"
)

// The fixture's accounts: one per role, a second clerk of another district,
// and "t-all" holding every role (clerk of every district) for the tests
// that are about something else than access.
const (
	clerkDistrict  = "320507" // t-clerk reports for 相城区 (fixtureLate)
	clerk2District = "320505" // t-clerk2 for 虎丘区
)

var testAccounts = map[string]auth.NewUser{
	"t-leader":    {Roles: []auth.Role{auth.Leader}},
	"t-evaluator": {Roles: []auth.Role{auth.Evaluator}},
	"t-analyst":   {Roles: []auth.Role{auth.Analyst}},
	"t-clerk":     {Roles: []auth.Role{auth.Clerk}, Districts: []string{clerkDistrict}},
	"t-clerk2":    {Roles: []auth.Role{auth.Clerk}, Districts: []string{clerk2District}},
	"t-admin":     {Roles: []auth.Role{auth.Admin}},
	"t-all":       {Roles: auth.AllRoles},
}

// roleAccount is the single-role account of a role.
func roleAccount(r auth.Role) string { return "t-" + string(r) }

func testPassword(name string) string { return "pw-of-" + name + "-2026" }

// addTestAccounts creates the accounts in a fixture database.
func addTestAccounts(ctx context.Context, db *store.DB) error {
	var all []string
	for _, d := range registry.Suzhou().OfLevel("district") {
		all = append(all, d.Code)
	}
	for name, nu := range testAccounts {
		nu.Name, nu.Password = name, testPassword(name)
		if name == "t-all" {
			nu.Districts = all
		}
		if _, err := auth.AddUser(ctx, db, nu, time.Now()); err != nil {
			return err
		}
	}
	return nil
}

// testClient is a logged-in client: cookies kept, redirects not followed,
// and the session's CSRF token sent with every request.
type testClient struct {
	*http.Client
	CSRF string
}

type csrfTransport struct {
	token *string
}

func (t csrfTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if *t.token != "" && r.Header.Get("X-CSRF-Token") == "" && r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("X-CSRF-Token", *t.token)
	}
	return http.DefaultTransport.RoundTrip(r)
}

var (
	csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfMeta  = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
)

// newClient is a client with a cookie jar that does not follow redirects.
func newClient() *testClient {
	tc := &testClient{}
	tc.Client = &http.Client{Jar: &cookieJar{m: map[string][]*http.Cookie{}}, Transport: csrfTransport{&tc.CSRF},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return tc
}

// loginAs logs a new client in to the server at base as a fixture account,
// through the login form, as a browser would.
func loginAs(t testing.TB, base, name string) *testClient {
	t.Helper()
	tc := newClient()
	resp, err := tc.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(b)
	if m == nil {
		t.Fatalf("GET /login: %d, no csrf field", resp.StatusCode)
	}
	resp, err = tc.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {testPassword(name)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("log in as %s: %d %s", name, resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = tc.Get(base + "/password")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if m = csrfMeta.FindSubmatch(b); m == nil {
		t.Fatalf("no CSRF token on /password (%d)", resp.StatusCode)
	}
	tc.CSRF = string(m[1])
	return tc
}

// The client of t-all for each test server, made on first use by fetch and getJSON.
var (
	defaultMu      sync.Mutex
	defaultClients = map[string]*testClient{}
)

// clientFor is the t-all client of the test server a URL points at.
func clientFor(t testing.TB, u string) *testClient {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	base := pu.Scheme + "://" + pu.Host
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if c := defaultClients[base]; c != nil {
		return c
	}
	c := loginAs(t, base, "t-all")
	defaultClients[base] = c
	return c
}

// startServer serves h on a loopback port with opt.PublicURL set to it.
func startServer(t testing.TB, db *store.DB, opt Options) (*httptest.Server, *Server) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	opt.PublicURL = "http://" + ts.Listener.Addr().String()
	s, err := NewServer(db, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s.Engine()
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		defaultMu.Lock()
		delete(defaultClients, ts.URL)
		defaultMu.Unlock()
	})
	return ts, s
}

// returnParam is the return id in an upload's redirect (…&return=ID).
func returnParam(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	return u.Query().Get("return")
}
