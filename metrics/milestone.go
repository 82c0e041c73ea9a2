package metrics

import (
	"math"
	"slices"

	"sgz"
)

// MilestoneStatus is where a unit stands against the milestone in force.
type MilestoneStatus struct {
	Milestone    string   `json:"milestone"`    // 两年全覆盖
	MilestoneEn  string   `json:"milestone_en"` // full coverage in two years
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
	s := MilestoneStatus{Milestone: m.NameZh, MilestoneEn: m.NameEn, Indicator: v.Indicator, Deadline: dl.String(),
		Target: m.Target, Value: v.Value, QuartersLeft: dl.Index() - p.Index()}
	if v.Value != nil {
		g := math.Max(0, m.Target-*v.Value)
		s.Gap = &g
		s.Met = *v.Value >= m.Target
	}
	s.Overdue = !s.Met && s.QuartersLeft < 0
	return s, true
}
