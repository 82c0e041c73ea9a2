package auth

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"sgz/locale"
	"sgz/store"
)

// TokenPrefix starts every API token (so a leaked one is recognisable).
const TokenPrefix = "sgz_"

// CreateToken makes an API token for a user, valid for ttl: its id and the
// token itself, which is shown once (only its SHA-256 is kept).
func CreateToken(ctx context.Context, db *store.DB, name string, ttl time.Duration, now time.Time) (int64, string, error) {
	u, err := FindUser(ctx, db, name)
	if err != nil {
		return 0, "", err
	}
	if u == nil {
		return 0, "", locale.Errorf("auth.nouser", name)
	}
	if u.Disabled {
		return 0, "", locale.Errorf("auth.disabled", name)
	}
	secret := TokenPrefix + Secret()
	var id int64
	err = db.Write(ctx, func(w *store.Writer) error {
		w.Accounts() // accounts and tokens: not in the analysts' views, but replicas show them
		if err := w.QueryRow(`SELECT nextval('api_token_id_seq')`, nil, &id); err != nil {
			return err
		}
		return w.Exec(`INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, NULL)`, id, u.ID, HashSecret(secret), Wall(now), Wall(now.Add(ttl)))
	})
	return id, secret, err
}

// RevokeToken revokes a token by id.
func RevokeToken(ctx context.Context, db *store.DB, id int64, now time.Time) error {
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE token_id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return locale.Errorf("auth.notoken", id)
	}
	return db.Write(ctx, func(w *store.Writer) error {
		w.Accounts() // accounts and tokens: not in the analysts' views, but replicas show them
		return w.Exec(`UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL`, Wall(now), id)
	})
}

// TokenUser is the user of an API token, or nil when the token is unknown,
// revoked, expired, or its account disabled.
func TokenUser(ctx context.Context, db *store.DB, secret string, now time.Time) (*User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, nil
	}
	var userID int64
	err := db.QueryRowContext(ctx, `SELECT user_id FROM api_tokens WHERE hash = ? AND revoked_at IS NULL AND expires_at > ?`,
		HashSecret(secret), Wall(now)).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := UserByID(ctx, db, userID)
	if err != nil || u == nil || u.Disabled {
		return nil, err
	}
	u.Via = "token"
	return u, nil
}

// ParseTTL reads a validity such as 90d, 12h or 30m.
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := time.ParseDuration(n + "h")
		if err == nil && d > 0 {
			return d * 24, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, locale.Errorf("auth.badttl", s)
}

// Tokens looks API tokens up with a short cache: a script sending many
// requests costs one lookup every few seconds, and a revocation made
// elsewhere (sgz token revoke) shows within cacheFor.
type Tokens struct {
	DB *store.DB

	mu      sync.Mutex
	cache   map[string]cachedToken
	reading map[string]*tokenRead // reads under way, by hash
	reads   int                   // reads of the table so far (tests)
}

type cachedToken struct {
	user *User // nil: not a valid token
	read time.Time
}

// Lookup is TokenUser through the cache. Requests with the same token that
// find it due wait for one read (a script with 32 connections read it 32
// times at once every 5 s).
func (t *Tokens) Lookup(ctx context.Context, secret string, now time.Time) (*User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, nil
	}
	h := HashSecret(secret)
	t.mu.Lock()
	ct, ok := t.cache[h]
	if !ok || now.Sub(ct.read) > cacheFor || now.Before(ct.read) {
		r := t.reading[h]
		if r == nil {
			r = t.startRead(h)
			t.mu.Unlock()
			// Shared by every waiter: one leaving must not fail the others.
			t.finish(context.WithoutCancel(ctx), h, secret, now, r)
		} else {
			t.mu.Unlock()
			<-r.done
		}
		if r.err != nil {
			return nil, r.err
		}
		ct.user = r.user
	} else {
		if now.Sub(ct.read) >= refreshAfter && t.reading[h] == nil {
			// Read it again in the background while the cache holds.
			go t.finish(context.WithoutCancel(ctx), h, secret, now, t.startRead(h))
		}
		t.mu.Unlock()
	}
	if ct.user == nil {
		return nil, nil
	}
	u := *ct.user
	return &u, nil
}

// startRead notes a read of the token h under way (t.mu held).
func (t *Tokens) startRead(h string) *tokenRead {
	r := &tokenRead{done: make(chan struct{})}
	if t.reading == nil {
		t.reading = map[string]*tokenRead{}
	}
	t.reading[h] = r
	t.reads++
	return r
}

// finish reads the token for r and keeps what it read.
func (t *Tokens) finish(ctx context.Context, h, secret string, now time.Time, r *tokenRead) {
	r.user, r.err = TokenUser(ctx, t.DB, secret, now)
	t.mu.Lock()
	if r.err == nil {
		if t.cache == nil || len(t.cache) > 10000 {
			t.cache = map[string]cachedToken{}
		}
		t.cache[h] = cachedToken{user: r.user, read: now}
	}
	delete(t.reading, h)
	t.mu.Unlock()
	close(r.done)
}

// tokenRead is one read of a token that lookups wait for.
type tokenRead struct {
	done chan struct{}
	user *User
	err  error
}

// Forget drops the cache (after a revocation made here).
func (t *Tokens) Forget() {
	t.mu.Lock()
	t.cache = nil
	t.mu.Unlock()
}
