package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
	"sgz/review"
)

// headlineIDs are the overview's figures, in order.
var headlineIDs = []string{"station_coverage", "room_coverage", "station_standard_rate", "certified_total",
	"gov_funding", "charity_funding", "training_participants", "training_hours"}

// headline is one figure of the overview.
type headline struct {
	ID, Name string
	Comp     string // completeness, where it is not whole
	Value    *float64
	Deltas   []cardDelta // 较上期, 同比: fair comparisons (metrics.Compare)
	Num, Den *float64
	MS       *metrics.MilestoneStatus
	MSText   string // metrics.MilestoneStatus.Text: the one milestone sentence
}

// cardDelta is one comparison on a card: 较上期(2026Q2) +3, its scope in a tooltip.
type cardDelta struct {
	Kind, Label, Title string
	Delta              *float64
}

func (s *Server) headlines(c *gin.Context, sp sgz.Span, u *unitRow, cmps []*cmpView) []headline {
	l := lang(c)
	var out []headline
	for _, id := range headlineIDs {
		if _, ok := metrics.Lookup(id); !ok || u == nil {
			continue
		}
		v := u.Val(id)
		h := headline{ID: id, Name: indName(l, id), Value: v.Value, Num: v.Numerator, Den: v.Denominator,
			Comp: s.compText(c.Request.Context(), l, sp, v)}
		for _, cv := range cmps {
			title := cv.Scope
			if cv.Names != "" {
				title += locale.T(l, "map.gapsep") + cv.Names
			}
			h.Deltas = append(h.Deltas, cardDelta{Kind: cv.Kind, Label: locale.T(l, "cmp.card."+cv.Kind, cv.Base), Title: title, Delta: cv.Delta(id)})
		}
		if ms, ok := metrics.Progress(s.opt.Config, v, sp.To); ok {
			h.MS = &ms
			h.MSText = ms.Text(l)
		}
		out = append(out, h)
	}
	return out
}

// compText is a rolled-up value's completeness as pages show it, where it is
// not whole ("9 / 10 个区县；昆山市取 2026Q2"; metrics.CompletenessText), ""
// when every expected unit contributed from the same quarter.
func (s *Server) compText(ctx context.Context, l locale.Lang, sp sgz.Span, v metrics.Value) string {
	if v.Whole() && !v.AsOfMixed {
		return ""
	}
	return metrics.CompletenessText(l, v, s.children(ctx, sp, v))
}

// children are the district values of v's indicator (to name the districts
// whose stock is from an earlier quarter); nil unless v is mixed.
func (s *Server) children(ctx context.Context, sp sgz.Span, v metrics.Value) []metrics.Value {
	if !v.AsOfMixed || v.Level == sgz.District || v.Level == sgz.Town {
		return nil
	}
	dt, err := s.calc.level(ctx, sp, sgz.District)
	if err != nil {
		return nil
	}
	var out []metrics.Value
	for _, u := range dt.Units {
		if x, ok := u.Lookup(v.Indicator); ok && (v.Level != sgz.City || x.ParentCode == v.UnitCode) {
			out = append(out, x)
		}
	}
	return out
}

// trendQuarters: the quarters with data up to sp.To (at most 12).
func (s *Server) trendQuarters(ctx context.Context, sp sgz.Span) []sgz.Period {
	ps, _ := s.calc.periods(ctx)
	var out []sgz.Period
	for _, p := range ps {
		if p.Index() <= sp.To.Index() {
			out = append(out, p)
		}
	}
	if len(out) > 12 {
		out = out[len(out)-12:]
	}
	if len(out) == 0 {
		out = []sgz.Period{sp.To}
	}
	return out
}

type overviewData struct {
	Top       string
	Comp      string // "10 / 10 个区县；相城区取 2026Q2" (stocks), "；流量 …" (flows over several quarters)
	Whole     bool
	Headlines []headline
	Reported  int
	Districts int
	Ranking   []metrics.DistrictAssessment
	SpanLabel string     // 年初至今（2026Q1-2026Q3）: a year in progress
	Compare   []*cmpView // 较上期, 同比 with their scope
	Missing   string     // the districts due that have not reported (未报送), named
	Remind    bool       // the 催报 list may be opened
	More      int        // districts in all, when only the top of the ranking is shown
	Panel     *panel     // the 五强 headline figures (metrics.HeadlineFor); nil without a city
	Risk      []riskRow  // the at-risk forecasts (metrics.AtRisk)
}

func (s *Server) overview(c *gin.Context) {
	if c.Query("screen") == "big" { // the big screen has a layout of its own
		c.Redirect(http.StatusFound, bigLink(c.Request.URL.Query()))
		return
	}
	sp, ok := s.span(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	l := lang(c)
	top, err := s.calc.top(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	d := &overviewData{Remind: may(user(c), "GET", "/reminders")}
	if top != nil {
		eff, cmps, err := s.comparisons(ctx, l, sp, top.Code)
		if err != nil {
			s.internal(c, err)
			return
		}
		d.Compare, d.SpanLabel = cmps, spanLabel(l, sp, eff)
	}
	d.Headlines = s.headlines(c, sp, top, d.Compare)
	if top != nil {
		d.Top, d.Reported, d.Districts = top.Name, top.Comp.DistrictsReported, top.Comp.DistrictsExpected
		st, fl := top.Val("station_coverage"), top.Val("gov_funding")
		d.Comp = metrics.ReportedText(l, st, s.children(ctx, sp, st))
		d.Whole = st.Whole() && !st.AsOfMixed || st.Reported == 0
		if fl.PerQuarter && st.Reported > 0 {
			d.Comp += locale.T(l, "ov.flows", metrics.CompletenessText(l, fl, nil))
			d.Whole = d.Whole && fl.Whole()
		}
	}
	// Coverage by district (by city when there are too many districts).
	level, t, err := s.chartLevel(c, sp, 60)
	if err != nil {
		s.internal(c, err)
		return
	}
	charts := map[string]any{}
	var xs, gaps, missing []string
	st, rm := series{Name: indName(l, "station_coverage")}, series{Name: indName(l, "room_coverage")}
	for _, u := range t.Units {
		xs = append(xs, u.Name)
		gaps = append(gaps, unreportedText(l, u))
		st.Values = append(st.Values, u.val("station_coverage"))
		rm.Values = append(rm.Values, u.val("room_coverage"))
		if level == sgz.District && u.Comp.DistrictsReported == 0 && u.Comp.DistrictsExpected > 0 {
			missing = append(missing, u.Name)
		}
	}
	target, _ := s.opt.Config.Target("station_coverage", sp)
	title := locale.T(l, "ov.coverage."+string(level))
	charts["coverage"] = barChartGaps(l, title, "station_coverage", xs, []series{st, rm}, &target, gaps)
	d.Missing = strings.Join(missing, locale.T(l, "map.namesep"))
	// Trend by quarter.
	ids := []string{"station_coverage", "room_coverage", "station_standard_rate"}
	qx, trend, err := s.trendSeries(c, sp, top, ids)
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["trend"] = lineChart(l, locale.T(l, "ov.trend"), "station_coverage", qx, trend)
	qx, funds, err := s.trendSeries(c, sp, top, []string{"gov_funding", "charity_funding"})
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["funds"] = barChart(l, locale.T(l, "ov.funds"), "gov_funding", qx, funds, nil)
	qx, training, err := s.trendSeries(c, sp, top, []string{"training_participants"})
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["training"] = barChart(l, locale.T(l, "ov.training"), "training_participants", qx, training, nil)
	a, err := s.calc.assess(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	if h, err := s.headlineOf(ctx, sp, ""); err == nil {
		d.Panel = buildPanel(l, h, sp, "", false)
	} else if le := (*locale.Error)(nil); !errors.As(err, &le) { // no city (several, or none): no panel
		s.internal(c, err)
		return
	}
	fs, err := s.forecastsAt(ctx, sp.To)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Risk = riskRows(l, fs, "")
	d.Ranking = a.Districts
	if len(d.Ranking) > 30 {
		d.Ranking, d.More = d.Ranking[:20], len(a.Districts)
	}
	s.render(c, "overview", "overview", locale.T(l, "nav.overview"), sp, d, charts)
}

// chartLevel is the lowest level (district, city, province) with at most max units.
func (s *Server) chartLevel(c *gin.Context, sp sgz.Span, max int) (sgz.Level, *table, error) {
	var t *table
	var err error
	for _, l := range []sgz.Level{sgz.District, sgz.City, sgz.Province} {
		t, err = s.calc.level(c.Request.Context(), sp, l)
		if err != nil || len(t.Units) <= max {
			return l, t, err
		}
	}
	return sgz.Province, t, nil
}

// trendSeries is the quarterly series of some indicators of one unit.
func (s *Server) trendSeries(c *gin.Context, sp sgz.Span, u *unitRow, ids []string) ([]string, []series, error) {
	l := lang(c)
	qs := s.trendQuarters(c.Request.Context(), sp)
	var qx []string
	for _, q := range qs {
		qx = append(qx, q.String())
	}
	out := make([]series, len(ids))
	for i, id := range ids {
		out[i].Name = indName(l, id)
		out[i].Values = make([]*float64, len(qs))
	}
	if u == nil {
		return qx, out, nil
	}
	level := u.Level
	if level == sgz.District {
		// From the district tables of each quarter, shared by every district page.
		for j, q := range qs {
			t, err := s.calc.level(c.Request.Context(), sgz.QuarterSpan(q), level)
			if err != nil {
				return nil, nil, err
			}
			for i, id := range ids {
				out[i].Values[j] = t.unit(u.Code).val(id)
			}
			// A quarter the district did not report says so under its point.
			if why := unreportedText(l, t.unit(u.Code)); why != "" && t.unit(u.Code) != nil {
				qx[j] = locale.T(l, "chart.gap", qx[j], why)
			}
		}
		return qx, out, nil
	}
	tr, err := s.calc.trend(c.Request.Context(), qs[0], qs[len(qs)-1], level, u.Code)
	if err != nil {
		return nil, nil, err
	}
	for i, id := range ids {
		for _, v := range tr[u.Code][id] {
			p, err := sgz.ParsePeriod(v.Period)
			if err != nil {
				continue
			}
			j := p.Index() - qs[0].Index()
			if j >= 0 && j < len(qs) {
				out[i].Values[j] = v.Value
				// A quarter resting on part of the area says so under its bar or point.
				if i == 0 && v.Reported > 0 && v.Reported < v.Expected {
					qx[j] = locale.T(l, "chart.partial", qx[j], v.Reported, v.Expected)
				}
			}
		}
	}
	return qx, out, nil
}

// failWith answers a user's error (a locale.Error) with code and its
// message, and anything else as an internal error.
func (s *Server) failWith(c *gin.Context, code int, err error) {
	var le *locale.Error
	if errors.As(err, &le) {
		s.fail(c, code, le.Key, le.Args...)
		return
	}
	s.internal(c, err)
}

func (s *Server) internal(c *gin.Context, err error) {
	s.log.Error("dashboard", "path", c.Request.URL.Path, "err", err)
	s.fail(c, http.StatusInternalServerError, "dash.internal")
}

// ---- assessment ----

type assessData struct {
	Indicators []metrics.Indicator
	Names      map[string]string
	Weights    map[string]float64
	Rows       []assessRow
	Config     string
	ConfigSHA  string
	Period     string
	Evaluator  bool
	Closed     *review.Closure // the period is closed: the page shows the assessment recorded then
	Flash      string
}

type assessRow struct {
	metrics.DistrictAssessment
	Note    string // completeness where not whole: 取 2026Q2 (stock from an earlier quarter), 3 / 4 个区县·季度
	Vals    map[string]*float64
	Scores  map[string]float64
	Missing map[string]bool
	Pending bool // rests on a return pending review (待审核)
}

func assessRows(l locale.Lang, a *metrics.Assessment) []assessRow {
	out := make([]assessRow, len(a.Districts))
	latest := ""
	for _, d := range a.Districts {
		latest = max(latest, d.AsOf)
	}
	for i, d := range a.Districts {
		r := assessRow{DistrictAssessment: d, Vals: map[string]*float64{}, Scores: map[string]float64{}, Missing: map[string]bool{}}
		var notes []string
		if d.AsOf != "" && d.AsOf < latest {
			notes = append(notes, locale.T(l, "val.asof", d.AsOf))
		}
		if c := d.Completeness; a.Span.Len() > 1 && c.QuartersReported > 0 && c.QuartersReported < c.QuartersExpected {
			notes = append(notes, metrics.CountText(l, c.QuartersReported, c.QuartersExpected, true))
		}
		r.Note = strings.Join(notes, locale.T(l, "metrics.comp.sep"))
		for _, v := range d.Values {
			r.Vals[v.Indicator] = v.Value
		}
		for _, sc := range d.Scores {
			r.Scores[sc.Indicator] = sc.Score
			r.Missing[sc.Indicator] = sc.Missing
		}
		out[i] = r
	}
	return out
}

func (s *Server) assessment(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	a, err := s.calc.assess(c.Request.Context(), sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	// The rules are the assessment's own: a closed period keeps those it was closed with.
	d := &assessData{Rows: assessRows(l, a), Names: map[string]string{}, Weights: map[string]float64{}, Config: a.Config.Name, ConfigSHA: a.ConfigSHA256[:12],
		Period: sp.String(), Evaluator: s.isEvaluator(c)}
	for _, id := range a.Scored {
		ind, _ := metrics.Lookup(id)
		d.Indicators = append(d.Indicators, ind)
		d.Names[ind.ID] = indName(l, ind.ID)
		d.Weights[ind.ID] = a.Config.Rule(ind.ID).Weight
	}
	// Districts resting on a return still pending review are marked 待审核.
	pending := map[string]bool{}
	for _, r := range a.Returns {
		if r.Review == review.Pending {
			pending[r.DistrictCode] = true
		}
	}
	for i := range d.Rows {
		d.Rows[i].Pending = pending[d.Rows[i].UnitCode]
	}
	if d.Closed, err = review.ClosedSpan(c.Request.Context(), s.db, sp); err != nil {
		s.internal(c, err)
		return
	}
	if id, err := strconv.ParseInt(c.Query("done"), 10, 64); err == nil && (c.Query("what") == "close" || c.Query("what") == "reopen") {
		d.Flash = locale.T(l, "asmt.done."+c.Query("what"), id)
	}
	s.render(c, "assessment", "assessment", locale.T(l, "nav.assessment"), sp, d, nil)
}
