// Package metrics computes the assessment indicators of the social work
// stations (考核指标) from the accepted returns and the master registry, rolls
// them up town → district → city (→ province → country), scores and ranks the
// districts, and tracks reporting timeliness and the plan's milestones.
//
// Every indicator is defined once, in the table Indicators below: its names,
// formula, kind, unit, default target and weight, the sheets it is read from,
// and the SQL columns of its numerator and denominator. Values are computed in
// DuckDB (compute.go); Go only reshapes the rows.
//
// The API the dashboards call:
//
//	Compute(ctx, db, span, level, cfg)        values per (unit, indicator) for a period
//	ComputeLevels(ctx, db, span, levels, cfg) the same for several levels in one query
//	Trend(ctx, db, from, to, level, cfg, codes...) values per quarter
//	Assess(ctx, db, span, cfg)                the assessment table (scores, ranks, returns used)
//	Reporting(ctx, db, span, cfg)             completeness and timeliness of the returns
//	MilestoneAt / Progress                    the milestone in force and the distance to it
//	LoadConfig / DefaultConfig                the evaluator's rules
package metrics

import "sgz/locale"

import "sgz"

// Kind says how an indicator behaves over a span of quarters.
type Kind string

const (
	// Stock: the value at a quarter's end; over a span, the district's latest
	// quarter with a return.
	Stock Kind = "stock"
	// Flow: what happened during a quarter; over a span, the sum of the quarters.
	Flow Kind = "flow"
	// Reporting: about the returns themselves (on-time district-quarters).
	ReportingKind Kind = "reporting"
)

// Unit is how a value is measured and formatted.
type Unit string

const (
	Rate    Unit = "rate"    // a fraction 0..1, shown as a percentage
	Count   Unit = "count"   // a number of people or units
	WanYuan Unit = "万元"      // money, in 10,000 yuan
	Hours   Unit = "hours"   // person-hours or hours per person
	Ratio   Unit = "ratio"   // a plain ratio (e.g. 1.35)
	Per10k  Unit = "per_10k" // per 10,000 inhabitants
)

// Text is a sentence in Chinese and English.
type Text struct{ Zh, En string }

// Indicator is one row of the definitions table.
type Indicator struct {
	ID      string
	Name    Text
	Formula Text
	Kind    Kind
	Unit    Unit
	// DefaultTarget is the target per year (flows) or at any time (stocks and
	// rates); 0 means the indicator has no target and cannot be scored.
	DefaultTarget float64
	DefaultWeight float64
	Sources       []string // sheets of the return (or the registry) it is read from
	// IsRatio: value = Num / Den × Scale, with Num and Den shown; otherwise
	// value = Num and numerator/denominator are not shown.
	IsRatio bool
	Scale   float64
	// Num and Den name the columns of the unit facts (compute.go).
	Num, Den string
	// TownLevel: also computed for towns (indicators read from the district's
	// totals, training or the reporting log have no town value).
	TownLevel bool
	// Measure names what a count counts (人, 人次) where the unit alone
	// would not say it; UnitText gives it, else the unit's name.
	Measure Text
}

// UnitText is the unit an indicator's value is in, as pages and exports
// label it: 人 for certified workers, 人次 for training participants, 万元 …
func (ind Indicator) UnitText() Text {
	if ind.Measure.Zh != "" {
		return ind.Measure
	}
	return ind.Unit.Text()
}

// Indicators is THE definition of every indicator (shared/spec/indicators.md),
// in display order.
var Indicators = []Indicator{
	{ID: "station_coverage", Name: Text{"乡镇(街道)社工站覆盖率", "Town station coverage"},
		Formula: Text{"已建成社工站的纳入考核乡镇(街道)数 ÷ 名录中纳入考核的乡镇(街道)数", "in-scope towns with a built station ÷ in-scope towns in the registry"},
		Kind:    Stock, Unit: Rate, DefaultTarget: 1, DefaultWeight: 25, Sources: []string{"乡镇街道社工站", "区划名录"},
		IsRatio: true, Scale: 1, Num: "built", Den: "towns", TownLevel: true},
	{ID: "room_coverage", Name: Text{"村(社区)社工室覆盖率", "Village room coverage"},
		Formula: Text{"已建成社工室的纳入考核村(社区)数 ÷ 名录中纳入考核的村(社区)数", "in-scope villages with a built room ÷ in-scope villages in the registry"},
		Kind:    Stock, Unit: Rate, DefaultTarget: 1, DefaultWeight: 20, Sources: []string{"村社区社工室", "区划名录"},
		IsRatio: true, Scale: 1, Num: "rooms", Den: "villages", TownLevel: true},
	{ID: "station_standard_rate", Name: Text{"社工站规范化率", "Station standardisation rate"},
		Formula: Text{"达到规范化标准的已建社工站数 ÷ 已建社工站数", "built stations meeting the standard ÷ built stations"},
		Kind:    Stock, Unit: Rate, DefaultTarget: 1, DefaultWeight: 15, Sources: []string{"乡镇街道社工站"},
		IsRatio: true, Scale: 1, Num: "standard", Den: "built", TownLevel: true},
	{ID: "resident_staffing_rate", Name: Text{"驻站社工配备达标率", "Resident staffing rate"},
		Formula: Text{"驻站社工人数 ≥ 3 的已建社工站数 ÷ 已建社工站数", "built stations with at least 3 resident social workers ÷ built stations"},
		Kind:    Stock, Unit: Rate, DefaultTarget: 1, DefaultWeight: 10, Sources: []string{"乡镇街道社工站"},
		IsRatio: true, Scale: 1, Num: "staffed", Den: "built", TownLevel: true},
	{ID: "certified_share", Name: Text{"站点持证社工占比", "Certified share of station workers"},
		Formula: Text{"已建社工站的(持证驻站 + 持证外派) ÷ (驻站 + 外派)", "(certified resident + certified outreach) ÷ (resident + outreach), over built stations"},
		Kind:    Stock, Unit: Rate, DefaultTarget: 0.6, DefaultWeight: 10, Sources: []string{"乡镇街道社工站"},
		IsRatio: true, Scale: 1, Num: "cert", Den: "staff", TownLevel: true},
	{ID: "certified_total", Name: Text{"持证社工总数", "Certified social workers"},
		Formula: Text{"人才队伍表的持证社工总数", "持证社工总数 of the workforce sheet"},
		Kind:    Stock, Unit: Count, Sources: []string{"人才队伍"}, Measure: Text{"人", "persons"},
		Num: "certified"},
	{ID: "certified_per_10k", Name: Text{"每万人持证社工数", "Certified social workers per 10,000 inhabitants"},
		Formula: Text{"持证社工总数 ÷ 常住人口 × 10,000（仅计名录中有人口数的区县）", "certified social workers ÷ population × 10,000 (districts whose population is in the registry)"},
		Kind:    Stock, Unit: Per10k, Sources: []string{"人才队伍", "区划名录"},
		IsRatio: true, Scale: 10000, Num: "certified_pop", Den: "population"},
	{ID: "charity_fund_rate", Name: Text{"社区慈善基金设立率", "Community charity fund rate"},
		Formula: Text{"设立社区慈善基金的纳入考核乡镇(街道)和村(社区)数 ÷ 纳入考核的乡镇(街道)和村(社区)数", "in-scope towns and villages with a community charity fund ÷ in-scope towns and villages"},
		Kind:    Stock, Unit: Rate, DefaultTarget: 1, DefaultWeight: 5, Sources: []string{"乡镇街道社工站", "村社区社工室", "区划名录"},
		IsRatio: true, Scale: 1, Num: "funded", Den: "fund_units", TownLevel: true},
	{ID: "fund_leverage", Name: Text{"慈善资金撬动比", "Charity fund leverage"},
		Formula: Text{"(社区慈善基金 + 社会捐赠) ÷ 政府购买服务（资金投入表，期内合计）", "(community charity fund + donations) ÷ government purchase of services (funds sheet, summed over the period)"},
		Kind:    Flow, Unit: Ratio, DefaultTarget: 1, DefaultWeight: 5, Sources: []string{"资金投入"},
		IsRatio: true, Scale: 1, Num: "charity", Den: "gov", TownLevel: true},
	{ID: "gov_funding", Name: Text{"政府购买服务资金(万元)", "Government purchase of services (10k yuan)"},
		Formula: Text{"资金投入表中政府购买服务金额之和", "sum of 政府购买服务 in the funds sheet"},
		Kind:    Flow, Unit: WanYuan, Sources: []string{"资金投入"},
		Num: "gov", TownLevel: true},
	{ID: "charity_funding", Name: Text{"慈善资金募集(万元)", "Charity funds raised (10k yuan)"},
		Formula: Text{"资金投入表中社区慈善基金与社会捐赠金额之和", "sum of 社区慈善基金 and 社会捐赠 in the funds sheet"},
		Kind:    Flow, Unit: WanYuan, Sources: []string{"资金投入"},
		Num: "charity", TownLevel: true},
	{ID: "training_participants", Name: Text{"培训人次", "Training participants"},
		Formula: Text{"培训表参训人次之和", "sum of 参训人次 in the training sheet"},
		Kind:    Flow, Unit: Count, Sources: []string{"培训"}, Measure: Text{"人次", "participations"},
		Num: "tpart"},
	{ID: "training_hours", Name: Text{"培训总学时(人·学时)", "Training person-hours"},
		Formula: Text{"培训表 学时 × 参训人次 之和", "sum of 学时 × 参训人次 in the training sheet"},
		Kind:    Flow, Unit: Hours, Sources: []string{"培训"},
		Num: "thours"},
	{ID: "training_hours_per_worker", Name: Text{"人均培训学时", "Training hours per station worker"},
		Formula: Text{"培训总学时 ÷ 期末已建社工站的(驻站 + 外派)社工人数", "training person-hours ÷ (resident + outreach workers of built stations at the period's end)"},
		Kind:    Flow, Unit: Hours, DefaultTarget: 24, DefaultWeight: 10, Sources: []string{"培训", "乡镇街道社工站"},
		IsRatio: true, Scale: 1, Num: "thours", Den: "staff"},
	{ID: "reporting_rate", Name: Text{"报表按时上报率", "On-time reporting rate"},
		Formula: Text{"按时上报的区县·季度数 ÷ 应报区县·季度数（按时：该季度首份被接收的报表在截止日前收到，且当前有有效报表）", "district-quarters reported on time ÷ district-quarters expected (on time: the first accepted return of the quarter arrived by the due date and a return counts now)"},
		Kind:    ReportingKind, Unit: Rate, DefaultTarget: 1, DefaultWeight: 0, Sources: []string{"报表接收记录", "区划名录"},
		IsRatio: true, Scale: 1, Num: "ontime", Den: "expected_q"},
}

var byID = func() map[string]int {
	m := map[string]int{}
	for i, ind := range Indicators {
		m[ind.ID] = i
	}
	return m
}()

// Lookup finds an indicator by id.
func Lookup(id string) (Indicator, bool) {
	i, ok := byID[id]
	if !ok {
		return Indicator{}, false
	}
	return Indicators[i], true
}

// AppliesTo reports whether the indicator has a value at level l.
func (ind Indicator) AppliesTo(l sgz.Level) bool {
	if l == sgz.Town {
		return ind.TownLevel
	}
	return l != sgz.Village
}

// TargetFor scales a target to a span: flow targets are per year, so a
// quarter gets a quarter of it; stock and rate targets are unchanged.
func (ind Indicator) TargetFor(target float64, span sgz.Span) float64 {
	// A yearly target of an amount (hours per worker) is a quarter of it per
	// quarter; a ratio of two flows (fund leverage) has the same scale over
	// any span, so its target is not divided.
	if ind.Kind == Flow && ind.Unit != Ratio {
		return target * float64(span.Len()) / 4
	}
	return target
}

// KindText and UnitText name kinds and units for the definitions sheet.
func (k Kind) Text() Text {
	switch k {
	case Stock:
		return Text{"存量（取期内最近有报表的季度）", "stock (latest quarter with a return)"}
	case Flow:
		return Text{"流量（期内各季度之和）", "flow (sum of the quarters)"}
	}
	return Text{"报送", "reporting"}
}

func (u Unit) Text() Text {
	switch u {
	case Rate:
		return Text{"比率(%)", "rate (%)"}
	case Count:
		return Text{"数量", "count"}
	case WanYuan:
		return Text{"万元", "10k yuan"}
	case Hours:
		return Text{"学时", "hours"}
	case Ratio:
		return Text{"比值", "ratio"}
	case Per10k:
		return Text{"人/万人", "per 10,000"}
	}
	return Text{string(u), string(u)}
}

// IndicatorName is the indicator's name in l (its id when unknown).
func IndicatorName(l locale.Lang, id string) string {
	ind, ok := Lookup(id)
	if !ok {
		return id
	}
	if l == locale.EN {
		return ind.Name.En
	}
	return ind.Name.Zh
}
