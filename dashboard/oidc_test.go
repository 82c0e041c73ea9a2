package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"sgz/auth"
)

// TestOIDCLogin: single sign-on against a local OpenID Connect provider
// started by the test: roles (and a clerk's district) from the groups
// claim, refreshed at each login; no roles, no entry; a local account of
// the same name is not taken over.
func TestOIDCLogin(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	cfg := m.Config()
	db := openCopy(t)
	ts, _ := startServer(t, db, Options{NoWarm: true, OIDC: &OIDCOptions{Issuer: cfg.Issuer, ClientID: cfg.ClientID,
		ClientSecret: cfg.ClientSecret, RolesClaim: "groups", Scopes: []string{"profile", "groups"}}})
	ctx := context.Background()

	sso := func(u *mockoidc.MockUser) (*testClient, *http.Response) {
		m.QueueUser(u)
		c := newClient()
		c.Client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if req.URL.Host == strings.TrimPrefix(ts.URL, "http://") && !strings.HasPrefix(req.URL.Path, "/login/oidc") {
				return http.ErrUseLastResponse // stop at the first page of ours after the callback
			}
			return nil
		}
		resp, err := c.Get(ts.URL + "/login/oidc")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return c, resp
	}
	c, resp := sso(&mockoidc.MockUser{Subject: "s1", PreferredUsername: "zhang.evaluator", Groups: []string{"evaluator", "other-app-admin"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("SSO login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, _ := do(t, c.Client, "GET", ts.URL+"/reporting"); r.StatusCode != 200 {
		t.Errorf("the SSO evaluator opens /reporting: %d", r.StatusCode)
	}
	u, _ := auth.FindUser(ctx, db, "zhang.evaluator")
	if u == nil || u.Source != "oidc" || u.RoleList() != "evaluator" {
		t.Fatalf("SSO account: %+v", u)
	}
	// The provider now says clerk of 320505: the roles follow.
	c, _ = sso(&mockoidc.MockUser{Subject: "s1", PreferredUsername: "zhang.evaluator", Groups: []string{"clerk", "district:320505"}})
	if r, _ := do(t, c.Client, "GET", ts.URL+"/reporting"); r.StatusCode != 403 {
		t.Errorf("after losing the role: %d", r.StatusCode)
	}
	if r, b := do(t, c.Client, "GET", ts.URL+"/upload"); r.StatusCode != 200 || !strings.Contains(string(b), "虎丘区") {
		t.Errorf("the SSO clerk's upload page: %d", r.StatusCode)
	}
	// No role for this system: refused.
	_, resp = sso(&mockoidc.MockUser{Subject: "s2", PreferredUsername: "wang", Groups: []string{"other-app-admin"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("SSO without roles: %d", resp.StatusCode)
	}
	// A local account of the same name is not taken over.
	_, resp = sso(&mockoidc.MockUser{Subject: "s3", PreferredUsername: "t-admin", Groups: []string{"admin"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("SSO as a local account's name: %d", resp.StatusCode)
	}
	// A forged callback (no state cookie) is refused.
	if r, _ := do(t, newClient().Client, "GET", ts.URL+"/login/oidc/callback?code=x&state=y"); r.StatusCode != http.StatusForbidden {
		t.Errorf("forged callback: %d", r.StatusCode)
	}
	list, _ := auth.List(ctx, db, auth.Filter{Action: "login", Since: time.Now().Add(-time.Hour)})
	var ok, failed int
	for _, e := range list {
		if e.Object == "oidc" && e.Result == auth.OK {
			ok++
		}
		if e.Object == "oidc" && e.Result == auth.Failed {
			failed++
		}
	}
	if ok != 2 || failed != 3 {
		t.Errorf("SSO logins in the audit trail: %d ok, %d failed", ok, failed)
	}
	_ = url.Values{}
}
