package metrics

import (
	"context"
	"math"
	"slices"

	"sgz"
	"sgz/store"
)

// MilestoneStatus is where a unit stands against the milestone in force.
type MilestoneStatus struct {
	UnitCode     string   `json:"unit_code,omitempty"`
	UnitName     string   `json:"unit_name,omitempty"`
	AsOf         string   `json:"as_of,omitempty"` // quarter of the return the value comes from
	Milestone    string   `json:"milestone"`       // 两年全覆盖
	MilestoneEn  string   `json:"milestone_en"`    // full coverage in two years
	Indicator    string   `json:"indicator"`
	Deadline     string   `json:"deadline"` // last quarter, "2026Q4"
	Target       float64  `json:"target"`
	Value        *float64 `json:"value"`         // nil when missing
	Gap          *float64 `json:"gap"`           // target − value, ≥ 0 (nil when missing)
	QuartersLeft int      `json:"quarters_left"` // after the period until the deadline; < 0 when past
	Met          bool     `json:"met"`
	Overdue      bool     `json:"overdue"` // past the deadline and not met
}

// MilestoneAt is the milestone in force for an indicator at period p: the
// earliest one whose deadline is not before p, or, when all have passed, the
// last one (then overdue unless met).
func MilestoneAt(cfg *Config, indicator string, p sgz.Period) (Milestone, bool) {
	var best, last *Milestone
	for i := range cfg.Milestones {
		m := &cfg.Milestones[i]
		if !slices.Contains(m.Indicators, indicator) {
			continue
		}
		d := m.Deadline(cfg.PlanStartYear).Index()
		if d >= p.Index() && (best == nil || d < best.Deadline(cfg.PlanStartYear).Index()) {
			best = m
		}
		if last == nil || d > last.Deadline(cfg.PlanStartYear).Index() {
			last = m
		}
	}
	if best == nil {
		best = last
	}
	if best == nil {
		return Milestone{}, false
	}
	return *best, true
}

// Progress measures v against the milestone in force at p (ok false when the
// indicator has no milestone).
func Progress(cfg *Config, v Value, p sgz.Period) (MilestoneStatus, bool) {
	m, ok := MilestoneAt(cfg, v.Indicator, p)
	if !ok {
		return MilestoneStatus{}, false
	}
	dl := m.Deadline(cfg.PlanStartYear)
	s := MilestoneStatus{UnitCode: v.UnitCode, UnitName: v.UnitName, AsOf: v.AsOf, Milestone: m.NameZh, MilestoneEn: m.NameEn, Indicator: v.Indicator, Deadline: dl.String(),
		Target: m.Target, Value: v.Value, QuartersLeft: dl.Index() - p.Index()}
	if v.Value != nil {
		g := math.Max(0, m.Target-*v.Value)
		s.Gap = &g
		s.Met = *v.Value >= m.Target
	}
	s.Overdue = !s.Met && s.QuartersLeft < 0
	return s, true
}

// MilestoneReport is the dashboard's milestone panel: for each unit of a level
// (or the units given), each milestone indicator's status at quarter p. The
// value of a district is its latest return up to p since the plan started (a
// district that skipped p is still shown, with AsOf saying from when).
func MilestoneReport(ctx context.Context, db *store.DB, p sgz.Period, level sgz.Level, cfg *Config, unitCodes ...string) ([]MilestoneStatus, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	from := sgz.Period{Year: cfg.PlanStartYear, Quarter: 1}
	if from.Index() > p.Index() {
		from = p
	}
	vals, err := compute(ctx, db, []sgz.Span{{From: from, To: p}}, []sgz.Level{level}, cfg, unitCodes)
	if err != nil {
		return nil, err
	}
	var out []MilestoneStatus
	for _, v := range vals {
		if s, ok := Progress(cfg, v, p); ok {
			out = append(out, s)
		}
	}
	return out, nil
}
