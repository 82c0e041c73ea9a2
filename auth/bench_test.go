package auth

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAuthenticate: one login's password check (argon2id, 19 MiB, two
// passes), against a session lookup served from the cache.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db, err := openBench()
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	u, err := AddUser(ctx, db, NewUser{Name: "bench", Password: "a-long-password", Roles: []Role{Leader}}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("password", func(b *testing.B) {
		for b.Loop() {
			if _, err := Authenticate(ctx, db, "bench", "a-long-password"); err != nil {
				b.Fatal(err)
			}
		}
	})
	s := &Sessions{DB: db}
	sec, _ := s.Create(ctx, u.ID)
	b.Run("session-cached", func(b *testing.B) {
		for b.Loop() {
			if u, err := s.Lookup(ctx, sec); err != nil || u == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("session-uncached", func(b *testing.B) {
		for b.Loop() {
			s.Forget()
			if u, err := s.Lookup(ctx, sec); err != nil || u == nil {
				b.Fatal(err)
			}
		}
	})
}
