package metrics

import (
	"context"
	"testing"

	"sgz"
)

// Hand-computed facts of the fixture (see fixture_test.go):
//
// 2026Q3 (registry 2026Q3: A has towns 001 002 003 in scope, villages 4 in scope)
//   A (return 4): towns 3 built 2 std 2 staffed 2 cert 6 staff 9 villages 4 rooms 3
//      fund_units 7 funded 4 gov 30 charity 6 tpart 3 thours 30 certified 70 pop 110000
//   B (return 7): towns 2 built 2 std 2 staffed 2 cert 4 staff 8 villages 3 rooms 3
//      fund_units 5 funded 4 gov 8 charity 6 tpart 4 thours 24 certified 25 pop 50000
//   C (return 10): towns 1 built 1 std 1 staffed 0 cert 2 staff 2 villages 0 rooms 0
//      fund_units 1 funded 1 gov 0 charity 0 tpart 2 thours 10 certified 6 pop unknown
// 2026Q2 (base registry): A (return 3, not 2): towns 2 built 2 std 1 staffed 1 cert 5
//      staff 9 villages 3 rooms 2 fund_units 5 funded 3 gov 20 charity 4 tpart 5 thours 40
//      certified 60 pop 100000; B none (sent back); C (return 9): towns 1 built 0
//      villages 0 fund_units 1 funded 0 gov 5 certified 5.
// 2026Q1: A (return 1): gov 10 charity 3 tpart 14 thours 34; B (return 11, not the
//      sent-back 5): towns 2 built 2 std 1 staffed 1 cert 3 staff 7 villages 3 rooms 2
//      fund_units 5 funded 1 gov 0 charity 0 tpart 0 thours 0 certified 20; C none.
// Due dates: Q1 2026-04-15, Q2 2026-07-15, Q3 2026-10-15 (end of day).
//   A: Q1 on time, Q2 on time (first accepted 07-14), Q3 late (10-20).
//   B: Q1 on time (sent-back 5 arrived 04-15 23:30, corrected by 11), Q2 sent back,
//      Q3 on time (10-15 10:00; the rejected attempt does not count).
//   C: Q1 missing, Q2 late (07-16 00:00:01), Q3 on time.

func compute1(t *testing.T, span string, level sgz.Level, cfg *Config) map[string]Value {
	t.Helper()
	db := fixture(t)
	vals, err := Compute(context.Background(), db, mustSpan(span), level, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		if v.Period != mustSpan(span).String() || v.Level != level {
			t.Fatalf("bad row %+v", v)
		}
	}
	return index(vals)
}

func TestQuarterDistrict(t *testing.T) {
	got := compute1(t, "2026Q3", sgz.District, nil)
	S := skip{}
	check(t, "Q3", got, []want{
		{"320501/station_coverage", 2.0 / 3, 2, 3}, {"320502/station_coverage", 1.0, 2, 2}, {"320503/station_coverage", 1.0, 1, 1},
		{"320501/room_coverage", 0.75, 3, 4}, {"320502/room_coverage", 1.0, 3, 3}, {"320503/room_coverage", nil, 0, 0},
		{"320501/station_standard_rate", 1.0, 2, 2}, {"320502/station_standard_rate", 1.0, 2, 2}, {"320503/station_standard_rate", 1.0, 1, 1},
		{"320501/resident_staffing_rate", 1.0, 2, 2}, {"320502/resident_staffing_rate", 1.0, 2, 2}, {"320503/resident_staffing_rate", 0.0, 0, 1},
		{"320501/certified_share", 6.0 / 9, 6, 9}, {"320502/certified_share", 0.5, 4, 8}, {"320503/certified_share", 1.0, 2, 2},
		{"320501/certified_total", 70.0, nil, nil}, {"320502/certified_total", 25.0, nil, nil}, {"320503/certified_total", 6.0, nil, nil},
		{"320501/certified_per_10k", 70.0 / 110000 * 10000, 70, 110000}, {"320502/certified_per_10k", 5.0, 25, 50000}, {"320503/certified_per_10k", nil, nil, nil},
		{"320501/charity_fund_rate", 4.0 / 7, 4, 7}, {"320502/charity_fund_rate", 0.8, 4, 5}, {"320503/charity_fund_rate", 1.0, 1, 1},
		{"320501/fund_leverage", 0.2, 6, 30}, {"320502/fund_leverage", 0.75, 6, 8}, {"320503/fund_leverage", nil, 0, 0},
		{"320501/gov_funding", 30.0, nil, nil}, {"320502/gov_funding", 8.0, nil, nil}, {"320503/gov_funding", 0.0, nil, nil},
		{"320501/charity_funding", 6.0, S, S}, {"320502/charity_funding", 6.0, S, S}, {"320503/charity_funding", 0.0, S, S},
		{"320501/training_participants", 3.0, S, S}, {"320502/training_participants", 4.0, S, S}, {"320503/training_participants", 2.0, S, S},
		{"320501/training_hours", 30.0, S, S}, {"320502/training_hours", 24.0, S, S}, {"320503/training_hours", 10.0, S, S},
		{"320501/training_hours_per_worker", 30.0 / 9, 30, 9}, {"320502/training_hours_per_worker", 3.0, 24, 8}, {"320503/training_hours_per_worker", 5.0, 10, 2},
		{"320501/reporting_rate", 0.0, 0, 1}, {"320502/reporting_rate", 1.0, 1, 1}, {"320503/reporting_rate", 1.0, 1, 1},
	})
	if len(got) != 3*len(Indicators) {
		t.Errorf("%d values, want %d", len(got), 3*len(Indicators))
	}
	if v := got["320501/station_coverage"]; v.UnitName != "甲区" || v.ParentCode != "3205" || v.AsOf != "2026Q3" ||
		v.Completeness != (Completeness{1, 1, 1, 1}) {
		t.Errorf("meta %+v", v)
	}
}

func TestQuarterCity(t *testing.T) {
	got := compute1(t, "2026Q3", sgz.City, nil)
	check(t, "Q3 city", got, []want{
		{"3205/station_coverage", 5.0 / 6, 5, 6},
		{"3205/room_coverage", 6.0 / 7, 6, 7},
		{"3205/station_standard_rate", 1.0, 5, 5},
		{"3205/resident_staffing_rate", 0.8, 4, 5},
		{"3205/certified_share", 12.0 / 19, 12, 19},
		{"3205/certified_total", 101.0, nil, nil},
		{"3205/certified_per_10k", 95.0 / 160000 * 10000, 95, 160000},
		{"3205/charity_fund_rate", 9.0 / 13, 9, 13},
		{"3205/fund_leverage", 12.0 / 38, 12, 38},
		{"3205/gov_funding", 38.0, nil, nil},
		{"3205/charity_funding", 12.0, nil, nil},
		{"3205/training_participants", 9.0, nil, nil},
		{"3205/training_hours", 64.0, nil, nil},
		{"3205/training_hours_per_worker", 64.0 / 19, 64, 19},
		{"3205/reporting_rate", 2.0 / 3, 2, 3},
	})
	v := got["3205/station_coverage"]
	if v.UnitName != "苏州市" || v.Completeness != (Completeness{3, 3, 3, 3}) {
		t.Errorf("city meta %+v", v)
	}
	if len(got) != len(Indicators) {
		t.Errorf("%d city values: %s", len(got), keys(got))
	}
}

func TestQuarterTown(t *testing.T) {
	got := compute1(t, "2026Q3", sgz.Town, nil)
	check(t, "Q3 town", got, []want{
		{"320501001/station_coverage", 1.0, 1, 1}, {"320501001/room_coverage", 1.0, 2, 2},
		{"320501001/station_standard_rate", 1.0, 1, 1}, {"320501001/resident_staffing_rate", 1.0, 1, 1},
		{"320501001/certified_share", 5.0 / 6, 5, 6}, {"320501001/charity_fund_rate", 1.0, 3, 3},
		{"320501001/fund_leverage", nil, 0, 0}, {"320501001/gov_funding", 0.0, nil, nil}, {"320501001/charity_funding", 0.0, nil, nil},
		{"320501002/station_coverage", 1.0, 1, 1}, {"320501002/room_coverage", 1.0, 1, 1}, {"320501002/certified_share", 1.0 / 3, 1, 3},
		{"320501002/charity_fund_rate", 0.5, 1, 2},
		{"320501003/station_coverage", 0.0, 0, 1}, {"320501003/room_coverage", 0.0, 0, 1},
		{"320501003/station_standard_rate", nil, 0, 0}, {"320501003/resident_staffing_rate", nil, 0, 0},
		{"320501003/certified_share", nil, 0, 0}, {"320501003/charity_fund_rate", 0.0, 0, 2},
		{"320501003/charity_funding", 6.0, nil, nil}, {"320501003/fund_leverage", nil, 6, 0},
		{"320501400/station_coverage", nil, 0, 0}, {"320501400/room_coverage", nil, 0, 0}, {"320501400/charity_fund_rate", nil, 0, 0},
		{"320502001/station_coverage", 1.0, 1, 1}, {"320502001/room_coverage", 1.0, 1, 1}, {"320502001/certified_share", 0.75, 3, 4},
		{"320502001/charity_fund_rate", 1.0, 2, 2}, {"320502001/charity_funding", 4.0, nil, nil}, {"320502001/gov_funding", 0.0, nil, nil},
		{"320502002/room_coverage", 1.0, 2, 2}, {"320502002/charity_fund_rate", 2.0 / 3, 2, 3}, {"320502002/charity_funding", 2.0, nil, nil},
		{"320503001/station_coverage", 1.0, 1, 1}, {"320503001/room_coverage", nil, 0, 0}, {"320503001/resident_staffing_rate", 0.0, 0, 1},
	})
	// 7 towns in the 2026Q3 registry, 9 town-level indicators each.
	if len(got) != 7*9 {
		t.Errorf("%d town values", len(got))
	}
	if _, ok := got["320501001/certified_total"]; ok {
		t.Error("district-only indicator at town level")
	}
}

// 2026Q2: B sent back (missing), the base registry (A has 2 in-scope towns),
// A's resubmitted return counts.
func TestQuarterMissingDistrict(t *testing.T) {
	db := fixture(t)
	vals, err := ComputeLevels(context.Background(), db, mustSpan("2026Q2"), []sgz.Level{sgz.City, sgz.District, sgz.Town}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := index(vals)
	check(t, "Q2", got, []want{
		{"320501/station_coverage", 1.0, 2, 2}, {"320501/room_coverage", 2.0 / 3, 2, 3}, {"320501/station_standard_rate", 0.5, 1, 2},
		{"320501/certified_share", 5.0 / 9, 5, 9}, {"320501/certified_total", 60.0, nil, nil}, {"320501/certified_per_10k", 6.0, 60, 100000},
		{"320501/charity_fund_rate", 0.6, 3, 5}, {"320501/fund_leverage", 0.2, 4, 20}, {"320501/training_hours_per_worker", 40.0 / 9, 40, 9},
		{"320501/reporting_rate", 1.0, 1, 1},
		{"320502/station_coverage", nil, nil, nil}, {"320502/room_coverage", nil, nil, nil}, {"320502/certified_total", nil, nil, nil},
		{"320502/gov_funding", nil, nil, nil}, {"320502/training_hours", nil, nil, nil}, {"320502/reporting_rate", 0.0, 0, 1},
		{"320503/station_coverage", 0.0, 0, 1}, {"320503/fund_leverage", 0.0, 0, 5}, {"320503/reporting_rate", 0.0, 0, 1},
		{"320502001/station_coverage", nil, nil, nil}, {"320502001/gov_funding", nil, nil, nil},
		{"3205/station_coverage", 2.0 / 3, 2, 3}, {"3205/room_coverage", 2.0 / 3, 2, 3}, {"3205/charity_fund_rate", 0.5, 3, 6},
		{"3205/fund_leverage", 0.16, 4, 25}, {"3205/gov_funding", 25.0, nil, nil}, {"3205/certified_total", 65.0, nil, nil},
		{"3205/certified_per_10k", 6.0, 60, 100000}, {"3205/reporting_rate", 1.0 / 3, 1, 3},
	})
	if c := got["3205/station_coverage"].Completeness; c != (Completeness{2, 3, 2, 3}) {
		t.Errorf("city completeness %+v", c)
	}
	if c := got["320502/station_coverage"].Completeness; c != (Completeness{0, 1, 0, 1}) {
		t.Errorf("B completeness %+v", c)
	}
	if _, ok := got["320501003/station_coverage"]; ok {
		t.Error("town 003 is not in the 2026Q2 registry")
	}
	if vals[0].Level != sgz.City {
		t.Error("top level first")
	}
}

// A year: stock = latest quarter with a return, flow = sum; the registry at
// the year's end gives the units.
func TestYear(t *testing.T) {
	db := fixture(t)
	vals, err := ComputeLevels(context.Background(), db, mustSpan("2026"), []sgz.Level{sgz.City, sgz.District, sgz.Town}, allDue())
	if err != nil {
		t.Fatal(err)
	}
	got := index(vals)
	check(t, "2026", got, []want{
		// stocks from Q3
		{"320501/station_coverage", 2.0 / 3, 2, 3}, {"320502/certified_share", 0.5, 4, 8}, {"320503/station_coverage", 1.0, 1, 1},
		{"320501/certified_total", 70.0, nil, nil}, {"3205/station_coverage", 5.0 / 6, 5, 6}, {"3205/certified_total", 101.0, nil, nil},
		// flows summed
		{"320501/gov_funding", 60.0, nil, nil}, {"320501/charity_funding", 13.0, nil, nil}, {"320501/training_participants", 22.0, nil, nil},
		{"320501/training_hours", 104.0, nil, nil}, {"320501/fund_leverage", 13.0 / 60, 13, 60}, {"320501/training_hours_per_worker", 104.0 / 9, 104, 9},
		{"320502/gov_funding", 8.0, nil, nil}, {"320502/fund_leverage", 0.75, 6, 8}, {"320502/training_hours_per_worker", 3.0, 24, 8},
		{"320503/gov_funding", 5.0, nil, nil}, {"320503/fund_leverage", 0.0, 0, 5}, {"320503/training_hours_per_worker", 5.0, 10, 2},
		{"3205/gov_funding", 73.0, nil, nil}, {"3205/charity_funding", 19.0, nil, nil}, {"3205/training_participants", 28.0, nil, nil},
		{"3205/training_hours", 138.0, nil, nil}, {"3205/fund_leverage", 19.0 / 73, 19, 73}, {"3205/training_hours_per_worker", 138.0 / 19, 138, 19},
		// reporting over 4 quarters (Q4 none yet)
		{"320501/reporting_rate", 0.5, 2, 4}, {"320502/reporting_rate", 0.5, 2, 4}, {"320503/reporting_rate", 0.25, 1, 4},
		{"3205/reporting_rate", 5.0 / 12, 5, 12},
		// towns: stock from Q3, flows summed
		{"320501001/charity_funding", 3.0, nil, nil}, {"320501002/charity_funding", 4.0, nil, nil}, {"320501003/charity_funding", 6.0, nil, nil},
		{"320501001/room_coverage", 1.0, 2, 2}, {"320502001/charity_funding", 4.0, nil, nil},
	})
	if v := got["320501/station_coverage"]; v.AsOf != "2026Q3" || v.Completeness != (Completeness{1, 1, 3, 4}) || v.Period != "2026" {
		t.Errorf("A meta %+v", v)
	}
	if c := got["3205/gov_funding"].Completeness; c != (Completeness{3, 3, 7, 12}) {
		t.Errorf("city completeness %+v", c)
	}
	if c := got["320502001/gov_funding"].Completeness; c != (Completeness{1, 1, 2, 4}) {
		t.Errorf("town completeness %+v", c)
	}
}

// A range: 2026Q1-2026Q2 — B's stock comes from Q1 (its Q2 was sent back).
func TestRange(t *testing.T) {
	got := compute1(t, "2026Q1-2026Q2", sgz.District, nil)
	check(t, "Q1-Q2", got, []want{
		{"320501/station_coverage", 1.0, 2, 2}, {"320501/gov_funding", 30.0, nil, nil}, {"320501/charity_funding", 7.0, nil, nil},
		{"320501/fund_leverage", 7.0 / 30, 7, 30}, {"320501/training_hours_per_worker", 74.0 / 9, 74, 9}, {"320501/reporting_rate", 1.0, 2, 2},
		{"320502/station_coverage", 1.0, 2, 2}, {"320502/room_coverage", 2.0 / 3, 2, 3}, {"320502/station_standard_rate", 0.5, 1, 2},
		{"320502/resident_staffing_rate", 0.5, 1, 2}, {"320502/certified_share", 3.0 / 7, 3, 7}, {"320502/certified_total", 20.0, nil, nil},
		{"320502/certified_per_10k", 4.0, 20, 50000}, {"320502/charity_fund_rate", 0.2, 1, 5}, {"320502/fund_leverage", nil, 0, 0},
		{"320502/gov_funding", 0.0, nil, nil}, {"320502/training_hours_per_worker", 0.0, 0, 7}, {"320502/reporting_rate", 0.5, 1, 2},
		{"320503/station_coverage", 0.0, 0, 1}, {"320503/gov_funding", 5.0, nil, nil}, {"320503/reporting_rate", 0.0, 0, 2},
	})
	if v := got["320502/station_coverage"]; v.AsOf != "2026Q1" {
		t.Errorf("B as of %q", v.AsOf)
	}
}

func TestSentBackIsLate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.SentBackIsLate = true
	got := compute1(t, "2026Q1", sgz.District, cfg)
	check(t, "Q1 strict", got, []want{{"320502/reporting_rate", 0.0, 0, 1}, {"320501/reporting_rate", 1.0, 1, 1}})
	got = compute1(t, "2026Q1", sgz.District, nil)
	check(t, "Q1", got, []want{{"320502/reporting_rate", 1.0, 1, 1}, {"320503/reporting_rate", 0.0, 0, 1}})
}

func TestTrend(t *testing.T) {
	db := fixture(t)
	vals, err := Trend(context.Background(), db, sgz.MustPeriod("2026Q1"), sgz.MustPeriod("2026Q3"), sgz.District, nil, "320501")
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 3*len(Indicators) {
		t.Fatalf("%d values", len(vals))
	}
	// First series: station_coverage of A, Q1..Q3 — denominators 2, 2, 3.
	wantDen := []float64{2, 2, 3}
	for i := 0; i < 3; i++ {
		v := vals[i]
		if v.UnitCode != "320501" || v.Indicator != "station_coverage" || v.Period != sgz.PeriodOfIndex(sgz.MustPeriod("2026Q1").Index()+i).String() {
			t.Fatalf("order %+v", v)
		}
		if *v.Denominator != wantDen[i] {
			t.Errorf("%s den %v", v.Period, *v.Denominator)
		}
	}
	if _, err := Trend(context.Background(), db, sgz.MustPeriod("2026Q3"), sgz.MustPeriod("2026Q1"), sgz.District, nil); err == nil {
		t.Error("reversed range accepted")
	}
}

func TestBadLevel(t *testing.T) {
	db := openDB(t)
	if _, err := Compute(context.Background(), db, mustSpan("2026Q1"), "village", nil); err == nil {
		t.Error("village level accepted")
	}
	if _, err := ParseLevel("县"); err == nil {
		t.Error("bad level accepted")
	}
}

// No registry and no returns: nothing, without an error.
func TestEmpty(t *testing.T) {
	db := openDB(t)
	vals, err := ComputeLevels(context.Background(), db, mustSpan("2026"), OutputLevels, nil)
	if err != nil || len(vals) != 0 {
		t.Fatal(vals, err)
	}
}
