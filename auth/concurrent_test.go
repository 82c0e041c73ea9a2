package auth

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sgz/store"
)

// Many requests of one session at once, each due to record its use (two
// tabs; two replicas asking the writer): DuckDB refuses all but one UPDATE
// of the row, and that is no reason to refuse the requests.
func TestSessionUsedConcurrently(t *testing.T) {
	ctx := context.Background()
	db, u := withUser(t, "busy", Leader, time.Now())
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := &Sessions{DB: db, Now: clock}
	sec, err := s.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 5; round++ {
		mu.Lock()
		now = now.Add(2 * time.Minute) // past touchEvery and the cache: every lookup reads and touches
		mu.Unlock()
		errs := make(chan error, 16)
		atOnce(16, func(int) {
			got, err := s.Lookup(ctx, sec)
			if err == nil && got == nil {
				err = errString("the session was not recognised")
			}
			errs <- err
		})
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// atOnce runs f(0..n-1) in n goroutines released together, and waits for them.
func atOnce(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

type errString string

func (e errString) Error() string { return string(e) }

// A new session's first requests do not read it back. Many sessions whose
// cache runs out together (viewers who logged in together) are read again
// in one query, not one each; the uses since
// last_seen are written (one transaction) for those used, with the time of
// their last use; a session that was not used is read along but not
// touched, so that it still ends after its idle time.
func TestSessionsReadTogether(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	db, a := withUser(t, "viewer", Leader, now)
	s := &Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour, Now: clock}
	secs := make([]string, 32)
	for i := range secs {
		var err error
		if secs[i], err = s.Create(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	idle, err := s.Create(ctx, a.ID) // looked up once, then left
	if err != nil {
		t.Fatal(err)
	}
	all := func(want bool) {
		t.Helper()
		got := make([]bool, len(secs))
		atOnce(len(secs), func(i int) {
			u, err := s.Lookup(ctx, secs[i])
			if err != nil {
				t.Error(err)
			}
			got[i] = u != nil && u.Name == "viewer"
		})
		for i := range got {
			if got[i] != want {
				t.Fatalf("session %d: alive %v, want %v", i, got[i], want)
			}
		}
	}
	reads := func() int { s.mu.Lock(); defer s.mu.Unlock(); return s.reads }
	if u, _ := s.Lookup(ctx, idle); u == nil {
		t.Fatal("the idle session was not recognised at first")
	}
	all(true)
	base := reads()
	if base != 0 {
		t.Errorf("new sessions' first requests read the table %d times; a session is kept as made", base)
	}
	for round := 1; round <= 3; round++ {
		advance(cacheFor + time.Second)
		all(true)
		if n := reads() - base; n != round {
			t.Fatalf("round %d: %d reads of the table for 32 sessions due at once, want 1 a round", round, n-(round-1))
		}
	}
	// 20 minutes on: each used session's use is written; the idle one's not.
	advance(20 * time.Minute)
	all(true)
	var touched int
	var idleSeen time.Time
	at := Wall(clock())
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE last_seen = ?), max(last_seen) FILTER (WHERE id_hash = ?) FROM sessions`,
		at, HashSecret(idle)).Scan(&touched, &idleSeen); err != nil {
		t.Fatal(err)
	}
	if touched != 32 {
		t.Errorf("%d sessions' use written, want 32", touched)
	}
	if !idleSeen.Equal(Wall(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))) {
		t.Errorf("the unused session's last_seen moved to %v", idleSeen)
	}
	// 31 minutes after its last use the idle session has ended; the others,
	// used 11 minutes ago, have not.
	advance(11 * time.Minute)
	all(true)
	if u, _ := s.Lookup(ctx, idle); u != nil {
		t.Error("a session unused for 31 minutes was kept alive by being read along with the others")
	}
}

// Requests with one API token that find its cache run out wait for one read.
func TestTokenReadOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	db, _ := withUser(t, "script", Analyst, now)
	_, secret, err := CreateToken(ctx, db, "script", 24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	tk := &Tokens{DB: db}
	for round := 1; round <= 3; round++ {
		now = now.Add(cacheFor + time.Second)
		atOnce(32, func(int) {
			if u, err := tk.Lookup(ctx, secret, now); err != nil || u == nil || u.Name != "script" {
				t.Errorf("lookup: %v, %v", u, err)
			}
		})
		tk.mu.Lock()
		n := tk.reads
		tk.mu.Unlock()
		if n != round {
			t.Fatalf("round %d: %d reads in all, want one a round", round, n)
		}
	}
}

// A session or token used when its cache is half-way to running out is
// answered from the cache at once and read again in the background: an
// account disabled meanwhile by another process is refused soon after,
// still within cacheFor, without any request having waited for the table.
func TestReadAgainInTheBackground(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db, u := withUser(t, "bg", Analyst, t0)
	_, tok, err := CreateToken(ctx, db, "bg", 24*time.Hour, t0)
	if err != nil {
		t.Fatal(err)
	}
	s := &Sessions{DB: db, Now: clock}
	sec, err := s.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	tk := &Tokens{DB: db}
	if got, _ := s.Lookup(ctx, sec); got == nil {
		t.Fatal("session not recognised")
	}
	if got, _ := tk.Lookup(ctx, tok, t0); got == nil {
		t.Fatal("token not recognised")
	}
	// Disabled behind the caches' back (as `sgz user disable` in another process).
	if _, err := db.Exec(`UPDATE users SET disabled = true WHERE user_id = ?`, u.ID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = t0.Add(refreshAfter)
	mu.Unlock()
	if got, _ := s.Lookup(ctx, sec); got == nil {
		t.Error("the session was not answered from its cache while it holds")
	}
	if got, _ := tk.Lookup(ctx, tok, now); got == nil {
		t.Error("the token was not answered from its cache while it holds")
	}
	refused := func(f func() bool) bool {
		for range 200 { // the background read: 2 s at most
			if f() {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		return false
	}
	if !refused(func() bool { got, _ := s.Lookup(ctx, sec); return got == nil }) {
		t.Error("the session of a disabled account was not read again in the background")
	}
	if !refused(func() bool { got, _ := tk.Lookup(ctx, tok, now); return got == nil }) {
		t.Error("the token of a disabled account was not read again in the background")
	}
}

// A session read along with another's (not used itself, so not touched) is
// then answered from the cache: it is still good when unused for exactly its
// idle time, and not a second more.
func TestIdleEdgeFromTheCache(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	db, u := withUser(t, "ida", Leader, t0)
	for _, c := range []struct {
		after time.Duration
		alive bool
	}{{30 * time.Minute, true}, {30*time.Minute + time.Second, false}} {
		now := t0
		s := &Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 12 * time.Hour, Now: func() time.Time { return now }}
		idle, err := s.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		busy, err := s.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The busy session's read, 2 s before, takes the idle one along.
		now = t0.Add(c.after - 2*time.Second)
		if got, _ := s.Lookup(ctx, busy); got == nil {
			t.Fatal("the busy session was not recognised")
		}
		reads := s.reads
		now = t0.Add(c.after)
		got, _ := s.Lookup(ctx, idle)
		if s.reads != reads && c.alive {
			t.Errorf("idle %v: the session read along 2 s before was read again", c.after)
		}
		if (got != nil) != c.alive {
			t.Errorf("idle %v: alive %v, want %v", c.after, got != nil, c.alive)
		}
	}
}

// withUser is a database of its own (closed with the test) holding one
// account with that role, added at the time given.
func withUser(t *testing.T, name string, role Role, at time.Time) (*store.DB, *User) {
	t.Helper()
	db := openDB(t, filepath.Join(t.TempDir(), "u.duckdb"))
	t.Cleanup(func() { db.Close() })
	u, err := AddUser(context.Background(), db, NewUser{Name: name, Password: "a-long-password", Roles: []Role{role}}, at)
	if err != nil {
		t.Fatal(err)
	}
	return db, u
}
