package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing: after Free failed logins for a key
// (a login name, a client address) each further attempt waits a lockout that
// doubles from Base up to Max. A success clears the key; a key without a
// failure for an hour is forgotten.
type Throttle struct {
	Free int           // failures allowed before any lockout (default 5)
	Base time.Duration // first lockout (default 30 s)
	Max  time.Duration // longest lockout (default 15 min)
	Now  func() time.Time

	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n     int
	last  time.Time
	until time.Time
}

func (t *Throttle) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Wait is how long the keys must wait before another attempt (0: go ahead).
func (t *Throttle) Wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var w time.Duration
	for _, k := range keys {
		if f := t.m[k]; f != nil && f.until.After(now) && f.until.Sub(now) > w {
			w = f.until.Sub(now)
		}
	}
	return w
}

// Fail counts a failed attempt for each key.
func (t *Throttle) Fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	free, base, max := t.Free, t.Base, t.Max
	if free <= 0 {
		free = 5
	}
	if base <= 0 {
		base = 30 * time.Second
	}
	if max <= 0 {
		max = 15 * time.Minute
	}
	now := t.now()
	if t.m == nil {
		t.m = map[string]*failures{}
	}
	for k, f := range t.m {
		if now.Sub(f.last) > time.Hour {
			delete(t.m, k)
		}
	}
	for _, k := range keys {
		f := t.m[k]
		if f == nil {
			f = &failures{}
			t.m[k] = f
		}
		f.n++
		f.last = now
		if f.n >= free {
			d := base << min(f.n-free, 10)
			if d > max {
				d = max
			}
			f.until = now.Add(d)
		}
	}
}

// Succeed clears the keys.
func (t *Throttle) Succeed(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.m, k)
	}
}
