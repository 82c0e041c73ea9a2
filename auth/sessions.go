package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
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

	mu    sync.Mutex
	cache map[string]cachedSession // id hash → what was read, for a few seconds
}

type cachedSession struct {
	user    *User
	read    time.Time // when it was read from the table
	created time.Time
	seen    time.Time // last_seen as stored
}

// cacheFor: a session read from the table is trusted that long (a change
// made by another process, e.g. `sgz user disable`, shows within it).
const cacheFor = 5 * time.Second

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
	return secret, err
}

// Lookup is the user of a session cookie's value, or nil when the session
// does not exist, has expired, or its account is disabled.
func (s *Sessions) Lookup(ctx context.Context, secret string) (*User, error) {
	if secret == "" {
		return nil, nil
	}
	id := HashSecret(secret)
	now := Wall(s.now())
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]cachedSession{}
	}
	cs, ok := s.cache[id]
	s.mu.Unlock()
	if !ok || now.Sub(cs.read) > cacheFor || now.Before(cs.read) {
		var userID int64
		var csrf string
		err := s.DB.QueryRowContext(ctx, `SELECT user_id, csrf, created_at, last_seen FROM sessions WHERE id_hash = ?`, id).
			Scan(&userID, &csrf, &cs.created, &cs.seen)
		if errors.Is(err, sql.ErrNoRows) {
			s.forget(id)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		u, err := UserByID(ctx, s.DB, userID)
		if err != nil {
			return nil, err
		}
		if u == nil || u.Disabled {
			s.forget(id)
			return nil, nil
		}
		u.Via, u.CSRF, u.SessionID = "session", csrf, id
		cs.user, cs.read = u, now
	}
	if now.Sub(cs.created) > s.lifetime() || now.Sub(cs.seen) > s.idle() {
		s.Delete(ctx, secret)
		return nil, nil
	}
	if now.Sub(cs.seen) > touchEvery {
		// Two requests of one session at once (two tabs, or two replicas
		// asking: dashboard/replica.go) both touch it: DuckDB refuses the
		// second UPDATE of the row ("Conflict on update"). The first one
		// recorded the use: the second is no reason to refuse the request.
		if err := s.DB.Write(ctx, func(w *store.Writer) error {
			w.LogOnly() // accounts, sessions, tokens and the audit trail are not in the analysts' views
			return w.Exec(`UPDATE sessions SET last_seen = ? WHERE id_hash = ?`, now, id)
		}); err != nil && !strings.Contains(err.Error(), "Conflict") {
			return nil, err
		}
		cs.seen = now
	}
	s.mu.Lock()
	s.cache[id] = cs
	s.mu.Unlock()
	u := *cs.user
	return &u, nil
}

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
