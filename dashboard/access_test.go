package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sgz/auth"
	"sgz/locale"
	"sgz/registry"
	"sgz/store"
)

// dbDigest summarises everything a request could change: returns and their
// review state, files, accounts, sessions, tokens, the audit trail.
func dbDigest(t *testing.T, db *store.DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT count(*) FROM returns`,
		`SELECT count(sent_back_at) FROM returns`,
		`SELECT count(*) FROM return_files`,
		`SELECT count(*) FROM users`,
		`SELECT count(*) FROM users WHERE disabled OR must_change`,
		`SELECT count(*) FROM user_roles`,
		`SELECT count(*) FROM sessions`,
		`SELECT count(*) FROM api_tokens`,
		`SELECT count(*) FROM audit_log`,
	} {
		var n int64
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, strconv.FormatInt(n, 10))
	}
	return strings.Join(out, ",")
}

// returnOf is the newest accepted return of a district in a quarter.
func returnOf(t *testing.T, db *store.DB, district, period string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(`SELECT max(return_id) FROM returns WHERE district_code = ? AND period = ? AND status = 'accepted'`, district, period).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// concrete fills a route pattern's parameters.
func concrete(path string, returnID int64) string {
	r := strings.NewReplacer(":id", strconv.FormatInt(returnID, 10), ":code", "320505", ":name", "nobody", "*file", "app.css")
	p := r.Replace(path)
	if strings.HasPrefix(p, "/indicator/") {
		p = "/indicator/station_coverage"
	}
	if strings.HasPrefix(p, "/api/v1/sql/history") {
		p += "?session=walk"
	}
	if strings.HasPrefix(p, "/api/v1/sql/query.") {
		p += "?sql=SELECT+1"
	}
	return p
}

func do(t *testing.T, c *http.Client, method, u string) (*http.Response, []byte) {
	t.Helper()
	var body io.Reader
	req, _ := http.NewRequest(method, u, body)
	if method == "POST" {
		if strings.HasSuffix(u, "/api/v1/sql/query") {
			req, _ = http.NewRequest(method, u, strings.NewReader(`{"sql": "SELECT 1"}`))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req, _ = http.NewRequest(method, u, strings.NewReader("reason=walk"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestEveryRouteEveryRole walks the permission table: every route, asked
// anonymously and by an account of each role, answers exactly as the table
// says — anonymous: 401 JSON for the API, the login page otherwise, and the
// database unchanged; a role the route does not list: 403, database
// unchanged; a role it lists: neither.
func TestEveryRouteEveryRole(t *testing.T) {
	ts, s, db := newTestServer(t, Options{NoWarm: true})
	_ = s
	own := returnOf(t, db, clerkDistrict, "2026Q2")
	clients := map[auth.Role]*testClient{}
	for _, r := range auth.AllRoles {
		clients[r] = loginAs(t, ts.URL, roleAccount(r))
	}
	anon := newClient()
	before := dbDigest(t, db)

	// 1. Anonymous.
	for _, rt := range routes {
		u := ts.URL + concrete(rt.Path, own)
		resp, b := do(t, anon.Client, rt.Method, u)
		switch {
		case rt.Access == open:
			if resp.StatusCode == 401 || strings.HasPrefix(resp.Header.Get("Location"), "/login?") {
				t.Errorf("anonymous %s %s: %d, but the route is open", rt.Method, rt.Path, resp.StatusCode)
			}
		case strings.HasPrefix(rt.Path, "/api/"):
			var e struct{ Error string }
			if resp.StatusCode != 401 || json.Unmarshal(b, &e) != nil || e.Error == "" {
				t.Errorf("anonymous %s %s: %d %.80s, want 401 JSON", rt.Method, rt.Path, resp.StatusCode, b)
			}
		default:
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
				t.Errorf("anonymous %s %s: %d %s, want the login page", rt.Method, rt.Path, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	}
	// An unknown path too, and a bad token anywhere.
	if resp, _ := do(t, anon.Client, "GET", ts.URL+"/no/such/page"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous unknown page: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/", nil)
	req.Header.Set("Authorization", "Bearer sgz_wrong")
	if resp, err := anon.Do(req); err != nil || resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("a bad token on a page: %v %v", resp, err)
	}
	if got := dbDigest(t, db); got != before {
		t.Fatalf("anonymous requests changed the database: %s → %s", before, got)
	}

	// 2. Roles the table does not list.
	for _, rt := range routes {
		for _, r := range auth.AllRoles {
			if rt.allows(&auth.User{Roles: []auth.Role{r}}) {
				continue
			}
			resp, b := do(t, clients[r].Client, rt.Method, ts.URL+concrete(rt.Path, own))
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s %s: %d %.100s, want 403", r, rt.Method, rt.Path, resp.StatusCode, b)
			}
		}
	}
	if got := dbDigest(t, db); got != before {
		t.Fatalf("refused requests changed the database: %s → %s", before, got)
	}

	// 3. Roles it lists (state-changing routes last).
	for _, pass := range []bool{false, true} {
		for _, rt := range routes {
			if unsafeMethod(rt.Method) != pass || rt.Path == "/logout" {
				continue
			}
			for _, r := range auth.AllRoles {
				if rt.Access == open || !rt.allows(&auth.User{Roles: []auth.Role{r}}) {
					continue
				}
				resp, b := do(t, clients[r].Client, rt.Method, ts.URL+concrete(rt.Path, own))
				if resp.StatusCode == 401 || resp.StatusCode == 403 || resp.StatusCode >= 500 ||
					strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Errorf("%s %s %s: %d %s %.100s, but the table allows it", r, rt.Method, rt.Path, resp.StatusCode, resp.Header.Get("Location"), b)
				}
			}
		}
	}
	// Every role's navigation is the table's, and nothing more.
	for _, r := range auth.AllRoles {
		_, b := do(t, clients[r].Client, "GET", ts.URL+"/password")
		for i := range routes {
			rt := &routes[i]
			if rt.Nav == "" {
				continue
			}
			has := bytes.Contains(b, []byte(`data-nav="`+rt.Nav+`"`))
			if want := rt.allows(&auth.User{Roles: []auth.Role{r}}); has != want {
				t.Errorf("%s: navigation link %s shown=%v, want %v", r, rt.Path, has, want)
			}
		}
	}
}

// TestTokenAccess: an API token carries its user's roles, and stops at
// revocation and at expiry.
func TestTokenAccess(t *testing.T) {
	ts, s, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	id, tok, err := auth.CreateToken(ctx, db, "t-analyst", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, token string) int {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/api/v1/sql/views", tok); c != 200 {
		t.Errorf("analyst token on the SQL views: %d", c)
	}
	if c := get("/upload", tok); c != 403 {
		t.Errorf("analyst token on /upload: %d, want 403", c)
	}
	// A token needs no CSRF token (it is not sent by browsers on their own).
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/sql/query", strings.NewReader(`{"sql":"SELECT 42 AS x"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("token query: %d", resp.StatusCode)
	}
	if err := auth.RevokeToken(ctx, db, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.tokens.Forget() // (another process's revocation shows within the cache's 5 s)
	if c := get("/api/v1/sql/views", tok); c != 401 {
		t.Errorf("revoked token: %d, want 401", c)
	}
	_, old, _ := auth.CreateToken(ctx, db, "t-analyst", time.Millisecond, time.Now().Add(-time.Hour))
	if c := get("/api/v1/sql/views", old); c != 401 {
		t.Errorf("expired token: %d, want 401", c)
	}
	// The query is in the audit trail, with who asked.
	list, err := auth.List(ctx, db, auth.Filter{Action: "sql"})
	if err != nil || len(list) == 0 || list[0].Actor != "t-analyst" || !strings.Contains(list[0].Detail, "SELECT 42") {
		t.Errorf("audit of the query: %+v %v", list, err)
	}
}

// TestCSRFAndOrigin: a state-changing request without the session's token,
// from Origin null, from another origin, or under a foreign Host is
// refused and changes nothing; with all in order it goes through.
func TestCSRFAndOrigin(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	ev := loginAs(t, ts.URL, "t-evaluator")
	id := returnOf(t, db, "320505", "2026Q3")
	target := ts.URL + "/reporting/" + strconv.FormatInt(id, 10) + "/sendback"
	sentBack := func() bool {
		var n int64
		db.QueryRow(`SELECT count(sent_back_at) FROM returns WHERE return_id = ?`, id).Scan(&n)
		return n > 0
	}
	raw := &http.Client{Jar: ev.Jar, CheckRedirect: ev.CheckRedirect} // the session cookie, no automatic token
	cases := []struct {
		name   string
		client *http.Client
		header map[string]string
		body   string
		want   int
	}{
		{"no token", raw, nil, "reason=x", 403},
		{"wrong token", raw, map[string]string{"X-CSRF-Token": "forged"}, "reason=x", 403},
		{"Origin null", ev.Client, map[string]string{"Origin": "null"}, "reason=x", 403},
		{"foreign Origin", ev.Client, map[string]string{"Origin": "http://evil.example"}, "reason=x", 403},
		{"foreign Referer", ev.Client, map[string]string{"Referer": "http://evil.example/x"}, "reason=x", 403},
		{"foreign Host", ev.Client, map[string]string{"Host": "evil.example"}, "reason=x", http.StatusMisdirectedRequest},
	}
	before := dbDigest(t, db)
	for _, c := range cases {
		req, _ := http.NewRequest("POST", target, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range c.header {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := c.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", c.name, resp.StatusCode, c.want)
		}
		if sentBack() {
			t.Fatalf("%s: the return was sent back", c.name)
		}
	}
	if got := dbDigest(t, db); got != before {
		t.Errorf("refused requests changed the database: %s → %s", before, got)
	}
	// A GET under a foreign Host is refused too (DNS rebinding reads nothing).
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/periods", nil)
	req.Host = "evil.example:80"
	if resp, err := ev.Do(req); err != nil || resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host GET: %v %v", resp, err)
	}
	// The token in the form field works as well as the header; same origin passes.
	form := url.Values{"reason": {"数据有误"}, "csrf": {ev.CSRF}}
	req, _ = http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !sentBack() {
		t.Fatalf("a proper send back: %d, sent back %v", resp.StatusCode, sentBack())
	}
	list, _ := auth.List(context.Background(), db, auth.Filter{Action: "sendback"})
	if len(list) != 1 || list[0].Actor != "t-evaluator" || list[0].Object != "return "+strconv.FormatInt(id, 10) {
		t.Errorf("audit of the send back: %+v", list)
	}
	// The login form has its own token.
	resp, err = newClient().PostForm(ts.URL+"/login", url.Values{"name": {"t-admin"}, "password": {testPassword("t-admin")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("Set-Cookie") != "" && strings.Contains(resp.Header.Get("Set-Cookie"), sessionCookie+"=") {
		t.Errorf("login without its token: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestClerkScope: a clerk reads, downloads and uploads only for their own
// district; another district's workbook is rejected, shown to the uploader
// and filed under the uploader's district.
func TestClerkScope(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	clerk2 := loginAs(t, ts.URL, "t-clerk2") // 虎丘区 320505
	clerk := loginAs(t, ts.URL, "t-clerk")   // 相城区 320507
	theirs := strconv.FormatInt(returnOf(t, db, clerkDistrict, "2026Q2"), 10)
	mine := strconv.FormatInt(returnOf(t, db, clerk2District, "2026Q2"), 10)
	for _, p := range []string{"/returns/" + theirs, "/returns/" + theirs + "/file", "/returns/" + theirs + "/marked.xlsx",
		"/template.xlsx?district=" + clerkDistrict} {
		if resp, _ := do(t, clerk2.Client, "GET", ts.URL+p); resp.StatusCode != 403 {
			t.Errorf("clerk of %s GET %s: %d, want 403", clerk2District, p, resp.StatusCode)
		}
	}
	for _, p := range []string{"/returns/" + mine, "/returns/" + mine + "/file", "/template.xlsx"} {
		if resp, _ := do(t, clerk2.Client, "GET", ts.URL+p); resp.StatusCode != 200 {
			t.Errorf("clerk of %s GET %s: %d, want 200", clerk2District, p, resp.StatusCode)
		}
	}
	// Asking for another district's upload page says no.
	_, b := do(t, clerk2.Client, "GET", ts.URL+"/upload?district="+clerkDistrict)
	if !strings.Contains(string(b), "不能为该区县上传") {
		t.Error("another district's upload page does not say no")
	}
	before := dbDigest(t, db)
	var buf bytes.Buffer
	ct := multipartFile(&buf, "x.xlsx", workbook(t, registry.Suzhou(), clerkDistrict, fixtureLast))
	req, _ := http.NewRequest("POST", ts.URL+"/upload?district="+clerkDistrict, &buf)
	req.Header.Set("Content-Type", ct)
	resp, err := clerk2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Location"), "up.notyours") || dbDigest(t, db) != before {
		t.Errorf("upload for another district by URL: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The other district's workbook through the clerk's own form.
	buf.Reset()
	ct = multipartFile(&buf, "other.xlsx", workbook(t, registry.Suzhou(), clerkDistrict, fixtureLast))
	req, _ = http.NewRequest("POST", ts.URL+"/upload", &buf)
	req.Header.Set("Content-Type", ct)
	resp, err = clerk2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := returnParam(resp.Header.Get("Location"))
	if id == "" {
		t.Fatalf("upload answered %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var district, status string
	db.QueryRow(`SELECT district_code, status FROM returns WHERE return_id = ?`, id).Scan(&district, &status)
	if district != clerk2District || status != "rejected" {
		t.Errorf("the wrong-district upload is filed as %s %s, want %s rejected", district, status, clerk2District)
	}
	// Shown to the uploader, with the reason.
	_, b = do(t, clerk2.Client, "GET", ts.URL+resp.Header.Get("Location"))
	if !bytes.Contains(b, []byte(`id="upload-result"`)) || !bytes.Contains(b, []byte(clerkDistrict)) {
		t.Errorf("the uploader does not see the rejection:\n%.2000s", b)
	}
	// Not to the other district's clerk, and it changed nothing there.
	if resp, _ := do(t, clerk.Client, "GET", ts.URL+"/returns/"+id); resp.StatusCode != 403 {
		t.Errorf("the other district's clerk reads the attempt: %d", resp.StatusCode)
	}
	if v := reportedCount(t, ts.URL, "2026Q3", clerkDistrict); v != nil {
		t.Errorf("a clerk of %s changed %s: %v", clerk2District, clerkDistrict, v)
	}
	list, _ := auth.List(context.Background(), db, auth.Filter{Action: "upload"})
	if len(list) != 1 || list[0].Actor != "t-clerk2" || list[0].Result != auth.Rejected {
		t.Errorf("audit of the upload: %+v", list)
	}
}

// TestLoginThrottleAndForcedChange: wrong passwords lock the name out for
// a while; an initial password must be changed before anything else.
func TestLoginThrottleAndForcedChange(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if code := tryLogin(t, ts.URL, "t-leader", "wrong-password"); code != 401 {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if code := tryLogin(t, ts.URL, "t-leader", testPassword("t-leader")); code != http.StatusTooManyRequests {
		t.Errorf("the right password after 5 failures: %d, want 429 (throttled)", code)
	}
	failed, _ := auth.List(ctx, db, auth.Filter{Action: "login", Result: auth.Failed})
	if len(failed) != 5 || failed[0].Actor != "t-leader" {
		t.Errorf("failed logins in the audit trail: %d %+v", len(failed), failed)
	}

	// An initial password.
	if _, err := auth.AddUser(ctx, db, auth.NewUser{Name: "newbie", Password: testPassword("newbie"), Roles: []auth.Role{auth.Leader}, MustChange: true}, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := newClient()
	_, b := do(t, c.Client, "GET", ts.URL+"/login")
	m := csrfInput.FindSubmatch(b)
	resp, _ := c.PostForm(ts.URL+"/login", url.Values{"csrf": {string(m[1])}, "name": {"newbie"}, "password": {testPassword("newbie")}})
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/password" {
		t.Fatalf("login with an initial password goes to %q", loc)
	}
	if resp, _ := do(t, c.Client, "GET", ts.URL+"/"); resp.Header.Get("Location") != "/password" {
		t.Errorf("the overview before the change: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, b = do(t, c.Client, "GET", ts.URL+"/password")
	if !bytes.Contains(b, []byte(`id="must-change"`)) {
		t.Error("the password page does not say why")
	}
	tok := csrfMeta.FindSubmatch(b)[1]
	post := func(vals url.Values) *http.Response {
		vals.Set("csrf", string(tok))
		resp, err := c.PostForm(ts.URL+"/password", vals)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// Before the change, nothing else: a state-changing request is refused.
	if resp, b := do(t, c.Client, "POST", ts.URL+"/reporting/1/sendback"); resp.StatusCode != 403 || !strings.Contains(string(b), "请先修改初始密码") {
		t.Errorf("a POST before the change: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"old": {testPassword("newbie")}, "new": {testPassword("newbie")}, "new2": {testPassword("newbie")}}); resp.StatusCode != 400 {
		t.Errorf("the same password again: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"old": {testPassword("newbie")}, "new": {"short"}, "new2": {"short"}}); resp.StatusCode != 400 {
		t.Errorf("a short password: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"old": {"wrong"}, "new": {"a-long-new-secret"}, "new2": {"a-long-new-secret"}}); resp.StatusCode != 400 {
		t.Errorf("a wrong current password: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"old": {testPassword("newbie")}, "new": {"a-long-new-secret"}, "new2": {"another-one-here"}}); resp.StatusCode != 400 {
		t.Errorf("two different new passwords: %d", resp.StatusCode)
	}
	if resp := post(url.Values{"old": {testPassword("newbie")}, "new": {"a-long-new-secret"}, "new2": {"a-long-new-secret"}}); resp.StatusCode != 303 {
		t.Fatalf("the change: %d", resp.StatusCode)
	}
	if resp, _ := do(t, c.Client, "GET", ts.URL+"/"); resp.StatusCode != 200 {
		t.Errorf("the overview after the change: %d", resp.StatusCode)
	}
	if _, err := auth.Authenticate(ctx, db, "newbie", "a-long-new-secret"); err != nil {
		t.Error("the new password does not work")
	}
	// Logging out ends the session.
	_, b = do(t, c.Client, "GET", ts.URL+"/password")
	c.CSRF = string(csrfMeta.FindSubmatch(b)[1])
	if resp, _ = do(t, c.Client, "POST", ts.URL+"/logout"); resp.StatusCode != 303 {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := do(t, c.Client, "GET", ts.URL+"/"); resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestHealthzAndCookies: /healthz is open; the session cookie is HttpOnly,
// SameSite, and Secure behind an https public URL.
func TestHealthzAndCookies(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	resp, b := do(t, http.DefaultClient, "GET", ts.URL+"/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != `{"status":"ok"}` {
		t.Errorf("/healthz: %d %s", resp.StatusCode, b)
	}
	c := newClient()
	_, b = do(t, c.Client, "GET", ts.URL+"/login")
	m := csrfInput.FindSubmatch(b)
	resp, _ = c.PostForm(ts.URL+"/login", url.Values{"csrf": {string(m[1])}, "name": {"t-leader"}, "password": {testPassword("t-leader")}})
	resp.Body.Close()
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure {
		t.Errorf("session cookie over http: %+v", sc)
	}
	// Behind TLS (an https public URL): Secure.
	db := openCopy(t)
	s, err := NewServer(db, Options{NoWarm: true, PublicURL: "https://sgz.example.gov.cn"})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Engine()
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest("GET", "https://sgz.example.gov.cn/login", nil)
	h.ServeHTTP(rec, req)
	if ck := rec.header.Get("Set-Cookie"); !strings.Contains(ck, "Secure") || !strings.Contains(ck, "HttpOnly") {
		t.Errorf("cookie behind https: %s", ck)
	}
}

type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int)        { r.code = code }

// TestAdminPages: an admin adds an account (its initial password shown
// once, to be changed at first login), disables one (its sessions end),
// and reads, filters and exports the audit trail, which says whether its
// chain holds.
func TestAdminPages(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	admin := loginAs(t, ts.URL, "t-admin")
	leader := loginAs(t, ts.URL, "t-leader")
	post := func(path string, vals url.Values) (*http.Response, []byte) {
		resp, err := admin.PostForm(ts.URL+path, vals)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, b := post("/admin/users", url.Values{"name": {"newclerk"}, "role": {"clerk"}, "districts": {"320505"}})
	m := regexp.MustCompile(`id="initial-password">[^<]*<code>([^<]+)</code>`).FindSubmatch(b)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("add a user: %d %.3000s", resp.StatusCode, b)
	}
	c := newClient()
	_, lb := do(t, c.Client, "GET", ts.URL+"/login")
	tok := csrfInput.FindSubmatch(lb)[1]
	resp, _ = c.PostForm(ts.URL+"/login", url.Values{"csrf": {string(tok)}, "name": {"newclerk"}, "password": {string(m[1])}})
	if resp.Header.Get("Location") != "/password" {
		t.Errorf("the new account's first login goes to %q", resp.Header.Get("Location"))
	}
	for _, c := range []struct {
		vals url.Values
		want string
	}{
		{url.Values{"name": {"x2"}, "role": {"clerk"}, "districts": {"999999"}}, "999999 不在名录中"},
		{url.Values{"name": {"x3"}, "role": {"boss"}}, "未知角色"},
		{url.Values{"name": {"newclerk"}, "role": {"leader"}}, "已存在"},
	} {
		if resp, b := post("/admin/users", c.vals); resp.StatusCode != 400 || !strings.Contains(string(b), c.want) {
			t.Errorf("%v: %d, want 400 saying %q", c.vals, resp.StatusCode, c.want)
		}
	}
	if resp, b := post("/admin/users/t-admin/disable", nil); resp.StatusCode != 400 || !strings.Contains(string(b), "不能停用自己") {
		t.Errorf("disable oneself: %d", resp.StatusCode)
	}
	if resp, _ := post("/admin/users/nobody/disable", nil); resp.StatusCode != 404 {
		t.Errorf("disable nobody: %d", resp.StatusCode)
	}
	if resp, _ := post("/admin/users/t-leader/disable", nil); resp.StatusCode != 303 {
		t.Fatalf("disable t-leader: %d", resp.StatusCode)
	}
	if resp, _ := do(t, leader.Client, "GET", ts.URL+"/"); resp.StatusCode != 303 {
		t.Errorf("a disabled account still in: %d", resp.StatusCode)
	}
	if _, b := do(t, admin.Client, "GET", ts.URL+"/admin/users?done=user.disable"); !strings.Contains(string(b), "已完成") || !strings.Contains(string(b), "已停用") {
		t.Error("the users page does not show the disabled account")
	}
	if resp, _ := post("/admin/users/t-leader/enable", nil); resp.StatusCode != 303 {
		t.Errorf("enable t-leader: %d", resp.StatusCode)
	}
	// The audit trail: filtered, exported with formulas neutralised, verified.
	auth.Record(context.Background(), db, auth.Entry{Actor: "t-admin", Action: "export", Object: "x", Detail: `=HYPERLINK("http://evil.example/","x")`})
	_, b = do(t, admin.Client, "GET", ts.URL+"/admin/audit?action=user")
	page := string(b)
	for _, want := range []string{"user.add", "user.disable", "user.enable", "newclerk", "审计记录完整"} {
		if !strings.Contains(page, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(page, "HYPERLINK") {
		t.Error("the action filter let an export through")
	}
	if resp, _ := do(t, admin.Client, "GET", ts.URL+"/admin/audit?since=yesterday"); resp.StatusCode != 400 {
		t.Errorf("a bad date: %d", resp.StatusCode)
	}
	resp, b = do(t, admin.Client, "GET", ts.URL+"/admin/audit.csv?actor=t-admin&since=2020-01-01")
	csvText := string(b)
	if resp.StatusCode != 200 || !strings.Contains(csvText, "seq,at,actor") || !strings.Contains(csvText, `"'=HYPERLINK(`) || regexp.MustCompile(`\n\d+,[^,]+,t-leader,`).MatchString(csvText) {
		t.Errorf("audit.csv: %d\n%s", resp.StatusCode, csvText)
	}
	db.Exec(`UPDATE audit_log SET detail = 'nothing' WHERE seq = 1`)
	_, b = do(t, admin.Client, "GET", ts.URL+"/admin/audit")
	if !strings.Contains(string(b), "第 1 条被改动") {
		t.Error("the audit page does not say the trail was altered")
	}
}

// TestPrivacy: 填报人 and 联系电话 are shown to those who may read the
// return and to nobody else; the SQL console has no reporter column.
func TestPrivacy(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	id := strconv.FormatInt(returnOf(t, db, clerk2District, "2026Q2"), 10)
	var reporter string
	db.QueryRow(`SELECT reporter FROM returns WHERE return_id = ?`, id).Scan(&reporter)
	if reporter == "" {
		t.Fatal("the fixture return has no reporter")
	}
	for _, who := range []string{"t-evaluator", "t-admin", "t-clerk2"} {
		_, b := do(t, loginAs(t, ts.URL, who).Client, "GET", ts.URL+"/returns/"+id)
		if !strings.Contains(string(b), reporter) {
			t.Errorf("%s does not see the reporter", who)
		}
	}
	for _, who := range []string{"t-leader", "t-analyst", "t-clerk"} {
		resp, b := do(t, loginAs(t, ts.URL, who).Client, "GET", ts.URL+"/returns/"+id)
		if resp.StatusCode != 403 || strings.Contains(string(b), reporter) {
			t.Errorf("%s: %d", who, resp.StatusCode)
		}
	}
	leader := loginAs(t, ts.URL, "t-leader")
	if _, b := do(t, leader.Client, "GET", ts.URL+"/district/"+clerk2District+"?period=2026Q2"); bytes.Contains(b, []byte(`href="/returns/`)) {
		t.Error("the district page links a leader to returns they may not open")
	}
	an := loginAs(t, ts.URL, "t-analyst")
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/sql/query", strings.NewReader(`{"sql":"SELECT reporter FROM v_returns"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := an.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == 200 || strings.Contains(string(b), reporter) {
		t.Errorf("the SQL console lists reporters: %d %s", resp.StatusCode, b)
	}
}

// TestAdminRegistryLoad: an admin loads a registry version through the page
// (audited); a file that is not a registry changes nothing.
func TestAdminRegistryLoad(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	admin := loginAs(t, ts.URL, "t-admin")
	csvBytes, err := os.ReadFile("../testdata/suzhou-divisions-2023.csv")
	if err != nil {
		t.Fatal(err)
	}
	send := func(name string, data []byte, from string) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("file", name)
		w.Write(data)
		mw.WriteField("from", from)
		mw.Close()
		req, _ := http.NewRequest("POST", ts.URL+"/admin/registry", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := admin.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	var before int64
	db.QueryRow(`SELECT count(*) FROM registry_versions`).Scan(&before)
	if resp, b := send("junk.csv", []byte("not,a\nregistry,at all\n"), ""); resp.StatusCode != 400 || !strings.Contains(b, "junk.csv") {
		t.Errorf("a junk registry: %d %.300s", resp.StatusCode, b)
	}
	if resp, _ := send("s.csv", csvBytes, "soon"); resp.StatusCode != 400 {
		t.Errorf("a bad --from: %d", resp.StatusCode)
	}
	var n int64
	db.QueryRow(`SELECT count(*) FROM registry_versions`).Scan(&n)
	if n != before {
		t.Fatal("a refused registry load changed the versions")
	}
	resp, b := send("suzhou.csv", csvBytes, "2026Q4")
	if resp.StatusCode != 200 || !strings.Contains(b, "已导入名录 suzhou.csv") || !strings.Contains(b, "2026Q4") {
		t.Fatalf("registry load: %d %.500s", resp.StatusCode, b)
	}
	list, _ := auth.List(context.Background(), db, auth.Filter{Action: "registry.load"})
	if len(list) != 2 || list[0].Result != auth.OK || list[1].Result != auth.Failed || list[0].Actor != "t-admin" {
		t.Errorf("audit of registry loads: %+v", list)
	}
	// The evaluator reads the rules every score rests on.
	ev := loginAs(t, ts.URL, "t-evaluator")
	resp, body := do(t, ev.Client, "GET", ts.URL+"/rules.json")
	if resp.StatusCode != 200 || len(resp.Header.Get("X-Rules-SHA256")) != 64 || !json.Valid(body) {
		t.Errorf("/rules.json: %d %s", resp.StatusCode, resp.Header.Get("X-Rules-SHA256"))
	}
}

// A bad --public-url and an unreachable sign-on provider are refused at
// start, each with its message naming what was given.
func TestStartRefusesBadPublicURLAndProvider(t *testing.T) {
	for _, v := range []string{"ftp://x", "http://host/path", "nonsense"} {
		_, err := ParsePublicURL(v)
		var le *locale.Error
		if !errors.As(err, &le) || le.Key != "dash.badpublicurl" || !strings.Contains(le.In(locale.ZH), v) {
			t.Errorf("--public-url %q: %v", v, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	db := openCopy(t)
	_, err = NewServer(db, Options{NoWarm: true, NoSQL: true, OIDC: &OIDCOptions{Issuer: issuer, ClientID: "sgz"}})
	var le *locale.Error
	if !errors.As(err, &le) || le.Key != "oidc.provider" || !strings.Contains(le.In(locale.ZH), issuer) {
		t.Errorf("unreachable provider: %v", err)
	}
}

// TestLoginThrottlePerAddress: failures spread over many names (fewer than
// five each, so that no name is locked) lock the address out after 20: a
// guesser cannot try every account a few times each. Before that, a right
// password goes through, and does not clear the address's count.
func TestLoginThrottlePerAddress(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	names := []string{"t-leader", "t-analyst", "t-clerk", "t-clerk2", "no-such-user"}
	for i := 0; i < 19; i++ {
		if code := tryLogin(t, ts.URL, names[i%len(names)], "wrong-password"); code != 401 {
			t.Fatalf("failure %d (%s): %d", i+1, names[i%len(names)], code)
		}
	}
	if code := tryLogin(t, ts.URL, "t-evaluator", testPassword("t-evaluator")); code != http.StatusSeeOther && code != http.StatusFound {
		t.Errorf("the right password after 19 failures from the address: %d", code)
	}
	if code := tryLogin(t, ts.URL, "no-such-user-2", "wrong-password"); code != 401 {
		t.Fatalf("failure 20: %d", code)
	}
	if code := tryLogin(t, ts.URL, "t-evaluator", testPassword("t-evaluator")); code != http.StatusTooManyRequests {
		t.Errorf("the right password after 20 failures from the address: %d, want 429", code)
	}
}

// tryLogin posts the login form once, from a new client: the status.
func tryLogin(t *testing.T, base, name, pw string) int {
	t.Helper()
	c := newClient()
	_, b := do(t, c.Client, "GET", base+"/login")
	m := csrfInput.FindSubmatch(b)
	resp, err := c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "name": {name}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
