// Package dashboard serves the web pages of sgz (overview, districts,
// indicators, assessment, reporting, upload, map, SQL console) and the JSON
// API under /api/v1, from one DuckDB file, with everything the browser needs
// (ECharts, styles, scripts) embedded in the binary: no page requests
// anything outside the server.
//
// Charts are built with go-echarts and their option JSON is marshalled with
// encoding/json into an HTML attribute of our own html/template layout, so
// that names from returns are always escaped; a Content-Security-Policy
// forbids inline scripts altogether.
package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"sgz"
	"sgz/auth"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/metrics"
	"sgz/query"
	"sgz/registry"
	"sgz/store"
)

//go:embed static templates
var embedded embed.FS

// Options configure the dashboards.
type Options struct {
	// Config is the evaluator's rules (targets, weights, milestones); nil
	// gives metrics.DefaultConfig().
	Config *metrics.Config
	// GeoJSON, when set, is a boundary map of the districts (features whose
	// properties carry the district's "code" (or "adcode") or "name"); the
	// map page then draws it instead of the tile map.
	GeoJSON []byte
	// PublicURL is the address users reach the server at
	// (https://sgz.example.gov.cn): the only Host accepted, the Origin a
	// state-changing request must come from, and, with https, Secure
	// cookies. Empty: loopback host names only (a server on 127.0.0.1).
	PublicURL string
	// OIDC, when set, offers single sign-on next to local accounts.
	OIDC *OIDCOptions
	// SessionIdle and SessionLifetime end sessions (default 30 min, 12 h).
	SessionIdle, SessionLifetime time.Duration
	// TrustedProxies are the addresses (IPs or CIDRs) of reverse proxies
	// whose X-Forwarded-For / X-Real-IP give the client's address (for the
	// per-address login throttle and the audit trail). Empty: the
	// connection's address, whatever the headers say.
	TrustedProxies []string
	// MaxUpload is the largest upload accepted (default 20 MiB).
	MaxUpload int64
	// Uploads of one user: at most UploadRate per UploadWindow (default 10
	// a minute) and UploadConcurrent at once (default 1); beyond, 429.
	UploadRate       int
	UploadWindow     time.Duration
	UploadConcurrent int
	// RejectedQuota bounds the bytes of rejected uploads kept per district
	// (default 100 MiB); beyond it only their hash, size and errors are kept.
	RejectedQuota int64
	// RefreshSeconds is the auto-refresh of the big-screen mode (default 300).
	RefreshSeconds int
	// SQLEngine serves the SQL console (package query's routes under
	// /api/v1/sql). When nil, New locks the database down with
	// query.DefaultLimits and makes one, unless NoSQL is set.
	SQLEngine *query.Engine
	NoSQL     bool
	// Logger (default slog.Default()). Personal data and uploaded contents
	// are never logged.
	Logger *slog.Logger
	// Now gives receipt times (default time.Now in Beijing).
	Now func() time.Time
	// NoWarm: do not precompute the overview in the background.
	NoWarm bool
	// PeerSecret, when set, lets read-only replicas that know it ask this
	// server who a session or an API token is, and send it their audit
	// entries (routes /api/internal/peer/…; --peer-secret-file).
	PeerSecret string
	// Replica, when set, makes the server a read-only replica
	// (NewReplica): write routes answer 503 naming the writer, sessions
	// and tokens are the writer's.
	Replica *ReplicaOptions
	// Health adds fields to GET /healthz (a replica's snapshot, a
	// writer's last publication).
	Health func() map[string]any
	// Collectors are more Prometheus metrics for /metrics (the publisher's).
	Collectors []prometheus.Collector

	shared *shared // set by NewReplica: what every generation's Server shares
}

// Server is the dashboards' state.
type Server struct {
	db      *store.DB
	opt     Options
	calc    *calc
	regs    *registry.Cache
	log     *slog.Logger
	pages   map[string]*pageTemplate
	static  *staticFS
	writes  sync.Mutex // one upload or evaluator action at a time
	uploads *uploadLimiter
	prom    *promMetrics

	public   *url.URL // Options.PublicURL, parsed (nil: loopback only)
	sessions *auth.Sessions
	tokens   *auth.Tokens
	oidc     *oidcLogin     // nil: local accounts only
	throttle *auth.Throttle // per login name: 5 failures, then lockouts
	// per client address: 20 (many clerks may share a NAT)
	ipThrottle *auth.Throttle
	peer       *peerClient // a replica's link to the writer (nil: the writer)
}

// New builds the handler. It stores the built-in registry when the database
// has none.
func New(db *store.DB, opt Options) (*gin.Engine, error) {
	s, err := NewServer(db, opt)
	if err != nil {
		return nil, err
	}
	go s.Warm(context.Background())
	return s.Engine(), nil
}

// NewServer is New returning the Server (tests reach its cache).
func NewServer(db *store.DB, opt Options) (*Server, error) {
	if opt.Config == nil {
		opt.Config = metrics.DefaultConfig()
	}
	if opt.MaxUpload <= 0 {
		opt.MaxUpload = xlsx.DefaultLimits().MaxFileSize
	}
	if opt.UploadRate <= 0 {
		opt.UploadRate = defaultUploadRate
	}
	if opt.UploadWindow <= 0 {
		opt.UploadWindow = defaultUploadWindow
	}
	if opt.UploadConcurrent <= 0 {
		opt.UploadConcurrent = defaultUploadConcurrent
	}
	if opt.RejectedQuota <= 0 {
		opt.RejectedQuota = defaultRejectedQuota
	}
	if opt.RefreshSeconds <= 0 {
		opt.RefreshSeconds = 300
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().In(sgz.Beijing) }
	}
	if opt.Replica == nil { // a replica's snapshot has the writer's registry, and is read-only
		if _, err := registry.EnsureDefault(context.Background(), db); err != nil {
			return nil, err
		}
	}
	if opt.SQLEngine == nil && !opt.NoSQL {
		ctx := context.Background()
		if err := query.Lockdown(ctx, db, query.DefaultLimits()); err != nil {
			return nil, err
		}
		eng, err := query.New(ctx, db, query.DefaultLimits())
		if err != nil {
			return nil, err
		}
		opt.SQLEngine = eng
	}
	for _, p := range opt.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, locale.Errorf("dash.badproxy", p)
		}
	}
	cl := newCalc(db, opt.Config)
	s := &Server{db: db, opt: opt, calc: cl, regs: cl.regs, log: opt.Logger,
		sessions: &auth.Sessions{DB: db, Idle: opt.SessionIdle, Lifetime: opt.SessionLifetime, Now: opt.Now},
		tokens:   &auth.Tokens{DB: db},
		throttle: &auth.Throttle{Now: opt.Now}, ipThrottle: &auth.Throttle{Free: 20, Now: opt.Now},
		uploads: newUploadLimiter(opt.UploadRate, opt.UploadWindow, opt.UploadConcurrent, time.Now),
	}
	var err error
	if sh := opt.shared; sh != nil {
		s.prom, s.peer, s.throttle, s.ipThrottle, s.uploads = sh.prom, sh.peer, sh.throttle, sh.ipThrottle, sh.uploads
	} else {
		s.prom = newPromMetrics(opt.Collectors...)
	}
	if opt.PublicURL != "" {
		if s.public, err = ParsePublicURL(opt.PublicURL); err != nil {
			return nil, err
		}
	}
	if opt.OIDC != nil {
		if s.oidc, err = newOIDC(context.Background(), *opt.OIDC); err != nil {
			return nil, err
		}
	}
	if sh := opt.shared; sh != nil && sh.pages != nil {
		s.pages, s.static = sh.pages, sh.static
	} else {
		if s.pages, err = parseTemplates(); err != nil {
			return nil, err
		}
		if s.static, err = newStaticFS(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Invalidate drops every cached number (called after each write) and
// recomputes the overview's numbers in the background.
func (s *Server) Invalidate() {
	s.calc.invalidate()
	go s.Warm(context.Background())
}

// Warm computes what the overview of the latest quarter needs, so that the
// first visitor after a start or a change does not wait for it.
func (s *Server) Warm(ctx context.Context) {
	if s.opt.NoWarm {
		return
	}
	ps, err := s.calc.periods(ctx)
	if err != nil || len(ps) == 0 {
		return
	}
	sp := sgz.QuarterSpan(ps[len(ps)-1])
	t0 := time.Now()
	s.regs.For(ctx, sp.To)
	s.regs.For(ctx, sgz.PeriodOf(s.opt.Now()))
	top, err := s.calc.top(ctx, sp)
	if err != nil {
		s.log.Debug("warm", "err", err)
		return
	}
	if top != nil {
		qs := s.trendQuarters(ctx, sp)
		s.calc.trend(ctx, qs[0], qs[len(qs)-1], top.Level, top.Code)
		// The overview's fair comparisons (较上期, 同比).
		if _, _, err := s.comparisons(ctx, locale.ZH, sp, top.Code); err != nil {
			s.log.Debug("warm", "err", err)
			return
		}
	}
	for _, l := range []sgz.Level{sgz.District, sgz.City, sgz.Province} {
		t, err := s.calc.level(ctx, sp, l)
		if err != nil || len(t.Units) <= 60 {
			break
		}
	}
	if _, err := s.calc.assess(ctx, sp); err != nil {
		s.log.Debug("warm", "err", err)
		return
	}
	// The district tables of the trend quarters (district pages).
	for _, q := range s.trendQuarters(ctx, sp) {
		if _, err := s.calc.level(ctx, sgz.QuarterSpan(q), sgz.District); err != nil {
			return
		}
	}
	// A district's page: every district's returns and headline figures,
	// each read in one pass (cold, every district's first page waited for them).
	if _, err := s.returnsBook(ctx, sp.To); err != nil {
		s.log.Debug("warm", "err", err)
		return
	}
	if _, err := s.headlinesOf(ctx, sp, sgz.District); err != nil {
		s.log.Debug("warm", "err", err)
		return
	}
	s.log.Debug("warm", "period", sp.String(), "ms", time.Since(t0).Milliseconds())
}

// Engine is the gin engine with every route, wired from the permission
// table (perms.go): each route's handlers are its guard (who may use it,
// CSRF), its audit when the table names one, and its handler.
func (s *Server) Engine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.SetTrustedProxies(s.opt.TrustedProxies) // none: the client address is the connection's
	r.Use(s.notePageGens, s.prom.observe, s.recover, s.headers, s.logRequest)
	sqlHandlers := map[string]gin.HandlerFunc{}
	if s.opt.SQLEngine != nil {
		tmp := gin.New()
		query.Routes(tmp.Group(""), s.opt.SQLEngine)
		for _, ri := range tmp.Routes() {
			sqlHandlers[ri.Method+" "+ri.Path] = ri.HandlerFunc
		}
	}
	for i := range routes {
		rt := &routes[i]
		h := gin.HandlerFunc(nil)
		if rt.sql != "" && !(s.opt.Replica != nil && rt.Writes) {
			if s.opt.SQLEngine == nil {
				continue
			}
			if h = sqlHandlers[rt.sql]; h == nil {
				panic("permission table: no SQL console route " + rt.sql)
			}
			delete(sqlHandlers, rt.sql)
		} else {
			fn := rt.h
			h = func(c *gin.Context) { fn(s, c) }
		}
		if s.opt.Replica != nil && rt.Writes {
			// Not wired on a replica: the writer serves it.
			r.Handle(rt.Method, rt.Path, s.readOnly)
			continue
		}
		chain := []gin.HandlerFunc{s.guard(rt)}
		if rt.Audit != "" {
			chain = append(chain, s.audited(rt))
		}
		if rt.Method == "GET" && cachedPages[rt.Path] != "" {
			chain = append(chain, s.keptPage) // pagecache.go
		}
		r.Handle(rt.Method, rt.Path, append(chain, h)...)
	}
	for k := range sqlHandlers {
		if s.opt.Replica != nil {
			break
		}
		panic("permission table: the SQL console route " + k + " is not in it")
	}
	r.NoRoute(s.guard(&route{Access: anyUser}), func(c *gin.Context) { s.fail(c, http.StatusNotFound, "dash.notfound") })
	return r
}

// ParsePublicURL reads --public-url: http(s)://host[:port], no path.
func ParsePublicURL(v string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(v, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, locale.Errorf("dash.badpublicurl", v)
	}
	return u, nil
}

// Serve listens on addr and serves h until ctx ends, then shuts down
// gracefully (in-flight requests get 10 s).
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on an open listener.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	slog.Info("dashboard listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func (s *Server) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic serving request", "path", c.Request.URL.Path, "panic", p)
			s.fail(c, http.StatusInternalServerError, "dash.internal")
		}
	}()
	c.Next()
}

// headers: no resource from elsewhere, no inline script, no framing.
func (s *Server) headers(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	// A Host other than the server's own (DNS rebinding) is refused, and
	// so is a state-changing request from another origin or from "null".
	// A replica's request to the peer routes (with the shared secret, which
	// no browser has) may name the writer's internal address.
	if !s.hostOK(c.Request.Host) && !s.peerOK(c) {
		s.fail(c, http.StatusMisdirectedRequest, "auth.badhost")
		return
	}
	if unsafeMethod(c.Request.Method) && !s.originOK(c) {
		s.fail(c, http.StatusForbidden, "dash.crosssite")
		return
	}
	c.Next()
}

// logRequest logs method, route pattern (no path or query: they may name a
// user or carry a token), status, time.
func (s *Server) logRequest(c *gin.Context) {
	start := time.Now()
	c.Next()
	if strings.HasPrefix(c.Request.URL.Path, "/static/") {
		return
	}
	// The route's pattern, not the path: /admin/users/:name/disable names no one.
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	s.log.Debug("request", "method", c.Request.Method, "route", route, "status", c.Writer.Status(), "ms", time.Since(start).Milliseconds())
}

// ---- static files: embedded, versioned, pre-gzipped, no listings ----

type staticFile struct {
	body, gz []byte
	ctype    string
}

type staticFS struct {
	files   map[string]*staticFile
	version string
}

// assetVersion changes whenever an embedded asset changes (cache busting).
var assetVersion string

func newStaticFS() (*staticFS, error) {
	sfs := &staticFS{files: map[string]*staticFile{}}
	h := sha256.New()
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		f := &staticFile{body: b, ctype: contentType(p)}
		if strings.HasSuffix(p, ".js") || strings.HasSuffix(p, ".css") || strings.HasSuffix(p, ".json") {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			f.gz = buf.Bytes()
		}
		sfs.files[strings.TrimPrefix(p, "static/")] = f
		return nil
	})
	sfs.version = hex.EncodeToString(h.Sum(nil))[:10]
	assetVersion = sfs.version
	return sfs, err
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	case ".png":
		return "image/png"
	case ".svg":
		return "image/svg+xml"
	}
	return "text/plain; charset=utf-8"
}

// serve answers /static/<version>/<file>; a directory or an unknown file is a 404.
func (sfs *staticFS) serve(c *gin.Context) {
	p := strings.TrimPrefix(c.Param("file"), "/")
	versioned := false
	if v, rest, ok := strings.Cut(p, "/"); ok && v == sfs.version {
		p, versioned = rest, true
	}
	f := sfs.files[p]
	if f == nil {
		c.Status(http.StatusNotFound)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("Vary", "Accept-Encoding")
	if versioned {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+sfs.version+`"`)
	if c.GetHeader("If-None-Match") == `"`+sfs.version+`"` {
		c.Status(http.StatusNotModified)
		return
	}
	if f.gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		c.Data(http.StatusOK, f.ctype, f.gz)
		return
	}
	c.Data(http.StatusOK, f.ctype, f.body)
}

// readGeoJSON reads an operator's boundary file (for cmd/sgz serve).
func ReadGeoJSON(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(b, []byte(`"FeatureCollection"`)) {
		return nil, errors.New(path + ": not a GeoJSON FeatureCollection")
	}
	return b, nil
}
