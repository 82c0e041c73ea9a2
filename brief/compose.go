package brief

import (
	"strconv"
	"strings"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

// kind is how a figure is written.
type kind int

const (
	kCount kind = iota
	kWan
	kRate
)

// Figure is one row of the headline table.
type Figure struct {
	Key   string // the headline API's field
	Label string // message key
	Kind  kind
}

// Figures are the headline table's rows, in order; Key is the field of
// GET /api/v1/headline the value is read from.
var Figures = []Figure{
	{"stations_built", "brief.f.stations", kCount},
	{"station_coverage", "brief.f.stationcov", kRate},
	{"rooms_built", "brief.f.rooms", kCount},
	{"room_coverage", "brief.f.roomcov", kRate},
	{"certified_total", "brief.f.certified", kCount},
	{"gov_funding", "brief.f.gov", kWan},
	{"charity_funding", "brief.f.charity", kWan},
	{"training_participants", "brief.f.training", kCount},
}

// HeadlineValue reads a field of the headline by its JSON name.
func HeadlineValue(h *metrics.Headline, key string) *float64 {
	switch key {
	case "stations_built":
		return h.StationsBuilt
	case "towns_in_scope":
		return h.TownsInScope
	case "station_coverage":
		return h.StationCoverage
	case "rooms_built":
		return h.RoomsBuilt
	case "villages_in_scope":
		return h.VillagesInScope
	case "room_coverage":
		return h.RoomCoverage
	case "certified_total":
		return h.CertifiedTotal
	case "gov_funding":
		return h.GovFunding
	case "charity_funding":
		return h.CharityFunding
	case "training_participants":
		return h.TrainingParticipants
	}
	return nil
}

func (k kind) format(v float64) string {
	switch k {
	case kWan:
		return Wan(v)
	case kRate:
		return Pct(v)
	}
	return Count(v)
}

// spanText names a span: 2026年第3季度, 2026年1—3季度（年初至今）, 2026年, 2025年第4季度至2026年第3季度.
func spanText(lang locale.Lang, s, asked sgz.Span) string {
	switch {
	case s.Len() == 1 && asked.Len() == 1:
		return locale.T(lang, "brief.span.q", s.From.Year, s.From.Quarter)
	case s.From.Year == s.To.Year && s.From.Quarter == 1 && s.To.Quarter == 4:
		return locale.T(lang, "brief.span.y", s.From.Year)
	case s.From.Year == s.To.Year && s.From.Quarter == 1 && asked.To.Quarter == 4 && asked.From == s.From:
		return locale.T(lang, "brief.span.ytd", s.From.Year, s.To.Quarter)
	case s.From.Year == s.To.Year:
		return locale.T(lang, "brief.span.qq", s.From.Year, s.From.Quarter, s.To.Quarter)
	}
	return locale.T(lang, "brief.span.range", s.From.Year, s.From.Quarter, s.To.Year, s.To.Quarter)
}

// change is a comparison cell: +3（+3.4%） for counts and money, +2.1 个百分点 for rates.
func change(lang locale.Lang, k kind, cur, prev *float64) string {
	if cur == nil || prev == nil {
		return locale.T(lang, "brief.nocompare")
	}
	d := *cur - *prev
	if k == kRate {
		return Points(lang, d)
	}
	s := signed(k.format(d))
	if *prev != 0 {
		s += "（" + signed(metrics.Fixed(d / *prev * 100, 1)) + "%）"
	}
	return s
}

// Document words the report in lang.
func (r *Report) Document(lang locale.Lang) *Doc {
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	h := r.Headline
	na := T("brief.na")
	num := func(v *float64, k kind) string {
		if v == nil {
			return na
		}
		return k.format(*v)
	}
	period := spanText(lang, r.Effective, r.Span)
	d := &Doc{Title: T("brief.title", h.UnitName), Created: r.AsOf}
	add := func(b Block) { d.Body = append(d.Body, b) }
	para := func(key string, args ...any) { add(Block{Text: T(key, args...)}) }
	head := func(key string, args ...any) { add(Block{Style: "Heading1", Text: T(key, args...)}) }

	// Title block.
	add(Block{Style: "Title", Text: d.Title})
	issue := r.Span.String()
	if r.Span.Len() == 1 {
		issue = T("brief.issue.q", r.Span.From.Year, r.Span.From.Quarter)
	}
	add(Block{Style: "Subtitle", Text: T("brief.issue", issue, r.AsOf.Year(), int(r.AsOf.Month()), r.AsOf.Day())})
	para("brief.lead", period, h.UnitName, h.DistrictsReported, h.DistrictsExpected)

	// 一、主要指标.
	head("brief.h.headline")
	rows := [][]string{{T("brief.col.figure"), T("brief.col.current", period)}}
	if r.Prev != nil {
		rows[0] = append(rows[0], T("brief.col.prev"))
	}
	if r.YoY != nil {
		rows[0] = append(rows[0], T("brief.col.yoy"))
	}
	for _, f := range Figures {
		row := []string{T(f.Label), num(HeadlineValue(h, f.Key), f.Kind)}
		for _, c := range []*Compare{r.Prev, r.YoY} {
			if c != nil {
				row = append(row, change(lang, f.Kind, c.Cur[f.Key], c.Prev[f.Key]))
			}
		}
		rows = append(rows, row)
	}
	add(Block{Rows: rows})
	for _, c := range []struct {
		c   *Compare
		key string
	}{{r.Prev, "brief.same.prev"}, {r.YoY, "brief.same.yoy"}} {
		if c.c == nil {
			continue
		}
		if c.c.Districts == 0 {
			add(Block{Style: "Note", Text: T(c.key+"0", spanText(lang, c.c.Base, c.c.Base))})
			continue
		}
		add(Block{Style: "Note", Text: T(c.key, c.c.Districts, spanText(lang, c.c.Base, c.c.Base), strings.Join(c.c.Names, "、"))})
	}

	// 二、阵地建设.
	head("brief.h.sites")
	para("brief.sites", h.UnitName, num(h.StationsBuilt, kCount), num(h.TownsInScope, kCount), num(h.StationCoverage, kRate),
		num(h.RoomsBuilt, kCount), num(h.VillagesInScope, kCount), num(h.RoomCoverage, kRate), num(r.Standard, kRate))
	for _, f := range r.Forecasts {
		if f.Level != sgz.District {
			add(Block{Text: T("brief.cityfc", metrics.IndicatorName(lang, f.Indicator), f.Milestone, f.Text(lang))})
		}
	}

	// 三、人才队伍.
	head("brief.h.people")
	para("brief.people", num(h.CertifiedTotal, kCount), num(h.CertifiedAssistant, kCount), num(h.CertifiedIntermediate, kCount),
		num(h.CertifiedSenior, kCount), num(h.Organisations, kCount), num(h.OrgStaff, kCount), num(h.Supervisors, kCount))
	if h.CertifiedProvinceShare != nil {
		para("brief.share", h.UnitName, Pct(*h.CertifiedProvinceShare))
	}

	// 四、资金投入.
	head("brief.h.money")
	para("brief.money", num(h.GovFunding, kWan), num(h.CharityFunding, kWan), num(h.CharityFundTowns, kCount), num(h.CharityFundVillages, kCount))

	// 五、教育培训.
	head("brief.h.training")
	para("brief.training", num(h.TrainingParticipants, kCount), num(h.TrainingCost, kWan))

	// 六、服务项目.
	head("brief.h.projects")
	if h.ProjectsTotal == 0 {
		para("brief.projects0")
	} else {
		para("brief.projects", h.ProjectsTotal, h.ProjectsDemonstration)
		rows := [][]string{{T("brief.col.domain"), T("brief.col.projects"), T("brief.col.demo"), T("brief.col.served")}}
		for _, p := range h.Projects {
			dom := p.Domain
			if dom == "" {
				dom = na
			}
			rows = append(rows, []string{dom, strconv.Itoa(p.Projects), strconv.Itoa(p.Demonstration), Count(float64(p.Served))})
		}
		add(Block{Rows: rows})
	}

	// 七、考核排名.
	head("brief.h.rank")
	if len(r.Ranked) == 0 {
		para("brief.rank0")
	} else {
		n := min(3, len(r.Ranked))
		rank := func(ds []metrics.DistrictAssessment) [][]string {
			rows := [][]string{{T("brief.col.rank"), T("brief.col.district"), T("brief.col.score")}}
			for _, x := range ds {
				rows = append(rows, []string{strconv.Itoa(x.Rank), x.UnitName, metrics.Fixed(x.Total, 1)})
			}
			return rows
		}
		add(Block{Style: "Heading2", Text: T("brief.best", n)})
		add(Block{Rows: rank(r.Ranked[:n])})
		if len(r.Ranked) > n {
			m := min(3, len(r.Ranked)-n)
			add(Block{Style: "Heading2", Text: T("brief.lagging", m)})
			add(Block{Rows: rank(r.Ranked[len(r.Ranked)-m:])})
		}
	}
	if len(r.Unranked) > 0 {
		para("brief.unranked", strings.Join(r.Unranked, "、"))
	}

	// 八、进度预警.
	head("brief.h.risk")
	known := 0
	for _, f := range r.Forecasts {
		if f.Status != metrics.ForecastNoData {
			known++
		}
	}
	if known == 0 {
		para("brief.risknodata")
	} else if len(r.AtRisk) == 0 {
		para("brief.risk0")
	} else {
		para("brief.risk", len(r.AtRisk))
		rows := [][]string{{T("brief.col.unit"), T("brief.col.indicator"), T("brief.col.latest"), T("brief.col.forecast")}}
		for _, f := range r.AtRisk {
			rows = append(rows, []string{f.UnitName, metrics.IndicatorName(lang, f.Indicator), num(f.Latest, kRate), f.Text(lang)})
		}
		add(Block{Rows: rows})
	}

	// 九、数据说明.
	head("brief.h.note")
	if len(r.Missing) == 0 && len(r.Late) == 0 {
		para("brief.allontime")
	}
	for _, m := range r.Missing {
		para("brief.missing", m.DistrictName, quarterText(lang, m.Period), m.DueDay)
	}
	for _, l := range r.Late {
		para("brief.late", l.DistrictName, quarterText(lang, l.Period), l.DaysLate, l.DueDay)
	}
	para("brief.method", r.AsOf.Format("2006-01-02"), r.Config.Name, r.Config.SHA256()[:12])
	return d
}

func quarterText(lang locale.Lang, p string) string {
	q, err := sgz.ParsePeriod(p)
	if err != nil {
		return p
	}
	return locale.T(lang, "brief.span.q", q.Year, q.Quarter)
}
