package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/auth"
	"sgz/locale"
	"sgz/metrics"
)

// pageTemplate is the layout with one page's content.
type pageTemplate = template.Template

var funcs = template.FuncMap{
	"pct":   fmtPct,
	"wan":   fmtWan,
	"num":   fmtNum,
	"fmtv":  fmtValue,
	"delta": fmtDelta,
	"add":   func(a, b int) int { return a + b },
	"ptrf":  func(f float64) *float64 { return &f },
	"when": func(t any) string {
		switch x := t.(type) {
		// TIMESTAMP columns hold Beijing wall time (schema); the driver
		// returns them as UTC and package metrics as Beijing: either way
		// the wall clock is what to show.
		case time.Time:
			return x.Format("2006-01-02 15:04")
		case *time.Time:
			if x != nil {
				return x.Format("2006-01-02 15:04")
			}
		}
		return "—"
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
	"deref": func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	},
}

func parseTemplates() (map[string]*pageTemplate, error) {
	layout, err := template.New("layout.html").Funcs(funcs).Funcs(template.FuncMap{
		"t": func(string, ...any) string { return "" }, "asset": func(string) string { return "" }, "link": func(...string) string { return "" },
		"status": func(string) string { return "" }, "ind": func(string) string { return "" },
		"may": func(string, string) bool { return false }, "csrf": func() string { return "" },
		"late": func(int) string { return "" },
	}).ParseFS(embedded, "templates/layout.html", "templates/parts/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(embedded, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*pageTemplate{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(embedded, n)
		if err != nil {
			return nil, err
		}
		out[base] = t
	}
	return out, nil
}

var spanZero sgz.Span

// view is what every page template sees.
type view struct {
	Lang    locale.Lang
	Title   string
	NavOn   string    // the href of the current page's navigation link
	Nav     []navLink // the links the user may follow (permission table)
	User    *auth.User
	Span    sgz.Span
	Period  string
	Periods []string
	Big     bool
	Refresh int
	Path    string
	Query   url.Values
	Data    any
	Charts  map[string]string // option JSON, escaped by html/template in data-option="…"
}

// chartJSON marshals an ECharts option for a data-option attribute:
// encoding/json plus html/template's attribute escaping, so no name from a
// return can end the attribute or a script.
func chartJSON(option any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(option); err != nil {
		return "{}"
	}
	return strings.TrimSpace(buf.String())
}

// lang is ?lang=, else the cookie, else Chinese; ?lang= sets the cookie.
func lang(c *gin.Context) locale.Lang {
	if q := c.Query("lang"); q != "" {
		l, _ := locale.Parse(q)
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie("sgz_lang", string(l), 365*24*3600, "/", "", false, true)
		return l
	}
	if v, err := c.Cookie("sgz_lang"); err == nil {
		l, _ := locale.Parse(v)
		return l
	}
	return locale.ZH
}

// span is ?period= (a quarter, a year or a range), else the latest quarter
// with data, else the current quarter.
//
// It also reads ?as_of=DATE, the reference date deciding which quarters are
// due (default today), and puts it in the request's context for calc.
func (s *Server) span(c *gin.Context) (sgz.Span, bool) {
	if a := strings.TrimSpace(c.Query("as_of")); a != "" {
		ref, err := metrics.ParseAsOf(a)
		if err != nil {
			s.fail(c, http.StatusBadRequest, "dash.badasof", a)
			return sgz.Span{}, false
		}
		c.Request = c.Request.WithContext(withRef(c.Request.Context(), ref))
	}
	if q := strings.TrimSpace(c.Query("period")); q != "" {
		sp, err := sgz.ParseSpan(q)
		if err == nil && sp.Len() <= 80 {
			return sp, true
		}
		s.fail(c, http.StatusBadRequest, "dash.badperiod", q)
		return sgz.Span{}, false
	}
	ps, err := s.calc.periods(c.Request.Context())
	if err == nil && len(ps) > 0 {
		return sgz.QuarterSpan(ps[len(ps)-1]), true
	}
	return sgz.QuarterSpan(sgz.PeriodOf(s.opt.Now())), true
}

// periodChoices: every quarter with data, and their years.
func (s *Server) periodChoices(c *gin.Context, cur sgz.Span) []string {
	ps, _ := s.calc.periods(c.Request.Context())
	var out []string
	seen := map[string]bool{}
	for i := len(ps) - 1; i >= 0; i-- {
		if y := strconv.Itoa(ps[i].Year); !seen[y] {
			seen[y] = true
			out = append(out, y)
		}
		out = append(out, ps[i].String())
	}
	if !seen[cur.String()] && !contains(out, cur.String()) {
		out = append([]string{cur.String()}, out...)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// render writes a page.
func (s *Server) render(c *gin.Context, name, nav string, title string, sp sgz.Span, data any, charts map[string]any) {
	s.renderCode(c, http.StatusOK, name, nav, title, sp, data, charts)
}

// renderCode writes a page with a status code.
func (s *Server) renderCode(c *gin.Context, code int, name, nav string, title string, sp sgz.Span, data any, charts map[string]any) {
	l := lang(c)
	u := user(c)
	navOn := "/" + nav
	switch {
	case nav == "overview":
		navOn = "/"
	case strings.HasPrefix(nav, "/"):
		navOn = nav
	}
	v := &view{Lang: l, Title: title, NavOn: navOn, Nav: navFor(u), User: u, Span: sp, Big: c.Query("screen") == "big" || name == "big",
		Refresh: s.opt.RefreshSeconds, Path: c.Request.URL.Path, Query: c.Request.URL.Query(), Data: data, Charts: map[string]string{}}
	if sp.From.Valid() {
		v.Period = sp.String()
		v.Periods = s.periodChoices(c, sp)
	}
	for k, opt := range charts {
		v.Charts[k] = chartJSON(opt)
	}
	// A page kept by pageKey (pagecache.go), rendered once per user and
	// state of the data; the CSRF token is put in on the way out.
	key := ""
	if code == http.StatusOK && cachedPages[c.FullPath()] == name {
		key = s.pageKey(c)
	}
	csrf := ""
	if u != nil {
		csrf = u.CSRF
	}
	if key != "" {
		uc := *u
		uc.CSRF = csrfSlot
		u, v.User = &uc, &uc
	}
	t := s.pages[name]
	if t == nil {
		s.fail(c, http.StatusInternalServerError, "dash.internal")
		return
	}
	t, err := t.Clone()
	if err == nil {
		t = t.Funcs(template.FuncMap{
			"t":      func(key string, args ...any) string { return locale.T(l, key, args...) },
			"asset":  func(p string) string { return "/static/" + assetVersion + "/" + p },
			"link":   func(kv ...string) string { return v.link(kv...) },
			"status": func(st string) string { return statusText(l, st) },
			"fmtv":   func(id string, v *float64) string { return inLang(l, fmtValue(id, v)) },
			"delta": func(id string, v *float64) string {
				d := inLang(l, fmtDelta(id, v))
				if l != locale.EN {
					d = strings.Replace(d, " pp", " 个百分点", 1)
				}
				return d
			},
			"wan":  func(v *float64) string { return inLang(l, fmtWan(v)) },
			"ind":  func(id string) string { return indName(l, id) },
			"late": func(days int) string { return lateText(l, days) },
			"may":  func(method, path string) bool { return may(u, method, path) },
			"csrf": func() string {
				if u == nil {
					return ""
				}
				return u.CSRF
			},
		})
	}
	// A page with a document of its own (the big screen: no navigation)
	// defines "bigscreen"; the others fill the layout's "content".
	entry := "layout"
	if err == nil && t.Lookup("bigscreen") != nil {
		entry = "bigscreen"
	}
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, entry, v)
	}
	if err != nil {
		s.log.Error("render page", "page", name, "err", err)
		s.fail(c, http.StatusInternalServerError, "dash.internal")
		return
	}
	c.Header("Cache-Control", "no-store")
	if key != "" {
		s.calc.rendered.put(key, buf.Bytes())
		writePage(c, code, buf.Bytes(), csrf)
		return
	}
	c.Data(code, "text/html; charset=utf-8", buf.Bytes())
}

// link is the current page's query with keys replaced (path first when it
// starts with "/").
func (v *view) link(kv ...string) string {
	p := v.Path
	if len(kv)%2 == 1 {
		p, kv = kv[0], kv[1:]
	}
	q := url.Values{}
	for _, k := range []string{"period", "screen", "as_of"} {
		if x := v.Query.Get(k); x != "" {
			q.Set(k, x)
		}
	}
	if p == v.Path {
		for k, vals := range v.Query {
			if k != "lang" && k != "done" && k != "what" && k != "error" && k != "return" && k != "token" {
				q[k] = vals
			}
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if e := q.Encode(); e != "" {
		return p + "?" + e
	}
	return p
}

// fail answers an error: JSON under /api, a short page otherwise.
func (s *Server) fail(c *gin.Context, code int, key string, args ...any) {
	l := lang(c)
	msg := locale.T(l, key, args...)
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.AbortWithStatusJSON(code, gin.H{"error": msg})
		return
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `<!doctype html><html lang="%s"><meta charset="utf-8"><title>%d</title><link rel="stylesheet" href="/static/%s/app.css"><body><main><h1>%d</h1><p class="error">%s</p><p><a href="/">%s</a></p></main></body></html>`,
		l, code, assetVersion, code, template.HTMLEscapeString(msg), template.HTMLEscapeString(locale.T(l, "nav.overview")))
	c.Data(code, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// ---- number formats: percentages with one decimal, money in 万元 ----
//
// Every number is rounded half away from zero at the precision shown
// (metrics.Fixed: 0.6625 shows as 66.3%, as Excel shows it); displayDigits
// is that precision, shared with the charts.

func fmtPct(v *float64) string {
	if v == nil {
		return "—"
	}
	return metrics.Fixed(*v*100, 1) + "%"
}

func fmtWan(v *float64) string {
	if v == nil {
		return "—"
	}
	return metrics.Group(metrics.Fixed(*v, 1)) + " 万元"
}

func fmtNum(v *float64) string {
	if v == nil {
		return "—"
	}
	if *v == math.Trunc(*v) && math.Abs(*v) < 1e15 {
		return metrics.Group(metrics.Fixed(*v, 0))
	}
	return metrics.Group(metrics.Fixed(*v, 2))
}

// inLang drops the 万元 suffix in English (the indicator's name says "10k yuan").
func inLang(l locale.Lang, s string) string {
	if l == locale.EN {
		return strings.TrimSuffix(s, " 万元")
	}
	return s
}

// displayDigits is the number of decimals an indicator's value is shown with
// (rates: of the percentage).
func displayDigits(id string) int {
	ind, _ := metrics.Lookup(id)
	switch ind.Unit {
	case metrics.Rate, metrics.WanYuan:
		return 1
	case metrics.Hours:
		if ind.IsRatio {
			return 1
		}
		return 0
	case metrics.Ratio, metrics.Per10k:
		return 2
	}
	return 0
}

// fmtValue formats a value in its indicator's unit.
func fmtValue(id string, v *float64) string {
	ind, _ := metrics.Lookup(id)
	switch ind.Unit {
	case metrics.Rate:
		return fmtPct(v)
	case metrics.WanYuan:
		return fmtWan(v)
	case metrics.Ratio, metrics.Per10k, metrics.Hours:
		if v == nil {
			return "—"
		}
		if ind.Unit == metrics.Hours && !ind.IsRatio {
			return metrics.Group(metrics.Fixed(*v, 0))
		}
		return metrics.Fixed(*v, displayDigits(id))
	}
	return fmtNum(v)
}

// fmtDelta is a change: percentage points for rates, else in the unit.
func fmtDelta(id string, v *float64) string {
	if v == nil {
		return "—"
	}
	sign := "+"
	if *v < 0 {
		sign = "−"
	}
	a := math.Abs(*v)
	ind, _ := metrics.Lookup(id)
	if ind.Unit == metrics.Rate {
		return sign + metrics.Points(a) + " pp"
	}
	return sign + strings.TrimPrefix(fmtValue(id, &a), "+")
}

// indName is an indicator's name in lang.
var indName = metrics.IndicatorName

func tx(l locale.Lang, t metrics.Text) string {
	if l == locale.EN {
		return t.En
	}
	return t.Zh
}

// noValueWhy says why a value is missing where a bare dash would not: a
// per-10,000-inhabitants figure of units that reported but whose registry
// gives no population (名录未提供人口). "" otherwise.
func noValueWhy(l locale.Lang, v metrics.Value) string {
	ind, _ := metrics.Lookup(v.Indicator)
	if v.Value == nil && ind.Unit == metrics.Per10k && v.Reported > 0 && (v.Denominator == nil || *v.Denominator == 0) {
		return locale.T(l, "val.nopop")
	}
	return ""
}

// lateText is "逾期 2 天" (metrics.ReportRow.DaysLate; English in the
// singular for one day).
func lateText(l locale.Lang, days int) string {
	if days == 1 {
		return locale.T(l, "val.late1")
	}
	return locale.T(l, "val.lateN", days)
}
