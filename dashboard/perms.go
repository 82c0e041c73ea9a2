package dashboard

import (
	"github.com/gin-gonic/gin"

	"sgz/auth"
)

// The permission table: every route of the server, who may use it, and,
// for the pages of the main navigation, their link. Engine wires the router
// from it, the navigation and the buttons of the pages are shown from it
// (Server.may), and TestEveryRouteEveryRole walks it with every role.
//
// Roles: 领导 leader, 考核员 evaluator, 分析员 analyst, 区县填报员 clerk
// (bound to districts: the handlers of the returns, uploads and templates
// narrow a clerk to their own districts), 管理员 admin.

// access is who may use a route.
type access int

const (
	open    access = iota // anyone, without logging in (/login, /healthz, /static)
	anyUser               // anyone logged in
	roles                 // the route's Roles
	peer                  // a replica of this server (the shared secret of --peer-secret-file), never a user
)

type route struct {
	Method, Path string
	Access       access
	Roles        []auth.Role
	// Nav is the locale key of the route's link in the main navigation
	// (GET pages only), in this order.
	Nav string
	// Audit, when set, records every use in the audit trail as that action
	// (exports, downloads of originals, SQL queries).
	Audit string
	// Writes: the route changes the database (or keeps a history, or
	// starts a session), so only the writer serves it: a read-only
	// replica (sgz serve --replica) answers 503 naming the writer.
	Writes bool
	// h handles the route; sql names one of the SQL console's routes
	// (package query) instead.
	h   func(*Server, *gin.Context)
	sql string
}

var (
	viewers      = []auth.Role{auth.Leader, auth.Evaluator, auth.Analyst, auth.Admin} // dashboards and aggregate exports
	reviewers    = []auth.Role{auth.Evaluator, auth.Admin}                            // the returns received
	returnReader = []auth.Role{auth.Evaluator, auth.Admin, auth.Clerk}                // a return, its original (clerks: own districts)
	analysts     = []auth.Role{auth.Analyst}
	clerks       = []auth.Role{auth.Clerk}
	templates    = []auth.Role{auth.Clerk, auth.Evaluator, auth.Admin}
	admins       = []auth.Role{auth.Admin}
	briefReaders = []auth.Role{auth.Leader, auth.Evaluator, auth.Admin} // the quarterly briefing (工作简报)
	// The 催报 list: everyone who follows the returns; 填报人 and 联系电话 in it
	// only for those who may read the district's returns (reminders.go).
	reminderReaders = []auth.Role{auth.Leader, auth.Evaluator, auth.Analyst, auth.Admin, auth.Clerk}
)

// routes is the table (filled in init: its handlers render pages, which ask
// the table what to show).
var routes []route

func init() {
	routes = []route{
		// Open.
		{Method: "GET", Path: "/login", Access: open, h: (*Server).loginPage},
		{Method: "POST", Path: "/login", Access: open, Writes: true, h: (*Server).login},
		{Method: "GET", Path: "/login/oidc", Access: open, Writes: true, h: (*Server).oidcStart},
		{Method: "GET", Path: "/login/oidc/callback", Access: open, Writes: true, h: (*Server).oidcCallback},
		{Method: "GET", Path: "/healthz", Access: open, h: (*Server).healthz},
		{Method: "GET", Path: "/static/*file", Access: open, h: (*Server).serveStatic},
		{Method: "GET", Path: "/favicon.ico", Access: open, h: (*Server).favicon},
		// Every account.
		{Method: "POST", Path: "/logout", Access: anyUser, Writes: true, h: (*Server).logout},
		{Method: "GET", Path: "/password", Access: anyUser, h: (*Server).passwordPage},
		{Method: "POST", Path: "/password", Access: anyUser, Writes: true, h: (*Server).changePassword},
		// Dashboards and aggregate exports.
		{Method: "GET", Path: "/", Access: roles, Roles: viewers, Nav: "nav.overview", h: (*Server).overview},
		{Method: "GET", Path: "/big", Access: roles, Roles: viewers, h: (*Server).bigScreen}, // the big screen: no navigation of its own
		{Method: "GET", Path: "/map", Access: roles, Roles: viewers, Nav: "nav.map", h: (*Server).mapPage},
		{Method: "GET", Path: "/indicators", Access: roles, Roles: viewers, Nav: "nav.indicators", h: (*Server).indicatorList},
		{Method: "GET", Path: "/assessment", Access: roles, Roles: viewers, Nav: "nav.assessment", h: (*Server).assessment},
		{Method: "GET", Path: "/district/:code", Access: roles, Roles: viewers, h: (*Server).district},
		{Method: "GET", Path: "/indicator/:id", Access: roles, Roles: viewers, h: (*Server).indicator},
		{Method: "GET", Path: "/indicators.xlsx", Access: roles, Roles: viewers, Audit: "export", h: (*Server).indicatorsXLSX},
		{Method: "GET", Path: "/indicators.csv", Access: roles, Roles: viewers, Audit: "export", h: (*Server).indicatorsCSV},
		{Method: "GET", Path: "/assessment.xlsx", Access: roles, Roles: viewers, Audit: "export", h: (*Server).assessmentXLSX},
		{Method: "GET", Path: "/assessment.csv", Access: roles, Roles: viewers, Audit: "export", h: (*Server).assessmentCSV},
		{Method: "GET", Path: "/api/v1/indicators", Access: roles, Roles: viewers, h: (*Server).apiIndicators},
		{Method: "GET", Path: "/api/v1/assessment", Access: roles, Roles: viewers, h: (*Server).apiAssessment},
		{Method: "GET", Path: "/api/v1/periods", Access: roles, Roles: viewers, h: (*Server).apiPeriods},
		{Method: "GET", Path: "/api/v1/geojson", Access: roles, Roles: viewers, h: (*Server).apiGeoJSON},
		{Method: "GET", Path: "/api/v1/headline", Access: roles, Roles: viewers, h: (*Server).apiHeadline},
		{Method: "GET", Path: "/api/v1/forecast", Access: roles, Roles: viewers, h: (*Server).apiForecast},
		{Method: "GET", Path: "/api/v1/compare", Access: roles, Roles: viewers, h: (*Server).apiCompare},
		{Method: "GET", Path: "/brief.docx", Access: roles, Roles: briefReaders, Audit: "export", h: (*Server).briefDocx},
		// Returns: evaluators (review), admins; clerks their own districts'.
		{Method: "GET", Path: "/reporting", Access: roles, Roles: reviewers, Nav: "nav.reporting", h: (*Server).reporting},
		{Method: "GET", Path: "/api/v1/reporting", Access: roles, Roles: reviewers, h: (*Server).apiReporting},
		{Method: "GET", Path: "/reminders", Access: roles, Roles: reminderReaders, h: (*Server).reminders},
		{Method: "GET", Path: "/reminders.csv", Access: roles, Roles: reminderReaders, Audit: "export", h: (*Server).remindersCSV},
		{Method: "POST", Path: "/reporting/:id/approve", Access: roles, Roles: reviewers, Writes: true, h: (*Server).approve},
		{Method: "POST", Path: "/reporting/:id/sendback", Access: roles, Roles: reviewers, Writes: true, h: (*Server).sendBack}, // an approved return: admins (package review)
		{Method: "POST", Path: "/reporting/:id/restore", Access: roles, Roles: reviewers, Writes: true, h: (*Server).restore},
		{Method: "POST", Path: "/assessment/close", Access: roles, Roles: reviewers, Writes: true, h: (*Server).closePeriod},
		{Method: "POST", Path: "/assessment/reopen", Access: roles, Roles: admins, Writes: true, h: (*Server).reopenPeriod},
		{Method: "GET", Path: "/rules.json", Access: roles, Roles: reviewers, h: (*Server).rulesJSON},
		{Method: "GET", Path: "/returns/:id", Access: roles, Roles: returnReader, h: (*Server).returnPage},
		{Method: "GET", Path: "/returns/:id/file", Access: roles, Roles: returnReader, Audit: "download", h: (*Server).returnFile},
		{Method: "GET", Path: "/returns/:id/marked.xlsx", Access: roles, Roles: returnReader, Audit: "download", h: (*Server).markedFile},
		{Method: "GET", Path: "/upload", Access: roles, Roles: clerks, Nav: "nav.upload", h: (*Server).uploadPage},
		{Method: "POST", Path: "/upload", Access: roles, Roles: clerks, Writes: true, h: (*Server).upload},
		{Method: "GET", Path: "/template.xlsx", Access: roles, Roles: templates, h: (*Server).template},
		// The SQL console (package query's routes under /api/v1/sql).
		{Method: "GET", Path: "/sql", Access: roles, Roles: analysts, Nav: "nav.sql", Writes: true, h: (*Server).sqlPage},
		{Method: "POST", Path: "/api/v1/sql/query", Access: roles, Roles: analysts, Audit: "sql", Writes: true, sql: "POST /query"},
		{Method: "GET", Path: "/api/v1/sql/query.csv", Access: roles, Roles: analysts, Audit: "sql", Writes: true, sql: "GET /query.csv"},
		{Method: "POST", Path: "/api/v1/sql/query.csv", Access: roles, Roles: analysts, Audit: "sql", Writes: true, sql: "POST /query.csv"},
		{Method: "GET", Path: "/api/v1/sql/query.xlsx", Access: roles, Roles: analysts, Audit: "sql", Writes: true, sql: "GET /query.xlsx"},
		{Method: "POST", Path: "/api/v1/sql/query.xlsx", Access: roles, Roles: analysts, Audit: "sql", Writes: true, sql: "POST /query.xlsx"},
		{Method: "GET", Path: "/api/v1/sql/views", Access: roles, Roles: analysts, Writes: true, sql: "GET /views"},
		{Method: "GET", Path: "/api/v1/sql/examples", Access: roles, Roles: analysts, Writes: true, sql: "GET /examples"},
		{Method: "GET", Path: "/api/v1/sql/history", Access: roles, Roles: analysts, Writes: true, sql: "GET /history"},
		// Administration.
		{Method: "GET", Path: "/metrics", Access: roles, Roles: admins, h: (*Server).metricsPage}, // Prometheus: scraped with an admin's API token
		{Method: "GET", Path: "/admin/users", Access: roles, Roles: admins, Nav: "nav.users", h: (*Server).usersPage},
		{Method: "POST", Path: "/admin/users", Access: roles, Roles: admins, Writes: true, h: (*Server).addUser},
		{Method: "POST", Path: "/admin/users/:name/disable", Access: roles, Roles: admins, Writes: true, h: (*Server).disableUser},
		{Method: "POST", Path: "/admin/users/:name/enable", Access: roles, Roles: admins, Writes: true, h: (*Server).enableUser},
		{Method: "GET", Path: "/admin/registry", Access: roles, Roles: admins, Nav: "nav.registry", h: (*Server).registryPage},
		{Method: "POST", Path: "/admin/registry", Access: roles, Roles: admins, Writes: true, h: (*Server).loadRegistry},
		{Method: "GET", Path: "/admin/audit", Access: roles, Roles: admins, Nav: "nav.audit", h: (*Server).auditPage},
		{Method: "GET", Path: "/admin/audit.csv", Access: roles, Roles: admins, Audit: "export", h: (*Server).auditCSV},
		// Replicas (sgz serve --replica) ask the writer who a session or
		// token is, and send it their audit entries (replica.go).
		{Method: "GET", Path: "/api/internal/peer/auth", Access: peer, h: (*Server).peerAuth},
		{Method: "POST", Path: "/api/internal/peer/audit", Access: peer, h: (*Server).peerAudit},
	}
	routeIndex = map[string]*route{}
	m := routeIndex
	for i := range routes {
		r := &routes[i]
		k := r.Method + " " + r.Path
		if m[k] != nil {
			panic("permission table: route listed twice: " + k)
		}
		m[k] = r
	}
}

// routeIndex finds a route of the table by method and path pattern.
var routeIndex map[string]*route

// allows reports whether u may use r.
func (r *route) allows(u *auth.User) bool {
	switch r.Access {
	case open:
		return true
	case anyUser:
		return u != nil
	case peer:
		return false // no user: the peer secret (guard)
	}
	return u.Has(r.Roles...)
}

// may reports whether u may use the route method+path (a pattern of the
// table, e.g. "POST", "/reporting/:id/sendback"): what pages ask before
// showing a link or a button.
func may(u *auth.User, method, path string) bool {
	r := routeIndex[method+" "+path]
	return r != nil && r.allows(u)
}

// navLink is one link of the main navigation.
type navLink struct {
	Href, Key string
}

// navFor is the navigation of u: the table's Nav routes u may use.
func navFor(u *auth.User) []navLink {
	var out []navLink
	for i := range routes {
		r := &routes[i]
		if r.Nav != "" && r.allows(u) {
			out = append(out, navLink{Href: r.Path, Key: r.Nav})
		}
	}
	return out
}

// home is where u lands after logging in: the first page of their navigation.
func home(u *auth.User) string {
	if n := navFor(u); len(n) > 0 {
		return n[0].Href
	}
	return "/password"
}
