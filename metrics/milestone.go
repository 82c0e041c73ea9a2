package metrics

import (
	"context"
	"math"
	"slices"
	"strings"

	"sgz"
	"sgz/locale"
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
	QuartersLeft int      `json:"quarters_left"` // from the end of the viewed period to the deadline's end; < 0 when past
	Met          bool     `json:"met"`
	Overdue      bool     `json:"overdue"` // past the deadline and not met
	// State is one of MsMet, MsOpen, MsDue, MsOverdue, MsMissing; Text says it.
	State string `json:"state"`
}

// Milestone states (MilestoneStatus.State).
const (
	MsMet     = "met"     // the value reaches the target
	MsOpen    = "open"    // not met, quarters left after the viewed period
	MsDue     = "due"     // not met, the viewed period ends at the deadline (已到期)
	MsOverdue = "overdue" // not met, the deadline is before the end of the viewed period (已逾期未达标)
	MsMissing = "missing" // no value
)

// StateText is the milestone's state in one sentence, the same on every page
// and export: "已达标", "差 14.1 个百分点，还剩 1 个季度", "已到期，差 14.1 个百分点",
// "已逾期未达标，差 14.1 个百分点", "无数据". Gaps are in percentage points
// (rounded half away from zero, one decimal).
func (s MilestoneStatus) StateText(l locale.Lang) string {
	gap := ""
	if s.Gap != nil {
		gap = Points(*s.Gap)
	}
	switch s.State {
	case MsMet:
		return locale.T(l, "metrics.ms.met")
	case MsOpen:
		if s.QuartersLeft == 1 { // English: "1 quarter left"
			return locale.T(l, "metrics.ms.open1", gap)
		}
		return locale.T(l, "metrics.ms.open", gap, s.QuartersLeft)
	case MsDue:
		return locale.T(l, "metrics.ms.due", gap)
	case MsOverdue:
		return locale.T(l, "metrics.ms.overdue", gap)
	}
	return locale.T(l, "metrics.ms.missing")
}

// Text is the whole milestone sentence: "两年全覆盖（2026Q4 末）：差 14.1 个百分点，还剩 1 个季度".
func (s MilestoneStatus) Text(l locale.Lang) string {
	name := s.Milestone
	if l == locale.EN {
		name = s.MilestoneEn
	}
	return locale.T(l, "metrics.ms.text", name, s.Deadline, s.StateText(l))
}

// MilestonesText is a unit's milestones in one cell of an export:
// "乡镇(街道)社工站覆盖率 两年全覆盖（2026Q4 末）：已达标；…".
func MilestonesText(l locale.Lang, ms []MilestoneStatus) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		ind, _ := Lookup(m.Indicator)
		name := ind.Name.Zh
		if l == locale.EN {
			name = ind.Name.En
		}
		parts[i] = name + " " + m.Text(l)
	}
	return strings.Join(parts, locale.T(l, "metrics.comp.sep"))
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.ms.text":    {"%s（%s 末）：%s", "%s (by the end of %s): %s"},
		"metrics.ms.met":     {"已达标", "met"},
		"metrics.ms.open":    {"差 %s 个百分点，还剩 %d 个季度", "%s percentage points to go, %d quarters left"},
		"metrics.ms.due":     {"已到期，差 %s 个百分点", "due now, %s percentage points short"},
		"metrics.ms.overdue": {"已逾期未达标，差 %s 个百分点", "overdue, not met: %s percentage points short"},
		"metrics.ms.missing": {"无数据", "no data"},
	})
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
	switch {
	case s.Met:
		s.State = MsMet
	case v.Value == nil:
		s.State = MsMissing
	case s.QuartersLeft > 0:
		s.State = MsOpen
	case s.QuartersLeft == 0:
		s.State = MsDue
	default:
		s.State = MsOverdue
	}
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
