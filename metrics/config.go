package metrics

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"sgz"
	"sgz/locale"
)

// Config is the evaluator's rules: targets, weights, which indicators count,
// the due date and the milestones. It is a JSON file edited without rebuilding
// (see docs/metrics.md); every assessment records it with its SHA-256.
type Config struct {
	// Version of the file format (1).
	Version int `json:"version"`
	// Name is a free label shown with exports, e.g. "2026年度考核细则".
	Name string `json:"name,omitempty"`
	// Indicators maps an indicator id to its rule. Indicators left out keep no
	// target and no weight (they are shown, not scored).
	Indicators map[string]Rule `json:"indicators"`
	// DueDays: a quarter's return is due by the end of this day after the
	// quarter's last day, Beijing time (15: 2026Q3 is due by 2026-10-15 24:00).
	DueDays int `json:"due_days_after_quarter_end"`
	// SentBackIsLate: when true, a return an evaluator sent back does not
	// count as the district's first return for timeliness (the correction
	// must itself arrive by the due date). Default false.
	SentBackIsLate bool `json:"sent_back_is_late"`
	// PendingCounts: whether a return still pending review (待审核) counts.
	// Absent or true (the default): it counts and is marked 待审核 wherever
	// returns are listed; false: only approved returns (已审核) count.
	PendingCounts *bool `json:"pending_counts,omitempty"`
	// ProvinceCertifiedTotal is the province's number of certified social
	// workers, when known: the headline figures then give the city's share
	// of it (18,000 of the province's, 22%). Absent: no share.
	ProvinceCertifiedTotal *float64 `json:"province_certified_total,omitempty"`
	// PlanStartYear is the first year of "两年全覆盖、三年全规范".
	PlanStartYear int         `json:"plan_start_year"`
	Milestones    []Milestone `json:"milestones"`
	// AsOf is the reference instant (a Beijing midnight, see ParseAsOf): a
	// district-quarter enters a completeness or timeliness denominator only
	// once its due instant DueBy is not after it. Zero means now (Ref). It
	// is not part of the rules (not hashed): the same rules give different
	// denominators on different days.
	AsOf time.Time `json:"-"`
}

// Ref is the reference instant: AsOf, or the start of today (Beijing) when
// AsOf is zero. Due instants are Beijing midnights, so "now" and "the start
// of today" give the same answer, and a result is the same all day.
func (c *Config) Ref() time.Time {
	if !c.AsOf.IsZero() {
		return c.AsOf
	}
	n := time.Now().In(sgz.Beijing)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, sgz.Beijing)
}

// RefDay is the reference date as written on pages and exports: the last
// day whose end is inside the reference (--as-of 2026-12-01 gives
// "2026-12-01"; now gives yesterday, whose end is the last that has passed).
func (c *Config) RefDay() string { return c.Ref().AddDate(0, 0, -1).Format("2006-01-02") }

// At returns a copy of c with the reference instant ref (zero: now).
func (c *Config) At(ref time.Time) *Config {
	cp := *c
	cp.AsOf = ref
	return &cp
}

// Due reports whether quarter p's return is due by the reference instant:
// only then does a district-quarter count as expected when nothing was sent.
func (c *Config) Due(p sgz.Period) bool { return !c.DueBy(p).After(c.Ref()) }

// ParseAsOf reads a reference date (--as-of, ?as_of=): "2026-12-01"
// (also 2026/12/01 and 20261201), Beijing. The reference instant is the end
// of that day: a quarter due on 2026-10-15 is due as of 2026-10-15.
func ParseAsOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006/01/02", "20060102", "2006-1-2", "2006/1/2"} {
		if d, err := time.ParseInLocation(layout, s, sgz.Beijing); err == nil {
			return d.AddDate(0, 0, 1), nil
		}
	}
	return time.Time{}, locale.Errorf("metrics.asof", s)
}

// Rule is the configuration of one indicator.
type Rule struct {
	// Target per year for flows, at any time for stocks; rates as fractions
	// (1 = 100%). Null or absent: no target.
	Target *float64 `json:"target"`
	// Weight in the total score (points when the target is met); ≥ 0.
	Weight float64 `json:"weight"`
	// Scored: whether it counts in the total (default true when weight > 0).
	Scored *bool `json:"scored,omitempty"`
}

// Counts reports whether the rule takes part in the score.
func (r Rule) Counts() bool {
	if r.Scored != nil && !*r.Scored {
		return false
	}
	return r.Weight > 0 && r.Target != nil
}

// Milestone is one step of the plan: the indicators must reach Target by the
// end of year PlanStartYear + Year - 1.
type Milestone struct {
	NameZh     string   `json:"name_zh"`
	NameEn     string   `json:"name_en"`
	Indicators []string `json:"indicators"`
	Year       int      `json:"year"` // 1 = the plan's first year
	Target     float64  `json:"target"`
}

// Deadline is the last quarter of the milestone's year.
func (m Milestone) Deadline(planStart int) sgz.Period {
	return sgz.Period{Year: planStart + m.Year - 1, Quarter: 4}
}

// DefaultConfig is the default rules (默认考核规则, as indicators.md gives
// them): the default targets and weights, due 15 days after the quarter, the
// plan starting in 2025.
func DefaultConfig() *Config {
	c := &Config{Version: 1, Name: "默认考核规则", Indicators: map[string]Rule{}, DueDays: 15, PlanStartYear: 2025}
	for _, ind := range Indicators {
		r := Rule{Weight: ind.DefaultWeight}
		if ind.DefaultTarget > 0 {
			t := ind.DefaultTarget
			r.Target = &t
		}
		c.Indicators[ind.ID] = r
	}
	c.Milestones = []Milestone{
		{NameZh: "两年全覆盖", NameEn: "full coverage in two years", Indicators: []string{"station_coverage", "room_coverage"}, Year: 2, Target: 1},
		{NameZh: "三年全规范", NameEn: "full standardisation in three years", Indicators: []string{"station_standard_rate"}, Year: 3, Target: 1},
	}
	return c
}

// CountsPending reports whether returns pending review count (the default).
func (c *Config) CountsPending() bool { return c.PendingCounts == nil || *c.PendingCounts }

// countedReturns is the view of the returns that count under these rules:
// the current ones (current_returns), or only those approved
// (approved_returns, store/migrations/005_review.sql).
func (c *Config) countedReturns() string {
	if c.CountsPending() {
		return "current_returns"
	}
	return "approved_returns"
}

// Rule returns the rule of an indicator (zero when it has none).
func (c *Config) Rule(id string) Rule { return c.Indicators[id] }

// Target is the indicator's target scaled to the span (ok false when none).
func (c *Config) Target(id string, span sgz.Span) (float64, bool) {
	r := c.Indicators[id]
	ind, known := Lookup(id)
	if r.Target == nil || !known {
		return 0, false
	}
	return ind.TargetFor(*r.Target, span), true
}

// DueBy is the instant from which a return of quarter p is late: the start of
// the day after its due day, Beijing time.
func (c *Config) DueBy(p sgz.Period) time.Time {
	return p.Last().AddDate(0, 0, c.DueDays+1)
}

// JSON is the canonical form of the config (keys sorted, indented) that is
// hashed and recorded.
func (c *Config) JSON() []byte {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		panic(err) // a Config always marshals
	}
	return b
}

// SHA256 is the hex hash of JSON(): it names the rules an export was made with.
func (c *Config) SHA256() string {
	s := sha256.Sum256(c.JSON())
	return hex.EncodeToString(s[:])
}

// LoadConfig reads and validates a config file; "" gives DefaultConfig.
// Errors name the file and the field, in both languages (locale.Error).
func LoadConfig(path string) (*Config, error) {
	if path == "" {
		return DefaultConfig(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, locale.Errorf("metrics.cfg.open", path, err)
	}
	defer f.Close()
	return ParseConfig(f, path)
}

// ParseConfig reads a config from r; name is used in errors. A top-level
// field left out keeps its DefaultConfig value; "indicators", when present,
// replaces the whole table (an indicator left out of it is not scored), so
// that what the file says is what is scored.
func ParseConfig(r io.Reader, name string) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, locale.Errorf("metrics.cfg.open", name, err)
	}
	def := DefaultConfig()
	c := &Config{Version: 1, DueDays: def.DueDays, PlanStartYear: def.PlanStartYear}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, locale.Errorf("metrics.cfg.object", name)
		}
		return nil, syntaxError(name, data, err)
	}
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, locale.Errorf("metrics.cfg.type", name, ute.Field, ute.Value)
		}
		if field, ok := unknownField(err); ok {
			return nil, locale.Errorf("metrics.cfg.unknown", name, field)
		}
		return nil, syntaxError(name, data, err)
	}
	if _, ok := raw["indicators"]; !ok {
		c.Indicators = def.Indicators
	}
	if _, ok := raw["milestones"]; !ok {
		c.Milestones = def.Milestones
	}
	if err := c.Validate(name); err != nil {
		return nil, err
	}
	return c, nil
}

func unknownField(err error) (string, bool) {
	var f string
	if n, _ := fmt.Sscanf(err.Error(), "json: unknown field %q", &f); n == 1 {
		return f, true
	}
	return "", false
}

func syntaxError(name string, data []byte, err error) error {
	if errors.Is(err, io.EOF) && len(bytes.TrimSpace(data)) == 0 {
		return locale.Errorf("metrics.cfg.empty", name)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := 1, 1
		for _, b := range data[:min(int(se.Offset), len(data))] {
			if b == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return locale.Errorf("metrics.cfg.syntax", name, line, col, se.Error())
	}
	return locale.Errorf("metrics.cfg.syntax", name, 0, 0, err.Error())
}

// Validate checks every field; all problems are reported at once, each naming
// the file and the field.
func (c *Config) Validate(name string) error {
	var errs []error
	bad := func(key string, args ...any) {
		errs = append(errs, locale.Errorf(key, append([]any{name}, args...)...))
	}
	if c.Version != 1 {
		bad("metrics.cfg.version", "version", c.Version)
	}
	ids := make([]string, 0, len(c.Indicators))
	for id := range c.Indicators {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := c.Indicators[id]
		field := "indicators." + id
		if _, ok := Lookup(id); !ok {
			bad("metrics.cfg.indicator", field, id)
			continue
		}
		if r.Weight < 0 || math.IsNaN(r.Weight) || math.IsInf(r.Weight, 0) {
			bad("metrics.cfg.weight", field+".weight", r.Weight)
		}
		if r.Target != nil && !(*r.Target > 0) || r.Target != nil && math.IsInf(*r.Target, 0) {
			bad("metrics.cfg.target", field+".target", *r.Target)
		}
		if r.Target == nil && r.Weight > 0 && (r.Scored == nil || *r.Scored) {
			bad("metrics.cfg.notarget", field+".target")
		}
	}
	if c.DueDays < 0 || c.DueDays > 366 {
		bad("metrics.cfg.due", "due_days_after_quarter_end", c.DueDays)
	}
	if p := c.ProvinceCertifiedTotal; p != nil && (!(*p > 0) || math.IsInf(*p, 0)) {
		bad("metrics.cfg.target", "province_certified_total", *p)
	}
	if c.PlanStartYear < 1900 || c.PlanStartYear > 9999 {
		bad("metrics.cfg.year", "plan_start_year", c.PlanStartYear)
	}
	for i, m := range c.Milestones {
		field := fmt.Sprintf("milestones[%d]", i)
		if m.Year < 1 || m.Year > 50 {
			bad("metrics.cfg.msyear", field+".year", m.Year)
		}
		if !(m.Target > 0) {
			bad("metrics.cfg.target", field+".target", m.Target)
		}
		if len(m.Indicators) == 0 {
			bad("metrics.cfg.msempty", field+".indicators")
		}
		for j, id := range m.Indicators {
			if _, ok := Lookup(id); !ok {
				bad("metrics.cfg.indicator", fmt.Sprintf("%s.indicators[%d]", field, j), id)
			}
		}
	}
	return errors.Join(errs...)
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.asof":          {"参考日期 %q 无效（应为 2026-12-01 这样的日期，北京时间）", "invalid reference date %q (a date such as 2026-12-01, Beijing time)"},
		"metrics.cfg.open":      {"无法读取考核规则文件 %s：%v", "cannot read the rules file %s: %v"},
		"metrics.cfg.syntax":    {"考核规则文件 %s 第 %d 行第 %d 列：JSON 格式错误（%s）", "rules file %s, line %d column %d: invalid JSON (%s)"},
		"metrics.cfg.object":    {"考核规则文件 %s 应为一个 JSON 对象 {…}", "rules file %s must hold one JSON object {…}"},
		"metrics.cfg.empty":     {"考核规则文件 %s 是空的", "rules file %s is empty"},
		"metrics.cfg.type":      {"考核规则文件 %s：字段 %s 的类型不对（所填为 %s）", "rules file %s: field %s has the wrong type (found a %s)"},
		"metrics.cfg.unknown":   {"考核规则文件 %s：未知字段 %s", "rules file %s: unknown field %s"},
		"metrics.cfg.version":   {"考核规则文件 %s：字段 %s 应为 1（现为 %d）", "rules file %s: field %s must be 1 (found %d)"},
		"metrics.cfg.indicator": {"考核规则文件 %s：字段 %s：未知指标 %q", "rules file %s: field %s: unknown indicator %q"},
		"metrics.cfg.weight":    {"考核规则文件 %s：字段 %s 必须 ≥ 0（现为 %v）", "rules file %s: field %s must be ≥ 0 (found %v)"},
		"metrics.cfg.target":    {"考核规则文件 %s：字段 %s 必须 > 0（现为 %v）", "rules file %s: field %s must be > 0 (found %v)"},
		"metrics.cfg.notarget":  {"考核规则文件 %s：字段 %s 缺失：权重大于 0 的指标必须有目标值", "rules file %s: field %s is missing: an indicator with a weight must have a target"},
		"metrics.cfg.due":       {"考核规则文件 %s：字段 %s 应在 0 到 366 之间（现为 %d）", "rules file %s: field %s must be between 0 and 366 (found %d)"},
		"metrics.cfg.year":      {"考核规则文件 %s：字段 %s 不是有效年份（现为 %d）", "rules file %s: field %s is not a valid year (found %d)"},
		"metrics.cfg.msyear":    {"考核规则文件 %s：字段 %s 应在 1 到 50 之间（现为 %d）", "rules file %s: field %s must be between 1 and 50 (found %d)"},
		"metrics.cfg.msempty":   {"考核规则文件 %s：字段 %s 不能为空", "rules file %s: field %s must not be empty"},
	})
}
