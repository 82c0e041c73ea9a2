package dashboard

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/auth"
	"sgz/locale"
	"sgz/registry"
	"sgz/value"
)

// ---- administration: accounts and the audit trail (admins only) ----

type usersData struct {
	Users    []*auth.User
	Roles    []auth.Role
	Flash    string
	Bad      bool
	Password string // an initial password just made, shown once
	NewName  string
}

func (s *Server) usersPage(c *gin.Context) {
	s.showUsers(c, http.StatusOK, &usersData{})
}

func (s *Server) showUsers(c *gin.Context, code int, d *usersData) {
	var err error
	if d.Users, err = auth.ListUsers(c.Request.Context(), s.db); err != nil {
		s.internal(c, err)
		return
	}
	d.Roles = auth.AllRoles
	if done := c.Query("done"); done != "" && d.Flash == "" {
		d.Flash = locale.T(lang(c), "admin.done", done)
	}
	s.renderCode(c, code, "users", "/admin/users", locale.T(lang(c), "nav.users"), spanZero, d, nil)
}

// POST /admin/users (name, role…, districts): a new account with an initial
// password, shown once; the user changes it at first login.
func (s *Server) addUser(c *gin.Context) {
	ctx := c.Request.Context()
	l := lang(c)
	name := strings.TrimSpace(c.PostForm("name"))
	var rs []auth.Role
	for _, r := range c.PostFormArray("role") {
		role, err := auth.ParseRole(r)
		if err != nil {
			s.showUsers(c, http.StatusBadRequest, &usersData{Flash: locale.Say(l, err), Bad: true})
			return
		}
		rs = append(rs, role)
	}
	districts := strings.FieldsFunc(c.PostForm("districts"), func(r rune) bool { return r == ',' || r == ' ' || r == '，' })
	if msg := s.checkDistricts(c, districts); msg != "" {
		s.showUsers(c, http.StatusBadRequest, &usersData{Flash: msg, Bad: true})
		return
	}
	pw := auth.RandomPassword()
	u, err := auth.AddUser(ctx, s.db, auth.NewUser{Name: name, Password: pw, Roles: rs, Districts: districts, MustChange: true}, s.opt.Now())
	if err != nil {
		var le *locale.Error
		if errors.As(err, &le) {
			s.record(c, "user.add", name, auth.Failed, le.Key)
			s.showUsers(c, http.StatusBadRequest, &usersData{Flash: le.In(l), Bad: true})
			return
		}
		s.internal(c, err)
		return
	}
	s.record(c, "user.add", u.Name, auth.OK, "roles="+u.RoleList()+" districts="+strings.Join(u.Districts, ","))
	s.showUsers(c, http.StatusOK, &usersData{Flash: locale.T(l, "admin.added", u.Name), Password: pw, NewName: u.Name})
}

// checkDistricts: every code is a district of the registry in force.
func (s *Server) checkDistricts(c *gin.Context, codes []string) string {
	reg, err := s.regs.For(c.Request.Context(), sgz.PeriodOf(s.opt.Now()))
	if err != nil || reg == nil {
		return locale.T(lang(c), "admin.baddistrict", strings.Join(codes, ","))
	}
	for _, code := range codes {
		if u, ok := reg.Unit(code); !ok || u.Level != sgz.District {
			return locale.T(lang(c), "admin.baddistrict", code)
		}
	}
	return ""
}

func (s *Server) disableUser(c *gin.Context) { s.setDisabled(c, true) }
func (s *Server) enableUser(c *gin.Context)  { s.setDisabled(c, false) }

func (s *Server) setDisabled(c *gin.Context, disabled bool) {
	name := c.Param("name")
	action := "user.enable"
	if disabled {
		action = "user.disable"
		if u := user(c); u != nil && u.Name == name {
			s.showUsers(c, http.StatusBadRequest, &usersData{Flash: locale.T(lang(c), "admin.self"), Bad: true})
			return
		}
	}
	if err := auth.SetDisabled(c.Request.Context(), s.db, name, disabled); err != nil {
		s.failWith(c, http.StatusNotFound, err)
		return
	}
	s.sessions.Forget()
	s.record(c, action, name, auth.OK, "")
	c.Redirect(http.StatusSeeOther, "/admin/users?done="+action)
}

type auditData struct {
	Entries []auth.Entry
	Since   string
	Until   string
	Actor   string
	Action  string
	Result  string
	Query   string // the filter as a query string (for the CSV link)
	Verify  string
	Broken  bool
}

// auditFilter reads ?since=DATE&until=DATE&actor=&action=&result=.
func (s *Server) auditFilter(c *gin.Context) (auth.Filter, *auditData, bool) {
	d := &auditData{Since: c.Query("since"), Until: c.Query("until"), Actor: c.Query("actor"), Action: c.Query("action"), Result: c.Query("result")}
	f := auth.Filter{Actor: d.Actor, Action: d.Action, Result: d.Result}
	for _, x := range []struct {
		v   string
		dst *time.Time
		add int
	}{{d.Since, &f.Since, 0}, {d.Until, &f.Until, 1}} {
		if x.v == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", x.v, sgz.Beijing)
		if err != nil {
			s.fail(c, http.StatusBadRequest, "admin.baddate", x.v)
			return f, nil, false
		}
		*x.dst = t.AddDate(0, 0, x.add)
	}
	d.Query = c.Request.URL.RawQuery
	return f, d, true
}

func (s *Server) auditPage(c *gin.Context) {
	f, d, ok := s.auditFilter(c)
	if !ok {
		return
	}
	f.Limit = 500
	var err error
	if d.Entries, err = auth.List(c.Request.Context(), s.db, f); err != nil {
		s.internal(c, err)
		return
	}
	n, verr := auth.Verify(c.Request.Context(), s.db)
	if verr != nil {
		d.Verify, d.Broken = locale.Say(lang(c), verr), true
	} else {
		d.Verify = locale.T(lang(c), "audit.ok", n)
	}
	s.render(c, "audit", "/admin/audit", locale.T(lang(c), "nav.audit"), spanZero, d, nil)
}

// GET /admin/audit.csv: the filtered trail as CSV (UTF-8 with BOM).
func (s *Server) auditCSV(c *gin.Context) {
	f, _, ok := s.auditFilter(c)
	if !ok {
		return
	}
	list, err := auth.List(c.Request.Context(), s.db, f)
	if err != nil {
		s.internal(c, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Write([]string{"seq", "at", "actor", "roles", "remote", "action", "object", "result", "detail", "hash"})
	for _, e := range list {
		w.Write(value.CSVRow([]string{strconv.FormatInt(e.Seq, 10), e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Roles, e.Remote,
			e.Action, e.Object, e.Result, e.Detail, e.Hash}))
	}
	w.Flush()
	attach(c, "audit.csv", "text/csv; charset=utf-8", buf.Bytes())
}

// ---- the registry (admins): its versions, and loading one ----

type registryData struct {
	Versions []registry.Version
	Flash    string
	Bad      bool
}

func (s *Server) registryPage(c *gin.Context) {
	s.showRegistry(c, http.StatusOK, &registryData{})
}

func (s *Server) showRegistry(c *gin.Context, code int, d *registryData) {
	var err error
	if d.Versions, err = registry.Versions(c.Request.Context(), s.db); err != nil {
		s.internal(c, err)
		return
	}
	s.renderCode(c, code, "registry", "/admin/registry", locale.T(lang(c), "nav.registry"), spanZero, d, nil)
}

// POST /admin/registry?csrf= (multipart: file, from): load a registry
// version, as `sgz registry load [--from P] FILE` does.
func (s *Server) loadRegistry(c *gin.Context) {
	l := lang(c)
	ctx := c.Request.Context()
	bad := func(msg string) {
		s.showRegistry(c, http.StatusBadRequest, &registryData{Flash: msg, Bad: true})
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 256<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		bad(locale.T(l, "up.nofile"))
		return
	}
	version := registry.BasePeriod
	if from := strings.TrimSpace(c.PostForm("from")); from != "" {
		p, err := sgz.ParsePeriod(from)
		if err != nil {
			bad(locale.T(l, "dash.badperiod", from))
			return
		}
		version = p.String()
	}
	f, err := fh.Open()
	if err != nil {
		bad(locale.T(l, "up.nofile"))
		return
	}
	defer f.Close()
	name := cleanName(fh.Filename)
	reg, err := registry.ParseCSV(f, name)
	if err != nil {
		s.record(c, "registry.load", name, auth.Failed, "from="+version)
		bad(locale.Say(l, err))
		return
	}
	s.writes.Lock()
	err = registry.Save(ctx, s.db, reg, version, name)
	if err == nil {
		s.regs.Reset()
		s.Invalidate()
	}
	s.writes.Unlock()
	if err != nil {
		s.internal(c, err)
		return
	}
	s.record(c, "registry.load", name, auth.OK, "from="+version+" units="+strconv.Itoa(len(reg.Units)))
	s.showRegistry(c, http.StatusOK, &registryData{Flash: locale.T(l, "admin.regloaded", name, len(reg.Units))})
}

// GET /rules.json: the assessment rules in force (targets, weights, due
// days), with their SHA-256 in a header: what every score rests on.
func (s *Server) rulesJSON(c *gin.Context) {
	c.Header("X-Rules-SHA256", s.opt.Config.SHA256())
	c.Data(http.StatusOK, "application/json; charset=utf-8", s.opt.Config.JSON())
}
