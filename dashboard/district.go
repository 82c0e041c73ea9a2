package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

// townRow is one town of a district page.
type townRow struct {
	Code, Name  string
	InScope     bool
	Reported    bool
	Station     bool
	Standard    bool
	Operator    string // from the return: untrusted text
	WrittenName string // the name as the return wrote it
	Villages    int
	Rooms       int
	NoRoom      []string // in-scope villages without a room
	Value       *float64 // station coverage of the town (0 or 1)
}

type compareRow struct {
	ID, Name       string
	District, City *float64
	// DistrictWhy, CityWhy: why a value is missing where a dash would not
	// say it (名录未提供人口); "" otherwise.
	DistrictWhy, CityWhy string
	Target               *float64
	Num, Den             *float64
	Deltas               []districtDelta // the district's own 较上期, 同比 (metrics.Compare), or why none
}

type districtData struct {
	Code, Name string
	AsOf       string
	Return     *returnInfo
	Towns      []townRow
	Compare    []compareRow
	Returns    []returnInfo
	Warnings   []issueRow
	Score      *metrics.DistrictAssessment
	TopName    string
	TopComp    string     // completeness of the whole area's values, where not whole
	Reported   bool       // a return counts for the span
	Due        bool       // some quarter of the span is due (else 未到期)
	Risk       []riskRow  // the district's at-risk forecasts (metrics.AtRisk)
	Panel      *panel     // the district's headline figures (metrics.HeadlineFor)
	Unreported string     // 未报送 / 未到期 when no return counts
	SpanLabel  string     // 年初至今（…）: a year in progress
	Cmps       []*cmpView // 较上期, 同比 of the district itself
}

func (s *Server) district(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	ctx := c.Request.Context()
	code := c.Param("code")
	dt, err := s.calc.level(ctx, sp, sgz.District)
	if err != nil {
		s.internal(c, err)
		return
	}
	u := dt.unit(code)
	if u == nil {
		s.fail(c, http.StatusNotFound, "dash.nodistrict", code)
		return
	}
	top, err := s.calc.top(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	d := &districtData{Code: code, Name: u.Name, AsOf: u.AsOf, Reported: u.Comp.DistrictsReported > 0, Due: u.Comp.DistrictsExpected > 0,
		Unreported: unreportedText(l, u)}
	eff, cmps, err := s.comparisons(ctx, l, sp, code)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Cmps, d.SpanLabel = cmps, spanLabel(l, sp, eff)
	if top != nil {
		d.TopName = top.Name
		d.TopComp = s.compText(ctx, l, sp, top.Val("station_coverage"))
	}
	for _, ind := range metrics.Indicators {
		if !ind.AppliesTo(sgz.District) {
			continue
		}
		v := u.Val(ind.ID)
		r := compareRow{ID: ind.ID, Name: indName(l, ind.ID), District: v.Value, City: top.val(ind.ID), Num: v.Numerator, Den: v.Denominator,
			DistrictWhy: noValueWhy(l, v)}
		if top != nil {
			r.CityWhy = noValueWhy(l, top.Val(ind.ID))
		}
		if t, ok := s.opt.Config.Target(ind.ID, sp); ok {
			r.Target = ptr(t)
		}
		for _, cv := range cmps {
			r.Deltas = append(r.Deltas, districtDeltaOf(l, cv, ind.ID))
		}
		d.Compare = append(d.Compare, r)
	}
	if a, err := s.calc.assess(ctx, sp); err == nil {
		for i := range a.Districts {
			if a.Districts[i].UnitCode == code {
				d.Score = &a.Districts[i]
			}
		}
	}
	// The return in use, its towns and villages, the district's returns.
	dr, err := s.districtReturns(ctx, l, sp, code, u.AsOf)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Return, d.Warnings, d.Towns, d.Returns = dr.Return, dr.Warnings, dr.Towns, dr.Returns
	fs, err := s.forecastsAt(ctx, sp.To)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Risk = riskRows(l, fs, code)
	if h, err := s.headlineOf(ctx, sp, code); err == nil {
		d.Panel = buildPanel(l, h, sp, code, false)
	} else if le := (*locale.Error)(nil); !errors.As(err, &le) { // not a district of one city: no panel
		s.internal(c, err)
		return
	}
	charts := map[string]any{}
	// District against the whole area, for the rates.
	var xs []string
	ds, cs := series{Name: u.Name}, series{Name: d.TopName}
	for _, r := range d.Compare {
		ind, _ := metrics.Lookup(r.ID)
		if ind.Unit != metrics.Rate {
			continue
		}
		xs = append(xs, r.Name)
		ds.Values = append(ds.Values, r.District)
		cs.Values = append(cs.Values, r.City)
	}
	charts["compare"] = barChart(l, locale.T(l, "dist.vs"), "station_coverage", xs, []series{ds, cs}, nil)
	qx, trend, err := s.trendSeries(c, sp, u, []string{"station_coverage", "room_coverage", "station_standard_rate", "charity_fund_rate"})
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["trend"] = lineChart(l, locale.T(l, "dist.trend"), "station_coverage", qx, trend)
	s.render(c, "district", "overview", locale.T(l, "dist.title", u.Name), sp, d, charts)
}

// districtReturn is what a district page reads of the returns: the return
// in use for the span (as of its quarter asOf), its warnings, the towns with
// what it says of each, and the district's returns of the last 8 quarters.
type districtReturn struct {
	Return   *returnInfo
	Warnings []issueRow
	Towns    []townRow
	Returns  []returnInfo
}

// districtReturns reads a district page's returns once per database
// generation (memoGen), from the returns of the last 8 quarters read for
// every district at once (returnsBook): on the national database the
// queries behind them (current_returns and the review state, over every
// return) took 30–50 ms for each district's first page, queued behind each
// other when many viewers open different districts.
func (s *Server) districtReturns(ctx context.Context, l locale.Lang, sp sgz.Span, code, asOf string) (*districtReturn, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	return memoGen(s.calc, "DR|"+sp.String()+"|"+code+"|"+asOf+"|"+string(l), func() (*districtReturn, error) {
		book, err := s.returnsBook(ctx, sp.To)
		if err != nil {
			return nil, err
		}
		d := &districtReturn{Returns: book.by[code]}
		if len(d.Returns) > 100 {
			d.Returns = d.Returns[:100]
		}
		if asOf != "" {
			if r, ok := book.current[code+"|"+asOf]; ok {
				d.Return = &r
			} else if !book.quarters[asOf] { // older than the book: asked alone
				var id int64
				err := s.db.QueryRowContext(ctx, `SELECT return_id FROM current_returns WHERE district_code = ? AND period = ?`, code, asOf).Scan(&id)
				if err != nil && err != sql.ErrNoRows {
					return nil, err
				}
				if id != 0 {
					if d.Return, err = s.returnByID(ctx, id); err != nil {
						return nil, err
					}
				}
			}
			if d.Return != nil && d.Return.Warnings > 0 { // return_issues holds warning_count warnings
				if _, d.Warnings, err = s.issues(ctx, l, d.Return.ID); err != nil {
					return nil, err
				}
			}
		}
		if d.Towns, err = s.townRows(ctx, sp, code, d.Return); err != nil {
			return nil, err
		}
		return d, nil
	})
}

// townRows lists the district's towns from the registry, with what the
// return in use says about each (nothing when there is none).
func (s *Server) townRows(ctx context.Context, sp sgz.Span, district string, r *returnInfo) ([]townRow, error) {
	reg, err := s.regs.For(ctx, sp.To)
	if err != nil || reg == nil {
		return nil, err
	}
	var out []townRow
	idx := map[string]int{}
	for _, t := range reg.Within(district, sgz.Town) {
		tr := townRow{Code: t.Code, Name: t.Name, InScope: t.InScope}
		for _, v := range reg.Children(t.Code) {
			if v.InScope {
				tr.Villages++
			}
		}
		idx[t.Code] = len(out)
		out = append(out, tr)
	}
	if r == nil {
		return out, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT town_code, coalesce(town_name, ''), built, standard, coalesce(operator, '') FROM stations WHERE return_id = ?`, r.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code, name, op string
		var built, std bool
		if err := rows.Scan(&code, &name, &built, &std, &op); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := idx[code]; ok {
			t := &out[i]
			t.Reported, t.Station, t.Standard, t.Operator = true, built, std, op
			if name != t.Name {
				t.WrittenName = name
			}
		}
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT village_code, built FROM rooms WHERE return_id = ?`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var built bool
		if err := rows.Scan(&code, &built); err != nil {
			return nil, err
		}
		v, ok := reg.Unit(code)
		if !ok || !v.InScope {
			continue
		}
		i, ok := idx[v.Parent]
		if !ok {
			continue
		}
		if built {
			out[i].Rooms++
		} else {
			out[i].NoRoom = append(out[i].NoRoom, v.Name)
		}
	}
	return out, rows.Err()
}

// ---- indicator pages ----

type behindRow struct {
	Code, Name string
	AsOf       string // the quarter of a stock value, when not the span's last
	Comp       string // a district's flow over several quarters: "3 / 4 个区县·季度" when not whole
	Value      *float64
	Why        string // why Value is missing, where a dash would not say it
	Num, Den   *float64
	Returns    []metrics.ReturnUsed
	Unreported string // 未报送 / 未到期: no return counts
}

type indicatorData struct {
	Ind       metrics.Indicator
	Name      string
	Formula   string
	Kind      string
	Unit      string
	Sources   string
	Anchor    string
	Target    *float64
	Weight    float64
	Milestone *metrics.Milestone
	Deadline  string
	Top       *unitRow
	TopValue  metrics.Value
	TopWhy    string // why TopValue is missing, where a dash would not say it
	TopComp   string // the top value's completeness (always shown here)
	Rows      []behindRow
	ConfigSHA string
	// ConfigName names the rules (考核规则) cited with ConfigSHA.
	ConfigName string
}

// sheetAnchor: where on a return page an indicator's rows are.
var sheetAnchor = map[string]string{"乡镇街道社工站": "stations", "村社区社工室": "rooms", "资金投入": "funds", "培训": "trainings", "人才队伍": "workforce"}

func (s *Server) indicator(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	ctx := c.Request.Context()
	ind, found := metrics.Lookup(c.Param("id"))
	if !found {
		s.fail(c, http.StatusNotFound, "dash.noindicator", c.Param("id"))
		return
	}
	d := &indicatorData{Ind: ind, Name: indName(l, ind.ID), Formula: tx(l, ind.Formula), Kind: tx(l, ind.Kind.Text()), Unit: tx(l, ind.UnitText()),
		Sources: strings.Join(ind.Sources, "、"), Weight: s.opt.Config.Rule(ind.ID).Weight, ConfigSHA: s.opt.Config.SHA256()[:12], ConfigName: s.opt.Config.Name}
	for _, src := range ind.Sources {
		if a, ok := sheetAnchor[src]; ok && d.Anchor == "" {
			d.Anchor = a
		}
	}
	if t, ok := s.opt.Config.Target(ind.ID, sp); ok {
		d.Target = ptr(t)
	}
	if m, ok := metrics.MilestoneAt(s.opt.Config, ind.ID, sp.To); ok {
		d.Milestone = &m
		d.Deadline = m.Deadline(s.opt.Config.PlanStartYear).String()
	}
	top, err := s.calc.top(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Top = top
	if top != nil {
		d.TopValue = top.Val(ind.ID)
		d.TopWhy = noValueWhy(l, d.TopValue)
		d.TopComp = metrics.ReportedText(l, d.TopValue, s.children(ctx, sp, d.TopValue))
	}
	dt, err := s.calc.level(ctx, sp, sgz.District)
	if err != nil {
		s.internal(c, err)
		return
	}
	a, err := s.calc.assess(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	used := map[string][]metrics.ReturnUsed{}
	for _, r := range a.Returns {
		used[r.DistrictCode] = append(used[r.DistrictCode], r)
	}
	var xs, gaps []string
	vals := series{Name: d.Name}
	for _, u := range dt.Units {
		v := u.Val(ind.ID)
		r := behindRow{Code: u.Code, Name: u.Name, Value: v.Value, Why: noValueWhy(l, v), Num: v.Numerator, Den: v.Denominator, Returns: used[u.Code],
			Unreported: unreportedText(l, u)}
		gaps = append(gaps, r.Unreported)
		if ind.Kind == metrics.Stock && v.AsOf != "" && v.AsOf != d.TopValue.AsOfLatest {
			r.AsOf = v.AsOf
		}
		if v.PerQuarter && !v.Whole() {
			r.Comp = metrics.CompletenessText(l, v, nil)
		}
		d.Rows = append(d.Rows, r)
		xs = append(xs, u.Name)
		vals.Values = append(vals.Values, v.Value)
	}
	charts := map[string]any{}
	if len(xs) <= 80 {
		charts["bars"] = barChartGaps(l, locale.T(l, "ind.bydistrict"), ind.ID, xs, []series{vals}, d.Target, gaps)
	}
	qx, trend, err := s.trendSeries(c, sp, top, []string{ind.ID})
	if err != nil {
		s.internal(c, err)
		return
	}
	charts["trend"] = lineChart(l, locale.T(l, "ind.trend"), ind.ID, qx, trend)
	s.render(c, "indicator", "indicators", d.Name, sp, d, charts)
}

type indListRow struct {
	ID, Name, Formula, Kind, Unit string
	Comp                          string // completeness of the value, where not whole
	Target                        *float64
	Weight                        float64
	Value                         *float64
	Why                           string // why Value is missing, where a dash would not say it
}

func (s *Server) indicatorList(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	top, err := s.calc.top(c.Request.Context(), sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	// The districts due that sent nothing are named beside every value resting on the others.
	dt, err := s.calc.level(c.Request.Context(), sp, sgz.District)
	if err != nil {
		s.internal(c, err)
		return
	}
	var missing []string
	for _, u := range dt.Units {
		if u.Comp.DistrictsReported == 0 && u.Comp.DistrictsExpected > 0 {
			missing = append(missing, u.Name)
		}
	}
	var rows []indListRow
	for _, ind := range metrics.Indicators {
		r := indListRow{ID: ind.ID, Name: indName(l, ind.ID), Formula: tx(l, ind.Formula), Kind: tx(l, ind.Kind.Text()), Unit: tx(l, ind.UnitText()),
			Weight: s.opt.Config.Rule(ind.ID).Weight, Value: top.val(ind.ID)}
		if top != nil {
			r.Comp = s.compText(c.Request.Context(), l, sp, top.Val(ind.ID))
			r.Why = noValueWhy(l, top.Val(ind.ID))
			if len(missing) > 0 && r.Comp != "" {
				r.Comp += locale.T(l, "metrics.comp.sep") + locale.T(l, "ov.unreported", strings.Join(missing, locale.T(l, "map.namesep")))
			}
		}
		if t, ok := s.opt.Config.Target(ind.ID, sp); ok {
			r.Target = ptr(t)
		}
		rows = append(rows, r)
	}
	s.render(c, "indicators", "indicators", locale.T(l, "nav.indicators"), sp, rows, nil)
}
