package metrics

import (
	"context"
	"strings"
	"testing"

	"sgz"
	"sgz/locale"
)

// Due means due: a district-quarter enters a completeness or timeliness
// denominator only once its due date has passed at the reference date.
// 2026Q4 is due by 2027-01-15 (the fixture has no Q4 return).
func TestDueMeansDue(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		asOf           string
		q4Due          bool
		cityOn, cityEx int
	}{
		{"2026-12-02", false, 5, 9},
		{"2027-01-14", false, 5, 9},
		{"2027-01-15", true, 5, 12}, // the due day itself: due at its end
		{"2027-03-01", true, 5, 12},
	} {
		cfg := asOf(c.asOf)
		if cfg.Due(sgz.MustPeriod("2026Q4")) != c.q4Due {
			t.Errorf("as of %s: Due(2026Q4) = %v", c.asOf, !c.q4Due)
		}
		vals, err := ComputeLevels(ctx, db, mustSpan("2026"), []sgz.Level{sgz.City, sgz.District}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := index(vals)
		perDistrict := 3
		if c.q4Due {
			perDistrict = 4
		}
		check(t, "as of "+c.asOf, got, []want{
			{"3205/reporting_rate", float64(c.cityOn) / float64(c.cityEx), c.cityOn, c.cityEx},
			{"320501/reporting_rate", 2.0 / float64(perDistrict), 2, perDistrict},
			{"320503/reporting_rate", 1.0 / float64(perDistrict), 1, perDistrict},
		})
		// Values do not depend on the reference date; completeness does.
		check(t, "as of "+c.asOf, got, []want{{"3205/gov_funding", 73.0, nil, nil}, {"3205/station_coverage", 5.0 / 6, 5, 6}})
		if v := got["3205/gov_funding"]; v.Reported != 7 || v.Expected != c.cityEx || !v.PerQuarter {
			t.Errorf("as of %s: city gov_funding %d/%d per quarter %v", c.asOf, v.Reported, v.Expected, v.PerQuarter)
		}
		if v := got["3205/station_coverage"]; v.Reported != 3 || v.Expected != 3 || v.PerQuarter {
			t.Errorf("as of %s: city station_coverage %d/%d", c.asOf, v.Reported, v.Expected)
		}
		st, err := Reporting(ctx, db, mustSpan("2026"), cfg)
		if err != nil {
			t.Fatal(err)
		}
		q4 := st.Quarters[3]
		wantStatus := NotDue
		if c.q4Due {
			wantStatus = Missing
		}
		for _, r := range st.Rows {
			if r.Period == "2026Q4" && (r.Status != wantStatus || r.Expected != c.q4Due) {
				t.Errorf("as of %s: %s %s is %s (expected %v)", c.asOf, r.DistrictCode, r.Period, r.Status, r.Expected)
			}
		}
		if c.q4Due && (q4.Missing != 3 || q4.NotDue != 0 || q4.Expected != 3) || !c.q4Due && (q4.Missing != 0 || q4.NotDue != 3 || q4.Expected != 0 || q4.Timeliness != nil) {
			t.Errorf("as of %s: Q4 %+v", c.asOf, q4)
		}
		if st.Total.Expected != c.cityEx || *st.Total.Timeliness != float64(c.cityOn)/float64(c.cityEx) {
			t.Errorf("as of %s: total %+v", c.asOf, st.Total)
		}
		if st.AsOf != c.asOf || st.NoData {
			t.Errorf("as of %s: status as of %q, no data %v", c.asOf, st.AsOf, st.NoData)
		}
	}
}

// A quarter with no data at all: before its due date nothing is expected
// ("未到期"), after it everything is missing; never a rate of 0/0 or 0%.
func TestNoDataPeriod(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		asOf string
		exp  int
	}{{"2026-12-02", 0}, {"2027-05-01", 3}} {
		cfg := asOf(c.asOf)
		vals, err := ComputeLevels(ctx, db, mustSpan("2027Q1"), []sgz.Level{sgz.City, sgz.District}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if v.Value != nil && v.Indicator != "reporting_rate" {
				t.Errorf("as of %s: %s/%s = %v with no data", c.asOf, v.UnitCode, v.Indicator, *v.Value)
			}
			wantExp := c.exp
			if v.Level == sgz.District {
				wantExp = c.exp / 3
			}
			if v.Reported != 0 || v.Expected != wantExp {
				t.Errorf("as of %s: %s/%s completeness %d/%d, want 0/%d", c.asOf, v.UnitCode, v.Indicator, v.Reported, v.Expected, wantExp)
			}
		}
		city := index(vals)["3205/reporting_rate"]
		if c.exp == 0 && city.Value != nil || c.exp > 0 && (city.Value == nil || *city.Value != 0) {
			t.Errorf("as of %s: reporting_rate %v", c.asOf, city.Value)
		}
		text := CompletenessText(locale.ZH, index(vals)["3205/station_coverage"], nil)
		if c.exp == 0 && text != "未到期" || c.exp > 0 && text != "0 / 3 个区县" {
			t.Errorf("as of %s: completeness text %q", c.asOf, text)
		}
		st, err := Reporting(ctx, db, mustSpan("2027Q1"), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !st.NoData || st.Total.Expected != c.exp || st.Total.NotDue != 3-c.exp {
			t.Errorf("as of %s: reporting %+v no data %v", c.asOf, st.Total, st.NoData)
		}
	}
	if s := NoDataText(locale.ZH, false); !strings.Contains(s, "尚未到报送截止日") {
		t.Error(s)
	}
	if s := NoDataText(locale.EN, true); s != "no return at all for this period" {
		t.Error(s)
	}
}

func TestParseAsOf(t *testing.T) {
	for _, s := range []string{"2026-12-01", "2026/12/01", "20261201", " 2026-12-01 "} {
		ref, err := ParseAsOf(s)
		if err != nil || ref.Format("2006-01-02 15:04 MST") != "2026-12-02 00:00 CST" {
			t.Errorf("%q: %v %v", s, ref, err)
		}
		if d := DefaultConfig().At(ref).RefDay(); d != "2026-12-01" {
			t.Errorf("%q: RefDay %s", s, d)
		}
	}
	for _, s := range []string{"", "2026-13-01", "yesterday", "2026-12-01T10:00"} {
		_, err := ParseAsOf(s)
		if err == nil || !strings.Contains(locale.Say(locale.ZH, err), "参考日期") {
			t.Errorf("%q: %v", s, err)
		}
	}
}
