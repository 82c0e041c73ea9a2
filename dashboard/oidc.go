package dashboard

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"sgz/auth"
	"sgz/locale"
)

// OIDCOptions configure single sign-on through an OpenID Connect provider
// (a provincial 政务 platform). The provider's ID token names the user
// (preferred_username, else sub) and, in RolesClaim, their roles: values
// that are role names (leader, evaluator, analyst, clerk, admin) and, for
// clerks, "district:CODE". Roles are taken afresh at every login.
type OIDCOptions struct {
	Issuer       string
	ClientID     string
	ClientSecret string   // from a file or the environment, never the command line
	RolesClaim   string   // default "roles"
	Scopes       []string // besides openid (default: profile)
}

type oidcLogin struct {
	opt      OIDCOptions
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

const oidcCookie = "sgz_oidc" // state and nonce of a login under way

func newOIDC(ctx context.Context, o OIDCOptions) (*oidcLogin, error) {
	if o.RolesClaim == "" {
		o.RolesClaim = "roles"
	}
	if len(o.Scopes) == 0 {
		o.Scopes = []string{"profile"}
	}
	p, err := oidc.NewProvider(ctx, o.Issuer)
	if err != nil {
		return nil, locale.Errorf("oidc.provider", o.Issuer, err)
	}
	return &oidcLogin{opt: o, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: o.ClientID})}, nil
}

func (s *Server) oauth2Config(c *gin.Context) *oauth2.Config {
	base := "http://" + c.Request.Host
	if s.public != nil {
		base = s.public.Scheme + "://" + s.public.Host
	}
	return &oauth2.Config{ClientID: s.oidc.opt.ClientID, ClientSecret: s.oidc.opt.ClientSecret, Endpoint: s.oidc.provider.Endpoint(),
		RedirectURL: base + "/login/oidc/callback", Scopes: append([]string{oidc.ScopeOpenID}, s.oidc.opt.Scopes...)}
}

// GET /login/oidc: on to the provider.
func (s *Server) oidcStart(c *gin.Context) {
	if s.oidc == nil {
		s.fail(c, http.StatusNotFound, "dash.notfound")
		return
	}
	state, nonce := auth.Secret(), auth.Secret()
	s.setCookie(c, oidcCookie, state+"."+nonce, "/login/oidc", 600, http.SameSiteLaxMode)
	c.Redirect(http.StatusSeeOther, s.oauth2Config(c).AuthCodeURL(state, oidc.Nonce(nonce)))
}

// GET /login/oidc/callback?code=&state=: the provider's answer.
func (s *Server) oidcCallback(c *gin.Context) {
	if s.oidc == nil {
		s.fail(c, http.StatusNotFound, "dash.notfound")
		return
	}
	ctx := c.Request.Context()
	l := lang(c)
	refuse := func(name, why string, key string, args ...any) {
		auth.Record(ctx, s.db, auth.Entry{At: s.opt.Now(), Actor: name, Remote: c.ClientIP(), Action: "login", Object: "oidc", Result: auth.Failed, Detail: why})
		s.showLogin(c, http.StatusForbidden, "", locale.T(l, key, args...))
	}
	ck, _ := c.Cookie(oidcCookie)
	s.setCookie(c, oidcCookie, "", "/login/oidc", -1, http.SameSiteLaxMode)
	state, nonce, _ := strings.Cut(ck, ".")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(c.Query("state"))) != 1 {
		refuse("-", "state", "oidc.failed")
		return
	}
	tok, err := s.oauth2Config(c).Exchange(ctx, c.Query("code"))
	if err != nil {
		refuse("-", "exchange", "oidc.failed")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.oidc.verifier.Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		refuse("-", "id token", "oidc.failed")
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		refuse("-", "claims", "oidc.failed")
		return
	}
	name, _ := claims["preferred_username"].(string)
	if name == "" {
		name = idt.Subject
	}
	var roles []auth.Role
	var districts []string
	vals, _ := claims[s.oidc.opt.RolesClaim].([]any)
	for _, v := range vals {
		str, _ := v.(string)
		if d, ok := strings.CutPrefix(str, "district:"); ok {
			districts = append(districts, d)
		} else if r, err := auth.ParseRole(str); err == nil && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 || (slices.Contains(roles, auth.Clerk) && len(districts) == 0) {
		refuse("-", "no roles", "oidc.noroles", s.oidc.opt.RolesClaim)
		return
	}
	if err := auth.CheckName(name); err != nil {
		refuse("-", "name", "oidc.failed")
		return
	}
	u, err := auth.FindUser(ctx, s.db, name)
	switch {
	case err != nil:
		s.internal(c, err)
		return
	case u == nil:
		u, err = auth.AddUser(ctx, s.db, auth.NewUser{Name: name, Roles: roles, Districts: districts, Source: "oidc"}, s.opt.Now())
		if err == nil {
			s.record(c, "user.add", name, auth.OK, "oidc roles="+u.RoleList())
		}
	case u.Source != "oidc":
		// A local account of the same name is not taken over.
		refuse(name, "local account", "oidc.local", name)
		return
	case u.Disabled:
		refuse(name, "disabled", "auth.badlogin")
		return
	default:
		if err = auth.SetRoles(ctx, s.db, name, roles, districts); err == nil {
			u, err = auth.FindUser(ctx, s.db, name)
		}
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	s.startSession(c, u, "oidc")
}

func init() {
	locale.Add(map[string]locale.Text{
		"oidc.provider": {"无法连接统一身份认证服务 %s：%v", "cannot reach the sign-on provider %s: %v"},
		"oidc.failed":   {"统一身份认证登录失败，请重试", "single sign-on failed; please try again"},
		"oidc.noroles":  {"统一身份认证未给出本系统的角色（声明 %s）：请联系管理员", "the sign-on provider gave no role for this system (claim %s): ask an administrator"},
		"oidc.local":    {"已有同名本地账号 %s：请用密码登录", "a local account %s exists: log in with its password"},
		"login.oidc":    {"使用统一身份认证登录", "Log in with single sign-on"},
	})
}
