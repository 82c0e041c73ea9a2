package dashboard

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"sgz/locale"
	"sgz/metrics"
)

// The big screen (大屏): what a leaders' meeting room shows on a 1920×1080
// projector, without scrolling and without navigation: the 五强 headline
// strip, the map, the district ranking, the trend, the milestones with the
// at-risk forecasts, refreshed every Options.RefreshSeconds; with
// ?rotate=20s it cycles a highlight through the districts (app.js).
//
// Every figure is the overview's own: the same headline (metrics.HeadlineFor),
// the same assessment, map and trend computations, the same formats.

// bigRiskRows is how many at-risk forecasts the big screen lists (the rest
// are counted: "另有 N 项").
const bigRiskRows = 4

// bigRanking is how many districts the ranking (and the rotation) shows: a
// registry of many cities shows its first 20.
const bigRanking = 20

type bigData struct {
	Heading        string   // 苏州市社工站点建设 · 2026Q3
	Reported       string   // 已报送 9 / 10 个区县
	Unreported     []string // the districts without a return for the span (未报送), the first 5
	UnreportedMore bool     // more than 5
	AsOf           string   // the reference date
	Panel          *panel
	Milestones     []bigMilestone
	Risk           []riskRow
	RiskMore       int
	Spots          []bigSpot // the districts the rotation cycles through
	Rotate         int       // seconds per district; 0: no rotation
	Geo            bool      // the map draws the boundary map (fetches /api/v1/geojson)
}

// bigMilestone is one milestone line: the indicator and its progress
// (metrics.MilestoneStatus.Text), State for its colour.
type bigMilestone struct {
	Name, Text, State string
}

// bigSpot is one district of the rotation: its rank and main figures.
type bigSpot struct {
	Code, Name string
	Index      int    // its row in the ranking chart
	Rank       string // "第 3 名", or 未报送 / 未到期
	Reported   bool
	Lines      []hlRow // Label and Value
}

// parseRotate reads ?rotate=: "20s", "20" (seconds) or "1m"; 0 when absent.
// Between 5 seconds and 10 minutes.
func parseRotate(q string) (int, bool) {
	q = strings.TrimSpace(strings.ToLower(q))
	if q == "" || q == "0" || q == "off" {
		return 0, true
	}
	mult := 1
	switch {
	case strings.HasSuffix(q, "s"):
		q = strings.TrimSuffix(q, "s")
	case strings.HasSuffix(q, "m"):
		q, mult = strings.TrimSuffix(q, "m"), 60
	}
	n, err := strconv.Atoi(q)
	if err != nil || n*mult < 5 || n*mult > 600 {
		return 0, false
	}
	return n * mult, true
}

// GET /big: the big screen.
func (s *Server) bigScreen(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	rot, ok := parseRotate(c.Query("rotate"))
	if !ok {
		s.fail(c, http.StatusBadRequest, "big.badrotate", c.Query("rotate"))
		return
	}
	ctx := c.Request.Context()
	l := lang(c)
	top, err := s.calc.top(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	a, err := s.calc.assess(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	cfg, _ := s.calc.cfgAt(ctx)
	d := &bigData{Rotate: rot, AsOf: cfg.RefDay()}
	name := ""
	if top != nil {
		name = top.Name
		d.Reported = locale.T(l, "big.reported", top.Comp.DistrictsReported, top.Comp.DistrictsExpected)
	}
	d.Heading = locale.T(l, "big.heading", name, sp.String())
	if h, err := s.headlineOf(ctx, sp, ""); err == nil {
		d.Panel = buildPanel(l, h, sp, "", true)
	} else if le := (*locale.Error)(nil); !errors.As(err, &le) { // no city (several, or none): no strip
		s.internal(c, err)
		return
	}
	// The milestones of the city: 两年全覆盖、三年全规范.
	for _, id := range []string{"station_coverage", "room_coverage", "station_standard_rate"} {
		if top == nil {
			break
		}
		if ms, ok := metrics.Progress(s.opt.Config, top.Val(id), sp.To); ok {
			d.Milestones = append(d.Milestones, bigMilestone{Name: indName(l, id), Text: ms.Text(l), State: ms.State})
		}
	}
	fs, err := s.forecastsAt(ctx, sp.To)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Risk = riskRows(l, fs, "")
	if len(d.Risk) > bigRiskRows {
		d.Risk, d.RiskMore = d.Risk[:bigRiskRows], len(d.Risk)-bigRiskRows
	}
	// The ranking, and the districts of the rotation in its order.
	var names []string
	var totals []opts.BarData
	for i, x := range a.Districts {
		if !x.Reported && len(d.Unreported) < 5 { // the count is in Reported
			d.Unreported = append(d.Unreported, x.UnitName)
		} else if !x.Reported {
			d.UnreportedMore = true
		}
		if i >= bigRanking {
			continue
		}
		spot := bigSpot{Code: x.UnitCode, Name: x.UnitName, Index: i, Reported: x.Reported, Rank: x.RankText(l)}
		label := x.UnitName
		if x.Reported {
			spot.Rank = locale.T(l, "big.rank", x.Rank, metrics.Fixed(x.Total, 2))
			// The label as the pages write the score (two decimals: 83.80).
			totals = append(totals, opts.BarData{Value: metrics.Round(x.Total, 2), Label: &opts.Label{Show: opts.Bool(true), Formatter: metrics.Fixed(x.Total, 2)}})
		} else {
			label += locale.T(l, "big.unreported", x.RankText(l))
			totals = append(totals, opts.BarData{})
		}
		names = append(names, label)
		for _, id := range []string{"station_coverage", "room_coverage", "station_standard_rate", "certified_total"} {
			v, _ := x.Value(id)
			val := inLang(l, fmtValue(id, v.Value))
			if v.Value == nil {
				val = x.RankText(l)
			}
			spot.Lines = append(spot.Lines, hlRow{Key: id, Label: indName(l, id), Value: val})
		}
		d.Spots = append(d.Spots, spot)
	}
	charts := map[string]any{"ranking": rankingChart(l, names, totals)}
	qx, trend, err := s.trendSeries(c, sp, top, []string{"station_coverage", "room_coverage", "station_standard_rate"})
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["trend"] = lineChart(l, locale.T(l, "ov.trend"), "station_coverage", qx, trend)
	mp, geoMap, err := s.mapChart(c, sp, "station_coverage")
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["map"], d.Geo = mp, geoMap
	s.render(c, "big", "/big", locale.T(l, "nav.big"), sp, d, charts)
}

// rankingChart is the districts' total scores as horizontal bars, the first
// at the top; a district without a return has no bar and says why in its
// label (未报送, 未到期).
func rankingChart(l locale.Lang, names []string, totals []opts.BarData) map[string]any {
	bar := charts.NewBar()
	bar.SetGlobalOptions(initOpts(), toolbox(l),
		charts.WithTitleOpts(opts.Title{Title: locale.T(l, "ov.ranking")}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithGridOpts(opts.Grid{Left: "2%", Right: "9%", Top: "12%", Bottom: "3%", ContainLabel: opts.Bool(true)}),
	)
	bar.SetXAxis(names).XYReversal()
	bar.AddSeries(locale.T(l, "col.total"), totals, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right"}))
	bar.Validate()
	return bar.JSON()
}

// bigLink is the big screen's address for the overview's ?screen=big: the
// same period, reference date and language.
func bigLink(q url.Values) string {
	out := url.Values{}
	for _, k := range []string{"period", "as_of", "lang", "rotate"} {
		if v := q.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	if e := out.Encode(); e != "" {
		return "/big?" + e
	}
	return "/big"
}
