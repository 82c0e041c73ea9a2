package query

import (
	"context"
	"testing"

	"sgz/locale"
)

// A parse tree that cannot be read is refused (fail closed), never run.
func TestUnreadableTreeIsRefused(t *testing.T) {
	p := &policy{views: map[string]bool{}, relations: map[string]bool{}}
	for _, raw := range []string{"", "{", "[1]", `{"statements": 5}`} {
		err := p.checkAST(raw)
		qe := AsError(err)
		if err == nil || qe.Code != "internal" || qe.Msg.Key != "query.unanalysed" {
			t.Errorf("%q: %v", raw, err)
		}
	}
}

// A query whose caller has gone is reported as canceled, not as an error of
// the SQL.
func TestCanceledQuery(t *testing.T) {
	_, e := locked(t, Limits{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Run(ctx, "SELECT count(*) FROM v_stations", locale.EN)
	if qe := AsError(err); qe.Code != "canceled" || qe.In(locale.EN) != "the query was canceled" {
		t.Errorf("got %v (%s)", err, qe.Code)
	}
}

// Lockdown refuses a size it cannot read, naming the flag.
func TestLockdownBadSize(t *testing.T) {
	db := fixture(t)
	for _, c := range []struct {
		lim  Limits
		want string
	}{
		{Limits{MemoryLimit: "lots"}, `invalid memory-limit "lots" (e.g. 512MB, 2GB)`},
		{Limits{TempLimit: "1 GB; SET x"}, `invalid temp-limit "1 GB; SET x" (e.g. 512MB, 2GB)`},
	} {
		err := Lockdown(context.Background(), db, c.lim)
		if got := locale.Say(locale.EN, err); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if locked, err := isLocked(context.Background(), db); err != nil || locked {
		t.Errorf("a refused lockdown locked the database: %v %v", locked, err)
	}
}
