package metrics

import (
	"context"
	"testing"

	"sgz"
	"sgz/store"
)

// Every rate at every level, for quarters, a year and a range: the numerator
// never exceeds the denominator, both are ≥ 0, and the value lies in [0, 1].
// A numerator that counts something its denominator leaves out (a built
// station of an out-of-scope town, a room of an out-of-scope village) breaks
// it. Run on the hand-computed fixture and on a random world whose registry
// has built out-of-scope towns.
func TestRatesWithinBounds(t *testing.T) {
	worlds := []struct {
		name string
		db   func(t *testing.T) *store.DB
	}{
		{"fixture", func(t *testing.T) *store.DB { return fixture(t) }},
		{"random", func(t *testing.T) *store.DB { db := openDB(t); randomWorld(t, db, 7); return db }},
	}
	for _, w := range worlds {
		t.Run(w.name, func(t *testing.T) {
			db := w.db(t)
			var outBuilt int
			if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM stations s
				JOIN returns r USING (return_id)
				JOIN registry_units u ON u.code = s.town_code AND u.level = 'town' AND NOT u.in_scope
				WHERE s.built AND r.status = 'accepted'`).Scan(&outBuilt); err != nil {
				t.Fatal(err)
			}
			if outBuilt == 0 {
				t.Fatal("the world has no built station in an out-of-scope town: the test would prove nothing")
			}
			rates := 0
			for _, span := range []string{"2026Q1", "2026Q2", "2026Q3", "2026", "2026Q2-2026Q3"} {
				vals, err := ComputeLevels(context.Background(), db, mustSpan(span), OutputLevels, nil)
				if err != nil {
					t.Fatal(err)
				}
				levels := map[sgz.Level]bool{}
				for _, v := range vals {
					ind, ok := Lookup(v.Indicator)
					if !ok {
						t.Fatalf("unknown indicator %s", v.Indicator)
					}
					if ind.Unit != Rate {
						continue
					}
					levels[v.Level] = true
					if v.Numerator == nil || v.Denominator == nil {
						if v.Value != nil {
							t.Errorf("%s %s %s: value %v without numerator/denominator", span, v.UnitCode, v.Indicator, *v.Value)
						}
						continue
					}
					rates++
					n, d := *v.Numerator, *v.Denominator
					if n < 0 || d < 0 || n > d {
						t.Errorf("%s %s %s %s: numerator %v, denominator %v", span, v.Level, v.UnitCode, v.Indicator, n, d)
					}
					if v.Value != nil && (*v.Value < 0 || *v.Value > 1) {
						t.Errorf("%s %s %s %s: rate %v outside [0, 1]", span, v.Level, v.UnitCode, v.Indicator, *v.Value)
					}
				}
				for _, l := range []sgz.Level{sgz.City, sgz.District, sgz.Town} {
					if !levels[l] {
						t.Errorf("%s: no rate at level %s", span, l)
					}
				}
			}
			if rates < 50 {
				t.Errorf("only %d rates checked", rates)
			}
		})
	}
}
