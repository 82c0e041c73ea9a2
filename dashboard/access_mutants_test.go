package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sgz/auth"
	"sgz/store"
)

// The TestAccess* tests were written for the mutants of the access code
// (access.go, perms.go) that outlived the access tests (docs/testing.md,
// "Mutation testing"): each pins down a rule whose breach is a hole — a Host
// or Origin let through, a session that outlives its logout, an audit entry
// that says "ok" for a refusal, a password form offered to an account that
// has no password.

// auditWait is the newest audit entries matching f once there are n of them
// (an audited route writes its entry after the answer is sent).
func auditWait(t *testing.T, db *store.DB, f auth.Filter, n int) []auth.Entry {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second) // only a hang fails here
	for {
		list, err := auth.List(context.Background(), db, f)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) >= n || time.Now().After(deadline) {
			return list
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAccessHostNames: without a public URL only loopback names are
// served; with one, its host (any case) and, for a loopback public URL,
// another loopback name on the same port; anything else is 421.
func TestAccessHostNames(t *testing.T) {
	db := openCopy(t)
	for _, c := range []struct {
		public string
		ok, no []string
	}{
		{"", []string{"127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "127.0.0.2"},
			[]string{"evil.example", "evil.example:8080", "10.0.0.1:8080", "localhost.evil.example"}},
		{"https://sgz.example.gov.cn", []string{"sgz.example.gov.cn", "SGZ.Example.gov.cn"},
			[]string{"localhost", "127.0.0.1:443", "sgz.example.gov.cn.evil.example", "evil.example"}},
		{"http://localhost:8081", []string{"localhost:8081", "127.0.0.1:8081", "[::1]:8081"},
			[]string{"127.0.0.1:8082", "localhost", "evil.example:8081", "127.0.0.1"}},
	} {
		s, err := NewServer(db, Options{NoWarm: true, NoSQL: true, PublicURL: c.public})
		if err != nil {
			t.Fatal(err)
		}
		h := s.Engine()
		for _, host := range append(c.ok, c.no...) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/healthz", nil)
			req.Host = host
			h.ServeHTTP(rec, req)
			want := http.StatusOK
			if !contains(c.ok, host) {
				want = http.StatusMisdirectedRequest
			}
			if rec.Code != want {
				t.Errorf("public URL %q, Host %q: %d, want %d", c.public, host, rec.Code, want)
			}
		}
	}
}

// TestAccessOriginAndReferer: a state-changing request passes with this
// server's Origin, or without one with a Referer of this server; an
// unreadable Referer, another scheme, or another name of the same machine
// is refused before any handler runs.
func TestAccessOriginAndReferer(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	c := loginAs(t, ts.URL, "t-leader")
	port := ts.URL[strings.LastIndex(ts.URL, ":")+1:]
	for _, k := range []struct {
		header, value string
		want          int
	}{
		{"Origin", ts.URL, http.StatusBadRequest}, // passes: the handler says the current password is wrong
		{"Referer", ts.URL + "/password", http.StatusBadRequest},
		{"Referer", "http://[::1", http.StatusForbidden},
		{"Origin", "https://127.0.0.1:" + port, http.StatusForbidden},
		{"Origin", "http://localhost:" + port, http.StatusForbidden},
		{"Referer", "http://localhost:" + port + "/password", http.StatusForbidden},
	} {
		form := url.Values{"old": {"not-the-password"}, "new": {"a-long-new-secret"}, "new2": {"a-long-new-secret"}}
		req, _ := http.NewRequest("POST", ts.URL+"/password", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(k.header, k.value)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != k.want {
			t.Errorf("%s %s: %d, want %d", k.header, k.value, resp.StatusCode, k.want)
		}
	}
}

// TestAccessLogoutEndsSession: after logging out, the old session cookie,
// replayed, opens nothing (it is deleted on the server, not only in the
// browser).
func TestAccessLogoutEndsSession(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	c := loginAs(t, ts.URL, "t-leader")
	u, _ := url.Parse(ts.URL)
	var secret string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			secret = ck.Value
		}
	}
	if secret == "" {
		t.Fatal("no session cookie after login")
	}
	replay := func(path string) *http.Response {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
		resp, err := newClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := replay("/api/v1/periods"); resp.StatusCode != 200 {
		t.Fatalf("the cookie before logout: %d", resp.StatusCode)
	}
	resp, _ := do(t, c.Client, "POST", ts.URL+"/logout")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The browser is told to drop the cookie at once.
	cleared := false
	for _, ck := range resp.Cookies() {
		cleared = cleared || ck.Name == sessionCookie && ck.Value == "" && ck.MaxAge < 0
	}
	if !cleared {
		t.Errorf("logout does not clear the session cookie: %v", resp.Header["Set-Cookie"])
	}
	if resp := replay("/api/v1/periods"); resp.StatusCode != 401 {
		t.Errorf("the old cookie replayed on the API after logout: %d, want 401", resp.StatusCode)
	}
	if resp := replay("/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the old cookie replayed on a page after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestAccessAuditResults: an audited route's entry says denied for a
// refusal, failed for an error (400 included), ok otherwise; it keeps a
// query of 1000 characters whole and cuts a longer one there.
func TestAccessAuditResults(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	clerk2 := loginAs(t, ts.URL, "t-clerk2")
	theirs := strconv.FormatInt(returnOf(t, db, clerkDistrict, "2026Q2"), 10)
	mine := strconv.FormatInt(returnOf(t, db, clerk2District, "2026Q2"), 10)
	for i, c := range []struct {
		path   string
		code   int
		result string
	}{
		{"/returns/" + mine + "/file", 200, auth.OK},
		{"/returns/" + theirs + "/file", 403, auth.Denied},
		{"/returns/99999999/file", 404, auth.Failed},
	} {
		resp, _ := do(t, clerk2.Client, "GET", ts.URL+c.path)
		if resp.StatusCode != c.code {
			t.Errorf("GET %s: %d, want %d", c.path, resp.StatusCode, c.code)
		}
		list := auditWait(t, db, auth.Filter{Action: "download"}, i+1)
		if len(list) != i+1 || list[0].Object != "GET "+c.path || list[0].Result != c.result || list[0].Actor != "t-clerk2" {
			t.Errorf("audit of GET %s: %+v, want %s", c.path, list, c.result)
		}
	}

	_, tok, err := auth.CreateToken(context.Background(), db, "t-analyst", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	query := func(sql string) int {
		b, _ := json.Marshal(map[string]string{"sql": sql})
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/sql/query", strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A refused statement: 400, recorded as failed.
	if code := query("DELETE FROM returns"); code != 400 {
		t.Errorf("a DELETE: %d, want 400", code)
	}
	list := auditWait(t, db, auth.Filter{Action: "sql"}, 1)
	if len(list) != 1 || list[0].Result != auth.Failed || list[0].Detail != "DELETE FROM returns" {
		t.Errorf("audit of a refused query: %+v", list)
	}
	// A query sent as GET ?sql= or as a form is recorded as well as JSON.
	for i, send := range []func(sql string) *http.Request{
		func(sql string) *http.Request {
			req, _ := http.NewRequest("GET", ts.URL+"/api/v1/sql/query.csv?sql="+url.QueryEscape(sql), nil)
			return req
		},
		func(sql string) *http.Request {
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/sql/query.csv", strings.NewReader(url.Values{"sql": {sql}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		},
	} {
		sql := "SELECT " + strconv.Itoa(70+i) + " AS n"
		req := send(sql)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		list := auditWait(t, db, auth.Filter{Action: "sql"}, i+2)
		if resp.StatusCode != 200 || len(list) != i+2 || list[0].Detail != sql || list[0].Result != auth.OK {
			t.Errorf("%s query.csv: %d, audit %+v", req.Method, resp.StatusCode, list[0])
		}
	}
	// 1000 characters (not bytes) are kept whole; the 1001st is cut.
	sql1000 := "SELECT '" + strings.Repeat("字", 1000-14) + "' AS x"
	sql1001 := "SELECT '" + strings.Repeat("字", 1001-14) + "' AS x"
	for i, sql := range []string{sql1000, sql1001} {
		if code := query(sql); code != 200 {
			t.Fatalf("a query of %d characters: %d", len([]rune(sql)), code)
		}
		list = auditWait(t, db, auth.Filter{Action: "sql"}, i+4)
		want := sql
		if i == 1 {
			want = string([]rune(sql)[:1000]) + "…"
		}
		if len(list) != i+4 || list[0].Result != auth.OK || list[0].Detail != want {
			t.Errorf("audit of a query of %d characters: %d runes recorded, result %s", len([]rune(sql)), len([]rune(list[0].Detail)), list[0].Result)
		}
	}
}

// TestAccessLoginLanding: a login goes to the page asked for (next), else
// to the account's first page; an account left without any role lands on
// the password page and may open nothing else. A page asked for anonymously
// is remembered in next; a POST is not.
func TestAccessLoginLanding(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	login := func(name, next string) string {
		c := newClient()
		_, b := do(t, c.Client, "GET", ts.URL+"/login")
		m := csrfInput.FindSubmatch(b)
		if m == nil {
			t.Fatal("no csrf field on /login")
		}
		resp, err := c.PostForm(ts.URL+"/login", url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {testPassword(name)}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login %s: %d", name, resp.StatusCode)
		}
		// The login form's token is used once: its cookie is dropped.
		dropped := false
		for _, ck := range resp.Cookies() {
			dropped = dropped || ck.Name == loginCookie && ck.Value == "" && ck.MaxAge < 0
		}
		if !dropped {
			t.Errorf("login %s keeps the login form's cookie: %v", name, resp.Header["Set-Cookie"])
		}
		return resp.Header.Get("Location")
	}
	for _, c := range [][3]string{
		{"t-leader", "", "/"},
		{"t-clerk", "", "/upload"},
		{"t-analyst", "", "/"},
		{"t-leader", "/indicators?period=2026Q2", "/indicators?period=2026Q2"},
		{"t-leader", "//evil.example/", "/"},
		{"t-leader", "/login?next=/x", "/"},
	} {
		if got := login(c[0], c[1]); got != c[2] {
			t.Errorf("login %s with next %q goes to %q, want %q", c[0], c[1], got, c[2])
		}
	}
	// An account whose roles were all taken away (by hand, in the database).
	u, err := auth.AddUser(ctx, db, auth.NewUser{Name: "t-none", Password: testPassword("t-none"), Roles: []auth.Role{auth.Leader}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM user_roles WHERE user_id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	if got := login("t-none", ""); got != "/password" {
		t.Errorf("an account without roles lands on %q, want /password", got)
	}
	none := loginAs(t, ts.URL, "t-none")
	for _, p := range []string{"/", "/upload", "/api/v1/periods"} {
		if resp, _ := do(t, none.Client, "GET", ts.URL+p); resp.StatusCode != 403 {
			t.Errorf("an account without roles GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
	// Links follow the table: an evaluator's district page links the
	// returns, a leader's does not (TestPrivacy).
	ev := loginAs(t, ts.URL, "t-evaluator")
	if _, b := do(t, ev.Client, "GET", ts.URL+"/district/"+clerk2District+"?period=2026Q2"); !strings.Contains(string(b), `href="/returns/`) {
		t.Error("the district page does not link an evaluator to the returns")
	}
	// Anonymous: a page asked for is kept in next, a POST is not.
	anon := newClient()
	if resp, _ := do(t, anon.Client, "GET", ts.URL+"/indicators?period=2026Q2"); resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/indicators?period=2026Q2") {
		t.Errorf("anonymous GET: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := do(t, anon.Client, "POST", ts.URL+"/reporting/1/approve"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("anonymous POST: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestAccessPasswordChange: only a local account, in a browser session,
// gets the password form and may change its password: not an account of
// the single sign-on provider, not an API token. A wrong current password
// shows the form again. Without a provider the login page offers none.
func TestAccessPasswordChange(t *testing.T) {
	ts, s, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	if _, b := do(t, newClient().Client, "GET", ts.URL+"/login"); strings.Contains(string(b), `id="login-oidc"`) {
		t.Error("the login page offers single sign-on without a provider")
	}
	local := loginAs(t, ts.URL, "t-leader")
	if _, b := do(t, local.Client, "GET", ts.URL+"/password"); !strings.Contains(string(b), `id="pw-old"`) {
		t.Error("a local account gets no password form")
	}
	resp, err := local.PostForm(ts.URL+"/password", url.Values{"old": {"wrong-password"}, "new": {"a-long-new-secret"}, "new2": {"a-long-new-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, resp)
	if resp.StatusCode != 400 || !strings.Contains(b, `id="pw-old"`) {
		t.Errorf("a wrong current password: %d, form shown again %v", resp.StatusCode, strings.Contains(b, `id="pw-old"`))
	}

	// An account of the provider, with a session as its login would make.
	u, err := auth.AddUser(ctx, db, auth.NewUser{Name: "sso-amy", Source: "oidc", Roles: []auth.Role{auth.Leader}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	secret, err := s.sessions.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	sso := newClient()
	base, _ := url.Parse(ts.URL)
	sso.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: secret, Path: "/"}})
	_, pb := do(t, sso.Client, "GET", ts.URL+"/password")
	page := string(pb)
	if strings.Contains(page, `id="pw-old"`) {
		t.Error("an account of the provider gets a password form")
	}
	m := csrfMeta.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token for the provider's account:\n%.1500s", page)
	}
	sso.CSRF = m[1]
	if resp, _ := do(t, sso.Client, "POST", ts.URL+"/password"); resp.StatusCode != 403 {
		t.Errorf("an account of the provider POST /password: %d, want 403", resp.StatusCode)
	}
	// An API token (of a local account) changes no password.
	_, tok, err := auth.CreateToken(ctx, db, "t-evaluator", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"old": {testPassword("t-evaluator")}, "new": {"a-long-new-secret"}, "new2": {"a-long-new-secret"}}
	req, _ := http.NewRequest("POST", ts.URL+"/password", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+tok)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("a token POST /password: %v %v, want 403", resp, err)
	} else {
		resp.Body.Close()
	}
	if _, err := auth.Authenticate(ctx, db, "t-evaluator", testPassword("t-evaluator")); err != nil {
		t.Errorf("the token changed the password: %v", err)
	}
}

// TestAccessThrottleMessage: the throttled login page says how long to
// wait, never less than the lockout (30 s after 5 failures).
func TestAccessThrottleMessage(t *testing.T) {
	now := time.Now()
	ts, _, _ := newTestServer(t, Options{NoWarm: true, Now: func() time.Time { return now }})
	try := func(pw string) (int, string) {
		c := newClient()
		_, b := do(t, c.Client, "GET", ts.URL+"/login")
		m := csrfInput.FindSubmatch(b)
		resp, err := c.PostForm(ts.URL+"/login", url.Values{"csrf": {string(m[1])}, "name": {"t-analyst"}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	for i := 0; i < 5; i++ {
		if code, _ := try("wrong-password"); code != 401 {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	code, page := try(testPassword("t-analyst"))
	if code != http.StatusTooManyRequests {
		t.Fatalf("after 5 failures: %d", code)
	}
	// The clock stands still: the wait is 30 s exactly; the page rounds up.
	if !strings.Contains(page, "请 30 秒后再试") && !strings.Contains(page, "请 31 秒后再试") {
		i := strings.Index(page, "登录失败次数过多")
		t.Errorf("the throttled page: %.200s", page[max(i, 0):])
	}
	now = now.Add(30 * time.Second)
	if code, _ := try(testPassword("t-analyst")); code != http.StatusSeeOther {
		t.Errorf("after the lockout: %d", code)
	}
}

// TestAccessClerkOfSeveralDistricts: a clerk of two districts uploads for
// the one picked (?district=, then kept in a cookie); a cookie naming
// another district picks nothing, and the upload is refused before a byte
// is read.
func TestAccessClerkOfSeveralDistricts(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	if _, err := auth.AddUser(context.Background(), db, auth.NewUser{Name: "t-two", Password: testPassword("t-two"),
		Roles: []auth.Role{auth.Clerk}, Districts: []string{"320505", "320506"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := loginAs(t, ts.URL, "t-two")
	base, _ := url.Parse(ts.URL)
	resp, _ := do(t, c.Client, "GET", ts.URL+"/upload?district=320506")
	picked := ""
	for _, ck := range resp.Cookies() {
		if ck.Name == "sgz_district" {
			picked = ck.Value
		}
	}
	if resp.StatusCode != 200 || picked != "320506" {
		t.Errorf("picking 320506: %d, cookie %q", resp.StatusCode, picked)
	}
	before := dbDigest(t, db)
	for _, k := range []struct{ cookie, want string }{
		{"320506", "/upload?district=320506&error=up.nofile"}, // picked: on to reading the (missing) file
		{"320507", "/upload?error=up.choose"},                 // not theirs: nothing picked
		{"", "/upload?error=up.choose"},
	} {
		c.Jar.SetCookies(base, []*http.Cookie{{Name: "sgz_district", Value: k.cookie, Path: "/"}})
		resp, _ := do(t, c.Client, "POST", ts.URL+"/upload")
		if got := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || got != k.want {
			t.Errorf("upload with the cookie %q: %d %s, want %s", k.cookie, resp.StatusCode, got, k.want)
		}
	}
	if got := dbDigest(t, db); got != before {
		t.Errorf("refused uploads changed the database: %s → %s", before, got)
	}
}
