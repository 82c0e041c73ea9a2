package auth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tests written for the mutants of package auth that outlived the suite
// (docs/testing.md, "Mutation testing"): the exact edges of the throttle,
// of the session and token caches and of a session's life, and the audit
// trail's retry when a second writer takes the tail first.

// TestThrottleEdges: exactly Free failures lock a name out, one fewer does
// not; the lockout ends at its instant; failures an hour apart still add up,
// a second more and the older ones are forgotten; each key counts alone and
// several keys wait for the longest.
func TestThrottleEdges(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	th := &Throttle{Free: 3, Base: 10 * time.Second, Max: 40 * time.Second, Now: func() time.Time { return now }}
	for i, want := range []time.Duration{0, 0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 40 * time.Second} {
		th.Fail("amy")
		if w := th.Wait("amy"); w != want {
			t.Fatalf("after %d failures with Free 3: wait %v, want %v", i+1, w, want)
		}
	}
	// The lockout ends at its instant, not a moment later.
	now = t0.Add(39 * time.Second)
	if w := th.Wait("amy"); w != time.Second {
		t.Errorf("a second before the end: wait %v", w)
	}
	now = t0.Add(40 * time.Second)
	if w := th.Wait("amy"); w != 0 {
		t.Errorf("at the end of the lockout: wait %v", w)
	}

	// Failures exactly an hour apart add up (the key is forgotten only
	// after more than an hour without a failure).
	now = t0
	th = &Throttle{Now: func() time.Time { return now }}
	for i := 0; i < 4; i++ {
		th.Fail("bo")
		th.Fail("cy")
	}
	now = t0.Add(time.Hour)
	th.Fail("bo")
	if w := th.Wait("bo"); w != 30*time.Second {
		t.Errorf("5th failure exactly an hour after the 4th: wait %v, want 30s", w)
	}
	now = t0.Add(time.Hour + time.Second)
	th.Fail("cy")
	if w := th.Wait("cy"); w != 0 {
		t.Errorf("a failure an hour and a second after the others: wait %v, want 0 (forgotten)", w)
	}
	// Each key alone; several keys wait for the longest.
	th.Fail("bo") // 6 failures: 1 min from now
	if w := th.Wait("cy"); w != 0 {
		t.Errorf("cy waits for bo: %v", w)
	}
	for _, keys := range [][]string{{"bo", "cy"}, {"cy", "bo"}, {"dee", "bo", "cy"}} {
		if w := th.Wait(keys...); w != time.Minute {
			t.Errorf("Wait(%v) = %v, want 1m", keys, w)
		}
	}
}

// TestSessionCacheWindow: a session is read from the table at most every
// cacheFor (5 s); an account disabled by another process (sgz user disable
// does not reach this process's cache) is refused once that time is up —
// not a moment later — and at once when the clock steps back.
func TestSessionCacheWindow(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "c.duckdb"))
	defer db.Close()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	for _, c := range []struct {
		name    string
		disable func(string) error
	}{
		// SetDisabled also deletes the sessions: the row is gone.
		{"dee", func(name string) error { return SetDisabled(ctx, db, name, true) }},
		// Only the flag: the session row stays, its account is disabled.
		{"eve", func(name string) error {
			_, err := db.Exec(`UPDATE users SET disabled = true WHERE name = ?`, name)
			return err
		}},
	} {
		u, err := AddUser(ctx, db, NewUser{Name: c.name, Password: "a-long-password", Roles: []Role{Leader}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		now = t0
		s := &Sessions{DB: db, Now: func() time.Time { return now }}
		sec, err := s.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Lookup(ctx, sec); err != nil || got == nil || got.Name != c.name {
			t.Fatalf("%s: fresh session: %+v %v", c.name, got, err)
		}
		if err := c.disable(c.name); err != nil {
			t.Fatal(err)
		}
		now = t0.Add(cacheFor)
		if got, _ := s.Lookup(ctx, sec); got == nil {
			t.Errorf("%s: the cached session was read again within %v", c.name, cacheFor)
		}
		now = t0.Add(cacheFor + time.Millisecond)
		if got, err := s.Lookup(ctx, sec); got != nil || err != nil {
			t.Errorf("%s: disabled by another process, still let in after %v: %+v %v", c.name, cacheFor+time.Millisecond, got, err)
		}
	}
	// The clock steps back: the cache is not trusted.
	u, _ := AddUser(ctx, db, NewUser{Name: "fay", Password: "a-long-password", Roles: []Role{Leader}}, t0)
	now = t0
	s := &Sessions{DB: db, Now: func() time.Time { return now }}
	sec, _ := s.Create(ctx, u.ID)
	if got, _ := s.Lookup(ctx, sec); got == nil {
		t.Fatal("fresh session refused")
	}
	SetDisabled(ctx, db, "fay", true)
	now = t0.Add(-time.Second)
	if got, _ := s.Lookup(ctx, sec); got != nil {
		t.Error("clock stepped back: a disabled account let in from the cache")
	}
}

// TestSessionLifeEdges: a session is good up to its lifetime and its idle
// time, to the second, and not a second more.
func TestSessionLifeEdges(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "l.duckdb"))
	defer db.Close()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	u, err := AddUser(ctx, db, NewUser{Name: "gus", Password: "a-long-password", Roles: []Role{Leader}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	start := func() (*Sessions, string) {
		now = t0
		// A fresh Sessions each time: no cache carried over.
		s := &Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 2 * time.Hour, Now: func() time.Time { return now }}
		sec, err := s.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s, sec
	}
	for _, c := range []struct {
		after time.Duration
		alive bool
	}{{30 * time.Minute, true}, {30*time.Minute + time.Second, false}} {
		s, sec := start()
		now = t0.Add(c.after)
		if got, _ := s.Lookup(ctx, sec); (got != nil) != c.alive {
			t.Errorf("idle %v: alive %v, want %v", c.after, got != nil, c.alive)
		}
		// Used at its last good second, it is good a second later (the use
		// was recorded), from the cache and from the table.
		if c.alive {
			now = now.Add(time.Second)
			if got, _ := s.Lookup(ctx, sec); got == nil {
				t.Errorf("used at idle %v, ended a second later", c.after)
			}
			s2 := &Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 2 * time.Hour, Now: func() time.Time { return now }}
			if got, _ := s2.Lookup(ctx, sec); got == nil {
				t.Errorf("used at idle %v, its use not written: ended a second later for another reader", c.after)
			}
		}
	}
	for _, c := range []struct {
		after time.Duration
		alive bool
	}{{2 * time.Hour, true}, {2*time.Hour + time.Second, false}} {
		s, sec := start()
		for now = t0.Add(20 * time.Minute); now.Before(t0.Add(c.after)); now = now.Add(20 * time.Minute) {
			if got, _ := s.Lookup(ctx, sec); got == nil {
				t.Fatalf("busy session ended after %v", now.Sub(t0))
			}
		}
		now = t0.Add(c.after)
		s.Forget() // read the table, as a fresh process would
		if got, _ := s.Lookup(ctx, sec); (got != nil) != c.alive {
			t.Errorf("lifetime %v: alive %v, want %v", c.after, got != nil, c.alive)
		}
	}
}

// TestTokenCacheWindow: a token revoked by another process (sgz token
// revoke) is refused once the cache's time is up; within it the cached
// answer stands; a clock that steps back reads the table again.
func TestTokenCacheWindow(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "t.duckdb"))
	defer db.Close()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if _, err := AddUser(ctx, db, NewUser{Name: "hal", Password: "a-long-password", Roles: []Role{Analyst}}, t0); err != nil {
		t.Fatal(err)
	}
	for i, back := range []bool{false, true} {
		id, tok, err := CreateToken(ctx, db, "hal", time.Hour, t0)
		if err != nil {
			t.Fatal(err)
		}
		tk := &Tokens{DB: db}
		if u, err := tk.Lookup(ctx, tok, t0); err != nil || u == nil || u.Name != "hal" || u.Via != "token" {
			t.Fatalf("fresh token %d: %+v %v", i, u, err)
		}
		if err := RevokeToken(ctx, db, id, t0); err != nil {
			t.Fatal(err)
		}
		if back {
			if u, _ := tk.Lookup(ctx, tok, t0.Add(-time.Second)); u != nil {
				t.Error("clock stepped back: a revoked token let in from the cache")
			}
			continue
		}
		if u, _ := tk.Lookup(ctx, tok, t0.Add(cacheFor)); u == nil {
			t.Errorf("the cached token was read again within %v", cacheFor)
		}
		if u, err := tk.Lookup(ctx, tok, t0.Add(cacheFor+time.Millisecond)); u != nil || err != nil {
			t.Errorf("revoked by another process, still let in after %v: %+v %v", cacheFor+time.Millisecond, u, err)
		}
	}
	// Not a token at all: nothing looked up.
	if u, err := (&Tokens{DB: db}).Lookup(ctx, "Bearer x", t0); u != nil || err != nil {
		t.Errorf("a string without the prefix: %+v %v", u, err)
	}
}

// TestAuditSecondWriter: when another writer appends between Record's
// reading of the tail and its own append (the primary key on seq refuses
// the second entry with the same number), Record reads the tail again and
// chains after the other's entry; after three conflicts in a row it gives
// up with an error instead of looping, and the trail still verifies.
func TestAuditSecondWriter(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "w.duckdb"))
	defer db.Close()
	t.Cleanup(func() { afterTail = nil })
	if err := Record(ctx, db, Entry{Actor: "amy", Action: "login"}); err != nil {
		t.Fatal(err)
	}
	// other appends a well-chained entry in its own transaction, as another
	// process writing the same trail would.
	other := func() {
		list, err := List(ctx, db, Filter{Limit: 1})
		if err != nil || len(list) != 1 {
			t.Errorf("the other writer reads the tail: %v %v", list, err)
			return
		}
		e := Entry{Seq: list[0].Seq + 1, At: Wall(time.Now()), Actor: "cli", Remote: "cli", Action: "user.add", Result: OK, Prev: list[0].Hash}
		e.Hash = e.chainHash()
		if _, err := db.Exec(`INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At, e.Actor, e.Roles, e.Remote, e.Action, e.Object, e.Result, e.Detail, e.Prev, e.Hash); err != nil {
			t.Errorf("the other writer: %v", err)
		}
	}

	// Two conflicts: the third try succeeds.
	calls := 0
	afterTail = func() {
		calls++
		if calls <= 2 {
			other()
		}
	}
	if err := Record(ctx, db, Entry{Actor: "amy", Action: "upload"}); err != nil {
		t.Fatalf("after two conflicts: %v", err)
	}
	if calls != 3 {
		t.Errorf("tail read %d times, want 3", calls)
	}
	list, _ := List(ctx, db, Filter{})
	if len(list) != 4 || list[0].Action != "upload" || list[0].Seq != 4 || list[0].Prev != list[1].Hash || list[1].Actor != "cli" {
		t.Errorf("trail after the conflicts: %+v", list)
	}
	if n, err := Verify(ctx, db); err != nil || n != 4 {
		t.Errorf("Verify: %d %v", n, err)
	}

	// A lasting conflict (ten in a row): Record gives up after three tries.
	calls = 0
	afterTail = func() {
		calls++
		if calls <= 10 {
			other()
		}
	}
	if err := Record(ctx, db, Entry{Actor: "amy", Action: "export"}); err == nil || !strings.Contains(err.Error(), "onstraint") {
		t.Errorf("under a lasting conflict: %v, want the constraint error", err)
	}
	if calls != 3 {
		t.Errorf("tail read %d times under a lasting conflict, want 3", calls)
	}
	afterTail = nil
	list, _ = List(ctx, db, Filter{})
	if len(list) != 7 || list[0].Actor != "cli" {
		t.Errorf("trail after giving up: %d entries, newest %+v", len(list), list[0])
	}
	if n, err := Verify(ctx, db); err != nil || n != 7 {
		t.Errorf("Verify after giving up: %d %v", n, err)
	}
}

// TestAuditResetHeadGuards: after a restore, the witness names the trail as
// it stands and still guards it (cutting the newest entry off is told); a
// restored empty trail leaves no stale witness behind.
func TestAuditResetHeadGuards(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "h.duckdb"))
	defer db.Close()
	for _, a := range []string{"login", "upload", "export"} {
		if err := Record(ctx, db, Entry{Actor: "amy", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ResetHead(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n, err := Verify(ctx, db); err != nil || n != 3 {
		t.Fatalf("after ResetHead: %d %v", n, err)
	}
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, db); errKey(err) != "audit.truncated" {
		t.Errorf("the newest entry cut off after ResetHead: %v, want audit.truncated", err)
	}
	// The trail restored empty: no witness of the old one remains.
	if _, err := db.Exec(`DELETE FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	if err := ResetHead(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n, err := Verify(ctx, db); err != nil || n != 0 {
		t.Errorf("an empty trail after ResetHead: %d %v", n, err)
	}
	if _, err := os.Stat(HeadFile(db)); !os.IsNotExist(err) {
		t.Errorf("a witness left for an empty trail: %v", err)
	}
	// A witness edited to name entry 0 (none is ever written) is no entry:
	// Verify checks the chain and does not index the trail with it.
	if err := Record(ctx, db, Entry{Actor: "amy", Action: "login"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(HeadFile(db), []byte("0 x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := Verify(ctx, db); err != nil || n != 1 {
		t.Errorf("a witness naming entry 0: %d %v", n, err)
	}
}

// TestSessionsLoginsCoexist: a login ends no one else's session (only
// sessions past their lifetime are swept out at each login).
func TestSessionsLoginsCoexist(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "x.duckdb"))
	defer db.Close()
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	s := &Sessions{DB: db, Lifetime: 2 * time.Hour, Now: func() time.Time { return now }}
	var secrets []string
	for _, name := range []string{"ida", "jon"} {
		u, err := AddUser(ctx, db, NewUser{Name: name, Password: "a-long-password", Roles: []Role{Leader}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		sec, err := s.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, sec)
		now = now.Add(10 * time.Minute)
	}
	s.Forget()
	for i, sec := range secrets {
		if got, _ := s.Lookup(ctx, sec); got == nil {
			t.Errorf("session %d ended by a later login", i+1)
		}
	}
	count := func() int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Past both lifetimes, a new login sweeps the two old sessions out.
	now = t0.Add(3 * time.Hour)
	u, _ := FindUser(ctx, db, "ida")
	if _, err := s.Create(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d sessions after a login past the others' lifetime, want 1", n)
	}
}

// TestCredentialChangesEndSessions: a new password, or disabling the
// account, ends every session of the account (the rows go, not only the
// cache); enabling it again brings none back.
func TestCredentialChangesEndSessions(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "p.duckdb"))
	defer db.Close()
	u, err := AddUser(ctx, db, NewUser{Name: "kim", Password: "a-long-password", Roles: []Role{Leader}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	other, _ := AddUser(ctx, db, NewUser{Name: "lou", Password: "a-long-password", Roles: []Role{Leader}}, time.Now())
	rows := func(id int64) int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM sessions WHERE user_id = ?`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s := &Sessions{DB: db}
	keep, _ := s.Create(ctx, other.ID)
	for _, change := range []struct {
		name string
		do   func() error
	}{
		{"a new password", func() error { return SetPassword(ctx, db, "kim", "another-long-password", false) }},
		{"disabling", func() error { return SetDisabled(ctx, db, "kim", true) }},
	} {
		sec, err := s.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := change.do(); err != nil {
			t.Fatal(err)
		}
		if n := rows(u.ID); n != 0 {
			t.Errorf("%s left %d sessions of the account", change.name, n)
		}
		if err := SetDisabled(ctx, db, "kim", false); err != nil {
			t.Fatal(err)
		}
		s.Forget()
		if got, _ := s.Lookup(ctx, sec); got != nil {
			t.Errorf("after %s (and enabling again) the old session lets in", change.name)
		}
	}
	if got, _ := s.Lookup(ctx, keep); got == nil {
		t.Error("another account's session ended")
	}
}

// TestRolesAndListing: a clerk role is given with districts (and refused
// without); ListUsers lists every account by name with its roles.
func TestRolesAndListing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "r.duckdb"))
	defer db.Close()
	for _, n := range []string{"nia", "max"} {
		if _, err := AddUser(ctx, db, NewUser{Name: n, Password: "a-long-password", Roles: []Role{Leader}}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := SetRoles(ctx, db, "nia", []Role{Clerk}, nil); errKey(err) != "auth.clerknodistrict" {
		t.Errorf("a clerk without districts: %v", err)
	}
	if err := SetRoles(ctx, db, "nia", []Role{Clerk}, []string{"320506", "320505", "320506"}); err != nil {
		t.Fatalf("a clerk of two districts: %v", err)
	}
	list, err := ListUsers(ctx, db)
	if err != nil || len(list) != 2 || list[0].Name != "max" || list[1].Name != "nia" {
		t.Fatalf("ListUsers: %+v %v", list, err)
	}
	nia := list[1]
	if !nia.ClerkOf("320505") || !nia.ClerkOf("320506") || nia.ClerkOf("320507") || nia.Has(Leader) || strings.Join(nia.Districts, ",") != "320505,320506" {
		t.Errorf("nia: %+v", nia)
	}
	if list[0].RoleList() != "leader" {
		t.Errorf("max: %+v", list[0])
	}
}

// TestPasswordHashCost: passwords are hashed with argon2id at OWASP's cost
// (19 MiB, two passes, one lane), as the stored hash says.
func TestPasswordHashCost(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "k.duckdb"))
	defer db.Close()
	if _, err := AddUser(ctx, db, NewUser{Name: "ona", Password: "a-long-password", Roles: []Role{Leader}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := db.QueryRow(`SELECT password_hash FROM users WHERE name = 'ona'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("stored hash %.40s…, want argon2id m=19456,t=2,p=1", hash)
	}
}
