package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"sgz/store"
)

// Sessions are server-side: the cookie holds a random secret, the sessions
// table its SHA-256, the user and the CSRF token. A session ends Lifetime
// after login or Idle after its last request, at logout, and when the
// user's password changes or the account is disabled.
type Sessions struct {
	DB       *store.DB
	Lifetime time.Duration // default 12 h
	Idle     time.Duration // default 30 min
	Now      func() time.Time

	mu      sync.Mutex
	cache   map[string]cachedSession // id hash → what was read, for a few seconds
	reading *sessionRead             // the read under way, if any
	reads   int                      // reads of the table so far (tests)
}

type cachedSession struct {
	user    *User
	read    time.Time // when it was read from the table
	created time.Time
	seen    time.Time // last_seen as stored
	used    time.Time // the last request of the session (written to last_seen by load)
}

// cacheFor: a session read from the table is trusted that long (a change
// made by another process, e.g. `sgz user disable`, shows within it).
const cacheFor = 5 * time.Second

// refreshAfter: a session or token used when its cache is that old is read
// again in the background, so that requests seldom wait for the table.
const refreshAfter = cacheFor / 2

// touchEvery: last_seen is written at most that often.
const touchEvery = time.Minute

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sessions) lifetime() time.Duration {
	if s.Lifetime > 0 {
		return s.Lifetime
	}
	return 12 * time.Hour
}

func (s *Sessions) idle() time.Duration {
	if s.Idle > 0 {
		return s.Idle
	}
	return 30 * time.Minute
}

// Secret is 32 random bytes, URL-safe.
func Secret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is the hex SHA-256 of a session or token secret.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Create starts a session for the user: the cookie's value.
func (s *Sessions) Create(ctx context.Context, userID int64) (string, error) {
	secret, csrf := Secret(), Secret()
	now := Wall(s.now())
	err := s.DB.Write(ctx, func(w *store.Writer) error {
		w.LogOnly() // accounts, sessions, tokens and the audit trail are not in the analysts' views
		// Sessions past their lifetime go at each login.
		if err := w.Exec(`DELETE FROM sessions WHERE created_at < ?`, now.Add(-s.lifetime())); err != nil {
			return err
		}
		return w.Exec(`INSERT INTO sessions VALUES (?, ?, ?, ?, ?)`, HashSecret(secret), userID, csrf, now, now)
	})
	if err != nil {
		return secret, err
	}
	// Kept as read, so that the session's first requests do not each read
	// it (many viewers logging in together).
	if u, err := UserByID(ctx, s.DB, userID); err == nil && u != nil && !u.Disabled {
		id := HashSecret(secret)
		u.Via, u.CSRF, u.SessionID = "session", csrf, id
		s.mu.Lock()
		if s.cache == nil {
			s.cache = map[string]cachedSession{}
		}
		s.cache[id] = cachedSession{user: u, read: now, created: now, seen: now, used: now}
		s.mu.Unlock()
	}
	return secret, nil
}

// Lookup is the user of a session cookie's value, or nil when the session
// does not exist, has expired, or its account is disabled.
func (s *Sessions) Lookup(ctx context.Context, secret string) (*User, error) {
	if secret == "" {
		return nil, nil
	}
	id := HashSecret(secret)
	now := Wall(s.now())
	cs, fresh := s.cached(id, now)
	if !fresh {
		var ok bool
		var err error
		if cs, ok, err = s.read(ctx, id, now, false); err != nil || !ok {
			return nil, err
		}
	} else if now.Sub(cs.read) >= refreshAfter {
		// Read it again in the background while the cache holds: a request
		// waits for the table only when that read has not come back within
		// cacheFor (DuckDB busy with a long computation).
		s.mu.Lock()
		under := s.reading != nil && s.reading.ids[id]
		s.mu.Unlock()
		if !under {
			go s.read(context.WithoutCancel(ctx), id, now, true)
		}
	}
	if now.Sub(cs.created) > s.lifetime() || now.Sub(cs.seen) > s.idle() {
		s.Delete(ctx, secret)
		return nil, nil
	}
	u := *cs.user
	return &u, nil
}

// cached is the session as last read, whether it is fresh (read within
// cacheFor), and notes its use (written to last_seen by the next read).
func (s *Sessions) cached(id string, now time.Time) (cachedSession, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, ok := s.cache[id]
	if !ok {
		return cs, false
	}
	if now.After(cs.used) {
		cs.used = now
		s.cache[id] = cs
	}
	return cs, fresh(cs, now)
}

// fresh: the session was read within cacheFor (and not in the future, as
// when the clock steps back).
func fresh(cs cachedSession, now time.Time) bool {
	return !(now.Sub(cs.read) > cacheFor || now.Before(cs.read))
}

// sessionRead is one read of the sessions table that lookups wait for.
type sessionRead struct {
	ids   map[string]bool
	done  chan struct{}
	found map[string]cachedSession // the sessions read that exist with an enabled account
	err   error
}

// read reads the session id from the table (when it is not fresh, or
// again), with every other cached session due to be read again soon, in
// one query: when many sessions' cache
// runs out at once (many viewers who logged in together, 32 in the scale
// survey), a session each read its row and its user (two queries) and the
// requests queued behind them for up to 370 ms every 5 s. A lookup whose
// session is in a read under way waits for it. It reports whether the
// session exists with an enabled account.
func (s *Sessions) read(ctx context.Context, id string, now time.Time, again bool) (cachedSession, bool, error) {
	s.mu.Lock()
	if cs, ok := s.cache[id]; ok && (!again && fresh(cs, now) || again && !cs.read.Before(now)) {
		s.mu.Unlock() // read meanwhile
		return cs, true, nil
	}
	r := s.reading
	if r == nil || !r.ids[id] {
		r = &sessionRead{ids: map[string]bool{id: true}, done: make(chan struct{})}
		for k, c := range s.cache {
			if len(r.ids) >= maxRead {
				break
			}
			if now.Sub(c.read) >= refreshAfter || now.Before(c.read) { // due, or soon
				r.ids[k] = true
			}
		}
		s.reading = r
		s.reads++
		s.mu.Unlock()
		// Shared by every waiter: one leaving must not fail the others.
		r.found, r.err = s.load(context.WithoutCancel(ctx), r.ids, now)
		s.mu.Lock()
		if s.reading == r {
			s.reading = nil
		}
		s.mu.Unlock()
		close(r.done)
	} else {
		s.mu.Unlock()
		<-r.done
	}
	if r.err != nil {
		return cachedSession{}, false, r.err
	}
	cs, ok := r.found[id] // as read, whatever the cache has become since
	return cs, ok, nil
}

// maxRead bounds the sessions read at once.
const maxRead = 500

// load reads the sessions ids with their users: those that exist with an
// enabled account go into the cache (the others out of it), and the use of
// each since last_seen was written, when over touchEvery and the session
// has not expired, is written in one transaction.
func (s *Sessions) load(ctx context.Context, ids map[string]bool, now time.Time) (map[string]cachedSession, error) {
	args := make([]any, 0, len(ids))
	for id := range ids {
		args = append(args, id)
	}
	rows, err := s.DB.QueryContext(ctx, `SELECT s.id_hash, s.csrf, s.created_at, s.last_seen, `+userCols+`
		FROM sessions s JOIN users u ON u.user_id = s.user_id
		WHERE s.id_hash IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...)
	if err != nil {
		return nil, err
	}
	found := map[string]cachedSession{}
	for rows.Next() {
		var id, csrf string
		var cs cachedSession
		u, err := scanUser(prefixed{rows, []any{&id, &csrf, &cs.created, &cs.seen}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		if u.Disabled {
			continue
		}
		u.Via, u.CSRF, u.SessionID = "session", csrf, id
		cs.user, cs.read = u, now
		found[id] = cs
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	touch := map[string]time.Time{}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]cachedSession{}
	}
	for id := range ids {
		cs, ok := found[id]
		if !ok {
			delete(s.cache, id)
			continue
		}
		used := now
		if old, ok := s.cache[id]; ok && old.used.Before(now) && !old.used.IsZero() {
			used = old.used
		}
		cs.used = used
		alive := used.Sub(cs.created) <= s.lifetime() && used.Sub(cs.seen) <= s.idle()
		if alive && used.Sub(cs.seen) > touchEvery {
			touch[id] = used
			cs.seen = used
		}
		s.cache[id] = cs
		found[id] = cs
	}
	s.mu.Unlock()
	if len(touch) == 0 {
		return found, nil
	}
	// Two readers of one session at once (two replicas asking the writer:
	// dashboard/replica.go) both touch it: DuckDB refuses the second UPDATE
	// of the row ("Conflict on update"). The first one recorded the use: the
	// second is no reason to refuse the requests.
	if err := s.DB.Write(ctx, func(w *store.Writer) error {
		w.LogOnly() // accounts, sessions, tokens and the audit trail are not in the analysts' views
		for id, at := range touch {
			if err := w.Exec(`UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, at, id); err != nil {
				return err
			}
		}
		return nil
	}); err != nil && !strings.Contains(err.Error(), "Conflict") {
		return nil, err
	}
	return found, nil
}

// prefixed scans some columns before those of another scanner (scanUser).
type prefixed struct {
	rows  *sql.Rows
	first []any
}

func (p prefixed) Scan(dest ...any) error { return p.rows.Scan(append(p.first, dest...)...) }

func (s *Sessions) forget(id string) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

// Delete ends a session (logout).
func (s *Sessions) Delete(ctx context.Context, secret string) error {
	id := HashSecret(secret)
	s.forget(id)
	return s.DB.Write(ctx, func(w *store.Writer) error {
		w.LogOnly() // accounts, sessions, tokens and the audit trail are not in the analysts' views
		return w.Exec(`DELETE FROM sessions WHERE id_hash = ?`, id)
	})
}

// Forget drops every cached session (after a change to users made here).
func (s *Sessions) Forget() {
	s.mu.Lock()
	s.cache = nil
	s.mu.Unlock()
}
