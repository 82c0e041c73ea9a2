package auth

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Many requests of one session at once, each due to record its use (two
// tabs; two replicas asking the writer): DuckDB refuses all but one UPDATE
// of the row, and that is no reason to refuse the requests.
func TestSessionUsedConcurrently(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "s.duckdb"))
	defer db.Close()
	u, err := AddUser(ctx, db, NewUser{Name: "busy", Password: "a-long-password", Roles: []Role{Leader}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
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
		start := make(chan struct{})
		errs := make(chan error, 16)
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := s.Lookup(ctx, sec)
				if err == nil && got == nil {
					err = errString("the session was not recognised")
				}
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }
