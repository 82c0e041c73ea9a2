package dashboard

// Fair comparisons on the pages (较上期, 同比): metrics.Compare, the same
// computation as the briefing — summed over the districts that reported in
// both periods, rates from the summed numerators and denominators — each
// saying its scope ("同口径：9 个区县", the names in a tooltip). A year in
// progress is 年初至今 and compared with the same quarters a year earlier.

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

// districtsIn is metrics.DistrictsOf answered from the registry kept in
// memory (registry.DistrictsIn): the query scanned the national snapshot's
// units on each district's first page, 25 ms each.
func (c *calc) districtsIn(ctx context.Context, unit string, p sgz.Period) (map[string]bool, error) {
	if unit == "" || unit == metrics.CountryCode {
		return nil, nil
	}
	reg, err := c.regs.For(ctx, p)
	if err != nil {
		return nil, err
	}
	if reg == nil {
		return map[string]bool{}, nil
	}
	return reg.DistrictsIn(unit), nil
}

// compareByUnit: up to this many districts, a comparison takes their rows
// by unit (a district's first page took 11 ms walking the national rows of
// six quarters); more (a province, the country) walk the rows.
var compareByUnit = 64

// compare is metrics.Compare, cached like every number of the pages, and
// computed from the cached district table of each quarter (shared with the
// trends and the district pages; Server.Warm computes them).
func (c *calc) compare(ctx context.Context, unit string, span, base sgz.Span) (*metrics.Comparison, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	_, ref := c.cfgAt(ctx)
	return memoize(c, ref+"C|"+unit+"|"+span.String()+"|"+base.String(), func() (*metrics.Comparison, error) {
		in, err := c.districtsIn(ctx, unit, span.To)
		if err != nil {
			return nil, err
		}
		// Only the values of the districts compared: a district's page
		// must not copy the country's table (2,978 districts × the
		// indicators × the quarters) for each of its cold requests.
		quarters := func(s sgz.Span) ([]metrics.Value, error) {
			var out []metrics.Value
			for _, q := range s.Quarters() {
				t, err := c.level(ctx, sgz.QuarterSpan(q), sgz.District)
				if err != nil {
					return nil, err
				}
				if in == nil {
					out = append(out, t.Raw...)
					continue
				}
				if len(in) <= compareByUnit { // a district, a city: its units' rows, not a walk over the country's
					for code := range in {
						if u := t.unit(code); u != nil {
							out = append(out, u.Vals...)
						}
					}
					continue
				}
				for i := range t.Raw {
					if in[t.Raw[i].UnitCode] {
						out = append(out, t.Raw[i])
					}
				}
			}
			return out, nil
		}
		cur, err := quarters(span)
		if err != nil {
			return nil, err
		}
		prev, err := quarters(base)
		if err != nil {
			return nil, err
		}
		return metrics.CompareValues(unit, in, span, base, cur, prev)
	})
}

// effective is sp cut at the latest quarter with a return (a year in
// progress: 年初至今, metrics.ToDate).
func (s *Server) effective(ctx context.Context, sp sgz.Span) sgz.Span {
	ps, _ := s.calc.periods(ctx)
	var last sgz.Period
	for _, p := range ps {
		if p.Index() <= sp.To.Index() {
			last = p
		}
	}
	return metrics.ToDate(sp, last)
}

// cmpView is one comparison as a page shows it.
type cmpView struct {
	Kind  string // prev | yoy
	Label string // 较上期 / 同比
	Base  string // the base span: 2026Q2, 2025Q1-2025Q3
	Scope string // 较上期（2026Q2）同口径：9 个区县 — or that nothing compares
	Names string // the districts compared (a tooltip)
	Left  string // 不计入：太仓市（本期未报送）
	Note  string // Scope with Left
	C     *metrics.Comparison
}

// Delta is the change of an indicator (nil when it cannot be compared).
func (v *cmpView) Delta(id string) *float64 {
	if v == nil || v.C == nil {
		return nil
	}
	return v.C.Of(id).Change
}

// comparisons are the comparisons of the effective span of sp for unit: 较上期
// for a quarter, and 同比 (the same quarters a year earlier) always.
func (s *Server) comparisons(ctx context.Context, l locale.Lang, sp sgz.Span, unit string) (eff sgz.Span, out []*cmpView, err error) {
	eff = s.effective(ctx, sp)
	type want struct {
		kind string
		base sgz.Span
	}
	var ws []want
	if sp.Len() == 1 {
		ws = append(ws, want{"prev", metrics.PrevSpan(eff)})
	}
	ws = append(ws, want{"yoy", metrics.YearEarlier(eff)})
	for _, w := range ws {
		c, err := s.calc.compare(ctx, unit, eff, w.base)
		if err != nil {
			return eff, nil, err
		}
		out = append(out, cmpViewOf(l, w.kind, c))
	}
	return eff, out, nil
}

func cmpViewOf(l locale.Lang, kind string, c *metrics.Comparison) *cmpView {
	v := &cmpView{Kind: kind, Label: locale.T(l, "cmp."+kind), Base: c.Base, C: c}
	sep := locale.T(l, "map.namesep")
	if len(c.Districts) == 0 {
		v.Scope = locale.T(l, "cmp.none", v.Label, c.Base)
	} else {
		v.Scope = locale.T(l, "cmp.scope", v.Label, c.Base, len(c.Districts))
		v.Names = strings.Join(c.Names(), sep)
	}
	if len(c.Districts) == 0 { // nothing compares: no list of who is left out
		v.Note = v.Scope
		return v
	}
	var left []string
	names := func(ds []metrics.ComparedDistrict) string {
		var n []string
		for _, d := range ds {
			n = append(n, d.Name)
		}
		return strings.Join(n, sep)
	}
	if len(c.NotSpan) > 0 {
		left = append(left, locale.T(l, "cmp.left.span", names(c.NotSpan)))
	}
	if len(c.NotBase) > 0 {
		left = append(left, locale.T(l, "cmp.left.base."+kind, names(c.NotBase)))
	}
	if len(c.Partial) > 0 {
		var p []string
		for _, d := range c.Partial {
			p = append(p, locale.T(l, "cmp.partial", d.Name, d.Quarters))
		}
		left = append(left, strings.Join(p, sep))
	}
	v.Left = strings.Join(left, locale.T(l, "metrics.comp.sep"))
	v.Note = v.Scope
	if v.Left != "" {
		v.Note = locale.T(l, "cmp.withleft", v.Scope, v.Left)
	}
	return v
}

// spanLabel names the span the figures are of: 年初至今（2026Q1-2026Q3） for a
// year in progress, "" otherwise.
func spanLabel(l locale.Lang, asked, eff sgz.Span) string {
	if eff != asked {
		return locale.T(l, "cmp.ytd", eff.String())
	}
	return ""
}

// districtDelta is a district's change for an indicator in one comparison:
// the number, or why there is none (本期未报送, 上期未报送).
type districtDelta struct {
	Delta *float64
	Why   string
}

func districtDeltaOf(l locale.Lang, v *cmpView, id string) districtDelta {
	if v == nil || v.C == nil {
		return districtDelta{}
	}
	switch {
	case len(v.C.Districts) > 0:
		return districtDelta{Delta: v.C.Of(id).Change}
	case len(v.C.NotBase) > 0:
		return districtDelta{Why: locale.T(l, "cmp.notbase."+v.Kind)}
	}
	return districtDelta{Why: locale.T(l, "val.notyet")}
}

// unreportedText is 未报送 for a unit that sent no return though one was due,
// 未到期 when none was due yet, "" when it reported.
func unreportedText(l locale.Lang, u *unitRow) string {
	switch {
	case u == nil || u.Comp.DistrictsReported > 0:
		return ""
	case u.Comp.DistrictsExpected == 0:
		return locale.T(l, "val.notdue")
	}
	return locale.T(l, "val.notyet")
}

// compareJSON is GET /api/v1/compare's answer.
type compareJSON struct {
	Period      string            `json:"period"`           // as asked
	Effective   string            `json:"effective_period"` // a year in progress: up to its latest quarter with a return
	Comparisons []compareJSONItem `json:"comparisons"`
}

type compareJSONItem struct {
	Kind  string `json:"kind"` // prev (较上期, a quarter only) | yoy (同比)
	Scope string `json:"scope"`
	*metrics.Comparison
}

// GET /api/v1/compare?period=P[&unit=CODE]: the fair comparisons the pages
// show (metrics.Compare) for the top unit (default) or a city or district.
func (s *Server) apiCompare(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	l := lang(c)
	unit := c.Query("unit")
	if unit == "" {
		top, err := s.calc.top(ctx, sp)
		if err != nil {
			s.internal(c, err)
			return
		}
		if top != nil {
			unit = top.Code
		}
	} else if unit != metrics.CountryCode {
		reg, err := s.regs.For(ctx, sp.To)
		if err != nil {
			s.internal(c, err)
			return
		}
		if reg == nil {
			s.fail(c, http.StatusNotFound, "cmp.badunit", unit)
			return
		}
		if _, found := reg.Unit(unit); !found {
			s.fail(c, http.StatusNotFound, "cmp.badunit", unit)
			return
		}
	}
	eff, cmps, err := s.comparisons(ctx, l, sp, unit)
	if err != nil {
		s.internal(c, err)
		return
	}
	out := compareJSON{Period: sp.String(), Effective: eff.String()}
	for _, cv := range cmps {
		out.Comparisons = append(out.Comparisons, compareJSONItem{Kind: cv.Kind, Scope: cv.Note, Comparison: cv.C})
	}
	c.JSON(http.StatusOK, out)
}
