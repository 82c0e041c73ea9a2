package metrics

import (
	"context"
	"fmt"
	"sort"

	"sgz"
	"sgz/store"
)

// Fair comparisons (同口径): a figure of a span compared with the same figure
// of an earlier span (较上期, 同比) is summed, in both spans, over the same
// districts — those that reported in both — so that a district missing from
// one side (太仓市 not yet reported) does not show as a fall of its whole
// figure. Rates are recomputed from the summed numerators and denominators,
// and their change is a difference of rates (个百分点), never a ratio.
//
// Over several quarters (a year in progress) the quarters are paired by
// position (2026Q1 with 2025Q1, …): a district counts with the pairs in
// which it reported on both sides; its stocks are taken at the latest such
// pair, its flows summed over those pairs.

// ComparedDistrict is a district of a comparison.
type ComparedDistrict struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Quarters int    `json:"quarters"` // quarters paired (reported on both sides)
}

// Change is one indicator compared: Value and Base summed over the same
// districts (ratios from the summed numerators and denominators), Change =
// Value − Base (a rate's change is in rate units: ×100 for 个百分点). nil
// where either side has nothing to sum.
type Change struct {
	Value           *float64 `json:"value"`
	Base            *float64 `json:"base"`
	Change          *float64 `json:"change"`
	Numerator       *float64 `json:"numerator,omitempty"`
	Denominator     *float64 `json:"denominator,omitempty"`
	BaseNumerator   *float64 `json:"base_numerator,omitempty"`
	BaseDenominator *float64 `json:"base_denominator,omitempty"`
}

// Comparison is a span compared with a base span over the districts of a
// unit that reported in both.
type Comparison struct {
	UnitCode  string             `json:"unit_code"` // "" for every district
	Span      sgz.Span           `json:"-"`
	BaseSpan  sgz.Span           `json:"-"`
	Period    string             `json:"period"`
	Base      string             `json:"base_period"`
	Districts []ComparedDistrict `json:"districts"`   // the same scope, by code
	NotBase   []ComparedDistrict `json:"not_in_base"` // reported in the span, not in the base
	NotSpan   []ComparedDistrict `json:"not_in_period"`
	// Partial: districts paired over fewer quarters than the span has.
	Partial    []ComparedDistrict `json:"partial,omitempty"`
	Indicators map[string]*Change `json:"indicators"` // by indicator id (not reporting_rate)
}

// Names are the names of the districts compared.
func (c *Comparison) Names() []string {
	out := make([]string, len(c.Districts))
	for i, d := range c.Districts {
		out[i] = d.Name
	}
	return out
}

// Of is the comparison of an indicator (an empty Change when none).
func (c *Comparison) Of(id string) Change {
	if c == nil || c.Indicators[id] == nil {
		return Change{}
	}
	return *c.Indicators[id]
}

// ShiftSpan is s moved q quarters earlier.
func ShiftSpan(s sgz.Span, q int) sgz.Span {
	return sgz.Span{From: sgz.PeriodOfIndex(s.From.Index() - q), To: sgz.PeriodOfIndex(s.To.Index() - q)}
}

// PrevSpan is the span of the same length just before s (较上期).
func PrevSpan(s sgz.Span) sgz.Span { return ShiftSpan(s, s.Len()) }

// YearEarlier is the same quarters a year earlier (同比).
func YearEarlier(s sgz.Span) sgz.Span { return ShiftSpan(s, 4) }

// ToDate is a span cut at the latest quarter with data when that quarter
// falls inside it (a year in progress: 2026 with Q1–Q3 reported is
// 2026Q1–2026Q3, 年初至今); s otherwise.
func ToDate(s sgz.Span, latest sgz.Period) sgz.Span {
	if s.Len() > 1 && latest.Valid() && latest.Index() >= s.From.Index() && latest.Index() < s.To.Index() {
		return sgz.Span{From: s.From, To: latest}
	}
	return s
}

// stockFacts are the fact columns that are stocks (at a quarter's end); the
// others (money, training) are flows, summed over quarters.
var stockFacts = map[string]bool{"towns": true, "built": true, "standard": true, "staffed": true, "cert": true,
	"staff": true, "villages": true, "rooms": true, "fund_units": true, "funded": true, "certified": true,
	"certified_pop": true, "population": true}

// Compare compares span with base (of the same length) over the districts
// of unit (a district, a city or a province code; "" or CountryCode for
// all) that reported in both.
func Compare(ctx context.Context, db *store.DB, cfg *Config, unit string, span, base sgz.Span) (*Comparison, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if span.Len() != base.Len() {
		return nil, fmt.Errorf("compare %s with %s: spans of different lengths", span, base)
	}
	in, err := DistrictsOf(ctx, db, unit, span.To)
	if err != nil {
		return nil, err
	}
	cur, err := Trend(ctx, db, span.From, span.To, sgz.District, cfg)
	if err != nil {
		return nil, err
	}
	prev, err := Trend(ctx, db, base.From, base.To, sgz.District, cfg)
	if err != nil {
		return nil, err
	}
	return CompareValues(unit, in, span, base, cur, prev)
}

// CompareValues is Compare over district values already computed: cur and
// prev hold each quarter's district values of span and base (Trend, or
// Compute of each quarter alone), in holds the districts of unit (nil: all).
func CompareValues(unit string, in map[string]bool, span, base sgz.Span, curVals, prevVals []Value) (*Comparison, error) {
	if span.Len() != base.Len() {
		return nil, fmt.Errorf("compare %s with %s: spans of different lengths", span, base)
	}
	series := func(s sgz.Span, vals []Value) (map[string][]map[string]Value, map[string]string) {
		// by district: per quarter offset, the values by indicator (nil map: not reported)
		out := map[string][]map[string]Value{}
		names := map[string]string{}
		for _, v := range vals {
			if v.Level != sgz.District || in != nil && !in[v.UnitCode] {
				continue
			}
			p, err := sgz.ParsePeriod(v.Period)
			if err != nil {
				continue
			}
			k := p.Index() - s.From.Index()
			if k < 0 || k >= s.Len() {
				continue
			}
			qs := out[v.UnitCode]
			if qs == nil {
				qs = make([]map[string]Value, s.Len())
				out[v.UnitCode] = qs
			}
			names[v.UnitCode] = v.UnitName
			if v.Completeness.DistrictsReported == 0 {
				continue
			}
			if qs[k] == nil {
				qs[k] = map[string]Value{}
			}
			qs[k][v.Indicator] = v
		}
		return out, names
	}
	cur, names := series(span, curVals)
	prev, bnames := series(base, prevVals)
	for k, v := range bnames {
		if names[k] == "" {
			names[k] = v
		}
	}
	c := &Comparison{UnitCode: unit, Span: span, BaseSpan: base, Period: span.String(), Base: base.String(),
		Indicators: map[string]*Change{}}
	reportedIn := func(qs []map[string]Value) bool {
		for _, q := range qs {
			if q != nil {
				return true
			}
		}
		return false
	}
	var codes []string
	for code := range names {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	type pick struct {
		code  string
		pairs []int // offsets reported on both sides
	}
	var picks []pick
	for _, code := range codes {
		a, b := cur[code], prev[code]
		var pairs []int
		for k := 0; k < span.Len(); k++ {
			if k < len(a) && k < len(b) && a[k] != nil && b[k] != nil {
				pairs = append(pairs, k)
			}
		}
		d := ComparedDistrict{Code: code, Name: names[code], Quarters: len(pairs)}
		switch {
		case len(pairs) > 0:
			c.Districts = append(c.Districts, d)
			if len(pairs) < span.Len() {
				c.Partial = append(c.Partial, d)
			}
			picks = append(picks, pick{code, pairs})
		case reportedIn(a):
			c.NotBase = append(c.NotBase, d)
		case reportedIn(b):
			c.NotSpan = append(c.NotSpan, d)
		}
	}
	if len(picks) == 0 {
		return c, nil
	}
	// part reads a fact of one side of a district: a stock at the latest
	// pair, a flow summed over the pairs; ok false when missing.
	part := func(qs []map[string]Value, pairs []int, ind Indicator, which string) (float64, bool) {
		col := ind.Num
		if which == "den" {
			col = ind.Den
		}
		get := func(v Value) *float64 {
			switch {
			case !ind.IsRatio:
				return v.Value
			case which == "den":
				return v.Denominator
			}
			return v.Numerator
		}
		if stockFacts[col] {
			x := get(qs[pairs[len(pairs)-1]][ind.ID])
			if x == nil {
				return 0, false
			}
			return *x, true
		}
		s := 0.0
		for _, k := range pairs {
			x := get(qs[k][ind.ID])
			if x == nil {
				return 0, false
			}
			s += *x
		}
		return s, true
	}
	for _, ind := range Indicators {
		if ind.Kind == ReportingKind || !ind.AppliesTo(sgz.District) {
			continue
		}
		var n, d, bn, bd float64
		used := 0
		for _, p := range picks {
			a, b := cur[p.code], prev[p.code]
			x, ok1 := part(a, p.pairs, ind, "num")
			y, ok2 := part(b, p.pairs, ind, "num")
			if !ok1 || !ok2 {
				continue
			}
			var xd, yd float64
			if ind.IsRatio {
				var ok3, ok4 bool
				xd, ok3 = part(a, p.pairs, ind, "den")
				yd, ok4 = part(b, p.pairs, ind, "den")
				if !ok3 || !ok4 {
					continue
				}
			}
			n, bn, d, bd = n+x, bn+y, d+xd, bd+yd
			used++
		}
		if used == 0 {
			c.Indicators[ind.ID] = &Change{}
			continue
		}
		ch := &Change{}
		if ind.IsRatio {
			ch.Numerator, ch.Denominator, ch.BaseNumerator, ch.BaseDenominator = f64(n), f64(d), f64(bn), f64(bd)
			if d != 0 {
				ch.Value = f64(n / d * ind.Scale)
			}
			if bd != 0 {
				ch.Base = f64(bn / bd * ind.Scale)
			}
		} else {
			ch.Value, ch.Base = f64(n), f64(bn)
		}
		if ch.Value != nil && ch.Base != nil {
			ch.Change = f64(*ch.Value - *ch.Base)
		}
		c.Indicators[ind.ID] = ch
	}
	return c, nil
}

func f64(x float64) *float64 { return &x }

// DistrictsOf is the set of district codes within unit (a district, city
// or province code) in the registry in force at p (nil: every district).
func DistrictsOf(ctx context.Context, db *store.DB, unit string, p sgz.Period) (map[string]bool, error) {
	if unit == "" || unit == CountryCode {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT code FROM registry_at(?) WHERE level = 'district'
		AND (code = ? OR city_code = ? OR province_code = ? OR parent_code = ?)`, p.String(), unit, unit, unit, unit)
	if err != nil {
		return nil, fmt.Errorf("compare: districts of %s: %w", unit, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[c] = true
	}
	return out, rows.Err()
}
