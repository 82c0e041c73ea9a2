package auth

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The edges of the account rules (mutants that lived: boundaries and
// defaults that no other test pinned down).
func TestAccountRuleEdges(t *testing.T) {
	for s, ok := range map[string]bool{"90d": true, "1d": true, "12h": true, "30m": true, "0d": false, "0h": false, "-1h": false, "-2d": false, "x": false, "": false} {
		d, err := ParseTTL(s)
		if ok != (err == nil) || (ok && d <= 0) {
			t.Errorf("ParseTTL(%q) = %v, %v", s, d, err)
		}
		if !ok && errKey(err) != "auth.badttl" {
			t.Errorf("ParseTTL(%q): %v", s, err)
		}
	}
	if d, _ := ParseTTL("2d"); d != 48*time.Hour {
		t.Errorf("2d = %v", d)
	}
	if CheckName(strings.Repeat("名", 64)) != nil || errKey(CheckName(strings.Repeat("名", 65))) != "auth.badname" {
		t.Error("a name of 64 characters is allowed, 65 are not")
	}
	if CheckPassword("amy", strings.Repeat("密", MinPassword)) != nil || errKey(CheckPassword("amy", strings.Repeat("密", MinPassword-1))) != "auth.shortpw" {
		t.Errorf("a password of %d characters is allowed, one less is not", MinPassword)
	}
}

func TestUnknownUserAndAuditDefaults(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "u.duckdb"))
	if err := SetPassword(ctx, db, "ghost", "a-long-password", false); errKey(err) != "auth.nouser" {
		t.Errorf("SetPassword of an unknown user: %v", err)
	}
	if err := SetDisabled(ctx, db, "ghost", true); errKey(err) != "auth.nouser" {
		t.Errorf("SetDisabled of an unknown user: %v", err)
	}
	if _, err := AddUser(ctx, db, NewUser{Name: "bo", Password: "a-long-password", Roles: []Role{Leader}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := SetDisabled(ctx, db, "bo", true); err != nil {
		t.Fatal(err)
	}
	if _, err := Authenticate(ctx, db, "bo", "a-long-password"); err != ErrBadLogin {
		t.Errorf("a disabled account logged in: %v", err)
	}
	// An entry without a result or an actor says ok and "-".
	if err := Record(ctx, db, Entry{Action: "login"}); err != nil {
		t.Fatal(err)
	}
	list, _ := List(ctx, db, Filter{})
	if len(list) != 1 || list[0].Result != OK || list[0].Actor != "-" || list[0].Seq != 1 {
		t.Errorf("defaults: %+v", list)
	}
}

// Sessions without a lifetime or idle time set get 12 h and 30 min.
func TestSessionDefaults(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "s.duckdb"))
	u, err := AddUser(ctx, db, NewUser{Name: "cy", Password: "a-long-password", Roles: []Role{Leader}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := &Sessions{DB: db, Now: func() time.Time { return now }}
	sec, err := s.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		after time.Duration
		alive bool
	}{{29 * time.Minute, true}, {58 * time.Minute, true}, {58*time.Minute + 31*time.Minute, false}} {
		now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Add(c.after)
		got, err := s.Lookup(ctx, sec)
		if err != nil || (got != nil) != c.alive {
			t.Errorf("after %v: %v %v, want alive %v", c.after, got, err, c.alive)
		}
	}
	// Kept busy, a session still ends after 12 hours.
	s2 := &Sessions{DB: db, Now: func() time.Time { return now }}
	start := now
	sec2, _ := s2.Create(ctx, u.ID)
	for now = start; now.Sub(start) < 12*time.Hour; now = now.Add(20 * time.Minute) {
		if got, _ := s2.Lookup(ctx, sec2); got == nil {
			t.Fatalf("ended after %v", now.Sub(start))
		}
	}
	now = start.Add(12*time.Hour + time.Minute)
	if got, _ := s2.Lookup(ctx, sec2); got != nil {
		t.Error("alive after 12 hours")
	}
}
