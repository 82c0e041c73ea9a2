package dashboard

// The rendered pages. On the national database the pages that list every
// district (the assessment table: 2,978 rows, 2.4 MB; an indicator's page;
// the overview's list of forecasts at risk) cost 0.3 s or more of CPU to
// render from numbers already cached, and under 32 clients on 2 cores that
// queued into seconds (docs/operations.md, "Scale: eight quarters of the
// whole country"). So a rendered page is kept, by everything it depends on:
// the numbers' generation (calc.gen: each accepted or sent-back return), the
// database's (store.DB.Generation: every write), the reference day, the
// language, the user (name, roles, districts: what the page shows them) and
// the URL. The session's CSRF token, the one part of a page that differs
// between two sessions of one user, is rendered as a placeholder and put in
// on the way out. The cache is bounded in bytes (least recently used pages
// go first) and emptied by every invalidate.

import (
	"bytes"
	"container/list"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// cachedPages are the routes whose pages are kept, with their templates
// (GET pages of the dashboards and the returns; not forms, uploads or
// administration).
var cachedPages = map[string]string{
	"/": "overview", "/map": "map", "/indicators": "indicators", "/indicator/:id": "indicator",
	"/assessment": "assessment", "/district/:code": "district", "/reporting": "reporting", "/returns/:id": "return",
	"/big": "big",
}

// maxCachedBytes bounds the rendered pages kept.
const maxCachedBytes = 64 << 20

// csrfSlot stands for the session's CSRF token in a kept page (base64url
// characters only: html/template leaves it as it is).
const csrfSlot = "sgzCSRFslot0f3c9a1e7b2d4c6a8e0f1b3d5c7a9e1"

type pageCache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	items map[string]*list.Element
	order list.List // front: the most recently used
}

type cachedPage struct {
	key  string
	body []byte
}

func newPageCache(max int64) *pageCache {
	return &pageCache{max: max, items: map[string]*list.Element{}}
}

func (pc *pageCache) get(key string) ([]byte, bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	e, ok := pc.items[key]
	if !ok {
		return nil, false
	}
	pc.order.MoveToFront(e)
	return e.Value.(*cachedPage).body, true
}

func (pc *pageCache) put(key string, body []byte) {
	if int64(len(body)) > pc.max/4 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e, ok := pc.items[key]; ok {
		pc.used -= int64(len(e.Value.(*cachedPage).body))
		pc.order.Remove(e)
	}
	pc.items[key] = pc.order.PushFront(&cachedPage{key, body})
	pc.used += int64(len(body))
	for pc.used > pc.max {
		old := pc.order.Back()
		p := old.Value.(*cachedPage)
		pc.order.Remove(old)
		delete(pc.items, p.key)
		pc.used -= int64(len(p.body))
	}
}

func (pc *pageCache) clear() {
	pc.mu.Lock()
	pc.items = map[string]*list.Element{}
	pc.order.Init()
	pc.used = 0
	pc.mu.Unlock()
}

// pageKey is the key of the page a GET request of a kept route renders,
// "" when it is not kept.
func (s *Server) pageKey(c *gin.Context) string {
	if cachedPages[c.FullPath()] == "" || c.Request.Method != "GET" {
		return ""
	}
	u := user(c)
	if u == nil {
		return ""
	}
	gens, _ := c.Get(pageGensKey)
	if gens == nil || gens.(string) != s.pageGens() {
		return "" // the data changed while the page was made: not kept
	}
	_, today := s.calc.cfgAt(context.Background()) // ?as_of= is in the URL
	var b strings.Builder
	b.WriteString(gens.(string))
	b.WriteByte('|')
	b.WriteString(today)
	b.WriteString(string(lang(c)))
	b.WriteByte('|')
	b.WriteString(strconv.Quote(u.Name))
	b.WriteString(u.Via)
	b.WriteByte('|')
	b.WriteString(u.RoleList())
	b.WriteByte('|')
	b.WriteString(strings.Join(u.Districts, ","))
	b.WriteByte('|')
	b.WriteString(c.Request.URL.RequestURI())
	return b.String()
}

// keptPage answers a kept route from the kept page, before its handler
// computes anything (in the route's chain after the access check).
func (s *Server) keptPage(c *gin.Context) {
	key := s.pageKey(c)
	if key == "" {
		return
	}
	if b, ok := s.calc.rendered.get(key); ok {
		csrf := ""
		if u := user(c); u != nil {
			csrf = u.CSRF
		}
		writePage(c, http.StatusOK, b, csrf)
		c.Abort()
	}
}

const pageGensKey = "sgz.pagegens"

// pageGens is the state of the data a page is made from: the numbers'
// generation and the database's.
func (s *Server) pageGens() string {
	s.calc.mu.Lock()
	gen := s.calc.gen
	s.calc.mu.Unlock()
	return strconv.FormatInt(gen, 10) + "|" + strconv.FormatUint(s.db.Generation(), 10)
}

// notePageGens records the state of the data when a request arrives (a
// middleware): a page is kept under it only when nothing changed until it
// was rendered, so a page made from older numbers is never kept as newer.
func (s *Server) notePageGens(c *gin.Context) {
	c.Set(pageGensKey, s.pageGens())
	c.Next()
}

// writePage writes a kept page with the session's token in its slots,
// piece by piece (no copy of a 2 MB page per request).
func writePage(c *gin.Context, code int, body []byte, csrf string) {
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "text/html; charset=utf-8")
	n := len(body) + bytes.Count(body, []byte(csrfSlot))*(len(csrf)-len(csrfSlot))
	c.Header("Content-Length", strconv.Itoa(n))
	c.Status(code)
	for {
		i := bytes.Index(body, []byte(csrfSlot))
		if i < 0 {
			c.Writer.Write(body)
			return
		}
		c.Writer.Write(body[:i])
		c.Writer.WriteString(csrf)
		body = body[i+len(csrfSlot):]
	}
}
