package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/locale"
	"sgz/review"
	"sgz/value"
)

// IndicatorJSON is the `indicators --format json` and /api/v1/indicators
// object of interfaces.md — exactly these keys.
type IndicatorJSON struct {
	UnitCode    string   `json:"unit_code"`
	UnitName    string   `json:"unit_name"`
	Level       string   `json:"level"`
	Period      string   `json:"period"`
	Indicator   string   `json:"indicator"`
	Value       *float64 `json:"value"`
	Numerator   *float64 `json:"numerator"`
	Denominator *float64 `json:"denominator"`
	// Completeness (interfaces.md, "Added 2026-12-01 (b)"): Reported of
	// Expected units contributed (districts; district-quarters for a flow
	// over several quarters and for reporting_rate). Stock rows also carry
	// AsOf (the quarter their values are from; the earliest, with AsOfMixed,
	// when the units' quarters differ); absent when nothing was reported.
	Reported  int     `json:"reported"`
	Expected  int     `json:"expected"`
	AsOf      *string `json:"as_of,omitempty"`
	AsOfMixed *bool   `json:"as_of_mixed,omitempty"`
}

// AssessmentJSON is the `assess --format json` and /api/v1/assessment
// object of interfaces.md — exactly these keys.
type AssessmentJSON struct {
	UnitCode string             `json:"unit_code"`
	UnitName string             `json:"unit_name"`
	Period   string             `json:"period"`
	Reported bool               `json:"reported"` // false: no return counts for the period (added 2026-12-01)
	Scores   map[string]float64 `json:"scores"`
	Total    float64            `json:"total"`
	Rank     *int               `json:"rank"` // null when not reported: only districts that reported are ranked
}

// IndicatorsJSON reshapes values into the contract's objects (numerator and
// denominator null for indicators that are not ratios).
func IndicatorsJSON(vals []Value) []IndicatorJSON {
	out := make([]IndicatorJSON, len(vals))
	for i, v := range vals {
		out[i] = IndicatorJSON{UnitCode: v.UnitCode, UnitName: v.UnitName, Level: string(v.Level), Period: v.Period,
			Indicator: v.Indicator, Value: v.Value, Numerator: v.Numerator, Denominator: v.Denominator,
			Reported: v.Reported, Expected: v.Expected}
		if ind, _ := Lookup(v.Indicator); ind.Kind == Stock && v.AsOf != "" {
			asOf, mixed := v.AsOf, v.AsOfMixed
			out[i].AsOf, out[i].AsOfMixed = &asOf, &mixed
		}
	}
	return out
}

// StockAsOf is the as-of quarter of a stock value as the exports write it:
// "2026Q3", or "2026Q2–2026Q3" when the units' quarters differ; "" for a
// flow or when nothing was reported.
func StockAsOf(v Value) string {
	if ind, _ := Lookup(v.Indicator); ind.Kind != Stock || v.AsOf == "" {
		return ""
	}
	if v.AsOfMixed {
		return v.AsOf + "–" + v.AsOfLatest
	}
	return v.AsOf
}

// countedZh names what Reported and Expected count.
func countedZh(v Value) string {
	if v.PerQuarter {
		return "区县·季度"
	}
	return "区县"
}

// detailHead and detailRow are the long form of a value with its
// completeness, shared by the CSV and the workbooks' detail sheet.
var detailHead = []string{"单位代码", "单位名称", "层级", "期间", "指标代码", "指标名称", "数值", "分子", "分母",
	"已报", "应报", "计数单位", "数据截至", "截至季度不一"}

func detailRow(v Value) []string {
	ind, _ := Lookup(v.Indicator)
	mixed := ""
	if StockAsOf(v) != "" {
		mixed = "否"
		if v.AsOfMixed {
			mixed = "是"
		}
	}
	return []string{v.UnitCode, v.UnitName, levelZh(v.Level), v.Period, v.Indicator, ind.Name.Zh,
		num(v.Value), num(v.Numerator), num(v.Denominator),
		strconv.Itoa(v.Reported), strconv.Itoa(v.Expected), countedZh(v), StockAsOf(v), mixed}
}

// AssessmentRows reshapes an assessment into the contract's objects, by rank
// (the districts that did not report last, rank null).
func AssessmentRows(a *Assessment) []AssessmentJSON {
	out := make([]AssessmentJSON, len(a.Districts))
	for i, d := range a.Districts {
		sc := map[string]float64{}
		for _, s := range d.Scores {
			sc[s.Indicator] = s.Score
		}
		out[i] = AssessmentJSON{UnitCode: d.UnitCode, UnitName: d.UnitName, Period: d.Period, Reported: d.Reported, Scores: sc, Total: d.Total}
		if d.Reported {
			r := d.Rank
			out[i].Rank = &r
		}
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteIndicatorsJSON writes one JSON array, an object per (unit, indicator).
func WriteIndicatorsJSON(w io.Writer, vals []Value) error { return writeJSON(w, IndicatorsJSON(vals)) }

// WriteAssessmentJSON writes one JSON array, an object per district.
func WriteAssessmentJSON(w io.Writer, a *Assessment) error { return writeJSON(w, AssessmentRows(a)) }

// levelZh names a level in Chinese.
func levelZh(l sgz.Level) string {
	switch l {
	case Country:
		return "全国"
	case sgz.Province:
		return "省"
	case sgz.City:
		return "市"
	case sgz.District:
		return "区(县)"
	case sgz.Town:
		return "乡镇(街道)"
	}
	return string(l)
}

func num(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// newCSV starts a CSV that Excel opens as UTF-8 (byte order mark).
// Every cell goes through value.CSVCell (formulas neutralised).
func newCSV(w io.Writer) (*value.CSVWriter, error) {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	return value.NewCSVWriter(w), nil
}

// WriteIndicatorsCSV writes the values in long form with Chinese headers;
// missing values are empty cells; rates are fractions as in JSON. Each row
// carries its completeness: 已报 / 应报 (计数单位 区县 or 区县·季度) and, for
// stocks, 数据截至 (the quarter, or "2026Q2–2026Q3" when the units' differ).
func WriteIndicatorsCSV(w io.Writer, vals []Value) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	cw.Write(detailHead)
	for _, v := range vals {
		cw.Write(detailRow(v))
	}
	cw.Flush()
	return cw.Error()
}

// WriteAssessmentCSV writes the assessment table, by rank: for each
// indicator that counts its value and its score, then the total.
func WriteAssessmentCSV(w io.Writer, a *Assessment) error {
	cw, err := newCSV(w)
	if err != nil {
		return err
	}
	head := []string{"排名", "区划代码", "区(县)", "期间", "总分"}
	for _, id := range a.Scored {
		ind, _ := Lookup(id)
		head = append(head, ind.Name.Zh, ind.Name.Zh+"得分")
	}
	head = append(head, "缺失指标", "已报季度数", "应报季度数", "数据截至", "里程碑", "规则SHA-256")
	cw.Write(head)
	for _, d := range a.Districts {
		row := []string{d.RankText(locale.ZH), d.UnitCode, d.UnitName, d.Period, num(&d.Total)}
		for _, s := range d.Scores {
			sc := s.Score
			row = append(row, num(s.Value), num(&sc))
		}
		var miss []string
		for _, id := range d.Missing {
			ind, _ := Lookup(id)
			miss = append(miss, ind.Name.Zh)
		}
		row = append(row, strings.Join(miss, "；"), strconv.Itoa(d.Completeness.QuartersReported),
			strconv.Itoa(d.Completeness.QuartersExpected), d.AsOf, MilestonesText(locale.ZH, d.Milestones), a.ConfigSHA256)
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// ExportInfo is what an exported workbook says about itself.
type ExportInfo struct {
	Span         sgz.Span
	Level        sgz.Level // indicators export only
	MadeAt       time.Time
	Config       *Config
	Returns      []ReturnUsed
	AssessmentID int64 // 0 when not recorded
}

// Sheet names of the exported workbooks.
const (
	SheetScores      = "考核得分"
	SheetValues      = "指标值"
	SheetDetail      = "指标值明细"
	SheetDefinitions = "指标定义"
	SheetReturns     = "所用报表"
	SheetRules       = "考核规则"
)

// Number formats of the exported workbooks.
const (
	FmtPercent = "0.0%"
	FmtMoney   = "#,##0.00"
	FmtCount   = "#,##0"
	FmtHours   = "#,##0.0"
	FmtRatio   = "0.00"
	FmtScore   = "0.00"
)

func unitFormat(u Unit) string {
	switch u {
	case Rate:
		return FmtPercent
	case WanYuan:
		return FmtMoney
	case Count:
		return FmtCount
	case Hours:
		return FmtHours
	}
	return FmtRatio
}

type styles struct {
	f                       *excelize.File
	title, info, head, text int
	missing, score, total   int
	byFmt, byFmtBad         map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, byFmt: map[string]int{}, byFmtBad: map[string]int{}}
	border := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.info = mk(&excelize.Style{Font: &excelize.Font{Color: "595959", Size: 9}})
	s.head = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	s.text = mk(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	s.missing = mk(&excelize.Style{Border: border, Font: &excelize.Font{Italic: true, Color: "808080"},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
	sf := FmtScore
	s.score = mk(&excelize.Style{Border: border, CustomNumFmt: &sf})
	s.total = mk(&excelize.Style{Border: border, CustomNumFmt: &sf, Font: &excelize.Font{Bold: true}})
	for _, nf := range []string{FmtPercent, FmtMoney, FmtCount, FmtHours, FmtRatio} {
		nf := nf
		s.byFmt[nf] = mk(&excelize.Style{Border: border, CustomNumFmt: &nf})
		s.byFmtBad[nf] = mk(&excelize.Style{Border: border, CustomNumFmt: &nf, Font: &excelize.Font{Color: "9C0006"},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})
	}
	return s, err
}

// valueCell formats one value: its unit's number format, highlighted when
// below target, "缺失" when missing.
func (s *styles) valueCell(ind Indicator, v *float64, target float64, hasTarget bool) excelize.Cell {
	if v == nil {
		return excelize.Cell{StyleID: s.missing, Value: "缺失"}
	}
	nf := unitFormat(ind.Unit)
	if hasTarget && *v < target {
		return excelize.Cell{StyleID: s.byFmtBad[nf], Value: *v}
	}
	return excelize.Cell{StyleID: s.byFmt[nf], Value: *v}
}

func headerName(ind Indicator) string {
	n := ind.Name.Zh
	if ind.Unit == Rate && !strings.Contains(n, "%") {
		n += "(%)"
	}
	return n
}

func cellName(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

func madeText(t time.Time) string { return t.In(sgz.Beijing).Format("2006-01-02 15:04") }

func rulesText(cfg *Config) string {
	name := cfg.Name
	if name == "" {
		name = "未命名"
	}
	return fmt.Sprintf("考核规则：%s（SHA-256 %s）", name, cfg.SHA256())
}

// writeHeader writes the title, the information line and the header row
// (rows 1-3) and freezes the panes below the header and right of freeze columns.
func writeHeader(sw *excelize.StreamWriter, st *styles, title, info string, head []string, freezeCols int, widths []float64) error {
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: freezeCols, YSplit: 3, TopLeftCell: cellName(freezeCols+1, 4),
		ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 24}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{excelize.Cell{StyleID: st.info, Value: info}}); err != nil {
		return err
	}
	row := make([]any, len(head))
	for i, h := range head {
		row[i] = excelize.Cell{StyleID: st.head, Value: h}
	}
	if err := sw.SetRow("A3", row, excelize.RowOpts{Height: 36}); err != nil {
		return err
	}
	last := cellName(max(len(head), 1), 1)
	if err := sw.MergeCell("A1", last); err != nil {
		return err
	}
	return sw.MergeCell("A2", cellName(max(len(head), 1), 2))
}

// writeValuesSheet writes values in wide form: a row per unit, a column per
// indicator.
func writeValuesSheet(f *excelize.File, st *styles, sheet string, vals []Value, info ExportInfo, title string) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	// The indicators present, in table order.
	present := map[string]bool{}
	for _, v := range vals {
		present[v.Indicator] = true
	}
	var inds []Indicator
	for _, ind := range Indicators {
		if present[ind.ID] {
			inds = append(inds, ind)
		}
	}
	head := []string{"单位代码", "单位名称", "层级", "数据截至", "上报情况"}
	widths := []float64{12, 16, 9, 9, 16}
	for _, ind := range inds {
		head = append(head, headerName(ind))
		widths = append(widths, 13)
	}
	infoLine := fmt.Sprintf("生成时间：%s（北京时间）　%s　比率以百分数显示；低于目标值的单元格标红；“缺失”表示无有效报表或分母为零。",
		madeText(info.MadeAt), rulesText(info.Config))
	if err := writeHeader(sw, st, title, infoLine, head, 2, widths); err != nil {
		return err
	}
	r := 4
	for i := 0; i < len(vals); {
		j := i
		for j < len(vals) && vals[j].UnitCode == vals[i].UnitCode && vals[j].Period == vals[i].Period {
			j++
		}
		v0 := vals[i]
		rep, asOf := unitCompleteness(vals[i:j])
		row := []any{
			excelize.Cell{StyleID: st.text, Value: v0.UnitCode}, excelize.Cell{StyleID: st.text, Value: v0.UnitName},
			excelize.Cell{StyleID: st.text, Value: levelZh(v0.Level)}, excelize.Cell{StyleID: st.text, Value: asOf},
			excelize.Cell{StyleID: st.text, Value: rep},
		}
		byInd := map[string]Value{}
		for _, v := range vals[i:j] {
			byInd[v.Indicator] = v
		}
		for _, ind := range inds {
			v, ok := byInd[ind.ID]
			if !ok {
				row = append(row, excelize.Cell{StyleID: st.text, Value: ""})
				continue
			}
			target, has := info.Config.Target(ind.ID, info.Span)
			row = append(row, st.valueCell(ind, v.Value, target, has))
		}
		if err := sw.SetRow(cellName(1, r), row); err != nil {
			return err
		}
		r++
		i = j
	}
	return sw.Flush()
}

// unitCompleteness is the completeness of one unit's row of the wide values
// sheet: the stocks' ("9 / 10 个区县"), then the flows' when they count
// district-quarters ("流量 29 / 30 个区县·季度"); and the stocks' as-of.
func unitCompleteness(vals []Value) (rep, asOf string) {
	var stock, flow *Value
	for k := range vals {
		ind, _ := Lookup(vals[k].Indicator)
		switch {
		case ind.Kind == Stock && stock == nil:
			stock = &vals[k]
		case ind.Kind == Flow && vals[k].PerQuarter && flow == nil:
			flow = &vals[k]
		}
	}
	if stock != nil {
		rep, asOf = CompletenessText(locale.ZH, *stock, nil), StockAsOf(*stock)
	}
	if flow != nil {
		if rep != "" {
			rep += "；"
		}
		rep += "流量 " + CompletenessText(locale.ZH, *flow, nil)
	}
	return rep, asOf
}

// writeDetailSheet writes the values in long form, each with its
// completeness: the same columns as the CSV (detailHead).
func writeDetailSheet(f *excelize.File, st *styles, vals []Value, info ExportInfo) error {
	sw, err := f.NewStreamWriter(SheetDetail)
	if err != nil {
		return err
	}
	widths := []float64{12, 16, 9, 14, 24, 24, 12, 10, 10, 7, 7, 10, 16, 10}
	infoLine := fmt.Sprintf("每个指标值的上报情况：已报 / 应报（区县，或多季度流量指标与按时上报率为区县·季度）；存量指标的数据截至季度（各单位不一时为最早–最晚）。参考日期 %s：截止日在此之后的季度不计入应报。",
		info.Config.RefDay())
	if err := writeHeader(sw, st, "指标值明细　"+info.Span.String(), infoLine, detailHead, 2, widths); err != nil {
		return err
	}
	for r, v := range vals {
		ind, _ := Lookup(v.Indicator)
		texts := detailRow(v)
		row := make([]any, len(texts))
		for k, x := range texts {
			row[k] = excelize.Cell{StyleID: st.text, Value: x}
		}
		for k, p := range []*float64{v.Value, v.Numerator, v.Denominator} {
			if p == nil {
				continue
			}
			nf := FmtCount
			if k == 0 {
				nf = unitFormat(ind.Unit)
			} else if *p != math.Trunc(*p) {
				nf = FmtRatio
			}
			row[6+k] = excelize.Cell{StyleID: st.byFmt[nf], Value: *p}
		}
		row[9] = excelize.Cell{StyleID: st.text, Value: v.Reported}
		row[10] = excelize.Cell{StyleID: st.text, Value: v.Expected}
		if err := sw.SetRow(cellName(1, r+4), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func writeDefinitions(f *excelize.File, st *styles, info ExportInfo) error {
	sw, err := f.NewStreamWriter(SheetDefinitions)
	if err != nil {
		return err
	}
	head := []string{"指标代码", "指标名称", "英文名称", "计算公式", "类型", "单位", "目标值（流量为年度）", "本期目标", "权重", "计入总分", "来源工作表", "里程碑"}
	widths := []float64{24, 22, 30, 60, 22, 10, 14, 12, 8, 10, 26, 30}
	if err := writeHeader(sw, st, "指标定义　"+info.Span.String(), rulesText(info.Config), head, 2, widths); err != nil {
		return err
	}
	for i, ind := range Indicators {
		rule := info.Config.Rule(ind.ID)
		var target, spanTarget any = "无", "无"
		nf := unitFormat(ind.Unit)
		if rule.Target != nil {
			t := *rule.Target
			target = excelize.Cell{StyleID: st.byFmt[nf], Value: t}
			spanTarget = excelize.Cell{StyleID: st.byFmt[nf], Value: ind.TargetFor(t, info.Span)}
		}
		counts := "否"
		if rule.Counts() {
			counts = "是"
		}
		var ms []string
		for _, m := range info.Config.Milestones {
			for _, id := range m.Indicators {
				if id == ind.ID {
					ms = append(ms, fmt.Sprintf("%s：%s 末达到 %s", m.NameZh, m.Deadline(info.Config.PlanStartYear),
						strconv.FormatFloat(m.Target*100, 'f', -1, 64)+"%"))
				}
			}
		}
		cell := func(v any) any {
			if c, ok := v.(excelize.Cell); ok {
				return c
			}
			return excelize.Cell{StyleID: st.text, Value: v}
		}
		row := []any{cell(ind.ID), cell(ind.Name.Zh), cell(ind.Name.En), cell(ind.Formula.Zh), cell(ind.Kind.Text().Zh),
			cell(ind.UnitText().Zh), cell(target), cell(spanTarget), excelize.Cell{StyleID: st.score, Value: rule.Weight},
			cell(counts), cell(strings.Join(ind.Sources, "、")), cell(strings.Join(ms, "；"))}
		if err := sw.SetRow(cellName(1, i+4), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func writeReturns(f *excelize.File, st *styles, info ExportInfo) error {
	sw, err := f.NewStreamWriter(SheetReturns)
	if err != nil {
		return err
	}
	head := []string{"区划代码", "区(县)", "季度", "报表编号", "文件名", "接收时间（北京时间）", "文件 SHA-256", "审核状态"}
	widths := []float64{12, 14, 10, 10, 36, 20, 68, 10}
	pending := 0
	for _, r := range info.Returns {
		if r.Review == review.Pending {
			pending++
		}
	}
	title := fmt.Sprintf("所用报表　%s　共 %d 份", info.Span, len(info.Returns))
	if pending > 0 {
		title += fmt.Sprintf("，其中 %d 份待审核", pending)
	}
	note := "每个区县每季度以最新一份被接收且未退回的报表为准（待审核的也计入）。"
	if info.Config != nil && !info.Config.CountsPending() {
		note = "每个区县每季度以最新一份被接收、未退回且已审核的报表为准（规则：待审核的不计入）。"
	}
	if err := writeHeader(sw, st, title, note, head, 2, widths); err != nil {
		return err
	}
	for i, r := range info.Returns {
		row := []any{r.DistrictCode, r.DistrictName, r.Period, r.ReturnID, r.FileName, r.ReceivedAt.Format("2006-01-02 15:04:05"), r.SHA256,
			review.StateText(locale.ZH, r.Review)}
		for k, v := range row {
			row[k] = excelize.Cell{StyleID: st.text, Value: v}
		}
		if err := sw.SetRow(cellName(1, i+4), row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func pendingRuleText(cfg *Config) string {
	if cfg.CountsPending() {
		return "计入（pending_counts 未设或为 true）：待审核的报表照常计入，在所用报表中标为待审核"
	}
	return "不计入（pending_counts 为 false）：只有已审核的报表计入"
}

func writeRules(f *excelize.File, st *styles, info ExportInfo) error {
	sw, err := f.NewStreamWriter(SheetRules)
	if err != nil {
		return err
	}
	cfg := info.Config
	if err := writeHeader(sw, st, "考核规则", rulesText(cfg), []string{"项目", "内容"}, 1, []float64{22, 110}); err != nil {
		return err
	}
	id := "未记录"
	if info.AssessmentID > 0 {
		id = strconv.FormatInt(info.AssessmentID, 10)
	}
	sentBack := "被退回的报表仍算作首次报送（更正不影响按时）"
	if cfg.SentBackIsLate {
		sentBack = "被退回的报表不算首次报送（更正须在截止日前送达）"
	}
	rows := [][2]string{
		{"期间", info.Span.String()},
		{"生成时间", madeText(info.MadeAt) + "（北京时间）"},
		{"考核记录编号", id},
		{"规则名称", cfg.Name},
		{"规则 SHA-256", cfg.SHA256()},
		{"参考日期", cfg.RefDay() + "（截止日在此之后的季度尚未到期，不计入应报；之前的未报送季度计入应报）"},
		{"报送截止日", fmt.Sprintf("季度末日后第 %d 天 24:00（北京时间），如 %s 截止于 %s", cfg.DueDays, info.Span.To,
			cfg.DueBy(info.Span.To).AddDate(0, 0, -1).Format("2006-01-02"))},
		{"按时上报", "该季度该区县首份被接收的报表在截止日前收到，且当前有有效报表；" + sentBack},
		{"待审核报表", pendingRuleText(cfg)},
		{"存量与流量", "存量指标取期内该区县最近一个有报表的季度；流量指标为期内各季度之和；流量目标为年度目标按季度数折算"},
		{"汇总", "上级单位先分别汇总分子与分母再相除；未上报区县不计入分子与分母，并显示上报情况"},
		{"缺失", "无有效报表或分母为零时为缺失，缺失指标得 0 分并标注"},
		{"得分", "得分 = 权重 × min(1, 指标值 ÷ 目标值)；总分相同者名次相同"},
		{"里程碑", fmt.Sprintf("规划起始年 %d", cfg.PlanStartYear)},
		{"规则文件", ""},
	}
	r := 4
	for _, kv := range rows {
		if err := sw.SetRow(cellName(1, r), []any{excelize.Cell{StyleID: st.text, Value: kv[0]}, excelize.Cell{StyleID: st.text, Value: kv[1]}}); err != nil {
			return err
		}
		r++
	}
	for _, line := range strings.Split(string(cfg.JSON()), "\n") {
		if err := sw.SetRow(cellName(2, r), []any{line}); err != nil {
			return err
		}
		r++
	}
	return sw.Flush()
}

func finishBook(f *excelize.File, w io.Writer, first string) error {
	if idx, err := f.GetSheetIndex(first); err == nil {
		f.SetActiveSheet(idx)
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

func newBook(names ...string) (*excelize.File, error) {
	f := excelize.NewFile()
	for _, n := range names {
		if _, err := f.NewSheet(n); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// WriteIndicatorsXLSX writes the values as a workbook for leadership: the
// values (a row per unit), the definitions, the returns used and the rules.
func WriteIndicatorsXLSX(w io.Writer, vals []Value, info ExportInfo) error {
	if info.Config == nil {
		info.Config = DefaultConfig()
	}
	f, err := newBook(SheetValues, SheetDetail, SheetDefinitions, SheetReturns, SheetRules)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("社工站建设考核指标　%s　%s级", info.Span, strings.TrimSuffix(levelZh(info.Level), "级"))
	for _, step := range []func() error{
		func() error { return writeValuesSheet(f, st, SheetValues, vals, info, title) },
		func() error { return writeDetailSheet(f, st, vals, info) },
		func() error { return writeDefinitions(f, st, info) },
		func() error { return writeReturns(f, st, info) },
		func() error { return writeRules(f, st, info) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return finishBook(f, w, SheetValues)
}

// WriteAssessmentXLSX writes the assessment table: ranks, totals and the
// score breakdown (value and score of each indicator that counts, below
// target highlighted), the city row, every indicator's value, the
// definitions, the returns used and the rules with their hash.
func WriteAssessmentXLSX(w io.Writer, a *Assessment) error {
	f, err := newBook(SheetScores, SheetValues, SheetDetail, SheetDefinitions, SheetReturns, SheetRules)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	info := ExportInfo{Span: a.Span, Level: sgz.District, MadeAt: a.MadeAt, Config: a.Config, Returns: a.Returns, AssessmentID: a.ID}
	if err := writeScores(f, st, a); err != nil {
		return err
	}
	var vals []Value
	for _, d := range a.Districts {
		vals = append(vals, d.Values...)
	}
	vals = append(vals, a.Parents...)
	title := fmt.Sprintf("各区(县)指标值　%s", a.Period)
	for _, step := range []func() error{
		func() error { return writeValuesSheet(f, st, SheetValues, vals, info, title) },
		func() error { return writeDetailSheet(f, st, vals, info) },
		func() error { return writeDefinitions(f, st, info) },
		func() error { return writeReturns(f, st, info) },
		func() error { return writeRules(f, st, info) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return finishBook(f, w, SheetScores)
}

func writeScores(f *excelize.File, st *styles, a *Assessment) error {
	sw, err := f.NewStreamWriter(SheetScores)
	if err != nil {
		return err
	}
	head := []string{"排名", "区划代码", "区(县)", "总分"}
	widths := []float64{6, 10, 12, 9}
	for _, id := range a.Scored {
		ind, _ := Lookup(id)
		r := a.Config.Rule(id)
		target, _ := a.Config.Target(id, a.Span)
		tt := strconv.FormatFloat(target, 'f', -1, 64)
		if ind.Unit == Rate {
			tt = strconv.FormatFloat(target*100, 'f', -1, 64) + "%"
		}
		head = append(head, fmt.Sprintf("%s\n目标 %s", headerName(ind), tt),
			fmt.Sprintf("得分\n(满分 %s)", strconv.FormatFloat(r.Weight, 'f', -1, 64)))
		widths = append(widths, 14, 9)
	}
	head = append(head, "缺失指标", "上报季度", "数据截至", "里程碑")
	widths = append(widths, 24, 9, 9, 60)
	rec := ""
	if a.ID > 0 {
		rec = fmt.Sprintf("考核记录 #%d　", a.ID)
	}
	info := fmt.Sprintf("生成时间：%s（北京时间）　%s%s　得分 = 权重 × min(1, 指标值 ÷ 目标值)，缺失得 0 分；低于目标值标红。",
		madeText(a.MadeAt), rec, rulesText(a.Config))
	if err := writeHeader(sw, st, fmt.Sprintf("社工站建设考核得分　%s", a.Period), info, head, 3, widths); err != nil {
		return err
	}
	r := 4
	for _, d := range a.Districts {
		var rk any = d.Rank
		if !d.Reported {
			rk = d.RankText(locale.ZH)
		}
		row := []any{excelize.Cell{StyleID: st.text, Value: rk}, excelize.Cell{StyleID: st.text, Value: d.UnitCode},
			excelize.Cell{StyleID: st.text, Value: d.UnitName}, excelize.Cell{StyleID: st.total, Value: d.Total}}
		for _, s := range d.Scores {
			ind, _ := Lookup(s.Indicator)
			row = append(row, st.valueCell(ind, s.Value, s.Target, true), excelize.Cell{StyleID: st.score, Value: s.Score})
		}
		var miss []string
		for _, id := range d.Missing {
			ind, _ := Lookup(id)
			miss = append(miss, ind.Name.Zh)
		}
		c := d.Completeness
		row = append(row, excelize.Cell{StyleID: st.text, Value: strings.Join(miss, "；")},
			excelize.Cell{StyleID: st.text, Value: fmt.Sprintf("%d/%d", c.QuartersReported, c.QuartersExpected)},
			excelize.Cell{StyleID: st.text, Value: d.AsOf},
			excelize.Cell{StyleID: st.text, Value: MilestonesText(locale.ZH, d.Milestones)})
		if err := sw.SetRow(cellName(1, r), row); err != nil {
			return err
		}
		r++
	}
	// The parents (city, …): values only, with their completeness.
	byUnit := map[string]map[string]Value{}
	var order []string
	for _, v := range a.Parents {
		if byUnit[v.UnitCode] == nil {
			byUnit[v.UnitCode] = map[string]Value{}
			order = append(order, v.UnitCode)
		}
		byUnit[v.UnitCode][v.Indicator] = v
	}
	for _, code := range order {
		vs := byUnit[code]
		var any0 Value
		for _, v := range vs {
			any0 = v
			break
		}
		c := any0.Completeness
		stock := vs["station_coverage"]
		var children []Value
		for _, d := range a.Districts {
			if v, ok := d.Value("station_coverage"); ok {
				children = append(children, v)
			}
		}
		row := []any{excelize.Cell{StyleID: st.text, Value: "—"}, excelize.Cell{StyleID: st.text, Value: code},
			excelize.Cell{StyleID: st.text, Value: any0.UnitName + "（合计）"}, excelize.Cell{StyleID: st.text, Value: ""}}
		for _, id := range a.Scored {
			ind, _ := Lookup(id)
			target, _ := a.Config.Target(id, a.Span)
			v := vs[id]
			row = append(row, st.valueCell(ind, v.Value, target, true), excelize.Cell{StyleID: st.text, Value: ""})
		}
		row = append(row, excelize.Cell{StyleID: st.text, Value: "已报 " + CompletenessText(locale.ZH, stock, children)},
			excelize.Cell{StyleID: st.text, Value: fmt.Sprintf("%d/%d", c.QuartersReported, c.QuartersExpected)},
			excelize.Cell{StyleID: st.text, Value: StockAsOf(stock)})
		if err := sw.SetRow(cellName(1, r), row); err != nil {
			return err
		}
		r++
	}
	return sw.Flush()
}
