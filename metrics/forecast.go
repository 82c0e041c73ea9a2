package metrics

import (
	"context"
	"math"
	"slices"
	"sort"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// The forecast to the deadline (docs/metrics.md, "Forecast"): for a milestone
// indicator of a unit, the quarter in which it reaches the milestone's target
// if it keeps the pace of its last quarters.
//
// Method: the values of the last ForecastWindow quarters up to the period
// (quarters without a return are skipped, not counted as zero) are fitted by
// a least-squares line; its slope is the pace per quarter. From the latest
// value, the quarters still needed are ⌈(target − latest) ÷ pace⌉.

// ForecastStatus says what the trend says.
type ForecastStatus string

const (
	ForecastMet          ForecastStatus = "met"          // the latest value reaches the target
	ForecastOnTrack      ForecastStatus = "on_track"     // reaches it by the deadline at the current pace
	ForecastLate         ForecastStatus = "late"         // reaches it, after the deadline
	ForecastFlat         ForecastStatus = "flat"         // no progress: never at this pace
	ForecastFalling      ForecastStatus = "falling"      // going down: never at this pace
	ForecastSlow         ForecastStatus = "slow"         // rising, but more than ForecastHorizon quarters away
	ForecastInsufficient ForecastStatus = "insufficient" // one quarter with a value: no trend
	ForecastNoData       ForecastStatus = "no_data"      // no value in the window
)

// ForecastWindow is the number of quarters the trend is fitted on by default.
const ForecastWindow = 4

// ForecastHorizon: a date further than this many quarters is not given.
const ForecastHorizon = 40

// flatPace: a pace below this (a fraction per quarter: 0.01 percentage point)
// is no progress.
const flatPace = 1e-4

// Point is one quarter's value of a series.
type Point struct {
	Quarter sgz.Period
	Value   float64
}

// Forecast is the forecast of one indicator of one unit.
type Forecast struct {
	UnitCode    string         `json:"unit_code"`
	UnitName    string         `json:"unit_name"`
	Level       sgz.Level      `json:"level"`
	Indicator   string         `json:"indicator"`
	Milestone   string         `json:"milestone"`    // 两年全覆盖
	MilestoneEn string         `json:"milestone_en"` // full coverage in two years
	Deadline    string         `json:"deadline"`     // 2026Q4
	Target      float64        `json:"target"`
	Latest      *float64       `json:"latest"`         // latest value in the window
	LatestAt    string         `json:"latest_quarter"` // its quarter
	Quarters    int            `json:"quarters_used"`  // values the pace is fitted on
	Pace        *float64       `json:"pace"`           // change per quarter (fraction; nil without a trend)
	Status      ForecastStatus `json:"status"`
	Reach       string         `json:"reach,omitempty"` // the quarter the target is reached at this pace
	// QuartersLate: Reach − Deadline in quarters (> 0: late; ≤ 0: in time).
	QuartersLate int  `json:"quarters_late"`
	AtRisk       bool `json:"at_risk"` // will miss the deadline at this pace (late, flat, falling, slow)
}

// Project forecasts one series (points in any order, at most one per
// quarter) against target and deadline.
func Project(points []Point, target float64, deadline sgz.Period) Forecast {
	f := Forecast{Target: target, Deadline: deadline.String(), Status: ForecastNoData}
	pts := slices.Clone(points)
	pts = slices.DeleteFunc(pts, func(p Point) bool { return math.IsNaN(p.Value) || math.IsInf(p.Value, 0) })
	sort.Slice(pts, func(i, j int) bool { return pts[i].Quarter.Index() < pts[j].Quarter.Index() })
	f.Quarters = len(pts)
	if len(pts) == 0 {
		return f
	}
	last := pts[len(pts)-1]
	lv := last.Value
	f.Latest, f.LatestAt = &lv, last.Quarter.String()
	if lv >= target-1e-12 {
		f.Status, f.Reach = ForecastMet, last.Quarter.String()
		f.QuartersLate = last.Quarter.Index() - deadline.Index()
		if f.QuartersLate > 0 {
			f.QuartersLate = 0 // met now: whatever was late is history
		}
		return f
	}
	if len(pts) == 1 {
		f.Status, f.AtRisk = ForecastInsufficient, false
		return f
	}
	// Least squares over (quarter index, value).
	var sx, sy, sxx, sxy float64
	n := float64(len(pts))
	for _, p := range pts {
		x := float64(p.Quarter.Index())
		sx += x
		sy += p.Value
		sxx += x * x
		sxy += x * p.Value
	}
	pace := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	f.Pace = &pace
	switch {
	case pace < -flatPace:
		f.Status, f.AtRisk = ForecastFalling, true
		return f
	case pace <= flatPace:
		f.Status, f.AtRisk = ForecastFlat, true
		return f
	}
	need := int(math.Ceil((target-lv)/pace - 1e-9)) // 0.2/0.05 is 4.000000000000001 in floating point
	if need > ForecastHorizon {
		f.Status, f.AtRisk = ForecastSlow, true
		return f
	}
	reach := sgz.PeriodOfIndex(last.Quarter.Index() + need)
	f.Reach = reach.String()
	f.QuartersLate = reach.Index() - deadline.Index()
	if f.QuartersLate > 0 {
		f.Status, f.AtRisk = ForecastLate, true
	} else {
		f.Status = ForecastOnTrack
	}
	return f
}

// Text is the sentence a leader reads, e.g. "按当前进度将晚 2 个季度（预计 2027Q2 达到，期限 2026Q4）".
func (f Forecast) Text(lang locale.Lang) string {
	switch f.Status {
	case ForecastMet:
		return locale.T(lang, "metrics.fc.met", f.LatestAt)
	case ForecastOnTrack:
		return locale.T(lang, "metrics.fc.ontrack", f.Reach, f.Deadline)
	case ForecastLate:
		return locale.T(lang, "metrics.fc.late", f.QuartersLate, f.Reach, f.Deadline)
	case ForecastFlat:
		return locale.T(lang, "metrics.fc.flat", f.Quarters)
	case ForecastFalling:
		return locale.T(lang, "metrics.fc.falling", f.Quarters, math.Abs(*f.Pace)*100)
	case ForecastSlow:
		return locale.T(lang, "metrics.fc.slow", *f.Pace*100, ForecastHorizon/4)
	case ForecastInsufficient:
		return locale.T(lang, "metrics.fc.one", f.LatestAt)
	}
	return locale.T(lang, "metrics.fc.nodata")
}

// Forecasts forecasts every milestone indicator of the city (or province,
// country: the top level given) and its districts at quarter p, from the
// trend of the last `window` quarters (ForecastWindow when ≤ 1), against the
// milestone in force at p (MilestoneAt). Ordered by level from the top, unit
// code, then indicator as in the milestones.
func Forecasts(ctx context.Context, db *store.DB, p sgz.Period, levels []sgz.Level, window int, cfg *Config) ([]Forecast, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if window <= 1 {
		window = ForecastWindow
	}
	var inds []string
	for _, m := range cfg.Milestones {
		for _, id := range m.Indicators {
			if !slices.Contains(inds, id) {
				inds = append(inds, id)
			}
		}
	}
	from := sgz.PeriodOfIndex(p.Index() - window + 1)
	var out []Forecast
	for _, l := range levels {
		vals, err := Trend(ctx, db, from, p, l, cfg)
		if err != nil {
			return nil, err
		}
		type key struct{ unit, ind string }
		series := map[key][]Point{}
		names := map[string]string{}
		var units []string
		for _, v := range vals {
			if !slices.Contains(inds, v.Indicator) {
				continue
			}
			if _, ok := names[v.UnitCode]; !ok {
				units = append(units, v.UnitCode)
			}
			names[v.UnitCode] = v.UnitName // the name at the latest quarter
			k := key{v.UnitCode, v.Indicator}
			if v.Value != nil {
				series[k] = append(series[k], Point{sgz.MustPeriod(v.Period), *v.Value})
			} else if _, ok := series[k]; !ok {
				series[k] = nil
			}
		}
		sort.Strings(units)
		for _, u := range units {
			for _, id := range inds {
				m, ok := MilestoneAt(cfg, id, p)
				if !ok {
					continue
				}
				f := Project(series[key{u, id}], m.Target, m.Deadline(cfg.PlanStartYear))
				f.UnitCode, f.UnitName, f.Level, f.Indicator = u, names[u], l, id
				f.Milestone, f.MilestoneEn = m.NameZh, m.NameEn
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// AtRisk is the forecasts that will miss their deadline at the current pace,
// the latest first (never-reaching ones first of all), then by unit code.
func AtRisk(fs []Forecast) []Forecast {
	var out []Forecast
	for _, f := range fs {
		if f.AtRisk {
			out = append(out, f)
		}
	}
	rank := func(f Forecast) int {
		if f.Status == ForecastLate {
			return f.QuartersLate
		}
		return math.MaxInt32
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := rank(out[i]), rank(out[j])
		if a != b {
			return a > b
		}
		return out[i].UnitCode < out[j].UnitCode
	})
	return out
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.fc.met":     {"已达标（%s）", "target reached (%s)"},
		"metrics.fc.ontrack": {"按当前进度将于 %s 达标，不晚于期限 %s", "at the current pace reaches the target in %s, by the deadline %s"},
		"metrics.fc.late":    {"按当前进度将晚 %d 个季度（预计 %s 达标，期限 %s）", "at the current pace %d quarter(s) late (target reached in %s, deadline %s)"},
		"metrics.fc.flat":    {"近 %d 个季度没有进展，按当前进度无法达标", "no progress over the last %d quarters: at this pace the target is never reached"},
		"metrics.fc.falling": {"近 %d 个季度在下降（每季度约 %.1f 个百分点），按当前进度无法达标", "falling over the last %d quarters (about %.1f percentage points a quarter): at this pace the target is never reached"},
		"metrics.fc.slow":    {"进展过慢（每季度约 %.2f 个百分点），按当前进度 %d 年内无法达标", "too slow (about %.2f percentage points a quarter): at this pace not reached within %d years"},
		"metrics.fc.one":     {"只有 %s 一个季度的数据，无法推算趋势", "only one quarter with data (%s): no trend to project"},
		"metrics.fc.nodata":  {"近期没有报表数据，无法推算", "no recent returns: nothing to project"},
	})
}
