package dashboard

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"sgz/ingest"
	"sgz/query"
	"sgz/store"
)

// ---- limits on uploads: rate and concurrency per user, bytes per district ----

// Upload limits (Options): defaults.
const (
	defaultUploadRate       = 10          // uploads per user per UploadWindow
	defaultUploadWindow     = time.Minute //
	defaultUploadConcurrent = 1           // uploads of one user being checked at once
	defaultRejectedQuota    = 100 << 20   // bytes of rejected files kept per district
)

// userOf names the user a request is made for (limits count per user). For
// now the connection's address (not a header's: X-Forwarded-For is the
// client's to choose); authentication puts the account under
// query.UserKey, which wins.
func userOf(c *gin.Context) string {
	if u := c.GetString(query.UserKey); u != "" {
		return u
	}
	return c.RemoteIP()
}

// uploadLimiter counts each user's recent and running uploads.
type uploadLimiter struct {
	mu      sync.Mutex
	rate    int
	window  time.Duration
	conc    int
	now     func() time.Time
	recent  map[string][]time.Time // start times within the window
	running map[string]int
}

func newUploadLimiter(rate int, window time.Duration, conc int, now func() time.Time) *uploadLimiter {
	return &uploadLimiter{rate: rate, window: window, conc: conc, now: now,
		recent: map[string][]time.Time{}, running: map[string]int{}}
}

// start admits one upload of user, or says which limit refuses it (a
// message key). done must be called when an admitted upload is over.
func (l *uploadLimiter) start(user string) (done func(), refused string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	kept := l.recent[user][:0]
	for _, t := range l.recent[user] {
		if now.Sub(t) < l.window {
			kept = append(kept, t)
		}
	}
	l.recent[user] = kept
	if l.running[user] >= l.conc {
		return nil, "up.busy"
	}
	if len(kept) >= l.rate {
		return nil, "up.ratelimit"
	}
	l.recent[user] = append(kept, now)
	l.running[user]++
	if len(l.recent) > 10000 { // forget users idle for a window
		for u, ts := range l.recent {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.recent, u)
			}
		}
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.running[user]--; l.running[user] <= 0 {
			delete(l.running, user)
		}
	}, ""
}

// admitUpload applies the rate and concurrency limits; false when the
// request has been answered (429).
func (s *Server) admitUpload(c *gin.Context) (func(), bool) {
	done, refused := s.uploads.start(userOf(c))
	if refused != "" {
		c.Header("Retry-After", "60")
		var args []any
		if refused == "up.ratelimit" {
			args = []any{s.opt.UploadRate, max(int(s.opt.UploadWindow.Minutes()), 1)}
		}
		s.fail(c, http.StatusTooManyRequests, refused, args...)
		return nil, false
	}
	return done, true
}

// rejectedBytes is what the district's rejected uploads keep in
// return_files (each content once).
func rejectedBytes(ctx context.Context, db *store.DB, district string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT coalesce(sum(size_bytes), 0)::BIGINT FROM (
		SELECT DISTINCT r.sha256, r.size_bytes FROM returns r JOIN return_files f USING (sha256)
		WHERE r.status = 'rejected' AND r.source = 'upload' AND r.district_code = ?)`, district).Scan(&n)
	return n, err
}

// keepWithinQuota files a rejected upload under the uploader's district and
// drops its bytes (keeping the hash, size and errors) when they would take
// the district's rejected files past Options.RejectedQuota. It reports
// whether the bytes were dropped. s.writes is held.
func (s *Server) keepWithinQuota(ctx context.Context, district string, res *ingest.Result) (bool, error) {
	if res.OK() {
		return false, nil
	}
	if res.Return == nil {
		res.Return = &ingest.Return{}
	}
	res.Return.District = district
	if res.Data == nil {
		return false, nil
	}
	var stored int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM return_files WHERE sha256 = ?`, res.SHA256).Scan(&stored)
	if err != nil || stored > 0 {
		return false, err // the same bytes are kept already: nothing added
	}
	used, err := rejectedBytes(ctx, s.db, district)
	if err != nil {
		return false, err
	}
	if used+int64(len(res.Data)) > s.opt.RejectedQuota {
		res.Data = nil
		return true, nil
	}
	return false, nil
}
