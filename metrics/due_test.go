package metrics

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

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

// A span in which a district's latest quarter is missing: its stock comes
// from an earlier quarter, and every surface says so (value, completeness,
// as_of, as_of_mixed; the sentence naming the district that lags).
func TestLatestQuarterMissing(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	span := mustSpan("2026Q1-2026Q2") // B's 2026Q2 was sent back: B's stock is from 2026Q1
	vals, err := ComputeLevels(ctx, db, span, []sgz.Level{sgz.City, sgz.District}, asOf("2026-12-02"))
	if err != nil {
		t.Fatal(err)
	}
	got := index(vals)
	city := got["3205/station_coverage"]
	if city.AsOf != "2026Q1" || !city.AsOfMixed || city.AsOfLatest != "2026Q2" || city.Reported != 3 || city.Expected != 3 || city.PerQuarter {
		t.Errorf("city stock %+v", city)
	}
	if b := got["320502/station_coverage"]; b.AsOf != "2026Q1" || b.AsOfMixed || b.Reported != 1 || b.Expected != 1 {
		t.Errorf("B stock %+v", b)
	}
	if f := got["3205/gov_funding"]; f.Reported != 4 || f.Expected != 6 || !f.PerQuarter {
		t.Errorf("city flow %d/%d", f.Reported, f.Expected)
	}
	var children []Value
	for _, v := range vals {
		if v.Level == sgz.District {
			children = append(children, v)
		}
	}
	if s := CompletenessText(locale.ZH, city, children); s != "3 / 3 个区县；乙区取 2026Q1" {
		t.Errorf("zh %q", s)
	}
	if s := CompletenessText(locale.EN, got["3205/gov_funding"], children); s != "4 of 6 district-quarters" {
		t.Errorf("en %q", s)
	}
	// JSON: as_of the earliest, mixed; flows carry no as_of.
	rows := IndicatorsJSON(vals)
	for _, r := range rows {
		switch r.UnitCode + "/" + r.Indicator {
		case "3205/station_coverage":
			if r.AsOf == nil || *r.AsOf != "2026Q1" || r.AsOfMixed == nil || !*r.AsOfMixed || r.Reported != 3 || r.Expected != 3 {
				t.Errorf("json %+v", r)
			}
		case "3205/gov_funding":
			if r.AsOf != nil || r.AsOfMixed != nil || r.Reported != 4 || r.Expected != 6 {
				t.Errorf("json flow %+v", r)
			}
		}
	}
	// CSV: the same, as columns.
	var buf bytes.Buffer
	if err := WriteIndicatorsCSV(&buf, vals); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0][9:], ",") != "已报,应报,计数单位,数据截至,截至季度不一" {
		t.Errorf("csv head %v", recs[0])
	}
	for _, r := range recs[1:] {
		switch r[0] + "/" + r[4] {
		case "3205/station_coverage":
			if strings.Join(r[9:], ",") != "3,3,区县,2026Q1–2026Q2,是" {
				t.Errorf("csv stock %v", r)
			}
		case "3205/gov_funding":
			if strings.Join(r[9:], ",") != "4,6,区县·季度,," {
				t.Errorf("csv flow %v", r)
			}
		}
	}
	// xlsx: the detail sheet has the CSV's columns; the wide sheet says it per unit.
	buf.Reset()
	if err := WriteIndicatorsXLSX(&buf, vals, ExportInfo{Span: span, Level: sgz.City, Config: asOf("2026-12-02")}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	detail, _ := f.GetRows(SheetDetail)
	if !strings.Contains(detail[1][0], "参考日期 2026-12-02") {
		t.Errorf("detail info %q", detail[1][0])
	}
	found := 0
	for _, r := range detail[3:] {
		if r[0] == "3205" && r[4] == "station_coverage" {
			found++
			if strings.Join(r[9:], ",") != "3,3,区县,2026Q1–2026Q2,是" || r[6] != "80.0%" {
				t.Errorf("xlsx detail %v", r)
			}
		}
	}
	wide, _ := f.GetRows(SheetValues)
	if found != 1 || wide[3][0] != "3205" || wide[3][3] != "2026Q1–2026Q2" || wide[3][4] != "3 / 3 个区县；流量 4 / 6 个区县·季度" {
		t.Errorf("xlsx wide %v (detail rows %d)", wide[3][:5], found)
	}
}

// A return sent before its quarter is due is expected (it is there), and on time.
func TestEarlyReturn(t *testing.T) {
	db := fixture(t)
	insertReturn(t, db, ret{id: 30, district: "320501", period: "2026Q4", received: "2026-12-01 10:00:00",
		stations: []station{{town: "320501001", built: true, std: true, res: 3}}, certified: 71})
	vals, err := ComputeLevels(context.Background(), db, mustSpan("2026"), []sgz.Level{sgz.City, sgz.District}, asOf("2026-12-02"))
	if err != nil {
		t.Fatal(err)
	}
	got := index(vals)
	check(t, "early", got, []want{{"320501/reporting_rate", 0.75, 3, 4}, {"320502/reporting_rate", 2.0 / 3, 2, 3}, {"3205/reporting_rate", 0.6, 6, 10}})
	if c := got["3205/station_coverage"]; c.AsOf != "2026Q3" || !c.AsOfMixed || c.AsOfLatest != "2026Q4" {
		t.Errorf("city as of %+v", c)
	}
	if a := got["320501/certified_total"]; a.AsOf != "2026Q4" || *a.Value != 71 {
		t.Errorf("A %+v", a)
	}
}

// Ranks only for those who reported: a district without a return that
// counts is listed after the ranked ones, unranked, with its rule-given
// score; with no data at all nobody is ranked.
func TestRanksOnlyReporters(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	a, err := Assess(ctx, db, mustSpan("2026Q2"), asOf("2026-12-02")) // B's only Q2 return was sent back
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range a.Districts {
		order = append(order, fmt.Sprintf("%s:%d:%v:%s", d.UnitCode, d.Rank, d.Reported, d.RankText(locale.ZH)))
	}
	if got := strings.Join(order, " "); got != "320501:1:true:1 320503:2:true:2 320502:0:false:未报送" {
		t.Errorf("order %s", got)
	}
	if b := a.Districts[2]; b.Total != 0 || len(b.Missing) != len(a.Scored) {
		t.Errorf("B total %v missing %v", b.Total, b.Missing)
	}
	rows := AssessmentRows(a)
	if rows[2].Reported || rows[2].Rank != nil || !rows[0].Reported || rows[0].Rank == nil || *rows[0].Rank != 1 {
		t.Errorf("json rows %+v", rows)
	}
	var buf bytes.Buffer
	WriteAssessmentJSON(&buf, a)
	if !strings.Contains(buf.String(), `"reported": false,`) || !strings.Contains(buf.String(), `"rank": null`) {
		t.Errorf("json %s", buf.String())
	}
	buf.Reset()
	WriteAssessmentCSV(&buf, a)
	recs, _ := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if recs[3][0] != "未报送" || recs[3][1] != "320502" || recs[3][4] != "0" {
		t.Errorf("csv %v", recs[3])
	}
	// No data at all: nobody is ranked, before (未到期) or after the due date (未报送).
	for asof, text := range map[string]string{"2026-12-02": "未到期", "2027-05-01": "未报送"} {
		a, err := Assess(ctx, db, mustSpan("2027Q1"), asOf(asof))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range a.Districts {
			if d.Reported || d.Rank != 0 || d.RankText(locale.ZH) != text {
				t.Errorf("2027Q1 as of %s: %s rank %d %q", asof, d.UnitCode, d.Rank, d.RankText(locale.ZH))
			}
		}
		if d := a.Districts[0]; d.RankText(locale.EN) == "" || d.UnitCode != "320501" {
			t.Errorf("%+v", d)
		}
	}
}

// One milestone text: quarters left from the end of the viewed period, the
// same words for the same state, gaps in percentage points.
func TestMilestoneText(t *testing.T) {
	cfg := DefaultConfig() // plan 2025: coverage by the end of 2026Q4
	v := 0.859
	val := Value{Indicator: "station_coverage", Value: &v}
	for _, c := range []struct {
		period, state, zh, en string
	}{
		{"2026Q3", MsOpen, "两年全覆盖（2026Q4 末）：差 14.1 个百分点，还剩 1 个季度", "full coverage in two years (by the end of 2026Q4): 14.1 percentage points to go, 1 quarter left"},
		{"2026Q4", MsDue, "两年全覆盖（2026Q4 末）：已到期，差 14.1 个百分点", "full coverage in two years (by the end of 2026Q4): due now, 14.1 percentage points short"},
		{"2027Q1", MsOverdue, "两年全覆盖（2026Q4 末）：已逾期未达标，差 14.1 个百分点", "full coverage in two years (by the end of 2026Q4): overdue, not met: 14.1 percentage points short"},
	} {
		s, ok := Progress(cfg, val, sgz.MustPeriod(c.period))
		if !ok || s.State != c.state || s.Text(locale.ZH) != c.zh || s.Text(locale.EN) != c.en {
			t.Errorf("%s: %s %q %q", c.period, s.State, s.Text(locale.ZH), s.Text(locale.EN))
		}
	}
	// The year 2026 ends at the deadline: the same as its last quarter.
	y, _ := Progress(cfg, val, mustSpan("2026").To)
	if y.StateText(locale.ZH) != "已到期，差 14.1 个百分点" {
		t.Errorf("2026: %s", y.StateText(locale.ZH))
	}
	one := 1.0
	if s, _ := Progress(cfg, Value{Indicator: "room_coverage", Value: &one}, sgz.MustPeriod("2027Q2")); s.State != MsMet || s.StateText(locale.ZH) != "已达标" {
		t.Errorf("met %+v", s)
	}
	if s, _ := Progress(cfg, Value{Indicator: "room_coverage"}, sgz.MustPeriod("2027Q2")); s.State != MsMissing || s.StateText(locale.EN) != "no data" {
		t.Errorf("missing %+v", s)
	}
	half := 0.66625 // a gap of 33.375 points shows as 33.4 (half away from zero)
	s, _ := Progress(cfg, Value{Indicator: "station_standard_rate", Value: &half}, sgz.MustPeriod("2026Q3"))
	if got := MilestonesText(locale.ZH, []MilestoneStatus{s}); got != "社工站规范化率 三年全规范（2027Q4 末）：差 33.4 个百分点，还剩 5 个季度" {
		t.Errorf("%q", got)
	}
	if got := s.StateText(locale.EN); got != "33.4 percentage points to go, 5 quarters left" {
		t.Errorf("%q", got)
	}
}

// The completeness sentence names at most three lagging districts, earliest first.
func TestCompletenessTextLagging(t *testing.T) {
	parent := Value{UnitCode: "3205", Indicator: "room_coverage", Reported: 9, Expected: 10, AsOf: "2025Q4", AsOfMixed: true, AsOfLatest: "2026Q3"}
	var kids []Value
	for i, q := range []string{"2026Q3", "2026Q2", "2025Q4", "2026Q1", "2026Q2"} {
		kids = append(kids, Value{UnitCode: fmt.Sprintf("32050%d", i), UnitName: fmt.Sprintf("区%d", i), Indicator: "room_coverage", AsOf: q})
	}
	kids = append(kids, Value{UnitCode: "320599", UnitName: "别的指标", Indicator: "station_coverage", AsOf: "2025Q1"})
	if s := CompletenessText(locale.ZH, parent, kids); s != "9 / 10 个区县；区2取 2025Q4、区3取 2026Q1、区1取 2026Q2、等 4 个区县" {
		t.Errorf("zh %q", s)
	}
	if s := CompletenessText(locale.EN, parent, kids[:3]); s != "9 of 10 districts; 区2 from 2025Q4, 区1 from 2026Q2" {
		t.Errorf("en %q", s)
	}
	if s := ReportedText(locale.ZH, parent, nil); s != "已报送 9 / 10 个区县" {
		t.Errorf("reported %q", s)
	}
	if s := ReportedText(locale.EN, Value{Indicator: "room_coverage", Expected: 10}, nil); s != "no return at all for this period" {
		t.Errorf("reported, none %q", s)
	}
	flow := Value{Indicator: "gov_funding", Reported: 3, Expected: 4, PerQuarter: true, AsOfMixed: true}
	if s := CompletenessText(locale.ZH, flow, kids); s != "3 / 4 个区县·季度" {
		t.Errorf("flow %q", s)
	}
}

// An assessment records the reference date it was made as of.
func TestRecordAsOf(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	a, err := Assess(ctx, db, mustSpan("2026"), asOf("2026-12-02"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Record(ctx, db, a, "test"); err != nil {
		t.Fatal(err)
	}
	recs, err := RecordedAssessments(ctx, db)
	if err != nil || len(recs) != 1 || recs[0].AsOf != "2026-12-02" || recs[0].Period != "2026" {
		t.Errorf("%+v %v", recs, err)
	}
}

// The due day, days late and days left around the end of 2026Q3 (due
// 2026-10-15, inclusive): the reporting page's count and the upload page's.
func TestDueDaysLateLeft(t *testing.T) {
	cfg := DefaultConfig()
	p := sgz.MustPeriod("2026Q3")
	if d := cfg.DueDay(p); d != "2026-10-15" {
		t.Fatalf("due day %s", d)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 10, day, hour, 0, 0, 0, sgz.Beijing) }
	for _, c := range []struct {
		t          time.Time
		late, left int
	}{
		{at(10, 10), 0, 5}, {at(14, 0), 0, 1}, {at(14, 23), 0, 1}, {at(15, 0), 0, 0}, {at(15, 23), 0, 0},
		{at(16, 0), 1, 0}, {at(16, 10), 1, 0}, {at(17, 0), 2, 0}, {at(17, 10), 2, 0},
		{time.Date(2026, 10, 16, 1, 0, 0, 0, time.UTC), 1, 0}, // 09:00 in Beijing
	} {
		if late, left := cfg.DaysLate(p, c.t), cfg.DaysLeft(p, c.t); late != c.late || left != c.left {
			t.Errorf("%s: %d days late, %d left; want %d, %d", c.t, late, left, c.late, c.left)
		}
	}
}
