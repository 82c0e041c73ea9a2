// Package auth holds who may use sgz: local accounts with roles (a clerk
// bound to districts), passwords hashed with argon2id, server-side sessions,
// API tokens, login throttling and the hash-chained audit trail. What each
// role may do is decided in one place, the permission table of package
// dashboard (dashboard/perms.go), which wires the router.
package auth

import (
	"slices"
	"strings"

	"sgz/locale"
)

// Role is one of the five roles.
type Role string

const (
	Leader    Role = "leader"    // 领导: dashboards and aggregate exports
	Evaluator Role = "evaluator" // 考核员: also returns, warnings, originals, review, the assessment and its rules
	Analyst   Role = "analyst"   // 分析员: also the SQL console
	Clerk     Role = "clerk"     // 区县填报员: template, upload, their districts' returns and status
	Admin     Role = "admin"     // 管理员: users, registry, rules, audit
)

// AllRoles in the order pages list them.
var AllRoles = []Role{Leader, Evaluator, Analyst, Clerk, Admin}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(AllRoles, r) {
		return r, nil
	}
	return "", locale.Errorf("auth.badrole", s)
}

// Name is the role's name in lang.
func (r Role) Name(l locale.Lang) string { return locale.T(l, "auth.role."+string(r)) }

// User is an account as a request sees it.
type User struct {
	ID         int64
	Name       string
	Roles      []Role
	Districts  []string // a clerk's districts
	MustChange bool     // an initial password: change it first
	Disabled   bool
	Source     string // local | oidc
	Via        string // session | token (how this request was authenticated)
	CSRF       string // the session's CSRF token ("" for tokens)
	SessionID  string // the session's id hash
}

// Has reports whether u holds any of roles.
func (u *User) Has(roles ...Role) bool {
	if u == nil {
		return false
	}
	for _, r := range roles {
		if slices.Contains(u.Roles, r) {
			return true
		}
	}
	return false
}

// ClerkOf reports whether u is a clerk of district.
func (u *User) ClerkOf(district string) bool {
	return u != nil && district != "" && u.Has(Clerk) && slices.Contains(u.Districts, district)
}

// RoleList is the roles joined by commas.
func (u *User) RoleList() string {
	if u == nil {
		return ""
	}
	s := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func init() {
	locale.Add(map[string]locale.Text{
		"auth.badrole":        {"未知角色 %q（可选 leader、evaluator、analyst、clerk、admin）", "unknown role %q (use leader, evaluator, analyst, clerk or admin)"},
		"auth.role.leader":    {"领导", "leader"},
		"auth.role.evaluator": {"考核员", "evaluator"},
		"auth.role.analyst":   {"分析员", "analyst"},
		"auth.role.clerk":     {"区县填报员", "district clerk"},
		"auth.role.admin":     {"管理员", "administrator"},
	})
}
