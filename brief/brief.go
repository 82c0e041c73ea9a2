// Package brief writes the quarterly briefing (工作简报) the bureau sends
// upward: a Word document with the headline figures and fair comparisons, one
// section per area of the programme, the best and lagging districts, the
// districts at risk of missing the plan's milestones and a note on the data.
//
// Every number comes from package metrics — HeadlineFor (the headline API),
// Compute, Assess, Forecasts, Reporting — the computations behind the pages;
// this package only chooses, compares and words them.
package brief

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
	"sgz/store"
)

// Options say what to write.
type Options struct {
	Span   sgz.Span
	AsOf   time.Time // the briefing's date; district-quarters not yet due then are not "missing" (default now)
	Lang   locale.Lang
	Config *metrics.Config
}

// Compare is a fair comparison: the same districts (those that reported in
// both spans) summed in both.
type Compare struct {
	Base      sgz.Span
	Districts int      // reported in both
	Names     []string // their names
	Cur, Prev map[string]*float64
	Metrics   *metrics.Comparison // the comparison behind it
}

// Report is everything the briefing says, before wording.
type Report struct {
	Span      sgz.Span // as asked
	Effective sgz.Span // a year in progress: up to the latest quarter with a return (年初至今)
	AsOf      time.Time
	Headline  *metrics.Headline
	Standard  *float64 // the city's station_standard_rate
	Prev      *Compare // 较上期 (a quarter) — nil for longer spans
	YoY       *Compare // 同比: the same quarters a year earlier
	Ranked    []metrics.DistrictAssessment
	Unranked  []string // districts with no return: 未报送, not ranked
	Forecasts []metrics.Forecast
	AtRisk    []metrics.Forecast
	Late      []metrics.ReportRow // reported after the due day
	Missing   []metrics.ReportRow // due by AsOf and not reported (or sent back)
	Config    *metrics.Config
}

// Gather computes the report.
func Gather(ctx context.Context, db *store.DB, opt Options) (*Report, error) {
	cfg := opt.Config
	if cfg == nil {
		cfg = metrics.DefaultConfig()
	}
	asOf := opt.AsOf
	if asOf.IsZero() {
		asOf = time.Now().In(sgz.Beijing)
	}
	r := &Report{Span: opt.Span, Effective: opt.Span, AsOf: asOf, Config: cfg}
	h, err := metrics.HeadlineFor(ctx, db, opt.Span, "", cfg)
	if err != nil {
		return nil, err
	}
	r.Headline = h
	// A span running past its data (the year in progress): compare the
	// quarters that have data with the same quarters a year earlier.
	if last, err := sgz.ParsePeriod(h.AsOf); err == nil {
		r.Effective = metrics.ToDate(opt.Span, last)
	}
	cur, err := metrics.ComputeLevels(ctx, db, r.Effective, []sgz.Level{sgz.City, sgz.District}, cfg)
	if err != nil {
		return nil, err
	}
	for _, v := range cur {
		if v.Level == sgz.City && v.UnitCode == h.UnitCode && v.Indicator == "station_standard_rate" {
			r.Standard = v.Value
		}
	}
	if r.Effective.Len() == 1 {
		if r.Prev, err = compare(ctx, db, cfg, h.UnitCode, r.Effective, metrics.PrevSpan(r.Effective)); err != nil {
			return nil, err
		}
	}
	if r.YoY, err = compare(ctx, db, cfg, h.UnitCode, r.Effective, metrics.YearEarlier(r.Effective)); err != nil {
		return nil, err
	}
	as, err := metrics.Assess(ctx, db, opt.Span, cfg)
	if err != nil {
		return nil, err
	}
	for _, d := range as.Districts {
		if d.Completeness.DistrictsReported > 0 {
			r.Ranked = append(r.Ranked, d)
		} else {
			r.Unranked = append(r.Unranked, d.UnitName)
		}
	}
	if r.Forecasts, err = metrics.Forecasts(ctx, db, r.Effective.To, []sgz.Level{sgz.City, sgz.District}, 0, cfg); err != nil {
		return nil, err
	}
	r.AtRisk = metrics.AtRisk(r.Forecasts)
	rep, err := metrics.Reporting(ctx, db, opt.Span, cfg)
	if err != nil {
		return nil, err
	}
	for _, row := range rep.Rows {
		p, err := sgz.ParsePeriod(row.Period)
		if err != nil {
			continue
		}
		switch row.Status {
		case metrics.Late:
			r.Late = append(r.Late, row)
		case metrics.Missing, metrics.SentBack:
			if !cfg.DueBy(p).After(asOf) { // due by the briefing's date
				r.Missing = append(r.Missing, row)
			}
		}
	}
	return r, nil
}

// The figures compared, from metrics.Compare: the numerator or denominator
// of a rate, or the value of a count.
var compared = []struct{ key, ind, part string }{
	{"stations_built", "station_coverage", "num"}, {"towns_in_scope", "station_coverage", "den"},
	{"station_coverage", "station_coverage", "val"},
	{"rooms_built", "room_coverage", "num"}, {"villages_in_scope", "room_coverage", "den"},
	{"room_coverage", "room_coverage", "val"},
	{"certified_total", "certified_total", "val"},
	{"gov_funding", "gov_funding", "val"}, {"charity_funding", "charity_funding", "val"},
	{"training_participants", "training_participants", "val"},
}

// compare is metrics.Compare (the pages' computation: the districts of unit
// that reported in both spans, rates from summed numerators and
// denominators), keyed by the headline's fields.
func compare(ctx context.Context, db *store.DB, cfg *metrics.Config, unit string, cur, base sgz.Span) (*Compare, error) {
	mc, err := metrics.Compare(ctx, db, cfg, unit, cur, base)
	if err != nil {
		return nil, err
	}
	c := &Compare{Base: base, Districts: len(mc.Districts), Names: mc.Names(), Cur: map[string]*float64{}, Prev: map[string]*float64{}, Metrics: mc}
	sort.Strings(c.Names)
	if c.Districts == 0 {
		return c, nil
	}
	for _, f := range compared {
		ch := mc.Of(f.ind)
		switch f.part {
		case "num":
			c.Cur[f.key], c.Prev[f.key] = ch.Numerator, ch.BaseNumerator
		case "den":
			c.Cur[f.key], c.Prev[f.key] = ch.Denominator, ch.BaseDenominator
		default:
			c.Cur[f.key], c.Prev[f.key] = ch.Value, ch.Base
		}
	}
	return c, nil
}

// ---- numbers as a Chinese civil servant writes them ----

// Count formats a whole number: 18,000.
func Count(v float64) string { return metrics.Group(metrics.Fixed(v, 0)) }

// Wan formats money in 万元 with one decimal: 4,700.0.
func Wan(v float64) string { return metrics.Group(metrics.Fixed(v, 1)) }

// Pct formats a rate as a percentage with one decimal: 93.8%.
func Pct(v float64) string { return metrics.Fixed(v*100, 1) + "%" }

// Points formats a change of a rate in percentage points: +2.1 个百分点.
func Points(lang locale.Lang, d float64) string {
	return locale.T(lang, "brief.points", signed(metrics.Fixed(d*100, 1)))
}

func signed(s string) string {
	if strings.HasPrefix(s, "-") {
		return "−" + s[1:]
	}
	if strings.Trim(s, "0.") == "" {
		return "±0" + strings.TrimLeft(s, "0")
	}
	return "+" + s
}

// Write gathers and writes the briefing as .docx to w.
func Write(ctx context.Context, db *store.DB, opt Options, w io.Writer) (*Report, error) {
	r, err := Gather(ctx, db, opt)
	if err != nil {
		return nil, err
	}
	lang := opt.Lang
	if lang == "" {
		lang = locale.ZH
	}
	d := r.Document(lang)
	return r, d.WriteDocx(w)
}
