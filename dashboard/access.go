package dashboard

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"sgz/auth"
	"sgz/locale"
	"sgz/query"
)

// Cookies.
const (
	sessionCookie = "sgz_session" // the session's secret
	loginCookie   = "sgz_login"   // the login form's CSRF token (double submit)
	userKey       = "sgz.user"    // gin context key of the request's *auth.User
)

// user is the request's account (nil: anonymous).
func user(c *gin.Context) *auth.User {
	if v, ok := c.Get(userKey); ok {
		u, _ := v.(*auth.User)
		return u
	}
	return nil
}

// authenticate finds the request's account: an API token in
// "Authorization: Bearer", else the session cookie. bad is true when an
// Authorization header is present but not a valid token.
func (s *Server) authenticate(c *gin.Context) (u *auth.User, bad bool, err error) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, true, nil
		}
		if s.peer != nil {
			u, err := s.peer.lookup(ctx, "token", strings.TrimSpace(tok))
			return u, u == nil && err == nil, err
		}
		u, err := s.tokens.Lookup(ctx, strings.TrimSpace(tok), s.opt.Now())
		return u, u == nil, err
	}
	v, cerr := c.Cookie(sessionCookie)
	if cerr != nil || v == "" {
		return nil, false, nil
	}
	if s.peer != nil {
		u, err = s.peer.lookup(ctx, "session", v)
		return u, false, err
	}
	u, err = s.sessions.Lookup(ctx, v)
	return u, false, err
}

// guard is the first handler of every route: who is asking, may they, and
// does a state-changing request carry the session's CSRF token.
func (s *Server) guard(rt *route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rt.Access == peer && s.peerOK(c) {
			c.Next()
			return
		}
		u, bad, err := s.authenticate(c)
		if errors.Is(err, errWriterDown) {
			s.log.Warn("replica: the writer does not answer", "err", err)
			s.fail(c, http.StatusServiceUnavailable, "replica.writerdown", s.writerName())
			return
		}
		if err != nil {
			s.internal(c, err)
			c.Abort()
			return
		}
		if u != nil {
			c.Set(userKey, u)
			c.Set(query.UserKey, u.Name) // the console's turns and the upload limits count per account
		}
		if rt.Access == open {
			c.Next()
			return
		}
		if u == nil {
			s.unauthenticated(c, bad)
			return
		}
		if u.Via == "session" && u.MustChange && rt.Path != "/password" && rt.Path != "/logout" {
			if c.Request.Method == http.MethodGet && !isAPI(c) {
				c.Redirect(http.StatusSeeOther, "/password")
				c.Abort()
				return
			}
			s.fail(c, http.StatusForbidden, "auth.mustchange")
			return
		}
		if !rt.allows(u) {
			s.fail(c, http.StatusForbidden, "dash.forbidden")
			return
		}
		if unsafeMethod(c.Request.Method) && u.Via == "session" && !s.csrfOK(c, u.CSRF) {
			s.fail(c, http.StatusForbidden, "auth.csrf")
			return
		}
		c.Next()
	}
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// unauthenticated: 401 JSON for the API and for Authorization requests, the
// login page for pages.
func (s *Server) unauthenticated(c *gin.Context, bad bool) {
	if isAPI(c) || bad || c.GetHeader("Authorization") != "" {
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": locale.T(lang(c), "auth.required")})
		return
	}
	next := "/login"
	if c.Request.Method == http.MethodGet {
		next += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	c.Redirect(http.StatusSeeOther, next)
	c.Abort()
}

// csrfOK: the session's token in the X-CSRF-Token header, a urlencoded
// form's csrf field, or (multipart uploads, whose form is read later under a
// size limit) ?csrf=.
func (s *Server) csrfOK(c *gin.Context, want string) bool {
	got := c.GetHeader("X-CSRF-Token")
	if got == "" {
		if strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded") {
			got = c.PostForm("csrf")
		} else {
			got = c.Query("csrf")
		}
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// ---- Host and Origin ----

// hostOK: the Host header is the public URL's host (for a loopback public
// URL, any loopback name with its port). Anything else is refused: a
// DNS-rebinding page reaches the server under its own name.
func (s *Server) hostOK(host string) bool {
	host = strings.ToLower(host)
	if s.public == nil {
		h, _, err := net.SplitHostPort(host)
		if err != nil {
			h = host
		}
		return isLoopbackName(h)
	}
	want := strings.ToLower(s.public.Host)
	if host == want {
		return true
	}
	wh, wp, err1 := net.SplitHostPort(want)
	hh, hp, err2 := net.SplitHostPort(host)
	return err1 == nil && err2 == nil && wp == hp && isLoopbackName(wh) && isLoopbackName(hh)
}

func isLoopbackName(h string) bool {
	h = strings.Trim(h, "[]")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// originOK: a state-changing request's Origin (else Referer), when the
// browser sends one, is this server; "null" (sandboxed frames, file:) never.
func (s *Server) originOK(c *gin.Context) bool {
	o := c.GetHeader("Origin")
	if o == "" {
		ref := c.GetHeader("Referer")
		if ref == "" {
			return true
		}
		u, err := url.Parse(ref)
		if err != nil {
			return false
		}
		o = u.Scheme + "://" + u.Host
	}
	if o == "null" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	if s.public != nil && !strings.EqualFold(u.Scheme, s.public.Scheme) {
		return false
	}
	return strings.EqualFold(u.Host, c.Request.Host) && s.hostOK(u.Host)
}

// secure: cookies are Secure behind TLS (an https public URL or a TLS request).
func (s *Server) secure(c *gin.Context) bool {
	return c.Request.TLS != nil || (s.public != nil && s.public.Scheme == "https")
}

func (s *Server) setCookie(c *gin.Context, name, value, path string, maxAge int, site http.SameSite) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(c), SameSite: site})
}

// ---- the audit trail ----

// record writes an audit entry for the request (who, from where).
func (s *Server) record(c *gin.Context, action, object, result, detail string) {
	e := auth.Entry{At: s.opt.Now(), Remote: c.ClientIP(), Action: action, Object: object, Result: result, Detail: detail}
	if u := user(c); u != nil {
		e.Actor, e.Roles = u.Name, u.RoleList()
	}
	// Not cancelled with the request: a client that hangs up as soon as
	// it has its export must not take the entry with it.
	if err := s.recordEntry(context.WithoutCancel(c.Request.Context()), e); err != nil {
		s.log.Error("audit", "action", action, "err", err)
	}
}

// audited records every use of a route whose table entry names an audit
// action: the route and its parameters (the SQL text of a query), and
// whether it succeeded.
func (s *Server) audited(rt *route) gin.HandlerFunc {
	return func(c *gin.Context) {
		detail := c.Request.URL.RawQuery
		if rt.Audit == "sql" {
			detail = c.Query("sql")
			if c.Request.Method == http.MethodPost {
				body, _ := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20))
				c.Request.Body = io.NopCloser(bytes.NewReader(body))
				if strings.HasPrefix(c.ContentType(), "application/json") {
					var in struct {
						SQL string `json:"sql"`
					}
					json.Unmarshal(body, &in)
					detail = in.SQL
				} else if v, err := url.ParseQuery(string(body)); err == nil {
					detail = v.Get("sql")
				}
			}
		}
		if r := []rune(detail); len(r) > 1000 {
			detail = string(r[:1000]) + "…"
		}
		c.Next()
		result := auth.OK
		switch st := c.Writer.Status(); {
		case st == http.StatusForbidden:
			result = auth.Denied
		case st >= 400:
			result = auth.Failed
		}
		s.record(c, rt.Audit, rt.Method+" "+c.Request.URL.Path, result, detail)
	}
}

// ---- login, logout, password ----

type loginData struct {
	CSRF, Next, Name, Flash string
	OIDC                    bool
}

// GET /login: the form (also when logged in: to switch accounts).
func (s *Server) loginPage(c *gin.Context) {
	s.showLogin(c, http.StatusOK, "", "")
}

func (s *Server) showLogin(c *gin.Context, code int, name, flash string) {
	tok := auth.Secret()
	s.setCookie(c, loginCookie, tok, "/login", 3600, http.SameSiteStrictMode)
	d := &loginData{CSRF: tok, Next: safeNext(c.Query("next") + c.PostForm("next")), Name: name, Flash: flash, OIDC: s.oidc != nil}
	c.Status(code)
	s.renderCode(c, code, "login", "", locale.T(lang(c), "login.title"), spanZero, d, nil)
}

// safeNext keeps a local path only.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || strings.HasPrefix(n, "/login") {
		return ""
	}
	return n
}

func (s *Server) login(c *gin.Context) {
	l := lang(c)
	ctx := c.Request.Context()
	name := strings.TrimSpace(c.PostForm("name"))
	pw := c.PostForm("password")
	ck, err := c.Cookie(loginCookie)
	if err != nil || ck == "" || subtle.ConstantTimeCompare([]byte(ck), []byte(c.PostForm("csrf"))) != 1 {
		s.showLogin(c, http.StatusForbidden, name, locale.T(l, "auth.csrf"))
		return
	}
	ip := c.ClientIP()
	actor := func() string {
		if u, _ := auth.FindUser(ctx, s.db, name); u != nil {
			return u.Name
		}
		return "-" // an unknown name may be a mistyped password: not recorded
	}
	w := max(s.throttle.Wait(name), s.ipThrottle.Wait(ip))
	if w > 0 {
		e := auth.Entry{At: s.opt.Now(), Actor: actor(), Remote: c.ClientIP(), Action: "login", Object: "password", Result: auth.Denied, Detail: "throttled"}
		auth.Record(ctx, s.db, e)
		s.showLogin(c, http.StatusTooManyRequests, name, locale.T(l, "auth.throttled", int(w.Seconds())+1))
		return
	}
	u, err := auth.Authenticate(ctx, s.db, name, pw)
	if err != nil {
		s.throttle.Fail(name)
		s.ipThrottle.Fail(ip)
		auth.Record(ctx, s.db, auth.Entry{At: s.opt.Now(), Actor: actor(), Remote: c.ClientIP(), Action: "login", Object: "password", Result: auth.Failed})
		s.showLogin(c, http.StatusUnauthorized, name, locale.Say(l, err))
		return
	}
	s.throttle.Succeed(name)
	s.startSession(c, u, "password")
}

// startSession logs u in: a new session cookie, an audit entry, and on to
// the page asked for (or the password change an initial password needs).
func (s *Server) startSession(c *gin.Context, u *auth.User, how string) {
	secret, err := s.sessions.Create(c.Request.Context(), u.ID)
	if err != nil {
		s.internal(c, err)
		return
	}
	s.setCookie(c, sessionCookie, secret, "/", 0, http.SameSiteLaxMode)
	s.setCookie(c, loginCookie, "", "/login", -1, http.SameSiteStrictMode)
	c.Set(userKey, u)
	s.record(c, "login", how, auth.OK, "")
	next := safeNext(c.PostForm("next"))
	switch {
	case u.MustChange:
		next = "/password"
	case next == "":
		next = home(u)
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *Server) logout(c *gin.Context) {
	if v, err := c.Cookie(sessionCookie); err == nil && v != "" {
		if err := s.sessions.Delete(c.Request.Context(), v); err != nil {
			s.internal(c, err)
			return
		}
	}
	s.setCookie(c, sessionCookie, "", "/", -1, http.SameSiteLaxMode)
	s.record(c, "logout", "", auth.OK, "")
	c.Redirect(http.StatusSeeOther, "/login")
}

type passwordData struct {
	Must  bool
	Flash string
	Bad   bool
	Local bool
}

func (s *Server) passwordPage(c *gin.Context) {
	u := user(c)
	d := &passwordData{Must: u.MustChange, Local: u.Source == "local"}
	s.render(c, "password", "", locale.T(lang(c), "login.password"), spanZero, d, nil)
}

func (s *Server) changePassword(c *gin.Context) {
	u := user(c)
	l := lang(c)
	ctx := c.Request.Context()
	again := func(key string, args ...any) {
		d := &passwordData{Must: u.MustChange, Flash: locale.T(l, key, args...), Bad: true, Local: u.Source == "local"}
		s.renderCode(c, http.StatusBadRequest, "password", "", locale.T(l, "login.password"), spanZero, d, nil)
	}
	if u.Source != "local" || u.Via != "session" {
		s.fail(c, http.StatusForbidden, "dash.forbidden")
		return
	}
	if _, err := auth.Authenticate(ctx, s.db, u.Name, c.PostForm("old")); err != nil {
		s.record(c, "password", u.Name, auth.Failed, "wrong current password")
		again("auth.oldpw")
		return
	}
	nw := c.PostForm("new")
	if nw != c.PostForm("new2") {
		again("auth.pwmismatch")
		return
	}
	if nw == c.PostForm("old") {
		again("auth.pwsame")
		return
	}
	if err := auth.SetPassword(ctx, s.db, u.Name, nw, false); err != nil {
		if le := (*locale.Error)(nil); errors.As(err, &le) {
			again(le.Key, le.Args...)
			return
		}
		s.internal(c, err)
		return
	}
	s.sessions.Forget()
	s.record(c, "password", u.Name, auth.OK, "")
	// The change ended every session of the account: this one starts anew.
	secret, err := s.sessions.Create(ctx, u.ID)
	if err != nil {
		s.internal(c, err)
		return
	}
	s.setCookie(c, sessionCookie, secret, "/", 0, http.SameSiteLaxMode)
	u.MustChange = false
	c.Redirect(http.StatusSeeOther, home(u))
}

func (s *Server) healthz(c *gin.Context) {
	h := gin.H{"status": "ok"}
	if s.opt.Health != nil {
		for k, v := range s.opt.Health() {
			h[k] = v
		}
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) serveStatic(c *gin.Context) { s.static.serve(c) }

func (s *Server) favicon(c *gin.Context) { c.Status(http.StatusNoContent) }

var _ = time.Second
