package dashboard

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

// headlineOf is metrics.HeadlineFor of unit ("" for the city) over sp,
// memoized: the same figures as GET /api/v1/headline. A district's or a
// city's is looked up in every district's (city's) headline of the span,
// computed in one pass (metrics.Headlines, memoized per span): on the
// national database each district's own computation cost 1–3 s, and 32
// viewers of 64 districts queued behind the two heavy slots (p95 59 s).
// Its answer when there is no such figure (a registry of several cities, as
// the whole country's, or an unknown unit: a locale.Error) is memoized too,
// until the next write: finding it out computes every city, which on the
// national database took 3–6 s on every overview request.
func (s *Server) headlineOf(ctx context.Context, sp sgz.Span, unit string) (*metrics.Headline, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	if unit = strings.TrimSpace(unit); unit != "" {
		for _, l := range []sgz.Level{sgz.District, sgz.City} {
			all, err := s.headlinesOf(ctx, sp, l)
			if err != nil {
				return nil, err
			}
			if h := all[unit]; h != nil {
				return h, nil
			}
		}
	}
	r, err := memoize(s.calc, "HV|"+sp.String()+"|"+unit, func() (*headlineResult, error) {
		h, err := gated(s.calc, func() (*metrics.Headline, error) { return metrics.HeadlineFor(ctx, s.db, sp, unit, s.opt.Config) })
		if le := (*locale.Error)(nil); errors.As(err, &le) {
			return &headlineResult{err: err}, nil
		}
		if err != nil {
			return nil, err
		}
		return &headlineResult{h: h}, nil
	})
	if err != nil {
		return nil, err
	}
	return r.h, r.err
}

// headlinesOf is every district's (or city's) headline of sp, by code
// (metrics.Headlines), memoized. The headlines are shared: read them only.
func (s *Server) headlinesOf(ctx context.Context, sp sgz.Span, l sgz.Level) (map[string]*metrics.Headline, error) {
	return memoize(s.calc, "HA|"+sp.String()+"|"+string(l), func() (map[string]*metrics.Headline, error) {
		return gated(s.calc, func() (map[string]*metrics.Headline, error) { return metrics.Headlines(ctx, s.db, sp, l, s.opt.Config) })
	})
}

// headlineResult is a headline or the user's error that stands for it.
type headlineResult struct {
	h   *metrics.Headline
	err error
}

// forecastsAt is metrics.Forecasts of the city and its districts at p,
// memoized: the rows of GET /api/v1/forecast.
func (s *Server) forecastsAt(ctx context.Context, p sgz.Period) ([]metrics.Forecast, error) {
	return memoize(s.calc, "FV|"+p.String(), func() ([]metrics.Forecast, error) {
		return gated(s.calc, func() ([]metrics.Forecast, error) {
			return metrics.Forecasts(ctx, s.db, p, []sgz.Level{sgz.City, sgz.District}, 0, s.opt.Config)
		})
	})
}

// hlFigure is one figure of the 五强 panel: what the headline API gives,
// formatted as the pages format, and where it comes from.
type hlFigure struct {
	Key   string // the headline API's field of the main value (data-key)
	Label string
	Value string
	Sub   string // coverage, share, …; "" when none
	Href  string // the indicator page, else the headline API
}

// hlRow is one row of the 人才队伍 or 服务项目 table.
type hlRow struct {
	Key, Label  string
	Value       string
	Demo, Extra string
}

// panel is the 五强 headline panel of the overview (metrics.Headline).
type panel struct {
	Title    string
	Figures  []hlFigure
	Workers  []hlRow // 人才队伍 by level
	Projects []hlRow // 服务项目 by domain
	ProjTot  hlRow
	Big      bool // the big screen: the figures only
}

func buildPanel(l locale.Lang, h *metrics.Headline, sp sgz.Span, unit string, big bool) *panel {
	q := url.Values{"period": {sp.String()}}
	if unit != "" {
		q.Set("unit", unit)
	}
	api := "/api/v1/headline?" + q.Encode()
	ind := func(id string) string { return "/indicator/" + id + "?period=" + url.QueryEscape(sp.String()) }
	num := func(v *float64) string { return fmtNum(v) }
	wan := func(v *float64) string { return inLang(l, fmtWan(v)) }
	p := &panel{Title: locale.T(l, "ov.hl.title", h.UnitName, sp.String()), Big: big}
	add := func(key, label, value, sub, href string) {
		p.Figures = append(p.Figures, hlFigure{key, locale.T(l, label), value, sub, href})
	}
	add("stations_built", "ov.hl.stations", num(h.StationsBuilt)+" / "+num(h.TownsInScope),
		locale.T(l, "ov.hl.coverage", fmtPct(h.StationCoverage)), ind("station_coverage"))
	add("rooms_built", "ov.hl.rooms", num(h.RoomsBuilt)+" / "+num(h.VillagesInScope),
		locale.T(l, "ov.hl.coverage", fmtPct(h.RoomCoverage)), ind("room_coverage"))
	add("charity_fund_towns", "ov.hl.funds", num(h.CharityFundTowns)+" / "+num(h.CharityFundVillages), locale.T(l, "ov.hl.funds.sub"), api)
	share := ""
	if h.CertifiedProvinceShare != nil {
		share = locale.T(l, "ov.hl.share", fmtPct(h.CertifiedProvinceShare))
	}
	add("certified_total", "ov.hl.certified", num(h.CertifiedTotal), share, ind("certified_total"))
	add("organisations", "ov.hl.orgs", num(h.Organisations)+" / "+num(h.OrgStaff), locale.T(l, "ov.hl.orgs.sub"), api)
	add("supervisors", "ov.hl.supervisors", num(h.Supervisors), "", api)
	add("gov_funding", "ov.hl.gov", wan(h.GovFunding), "", ind("gov_funding"))
	add("charity_funding", "ov.hl.charity", wan(h.CharityFunding), "", ind("charity_funding"))
	add("training_participants", "ov.hl.training", num(h.TrainingParticipants), "", ind("training_participants"))
	for _, w := range []struct {
		key, label string
		v          *float64
	}{{"certified_assistant", "ov.hl.assistant", h.CertifiedAssistant}, {"certified_intermediate", "ov.hl.intermediate", h.CertifiedIntermediate},
		{"certified_senior", "ov.hl.senior", h.CertifiedSenior}, {"supervisors", "ov.hl.supervisors", h.Supervisors}} {
		p.Workers = append(p.Workers, hlRow{Key: w.key, Label: locale.T(l, w.label), Value: num(w.v)})
	}
	for _, d := range h.Projects {
		name := d.Domain
		if name == "" {
			name = locale.T(l, "ov.hl.nodomain")
		}
		n, demo, served := float64(d.Projects), float64(d.Demonstration), float64(d.Served)
		p.Projects = append(p.Projects, hlRow{Key: d.Domain, Label: name, Value: num(&n), Demo: num(&demo), Extra: num(&served)})
	}
	n, demo, served := float64(h.ProjectsTotal), float64(h.ProjectsDemonstration), float64(h.ProjectsServed)
	p.ProjTot = hlRow{Key: "projects_total", Label: locale.T(l, "ov.hl.projtotal"), Value: num(&n), Demo: num(&demo), Extra: num(&served)}
	return p
}

// riskRow is one forecast of the at-risk list, as pages show it.
type riskRow struct {
	UnitCode, UnitName string
	District           bool
	Indicator, Name    string
	Milestone          string
	Latest, LatestAt   string
	Text               string
}

// riskRows are the at-risk forecasts (metrics.AtRisk) of unit ("" for all).
func riskRows(l locale.Lang, fs []metrics.Forecast, unit string) []riskRow {
	if unit != "" { // the unit's own first: AtRisk copies and sorts what it is given
		var own []metrics.Forecast
		for i := range fs {
			if fs[i].UnitCode == unit {
				own = append(own, fs[i])
			}
		}
		fs = own
	}
	var out []riskRow
	for _, f := range metrics.AtRisk(fs) {
		ms := f.Milestone
		if l == locale.EN {
			ms = f.MilestoneEn
		}
		out = append(out, riskRow{UnitCode: f.UnitCode, UnitName: f.UnitName, District: f.Level == sgz.District,
			Indicator: f.Indicator, Name: indName(l, f.Indicator), Milestone: ms + " · " + locale.T(l, "ind.deadline", f.Deadline),
			Latest: fmtPct(f.Latest), LatestAt: f.LatestAt, Text: f.Text(l)})
	}
	return out
}
