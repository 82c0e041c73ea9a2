package metrics

import (
	"context"
	"testing"
)

// Fair comparisons on the oracle fixture, by hand. 2026Q3 against 2026Q2:
// B's Q2 return was sent back and never replaced, so only A and C compare.
func TestCompareSameDistricts(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	c, err := Compare(ctx, db, allDue(), "3205", mustSpan("2026Q3"), PrevSpan(mustSpan("2026Q3")))
	if err != nil {
		t.Fatal(err)
	}
	if c.Base != "2026Q2" || len(c.Districts) != 2 || c.Districts[0].Name != "甲区" || c.Districts[1].Name != "丙区" ||
		len(c.NotBase) != 1 || c.NotBase[0].Code != "320502" || len(c.NotSpan) != 0 || len(c.Partial) != 0 {
		t.Fatalf("scope: %+v", c)
	}
	f := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	// Stations: Q3 A 2 of 3 towns + C 1 of 1 = 3/4; Q2 A 2 of 2 + C 0 of 1 = 2/3.
	st := c.Of("station_coverage")
	if f(st.Numerator) != 3 || f(st.Denominator) != 4 || f(st.BaseNumerator) != 2 || f(st.BaseDenominator) != 3 ||
		!approx(f(st.Value), 0.75) || !approx(f(st.Base), 2.0/3) || !approx(f(st.Change), 0.75-2.0/3) {
		t.Errorf("station_coverage %+v", st)
	}
	// Certified workers: A 70 + C 6 against A 60 + C 5 (B's 25 left out).
	if ce := c.Of("certified_total"); f(ce.Value) != 76 || f(ce.Base) != 65 || f(ce.Change) != 11 {
		t.Errorf("certified_total %+v", ce)
	}
	// Government money: A 30 + C 0 against A 20 + C 5.
	if g := c.Of("gov_funding"); f(g.Value) != 30 || f(g.Base) != 25 || f(g.Change) != 5 {
		t.Errorf("gov_funding %+v", g)
	}
	if _, ok := c.Indicators["reporting_rate"]; ok {
		t.Errorf("reporting_rate compared")
	}
	// A single district: B did not report in the base, so nothing compares.
	b, err := Compare(ctx, db, allDue(), "320502", mustSpan("2026Q3"), mustSpan("2026Q2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Districts) != 0 || len(b.NotBase) != 1 || b.Of("station_coverage").Change != nil {
		t.Errorf("B alone: %+v", b)
	}
	if _, err := Compare(ctx, db, allDue(), "", mustSpan("2026"), mustSpan("2025Q4")); err == nil {
		t.Errorf("spans of different lengths compared")
	}
}

// Over several quarters the quarters pair by position: a district counts
// with the pairs it reported on both sides, stocks at the latest pair,
// flows summed over the pairs.
func TestComparePairsQuarters(t *testing.T) {
	db := fixture(t)
	c, err := Compare(context.Background(), db, allDue(), "", mustSpan("2026Q2-2026Q3"), mustSpan("2026Q1-2026Q2"))
	if err != nil {
		t.Fatal(err)
	}
	// A: both pairs; B: Q2 and Q3 never both; C: only Q3 against Q2.
	if len(c.Districts) != 2 || c.Districts[0].Quarters != 2 || c.Districts[1].Code != "320503" || c.Districts[1].Quarters != 1 ||
		len(c.Partial) != 1 || len(c.NotBase) != 1 || c.NotBase[0].Code != "320502" {
		t.Fatalf("scope: %+v", c)
	}
	g := c.Of("gov_funding")
	if g.Value == nil || *g.Value != 20+30+0 || *g.Base != 10+20+5 {
		t.Errorf("gov_funding %+v", g)
	}
	// Stocks at the latest pair: A Q3 (2/3) against Q2 (2/2); C Q3 (1/1) against Q2 (0/1).
	st := c.Of("station_coverage")
	if *st.Numerator != 3 || *st.Denominator != 4 || *st.BaseNumerator != 2 || *st.BaseDenominator != 3 {
		t.Errorf("station_coverage %+v", st)
	}
}

func TestToDate(t *testing.T) {
	for _, x := range []struct{ span, latest, want string }{
		{"2026", "2026Q3", "2026Q1-2026Q3"},
		{"2026", "2026Q4", "2026"},
		{"2026", "2025Q4", "2026"},
		{"2026Q3", "2026Q2", "2026Q3"},
		{"2026", "2026Q1", "2026Q1"}, // only the first quarter so far: 年初至今 is that quarter
	} {
		if got := ToDate(mustSpan(x.span), mustSpan(x.latest).To); got.String() != x.want {
			t.Errorf("ToDate(%s, %s) = %s, want %s", x.span, x.latest, got, x.want)
		}
	}
	if got := YearEarlier(mustSpan("2026Q1-2026Q3")).String(); got != "2025Q1-2025Q3" {
		t.Errorf("year earlier %s", got)
	}
}

// Every compared rate is its summed numerator over its summed denominator
// times the indicator's scale (每万人持证社工数: × 10,000), on both sides, and
// the change is the difference; a sum is never negative.
func TestCompareRatesFromTheirSums(t *testing.T) {
	db := fixture(t)
	c, err := Compare(context.Background(), db, allDue(), "3205", mustSpan("2026Q3"), PrevSpan(mustSpan("2026Q3")))
	if err != nil {
		t.Fatal(err)
	}
	scaled := 0
	for _, ind := range Indicators {
		ch, ok := c.Indicators[ind.ID]
		if !ok || ch == nil {
			continue
		}
		if !ind.IsRatio {
			if ch.Value != nil && ch.Base != nil && (ch.Change == nil || !approx(*ch.Change, *ch.Value-*ch.Base)) {
				t.Errorf("%s: change %v of %v and %v", ind.ID, ch.Change, *ch.Value, *ch.Base)
			}
			continue
		}
		for _, side := range []struct {
			v, n, d *float64
		}{{ch.Value, ch.Numerator, ch.Denominator}, {ch.Base, ch.BaseNumerator, ch.BaseDenominator}} {
			if side.n == nil || side.d == nil {
				if side.v != nil {
					t.Errorf("%s: a rate %v without its parts", ind.ID, *side.v)
				}
				continue
			}
			if *side.n < 0 || *side.d < 0 {
				t.Errorf("%s: negative sums %v / %v", ind.ID, *side.n, *side.d)
			}
			if *side.d == 0 {
				continue
			}
			if side.v == nil || !approx(*side.v, *side.n / *side.d * ind.Scale) {
				t.Errorf("%s: rate %v, want %v / %v × %v", ind.ID, side.v, *side.n, *side.d, ind.Scale)
			}
			if ind.Scale != 1 {
				scaled++
			}
		}
	}
	if scaled != 2 {
		t.Errorf("每万人持证社工数 compared on %d sides, want both (甲区 has a population)", scaled)
	}
}
