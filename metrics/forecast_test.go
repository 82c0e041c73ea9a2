package metrics

import (
	"context"
	"strings"
	"testing"

	"sgz"
	"sgz/locale"
)

func series(from string, vals ...float64) []Point {
	p := sgz.MustPeriod(from)
	var out []Point
	for i, v := range vals {
		out = append(out, Point{sgz.PeriodOfIndex(p.Index() + i), v})
	}
	return out
}

func TestProjectConstructedTrends(t *testing.T) {
	dl := sgz.MustPeriod("2026Q4")
	cases := []struct {
		name   string
		pts    []Point
		status ForecastStatus
		reach  string
		late   int
		atRisk bool
		zh     string
	}{
		// +5 points a quarter from 80% at 2026Q3: 4 quarters more → 2027Q3, 3 late.
		{"linear late", series("2025Q4", 0.65, 0.70, 0.75, 0.80), ForecastLate, "2027Q3", 3, true, "按当前进度将晚 3 个季度（预计 2027Q3 达标，期限 2026Q4）"},
		// +10 points a quarter from 90% at 2026Q3: 2026Q4, in time.
		{"linear in time", series("2025Q4", 0.60, 0.70, 0.80, 0.90), ForecastOnTrack, "2026Q4", 0, false, "按当前进度将于 2026Q4 达标，不晚于期限 2026Q4"},
		{"already 100%", series("2026Q1", 0.9, 1, 1), ForecastMet, "2026Q3", -1, false, "已达标（2026Q3）"},
		{"flat", series("2025Q4", 0.8, 0.8, 0.8, 0.8), ForecastFlat, "", 0, true, "近 4 个季度没有进展，按当前进度无法达标"},
		{"falling", series("2025Q4", 0.9, 0.88, 0.86, 0.84), ForecastFalling, "", 0, true, "近 4 个季度在下降（每季度约 2.0 个百分点），按当前进度无法达标"},
		{"one quarter only", series("2026Q3", 0.5), ForecastInsufficient, "", 0, false, "只有 2026Q3 一个季度的数据，无法推算趋势"},
		{"nothing", nil, ForecastNoData, "", 0, false, "近期没有报表数据，无法推算"},
		// Noisy around +5 points a quarter (fit: slope 0.05, latest 0.81): ⌈0.19/0.05⌉ = 4 → 2027Q3.
		{"noisy", series("2025Q4", 0.64, 0.72, 0.74, 0.81), ForecastLate, "2027Q3", 3, true, "按当前进度将晚 3 个季度"},
		// A gap (no return in 2026Q1) is skipped, not a zero: 60, _, 80, 90 → pace ≈ 0.1.
		{"gap", []Point{{sgz.MustPeriod("2025Q4"), 0.6}, {sgz.MustPeriod("2026Q2"), 0.8}, {sgz.MustPeriod("2026Q3"), 0.9}}, ForecastOnTrack, "2026Q4", 0, false, "2026Q4 达标"},
		// +0.1 point a quarter from 50%: 500 quarters away.
		{"slow", series("2026Q1", 0.498, 0.499, 0.5), ForecastSlow, "", 0, true, "按当前进度 10 年内无法达标"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Project(c.pts, 1, dl)
			if f.Status != c.status || f.Reach != c.reach || f.AtRisk != c.atRisk {
				t.Errorf("status %s reach %q at risk %v, want %s %q %v (pace %v)", f.Status, f.Reach, f.AtRisk, c.status, c.reach, c.atRisk, f.Pace)
			}
			if c.status == ForecastLate || c.status == ForecastOnTrack || c.status == ForecastMet {
				if f.QuartersLate != c.late {
					t.Errorf("quarters late %d, want %d", f.QuartersLate, c.late)
				}
			}
			if got := f.Text(locale.ZH); !strings.Contains(got, c.zh) {
				t.Errorf("text %q, want %q", got, c.zh)
			}
			if en := f.Text(locale.EN); en == "" || en == f.Text(locale.ZH) {
				t.Errorf("english text %q", en)
			}
		})
	}
}

func TestForecastsOnADatabase(t *testing.T) {
	db := fixture(t)
	fs, err := Forecasts(context.Background(), db, sgz.MustPeriod("2026Q3"), []sgz.Level{sgz.City, sgz.District}, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Forecast{}
	for _, f := range fs {
		by[f.UnitCode+"|"+f.Indicator] = f
	}
	if len(fs) != 4*3 {
		t.Fatalf("%d forecasts, want 4 units × 3 indicators", len(fs))
	}
	// 甲区 station coverage: 1/2 (Q1), 2/2 (Q2), 2/3 (Q3, a new town in the registry).
	f := by["320501|station_coverage"]
	if f.Quarters != 3 || f.LatestAt != "2026Q3" || f.Milestone != "两年全覆盖" || f.Deadline != "2026Q4" || f.Latest == nil || !approx(*f.Latest, 2.0/3) {
		t.Errorf("甲区: %+v", f)
	}
	want := Project(series("2026Q1", 0.5, 1, 2.0/3), 1, sgz.MustPeriod("2026Q4"))
	if f.Status != want.Status || f.Reach != want.Reach || !approx(*f.Pace, *want.Pace) {
		t.Errorf("甲区: %s %s, want %s %s", f.Status, f.Reach, want.Status, want.Reach)
	}
	// 丙区 reported Q2 and Q3 only: station 0/1 then 1/1 → met.
	if f := by["320503|station_coverage"]; f.Status != ForecastMet || f.Quarters != 2 {
		t.Errorf("丙区: %+v", f)
	}
	// standardisation is measured against 三年全规范 (2027Q4).
	if f := by["3205|station_standard_rate"]; f.Milestone != "三年全规范" || f.Deadline != "2027Q4" || f.Level != sgz.City {
		t.Errorf("city standardisation: %+v", f)
	}
	risk := AtRisk(fs)
	for i, r := range risk {
		if !r.AtRisk {
			t.Errorf("not at risk in the list: %+v", r)
		}
		if i > 0 && risk[i-1].Status == ForecastLate && r.Status == ForecastLate && risk[i-1].QuartersLate < r.QuartersLate {
			t.Errorf("at-risk list not the latest first")
		}
	}
}
