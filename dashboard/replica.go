package dashboard

// Read-only replicas (sgz serve --replica DIR; docs/operations.md).
//
// A replica serves the pages and the API from the newest snapshot the
// writer published (package publish), and switches to a newer one without
// dropping a request: each snapshot gets a Server of its own over its
// read-only database; a request holds the Server it started on (a
// reference count), new requests go to the newest, and an old database is
// closed when its last request ends.
//
// Sessions and API tokens are the writer's: a replica asks the writer who
// a session cookie or a token is (GET /api/internal/peer/auth, with the
// shared secret of --peer-secret-file) and trusts the answer for
// ReplicaOptions.PeerCache (default 5 s): a logout, a revoked token or a
// disabled account stops working on every replica within that (plus the
// writer's own 5 s cache of tokens). Routes that write (Writes in the
// permission table) are the writer's: a replica answers them 503 naming
// it. Audit entries of a replica's exports and downloads go to the writer.

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"sgz/auth"
	"sgz/locale"
	"sgz/publish"
	"sgz/store"
)

// ReplicaOptions configure a read-only replica.
type ReplicaOptions struct {
	// WriterURL is the writer's address as the replica reaches it
	// (http://10.0.0.1:8080): for the peer routes, and named to users
	// who try to write here.
	WriterURL string
	// PeerSecret is the writer's Options.PeerSecret.
	PeerSecret string
	// PeerCache: how long the writer's answer about a session or token is
	// trusted (default 5 s; 0 is the default, use a negative value for none).
	PeerCache time.Duration
	// Prepare, when set, runs on each snapshot's database once opened,
	// before it is served (cmd/sgz: the server's memory limits, Lockdown);
	// a snapshot it refuses is not served.
	Prepare func(context.Context, *store.DB) error
}

// Peer headers.
const (
	peerHeader = "X-Sgz-Peer"       // the shared secret
	credHeader = "X-Sgz-Credential" // "session SECRET" or "token SECRET"
)

// errWriterDown: a replica could not ask the writer.
var errWriterDown = errors.New("the writer does not answer")

// shared is what every generation's Server of a replica shares.
type shared struct {
	prom                 *promMetrics
	peer                 *peerClient
	throttle, ipThrottle *auth.Throttle
	uploads              *uploadLimiter
	pages                map[string]*pageTemplate
	static               *staticFS
}

// ---- the writer's side ----

// peerOK: the request carries the writer's peer secret.
func (s *Server) peerOK(c *gin.Context) bool {
	got := c.GetHeader(peerHeader)
	return s.opt.PeerSecret != "" && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.opt.PeerSecret)) == 1
}

// peerAnswer is the writer's answer about a credential.
type peerAnswer struct {
	User *auth.User `json:"user"` // null: not a valid session or token
}

// GET /api/internal/peer/auth: who a replica's session cookie or token is
// (the writer's own lookup: expiry, idle time, revocation, disabled
// accounts; a session's last use is recorded here).
func (s *Server) peerAuth(c *gin.Context) {
	kind, secret, _ := strings.Cut(c.GetHeader(credHeader), " ")
	ctx := c.Request.Context()
	var u *auth.User
	var err error
	switch kind {
	case "session":
		u, err = s.sessions.Lookup(ctx, secret)
	case "token":
		u, err = s.tokens.Lookup(ctx, secret, s.opt.Now())
	default:
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "credential: session or token"})
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	c.JSON(http.StatusOK, peerAnswer{User: u})
}

// POST /api/internal/peer/audit: an audit entry of a replica's request.
func (s *Server) peerAudit(c *gin.Context) {
	var e auth.Entry
	if err := json.NewDecoder(io.LimitReader(c.Request.Body, 64<<10)).Decode(&e); err != nil || e.Action == "" {
		c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"error": "an audit entry"})
		return
	}
	e.Seq, e.Prev, e.Hash = 0, "", ""
	if err := auth.Record(context.WithoutCancel(c.Request.Context()), s.db, e); err != nil {
		s.internal(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// recordEntry writes an audit entry: here, or on a replica at the writer.
func (s *Server) recordEntry(ctx context.Context, e auth.Entry) error {
	if s.peer != nil {
		return s.peer.record(ctx, e)
	}
	return auth.Record(ctx, s.db, e)
}

// ---- the replica's side ----

// readOnly answers a write route on a replica.
func (s *Server) readOnly(c *gin.Context) {
	s.fail(c, http.StatusServiceUnavailable, "replica.readonly", s.writerName())
}

func (s *Server) writerName() string {
	if s.opt.Replica != nil && s.opt.Replica.WriterURL != "" {
		return s.opt.Replica.WriterURL
	}
	return "-"
}

// peerClient asks the writer about credentials, with a short cache.
type peerClient struct {
	writer *url.URL
	secret string
	ttl    time.Duration
	http   *http.Client

	mu       sync.Mutex
	cache    map[string]peerCached
	inflight map[string]*peerCall // one question per credential at a time
}

type peerCall struct {
	done chan struct{}
	user *auth.User
	err  error
}

type peerCached struct {
	user *auth.User
	at   time.Time
}

func newPeerClient(o *ReplicaOptions) (*peerClient, error) {
	w, err := url.Parse(strings.TrimSuffix(o.WriterURL, "/"))
	if err != nil || (w.Scheme != "http" && w.Scheme != "https") || w.Host == "" {
		return nil, locale.Errorf("replica.badwriter", o.WriterURL)
	}
	if o.PeerSecret == "" {
		return nil, locale.Errorf("replica.nosecret")
	}
	p := &peerClient{writer: w, secret: o.PeerSecret, ttl: o.PeerCache,
		http: &http.Client{Timeout: 5 * time.Second}}
	if p.ttl == 0 {
		p.ttl = 5 * time.Second
	}
	return p, nil
}

// lookup is the writer's answer about a session or token (nil: not valid).
func (p *peerClient) lookup(ctx context.Context, kind, secret string) (*auth.User, error) {
	if secret == "" || strings.ContainsAny(secret, "\r\n") {
		return nil, nil
	}
	key := kind + " " + auth.HashSecret(secret)
	now := time.Now()
	p.mu.Lock()
	pc, ok := p.cache[key]
	if ok && now.Sub(pc.at) < p.ttl && !now.Before(pc.at) {
		p.mu.Unlock()
		return copyUser(pc.user), nil
	}
	// The requests of a page arrive together: one question for them all.
	if call := p.inflight[key]; call != nil {
		p.mu.Unlock()
		select {
		case <-call.done:
			return copyUser(call.user), call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	call := &peerCall{done: make(chan struct{})}
	if p.inflight == nil {
		p.inflight = map[string]*peerCall{}
	}
	p.inflight[key] = call
	p.mu.Unlock()
	call.user, call.err = p.ask(context.WithoutCancel(ctx), kind, secret)
	p.mu.Lock()
	delete(p.inflight, key)
	if call.err == nil {
		if p.cache == nil || len(p.cache) > 10000 {
			p.cache = map[string]peerCached{}
		}
		p.cache[key] = peerCached{user: call.user, at: now}
	}
	p.mu.Unlock()
	close(call.done)
	return copyUser(call.user), call.err
}

func (p *peerClient) ask(ctx context.Context, kind, secret string) (*auth.User, error) {
	req, err := p.request(ctx, http.MethodGet, "/api/internal/peer/auth", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set(credHeader, kind+" "+secret)
	var ans peerAnswer
	if err := p.do(req, &ans); err != nil {
		return nil, err
	}
	return ans.User, nil
}

func copyUser(u *auth.User) *auth.User {
	if u == nil {
		return nil
	}
	c := *u
	return &c
}

func (p *peerClient) record(ctx context.Context, e auth.Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	req, err := p.request(ctx, http.MethodPost, "/api/internal/peer/audit", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return p.do(req, nil)
}

func (p *peerClient) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.writer.String()+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set(peerHeader, p.secret)
	return req, nil
}

func (p *peerClient) do(req *http.Request, v any) error {
	resp, err := p.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errWriterDown, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%w: %s %s: %d %.200s", errWriterDown, req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if v == nil {
		return nil
	}
	return json.Unmarshal(b, v)
}

// ---- switching snapshots ----

// Replica serves from the newest snapshot of a publication directory.
type Replica struct {
	opt Options
	sh  *shared
	log *slog.Logger

	mu  sync.RWMutex
	cur *generation

	switches *prometheus.CounterVec
}

// generation is one snapshot being served.
type generation struct {
	gen     uint64
	at      time.Time // when the writer took it
	db      *store.DB
	h       http.Handler
	refs    atomic.Int64
	retired atomic.Bool
	once    sync.Once
}

func (g *generation) close() { g.once.Do(func() { g.db.Close() }) }

func (g *generation) release() {
	if g.refs.Add(-1) == 0 && g.retired.Load() {
		g.close()
	}
}

// NewReplica makes a replica; opt.Replica must be set. It serves 503 until
// its first snapshot (Switch, Watch).
func NewReplica(opt Options) (*Replica, error) {
	if opt.Replica == nil {
		return nil, errors.New("NewReplica: no ReplicaOptions")
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.NoSQL = true // the console keeps a history: the writer serves it
	opt.SQLEngine = nil
	r := &Replica{opt: opt, log: opt.Logger,
		switches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sgz_replica_switches_total",
			Help: "Switches to a newer snapshot by result: ok, failed (the replica stays on the one it serves)."}, []string{"result"})}
	peer, err := newPeerClient(opt.Replica)
	if err != nil {
		return nil, err
	}
	more := append([]prometheus.Collector{r.switches,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sgz_replica_generation", Help: "Generation of the snapshot served."},
			func() float64 { g, _ := r.Current(); return float64(g) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "sgz_replica_snapshot_age_seconds", Help: "Age of the snapshot served (since the writer took it)."},
			func() float64 {
				if _, at := r.Current(); !at.IsZero() {
					return time.Since(at).Seconds()
				}
				return 0
			})}, opt.Collectors...)
	r.sh = &shared{prom: newPromMetrics(more...), peer: peer,
		throttle: &auth.Throttle{Now: opt.Now}, ipThrottle: &auth.Throttle{Free: 20, Now: opt.Now},
		uploads: newUploadLimiter(defaultUploadRate, defaultUploadWindow, defaultUploadConcurrent, time.Now)}
	if r.sh.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	if r.sh.static, err = newStaticFS(); err != nil {
		return nil, err
	}
	health := opt.Health
	r.opt.Health = func() map[string]any {
		h := map[string]any{}
		if health != nil {
			h = health()
		}
		g, at := r.Current()
		h["replica"] = true
		h["generation"] = g
		if !at.IsZero() {
			h["snapshot_time"] = at.UTC().Format(time.RFC3339Nano)
			h["age_seconds"] = time.Since(at).Seconds()
		}
		return h
	}
	return r, nil
}

// Current is the generation served and when the writer took it (0 before
// the first snapshot).
func (r *Replica) Current() (uint64, time.Time) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.cur == nil {
		return 0, time.Time{}
	}
	return r.cur.gen, r.cur.at
}

// ServeHTTP serves a request from the newest snapshot; the snapshot stays
// open until the request ends.
func (r *Replica) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.RLock()
	g := r.cur
	if g != nil {
		g.refs.Add(1)
	}
	r.mu.RUnlock()
	if g == nil {
		w.Header().Set("Retry-After", "1")
		if req.URL.Path == "/healthz" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			json.NewEncoder(w).Encode(map[string]any{"status": "starting", "replica": true})
			return
		}
		http.Error(w, locale.T(langOf(req), "replica.nosnapshot"), http.StatusServiceUnavailable)
		return
	}
	defer g.release()
	g.h.ServeHTTP(w, req)
}

func langOf(req *http.Request) locale.Lang {
	if c, err := req.Cookie("sgz_lang"); err == nil {
		l, _ := locale.Parse(c.Value)
		return l
	}
	return locale.ZH
}

// Switch serves db (snapshot gen, taken at at) from now on: its Server is
// built and its overview computed first, then new requests go to it, and
// the previous database is closed when its last request ends. db is the
// replica's from then on (closed by it).
func (r *Replica) Switch(ctx context.Context, db *store.DB, gen uint64, at time.Time) error {
	opt := r.opt
	opt.shared = r.sh
	s, err := NewServer(db, opt)
	if err != nil {
		return err
	}
	// The first viewer after a switch does not wait for the numbers.
	s.Warm(ctx)
	g := &generation{gen: gen, at: at, db: db, h: s.Engine()}
	r.mu.Lock()
	old := r.cur
	r.cur = g
	r.mu.Unlock()
	if old != nil {
		old.retired.Store(true)
		if old.refs.Load() == 0 {
			old.close()
		}
	}
	return nil
}

// Watch looks at dir's current snapshot every interval and switches to a
// newer one, until ctx ends. A snapshot that cannot be opened is logged
// and counted; the replica goes on serving the one it has.
func (r *Replica) Watch(ctx context.Context, dir string, every time.Duration) {
	for {
		if err := r.Refresh(ctx, dir); err != nil && ctx.Err() == nil {
			r.switches.WithLabelValues("failed").Inc()
			r.log.Error("replica: cannot switch to the newest snapshot", "dir", dir, "err", err)
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Refresh switches to dir's current snapshot if it is newer than the one
// served.
func (r *Replica) Refresh(ctx context.Context, dir string) error {
	gen, path, err := publish.Current(dir)
	if err != nil {
		return err
	}
	if have, _ := r.Current(); gen <= have {
		return nil
	}
	start := time.Now()
	m, err := publish.ReadManifest(path)
	if err != nil {
		return err
	}
	// A writer and its replicas run the same version of sgz: a snapshot of
	// another schema is refused (the replica goes on serving the one it has).
	if ms, err := store.Migrations(); err != nil {
		return err
	} else if want := ms[len(ms)-1].Version; m.Schema != want {
		return fmt.Errorf("snapshot %d has schema version %d, this sgz has %d: upgrade the writer and the replicas together", gen, m.Schema, want)
	}
	db, err := store.OpenReadOnly(ctx, filepath.Join(path, publish.DBFile))
	if err != nil {
		return err
	}
	if p := r.opt.Replica.Prepare; p != nil {
		if err := p(ctx, db); err != nil {
			db.Close()
			return err
		}
	}
	if err := r.Switch(ctx, db, gen, m.Time); err != nil {
		db.Close()
		return err
	}
	r.switches.WithLabelValues("ok").Inc()
	r.log.Info("replica: serving snapshot", "generation", gen, "switch_ms", time.Since(start).Milliseconds(),
		"behind_writer_ms", time.Since(m.Time).Milliseconds())
	return nil
}

// Close closes the database served (after the server has stopped).
func (r *Replica) Close() {
	r.mu.Lock()
	g := r.cur
	r.cur = nil
	r.mu.Unlock()
	if g != nil {
		g.retired.Store(true)
		if g.refs.Load() == 0 {
			g.close()
		}
	}
}
