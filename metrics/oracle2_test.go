package metrics

import (
	"context"
	"testing"

	"sgz"
)

func computeAll(t *testing.T, span string) map[string]Value {
	t.Helper()
	db := fixture(t)
	vals, err := ComputeLevels(context.Background(), db, mustSpan(span), []sgz.Level{sgz.City, sgz.District, sgz.Town}, allDue())
	if err != nil {
		t.Fatal(err)
	}
	return index(vals)
}

// Every indicator at district, city and town level for the year 2026: stocks
// from each district's latest quarter with a return (Q3 for all three), flows
// summed over Q1..Q3 (Q4 has no returns), reporting over four quarters.
func TestYearEveryIndicator(t *testing.T) {
	got := computeAll(t, "2026")
	check(t, "2026", got, []want{
		// A
		{"320501/station_coverage", 2.0 / 3, 2, 3}, {"320501/room_coverage", 0.75, 3, 4}, {"320501/station_standard_rate", 1.0, 2, 2},
		{"320501/resident_staffing_rate", 1.0, 2, 2}, {"320501/certified_share", 6.0 / 9, 6, 9}, {"320501/certified_total", 70.0, nil, nil},
		{"320501/certified_per_10k", 70.0 / 110000 * 10000, 70, 110000}, {"320501/charity_fund_rate", 4.0 / 7, 4, 7},
		{"320501/fund_leverage", 13.0 / 60, 13, 60}, {"320501/gov_funding", 60.0, nil, nil}, {"320501/charity_funding", 13.0, nil, nil},
		{"320501/training_participants", 22.0, nil, nil}, {"320501/training_hours", 104.0, nil, nil},
		{"320501/training_hours_per_worker", 104.0 / 9, 104, 9}, {"320501/reporting_rate", 0.5, 2, 4},
		// B
		{"320502/station_coverage", 1.0, 2, 2}, {"320502/room_coverage", 1.0, 3, 3}, {"320502/station_standard_rate", 1.0, 2, 2},
		{"320502/resident_staffing_rate", 1.0, 2, 2}, {"320502/certified_share", 0.5, 4, 8}, {"320502/certified_total", 25.0, nil, nil},
		{"320502/certified_per_10k", 5.0, 25, 50000}, {"320502/charity_fund_rate", 0.8, 4, 5},
		{"320502/fund_leverage", 0.75, 6, 8}, {"320502/gov_funding", 8.0, nil, nil}, {"320502/charity_funding", 6.0, nil, nil},
		{"320502/training_participants", 4.0, nil, nil}, {"320502/training_hours", 24.0, nil, nil},
		{"320502/training_hours_per_worker", 3.0, 24, 8}, {"320502/reporting_rate", 0.5, 2, 4},
		// C
		{"320503/station_coverage", 1.0, 1, 1}, {"320503/room_coverage", nil, 0, 0}, {"320503/station_standard_rate", 1.0, 1, 1},
		{"320503/resident_staffing_rate", 0.0, 0, 1}, {"320503/certified_share", 1.0, 2, 2}, {"320503/certified_total", 6.0, nil, nil},
		{"320503/certified_per_10k", nil, nil, nil}, {"320503/charity_fund_rate", 1.0, 1, 1},
		{"320503/fund_leverage", 0.0, 0, 5}, {"320503/gov_funding", 5.0, nil, nil}, {"320503/charity_funding", 0.0, nil, nil},
		{"320503/training_participants", 2.0, nil, nil}, {"320503/training_hours", 10.0, nil, nil},
		{"320503/training_hours_per_worker", 5.0, 10, 2}, {"320503/reporting_rate", 0.25, 1, 4},
		// city
		{"3205/station_coverage", 5.0 / 6, 5, 6}, {"3205/room_coverage", 6.0 / 7, 6, 7}, {"3205/station_standard_rate", 1.0, 5, 5},
		{"3205/resident_staffing_rate", 0.8, 4, 5}, {"3205/certified_share", 12.0 / 19, 12, 19}, {"3205/certified_total", 101.0, nil, nil},
		{"3205/certified_per_10k", 95.0 / 160000 * 10000, 95, 160000}, {"3205/charity_fund_rate", 9.0 / 13, 9, 13},
		{"3205/fund_leverage", 19.0 / 73, 19, 73}, {"3205/gov_funding", 73.0, nil, nil}, {"3205/charity_funding", 19.0, nil, nil},
		{"3205/training_participants", 28.0, nil, nil}, {"3205/training_hours", 138.0, nil, nil},
		{"3205/training_hours_per_worker", 138.0 / 19, 138, 19}, {"3205/reporting_rate", 5.0 / 12, 5, 12},
		// towns (registry 2026Q3; stock Q3; money summed)
		{"320501001/station_coverage", 1.0, 1, 1}, {"320501001/room_coverage", 1.0, 2, 2}, {"320501001/station_standard_rate", 1.0, 1, 1},
		{"320501001/resident_staffing_rate", 1.0, 1, 1}, {"320501001/certified_share", 5.0 / 6, 5, 6}, {"320501001/charity_fund_rate", 1.0, 3, 3},
		{"320501001/fund_leverage", nil, 3, 0}, {"320501001/gov_funding", 0.0, nil, nil}, {"320501001/charity_funding", 3.0, nil, nil},
		{"320501002/station_coverage", 1.0, 1, 1}, {"320501002/room_coverage", 1.0, 1, 1}, {"320501002/station_standard_rate", 1.0, 1, 1},
		{"320501002/resident_staffing_rate", 1.0, 1, 1}, {"320501002/certified_share", 1.0 / 3, 1, 3}, {"320501002/charity_fund_rate", 0.5, 1, 2},
		{"320501002/fund_leverage", nil, 4, 0}, {"320501002/gov_funding", 0.0, nil, nil}, {"320501002/charity_funding", 4.0, nil, nil},
		{"320501003/station_coverage", 0.0, 0, 1}, {"320501003/charity_funding", 6.0, nil, nil}, {"320501003/station_standard_rate", nil, 0, 0},
		{"320501400/station_coverage", nil, 0, 0}, {"320501400/gov_funding", 0.0, nil, nil}, {"320501400/charity_funding", 0.0, nil, nil},
		{"320502001/certified_share", 0.75, 3, 4}, {"320502001/charity_fund_rate", 1.0, 2, 2}, {"320502001/charity_funding", 4.0, nil, nil},
		{"320502002/room_coverage", 1.0, 2, 2}, {"320502002/certified_share", 0.25, 1, 4}, {"320502002/charity_fund_rate", 2.0 / 3, 2, 3},
		{"320502002/charity_funding", 2.0, nil, nil}, {"320502002/gov_funding", 0.0, nil, nil},
		{"320503001/station_coverage", 1.0, 1, 1}, {"320503001/room_coverage", nil, 0, 0}, {"320503001/resident_staffing_rate", 0.0, 0, 1},
		{"320503001/gov_funding", 0.0, nil, nil}, {"320503001/fund_leverage", nil, 0, 0},
	})
	if c := got["3205/station_coverage"].Completeness; c != (Completeness{3, 3, 7, 12}) {
		t.Errorf("city completeness %+v", c)
	}
}

// Every indicator for the range 2026Q1-2026Q2 (base registry): A's stock from
// Q2 (its resubmission), B's from Q1 (its Q2 was sent back), C's from Q2.
func TestRangeEveryIndicator(t *testing.T) {
	got := computeAll(t, "2026Q1-2026Q2")
	check(t, "Q1-Q2", got, []want{
		{"320501/station_coverage", 1.0, 2, 2}, {"320501/room_coverage", 2.0 / 3, 2, 3}, {"320501/station_standard_rate", 0.5, 1, 2},
		{"320501/resident_staffing_rate", 0.5, 1, 2}, {"320501/certified_share", 5.0 / 9, 5, 9}, {"320501/certified_total", 60.0, nil, nil},
		{"320501/certified_per_10k", 6.0, 60, 100000}, {"320501/charity_fund_rate", 0.6, 3, 5}, {"320501/fund_leverage", 7.0 / 30, 7, 30},
		{"320501/gov_funding", 30.0, nil, nil}, {"320501/charity_funding", 7.0, nil, nil}, {"320501/training_participants", 19.0, nil, nil},
		{"320501/training_hours", 74.0, nil, nil}, {"320501/training_hours_per_worker", 74.0 / 9, 74, 9}, {"320501/reporting_rate", 1.0, 2, 2},

		{"320502/station_coverage", 1.0, 2, 2}, {"320502/room_coverage", 2.0 / 3, 2, 3}, {"320502/station_standard_rate", 0.5, 1, 2},
		{"320502/resident_staffing_rate", 0.5, 1, 2}, {"320502/certified_share", 3.0 / 7, 3, 7}, {"320502/certified_total", 20.0, nil, nil},
		{"320502/certified_per_10k", 4.0, 20, 50000}, {"320502/charity_fund_rate", 0.2, 1, 5}, {"320502/fund_leverage", nil, 0, 0},
		{"320502/gov_funding", 0.0, nil, nil}, {"320502/charity_funding", 0.0, nil, nil}, {"320502/training_participants", 0.0, nil, nil},
		{"320502/training_hours", 0.0, nil, nil}, {"320502/training_hours_per_worker", 0.0, 0, 7}, {"320502/reporting_rate", 0.5, 1, 2},

		{"320503/station_coverage", 0.0, 0, 1}, {"320503/room_coverage", nil, 0, 0}, {"320503/station_standard_rate", nil, 0, 0},
		{"320503/resident_staffing_rate", nil, 0, 0}, {"320503/certified_share", nil, 0, 0}, {"320503/certified_total", 5.0, nil, nil},
		{"320503/certified_per_10k", nil, nil, nil}, {"320503/charity_fund_rate", 0.0, 0, 1}, {"320503/fund_leverage", 0.0, 0, 5},
		{"320503/gov_funding", 5.0, nil, nil}, {"320503/charity_funding", 0.0, nil, nil}, {"320503/training_participants", 0.0, nil, nil},
		{"320503/training_hours", 0.0, nil, nil}, {"320503/training_hours_per_worker", nil, 0, 0}, {"320503/reporting_rate", 0.0, 0, 2},

		{"3205/station_coverage", 0.8, 4, 5}, {"3205/room_coverage", 4.0 / 6, 4, 6}, {"3205/station_standard_rate", 0.5, 2, 4},
		{"3205/resident_staffing_rate", 0.5, 2, 4}, {"3205/certified_share", 0.5, 8, 16}, {"3205/certified_total", 85.0, nil, nil},
		{"3205/certified_per_10k", 80.0 / 150000 * 10000, 80, 150000}, {"3205/charity_fund_rate", 4.0 / 11, 4, 11},
		{"3205/fund_leverage", 0.2, 7, 35}, {"3205/gov_funding", 35.0, nil, nil}, {"3205/charity_funding", 7.0, nil, nil},
		{"3205/training_participants", 19.0, nil, nil}, {"3205/training_hours", 74.0, nil, nil},
		{"3205/training_hours_per_worker", 74.0 / 16, 74, 16}, {"3205/reporting_rate", 0.5, 3, 6},

		{"320501001/station_coverage", 1.0, 1, 1}, {"320501001/room_coverage", 1.0, 2, 2}, {"320501001/station_standard_rate", 1.0, 1, 1},
		{"320501001/resident_staffing_rate", 1.0, 1, 1}, {"320501001/certified_share", 4.0 / 6, 4, 6}, {"320501001/charity_fund_rate", 2.0 / 3, 2, 3},
		{"320501001/charity_funding", 3.0, nil, nil}, {"320501001/gov_funding", 0.0, nil, nil},
		{"320502002/station_coverage", 1.0, 1, 1}, {"320502002/room_coverage", 0.5, 1, 2}, {"320502002/station_standard_rate", 0.0, 0, 1},
		{"320502002/resident_staffing_rate", 0.0, 0, 1}, {"320502002/certified_share", 0.0, 0, 1}, {"320502002/charity_fund_rate", 0.0, 0, 3},
		{"320502002/charity_funding", 0.0, nil, nil},
		{"320503001/station_coverage", 0.0, 0, 1}, {"320503001/room_coverage", nil, 0, 0}, {"320503001/certified_share", nil, 0, 0},
		{"320503001/charity_fund_rate", 0.0, 0, 1}, {"320503001/gov_funding", 0.0, nil, nil},
	})
	if c := got["3205/station_coverage"].Completeness; c != (Completeness{3, 3, 4, 6}) {
		t.Errorf("city completeness %+v", c)
	}
	if _, ok := got["320501003/station_coverage"]; ok {
		t.Error("town 003 is not in the registry at 2026Q2")
	}
}
