package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/ingest"
	"sgz/registry"
)

// Values as the generator means them, before they are written in a clean
// or a messy form.
type (
	code  string // a division code
	money int64  // 万元 × 10⁴
)

// writer writes one workbook for one district and period.
type writer struct {
	b      *book
	reg    *registry.Registry
	d      *registry.Unit
	p      sgz.Period
	pi     int
	opt    Options
	blank  bool // the template: units listed, nothing filled in
	towns  []*registry.Unit
	vills  []*registry.Unit
	sch    schedule
	rng    *rand.Rand // content
	mess   *rand.Rand // the form each value is written in
	out    []any      // the row being written, reused
	sem    []any      // the row's values by spec column, reused
	row    int        // the last row written
	rooms  []unitState
	inTown map[string]int // town code -> rooms built
}

func newWriter(b *book, reg *registry.Registry, d *registry.Unit, p sgz.Period, opt Options, blank bool) *writer {
	opt = opt.norm()
	w := &writer{b: b, reg: reg, d: d, p: p, pi: p.Index(), opt: opt, blank: blank}
	w.towns, w.vills = scope(reg, d.Code)
	w.sch = newSchedule(opt, d.Code)
	dc := codeNum(d.Code)
	w.rng = rand.New(rand.NewPCG(hash(opt.Seed, dc, saltRand, uint64(w.pi)), 1))
	w.mess = rand.New(rand.NewPCG(hash(opt.Seed, dc, saltRand, uint64(w.pi)), 2))
	return w
}

// sheetNames are the names the sheets are written under.
func (w *writer) sheetNames() []string {
	names := make([]string, 0, len(ingest.Sheets)+1)
	for _, s := range ingest.Sheets {
		n := s.Name
		if w.opt.Messy {
			switch w.mess.IntN(5) {
			case 0:
				// a numbering prefix, as printed forms carry (表1 基本信息)
				n = []string{"表%d ", "表%d-", "附表%d：", "%d."}[w.mess.IntN(4)]
				n = fmt.Sprintf(n, w.mess.IntN(7)+1) + s.Name
			case 1:
				n = insertSpace(n, w.mess)
			}
		}
		names = append(names, n)
	}
	if w.opt.Messy {
		names = append(names, "填报说明")
	}
	return names
}

func (w *writer) write() error {
	names := w.sheetNames()
	if err := w.b.sheets(names); err != nil {
		return err
	}
	if !w.blank {
		// Rooms first: a station's outreach workers follow the rooms built.
		w.rooms = make([]unitState, len(w.vills))
		w.inTown = make(map[string]int, len(w.towns))
		for i, u := range w.vills {
			w.rooms[i] = w.sch.state(w.opt.Seed, u.Code, w.pi)
			if w.rooms[i].built {
				w.inTown[u.Town]++
			}
		}
	}
	steps := []func(string) error{w.info, w.stations, w.roomSheet, w.funds, w.trainings, w.workforce, w.projects}
	for i, step := range steps {
		if err := step(names[i]); err != nil {
			return fmt.Errorf("%s: %w", names[i], err)
		}
		if err := w.b.end(); err != nil {
			return err
		}
	}
	if w.opt.Messy {
		if err := w.notes(names[len(names)-1]); err != nil {
			return err
		}
		if err := w.b.end(); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) title(sheet string) string {
	return fmt.Sprintf("%s %d年第%d季度 %s", w.d.Name, w.p.Year, w.p.Quarter, sheet)
}

// ---- key-value sheets ----

// kvSheet writes a sheet with keys in column A and values in B.
func (w *writer) kvSheet(s *ingest.Sheet, name, head2 string, values []any) error {
	valStyle := w.b.st.text
	if s == &ingest.WorkforceSheet {
		valStyle = w.b.st.integer
	}
	l := layout{widths: []float64{22, 30}, styles: []int{0, valStyle}, merges: [][2]string{{"A1", "B1"}}}
	header := 2
	if w.opt.Messy {
		header = 3
		if s == &ingest.InfoSheet {
			header = 2
		}
	}
	first := header + 1
	if w.blank {
		for i, c := range s.Columns {
			if c.Help != "" {
				l.comments = append(l.comments, comment("A"+strconv.Itoa(first+i), c.Help))
			}
		}
		if s == &ingest.WorkforceSheet {
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("B%d:B%d", first, first+len(s.Columns)-1))
			_ = dv.SetRange(0, 1000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
			dv.SetError(excelize.DataValidationErrorStyleStop, "整数", "请填写不小于 0 的整数")
			l.dvs = append(l.dvs, dv)
		}
	}
	if err := w.b.begin(name, l); err != nil {
		return err
	}
	if err := w.b.put(1, []any{excelize.Cell{StyleID: w.b.st.title, Value: w.title(s.Name)}}, false); err != nil {
		return err
	}
	if !w.opt.Messy || s == &ingest.WorkforceSheet {
		h := []any{excelize.Cell{StyleID: w.b.st.header, Value: "项目"}, excelize.Cell{StyleID: w.b.st.header, Value: head2}}
		if err := w.b.put(header, h, false); err != nil {
			return err
		}
	}
	for i, c := range s.Columns {
		key := c.Header
		if w.opt.Messy {
			if w.mess.IntN(3) == 0 {
				key = keyVariant(key, w.mess)
			}
			switch w.mess.IntN(4) {
			case 0:
				key += "："
			case 1:
				key = insertSpace(key, w.mess)
			}
		}
		row := []any{excelize.Cell{StyleID: w.b.st.key, Value: key}, nil}
		if i < len(values) && values[i] != nil {
			row[1] = w.cell(&s.Columns[i], values[i])
		}
		if err := w.b.put(first+i, row, false); err != nil {
			return err
		}
	}
	return nil
}

func comment(cell, text string) excelize.Comment {
	return excelize.Comment{Cell: cell, Author: "sgz", Text: text, Width: 260, Height: 60}
}

func (w *writer) info(name string) error {
	vals := make([]any, len(ingest.InfoSheet.Columns))
	set := func(f string, v any) {
		for i, c := range ingest.InfoSheet.Columns {
			if c.Field == f {
				vals[i] = v
			}
		}
	}
	set("district_name", w.d.Name)
	set("district_code", code(w.d.Code))
	set("period", w.p)
	if !w.blank {
		c := codeNum(w.d.Code)
		set("reporter", reporters[hash(w.opt.Seed, c, saltOperator, 1)%uint64(len(reporters))])
		set("phone", fmt.Sprintf("139%08d", hash(w.opt.Seed, c, saltOperator, 2)%100_000_000))
		set("filled_on", w.p.Last().AddDate(0, 0, 5+int(hash(w.opt.Seed, c, saltOperator, uint64(w.pi))%15)).Format("2006-01-02"))
	}
	return w.kvSheet(&ingest.InfoSheet, name, "内容", vals)
}

var reporters = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周婷", "吴昊",
	"徐丽", "孙强", "朱琳", "马超", "胡悦", "郭涛", "何雪", "林峰", "高翔", "罗佳"}

func (w *writer) workforce(name string) error {
	if w.blank {
		return w.kvSheet(&ingest.WorkforceSheet, name, "数值", nil)
	}
	c := codeNum(w.d.Code)
	size := w.size()
	jit := 950_000 + int64(hash(w.opt.Seed, c, saltScale, 1)%100_000)
	total := size * 18000 / 2927 * (600_000 + w.sch.cov(w.pi)*2/5) / million * jit / million
	senior := total * (20 + int64(hash(w.opt.Seed, c, saltScale, 2)%20)) / 1000
	inter := total * (220 + int64(hash(w.opt.Seed, c, saltScale, 3)%80)) / 1000
	orgs := max(1, total/55)
	vals := []any{total, total - senior - inter, inter, senior, orgs,
		orgs * (6 + int64(hash(w.opt.Seed, c, saltScale, 4)%10)), total/150 + 1}
	return w.kvSheet(&ingest.WorkforceSheet, name, "数值", vals)
}

// size weighs a district for amounts: ten per in-scope town, one per
// in-scope village (Suzhou: 2,927).
func (w *writer) size() int64 { return max(int64(len(w.towns))*10+int64(len(w.vills)), 5) }

// ---- table sheets ----

// table is a table sheet as written.
type table struct {
	spec   *ingest.Sheet
	order  []int // spec column of each written column, after 序号
	seq    bool  // a 序号 column first
	extra  bool  // an unknown 备注 column last
	header int
	field  map[string]int
	n      int // data rows written
}

func (t *table) width() int {
	n := len(t.order)
	if t.seq {
		n++
	}
	if t.extra {
		n++
	}
	return n
}

// beginTable lays out a table sheet and writes its title and header rows;
// rows is the number of data rows to come (drop-downs cover them).
func (w *writer) beginTable(s *ingest.Sheet, name string, rows int) (*table, error) {
	t := &table{spec: s, header: 2, field: map[string]int{}}
	for i, c := range s.Columns {
		t.field[c.Field] = i
		t.order = append(t.order, i)
	}
	messy := w.opt.Messy
	if messy {
		w.mess.Shuffle(len(t.order), func(i, j int) { t.order[i], t.order[j] = t.order[j], t.order[i] })
		t.seq = w.mess.IntN(5) != 0
		t.extra = s == &ingest.StationSheet && w.mess.IntN(2) == 0
		t.header = 2 + w.mess.IntN(3)
	}
	l := layout{freeze: t.header}
	if t.seq {
		l.widths = append(l.widths, 6)
		l.styles = append(l.styles, 0)
	}
	first := t.header + 1
	last := first + max(rows, 1) - 1
	if w.blank && rows < 200 {
		last = first + 199
	}
	for _, i := range t.order {
		c := &s.Columns[i]
		wd, st := w.colFormat(c)
		l.widths = append(l.widths, wd)
		l.styles = append(l.styles, st)
		if messy {
			continue
		}
		col := colName(len(l.widths))
		if dv := validation(c, fmt.Sprintf("%s%d:%s%d", col, first, col, last)); dv != nil && (w.blank || rows > 0) {
			l.dvs = append(l.dvs, dv)
		}
		if w.blank && c.Help != "" {
			l.comments = append(l.comments, comment(col+strconv.Itoa(t.header), c.Help))
		}
	}
	if t.extra {
		l.widths = append(l.widths, 12)
		l.styles = append(l.styles, 0)
	}
	l.merges = [][2]string{{"A1", colName(t.width()) + "1"}}
	if err := w.b.begin(name, l); err != nil {
		return nil, err
	}
	title := w.title(s.Name)
	if messy {
		title = fmt.Sprintf("%s%d年第%s季度%s情况表", w.d.Name, w.p.Year, cnQuarter[w.p.Quarter], s.Name)
	}
	if err := w.b.put(1, []any{excelize.Cell{StyleID: w.b.st.title, Value: title}}, false); err != nil {
		return nil, err
	}
	if t.header > 2 {
		note := fmt.Sprintf("填报单位：%s民政局　　　　　单位：人、万元", w.d.Name)
		if err := w.b.put(2, []any{excelize.Cell{StyleID: w.b.st.note, Value: note}}, false); err != nil {
			return nil, err
		}
	}
	hdr := make([]any, 0, t.width())
	if t.seq {
		hdr = append(hdr, excelize.Cell{StyleID: w.b.st.header, Value: "序号"})
	}
	for _, i := range t.order {
		hdr = append(hdr, excelize.Cell{StyleID: w.b.st.header, Value: w.headerText(&s.Columns[i])})
	}
	if t.extra {
		hdr = append(hdr, excelize.Cell{StyleID: w.b.st.header, Value: "备注"})
	}
	if err := w.b.put(t.header, hdr, false); err != nil {
		return nil, err
	}
	w.row = t.header
	w.sem = w.sem[:0]
	for range s.Columns {
		w.sem = append(w.sem, nil)
	}
	return t, nil
}

var cnQuarter = [...]string{"", "一", "二", "三", "四"}

// colFormat is a column's width and cell format.
func (w *writer) colFormat(c *ingest.Column) (float64, int) {
	hw := float64(displayWidth(c.Header)) + 2
	wd, st := 10.0, 0
	switch c.Kind {
	case ingest.Code:
		wd, st = 15, w.b.st.text
		if w.opt.Messy {
			st = 0
		}
	case ingest.Text:
		wd, st = 22, w.b.st.text
	case ingest.Date:
		wd, st = 12, w.b.st.date
	case ingest.Int:
		wd, st = 10, w.b.st.integer
	case ingest.Money:
		wd, st = 13, w.b.st.money
	case ingest.Choice:
		wd = 18
	case ingest.YesNo:
		wd = 10
	}
	return max(wd, min(hw, 20)), st
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r < 0x2e80 {
			n++
		} else {
			n += 2
		}
	}
	return n
}

// validation is the drop-down or range check of a column over sqref.
func validation(c *ingest.Column, sqref string) *excelize.DataValidation {
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(sqref)
	switch c.Kind {
	case ingest.YesNo:
		_ = dv.SetDropList([]string{"是", "否"})
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "请选择“是”或“否”")
	case ingest.Choice:
		if err := dv.SetDropList(c.Choices); err != nil {
			return nil
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "请从下拉列表中选择："+strings.Join(c.Choices, "、"))
	case ingest.Int:
		_ = dv.SetRange(0, 1000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "请填写不小于 0 的整数")
	case ingest.Money:
		_ = dv.SetRange(0, 100000000, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "请填写不小于 0 的数字（单位万元，最多 4 位小数）")
	case ingest.Decimal:
		_ = dv.SetRange("0.01", "10000", excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		dv.SetError(excelize.DataValidationErrorStyleStop, c.Header, "请填写大于 0 的数字")
	default:
		return nil
	}
	return dv
}

// headerText is the header written for a column: as specified, or in a
// messy return an alias, with full-width brackets and stray spaces.
func (w *writer) headerText(c *ingest.Column) string {
	h := c.Header
	if !w.opt.Messy {
		return h
	}
	if w.mess.IntN(3) == 0 {
		h = headerVariant(c, w.mess)
	}
	if w.mess.IntN(2) == 0 {
		h = strings.NewReplacer("(", "（", ")", "）").Replace(h)
	}
	if w.mess.IntN(3) == 0 {
		if i := strings.IndexAny(h, "(（"); i > 0 {
			h = h[:i] + " " + h[i:]
		} else {
			h = insertSpace(h, w.mess)
		}
	}
	return h
}

// insertSpace puts an ASCII or full-width space inside s.
func insertSpace(s string, r *rand.Rand) string {
	n := utf8.RuneCountInString(s)
	if n < 2 {
		return s
	}
	k := 1 + r.IntN(n-1)
	i := 0
	for j := 0; j < k; j++ {
		_, sz := utf8.DecodeRuneInString(s[i:])
		i += sz
	}
	sp := " "
	if r.IntN(2) == 0 {
		sp = "\u3000"
	}
	return s[:i] + sp + s[i:]
}

// dataRow writes w.sem (values by spec column) as the next data row.
func (w *writer) dataRow(t *table, note any) error {
	w.row++
	hidden := false
	if w.opt.Messy {
		if w.mess.IntN(40) == 0 {
			w.row++ // a blank row
		}
		hidden = w.mess.IntN(50) == 0
	}
	t.n++
	out := w.out[:0]
	if t.seq {
		out = append(out, w.cell(nil, int64(t.n)))
	}
	for _, i := range t.order {
		v := w.sem[i]
		if v != nil {
			v = w.cell(&t.spec.Columns[i], v)
		}
		out = append(out, v)
	}
	if t.extra {
		out = append(out, note)
	}
	w.out = out
	for i := range w.sem {
		w.sem[i] = nil
	}
	return w.b.put(w.row, out, hidden)
}

// totalRow writes a 合计 row (messy returns only) with the given totals
// by spec column.
func (w *writer) totalRow(t *table, totals map[int]any) error {
	if !w.opt.Messy || t.n == 0 || w.mess.IntN(4) == 0 {
		return nil
	}
	out := make([]any, t.width())
	k := 0
	if t.seq {
		k = 1
	}
	label := "合计"
	if w.mess.IntN(3) == 0 {
		label = "总 计"
	}
	for j, i := range t.order {
		if v, ok := totals[i]; ok {
			out[k+j] = w.cell(&t.spec.Columns[i], v)
		}
	}
	// The label goes first, over whatever column comes first.
	out[0] = label
	w.row++
	return w.b.put(w.row, out, false)
}

func (w *writer) stations(name string) error {
	s := &ingest.StationSheet
	t, err := w.beginTable(s, name, len(w.towns))
	if err != nil {
		return err
	}
	f := t.field
	fCode, fName, fBuilt, fOn, fStd := f["town_code"], f["town_name"], f["built"], f["built_on"], f["standard"]
	fRes, fResC, fOut, fOutC := f["resident"], f["resident_cert"], f["outreach"], f["outreach_cert"]
	fOp, fOper, fCharity := f["operation"], f["operator"], f["charity_fund"]
	var sums [4]int64
	seed := w.opt.Seed
	for _, u := range w.towns {
		w.sem[fCode], w.sem[fName] = code(u.Code), u.Name
		var note any
		if !w.blank {
			st := w.sch.state(seed, u.Code, w.pi)
			w.sem[fBuilt] = st.built
			w.sem[fCharity] = w.charityFlag(st.charity)
			if st.built {
				c := codeNum(u.Code)
				w.sem[fOn] = st.builtOn
				w.sem[fStd] = st.standard
				res := residents[hash(seed, c, saltResident, 0)%uint64(len(residents))]
				if hash(seed, c, saltDrift, uint64(w.pi))%5 == 0 {
					if res < 6 {
						res++
					} else {
						res--
					}
				}
				age := int64(w.pi - st.builtQ)
				cert := min(million, 300_000+50_000*age+int64(hash(seed, c, saltCert, 0)%250_000))
				resCert := res * cert / million
				out := int64(w.inTown[u.Code]/4) + int64(hash(seed, c, saltOutreach, 0)%3)
				outCert := out * max(cert-150_000, 0) / million
				w.sem[fRes], w.sem[fResC], w.sem[fOut], w.sem[fOutC] = res, resCert, out, outCert
				for k, v := range []int64{res, resCert, out, outCert} {
					sums[k] += v
				}
				switch op := hash(seed, c, saltOperation, 0) % 10; {
				case op < 7:
					w.sem[fOp] = ingest.OperationChoices[1]
					w.sem[fOper] = w.d.Name + orgWords[hash(seed, c, saltOperator, 0)%uint64(len(orgWords))]
				case op < 9:
					w.sem[fOp] = ingest.OperationChoices[0]
				default:
					w.sem[fOp] = ingest.OperationChoices[2]
					w.sem[fOper] = u.Name + "社区服务中心"
				}
				if t.extra && age == 0 {
					note = "本季度新建"
				}
			}
		}
		if err := w.dataRow(t, note); err != nil {
			return err
		}
	}
	return w.totalRow(t, map[int]any{fRes: sums[0], fResC: sums[1], fOut: sums[2], fOutC: sums[3]})
}

var residents = []int64{1, 2, 3, 3, 4, 4, 4, 5, 5, 6}

var orgWords = []string{"仁爱社会工作服务中心", "益众社会工作服务社", "阳光社工事务所", "邻里社会工作服务中心",
	"同心社会工作服务中心", "启航社会工作服务社", "乐群社会工作服务中心", "惠民社工事务所", "和合社会工作发展中心", "心立方社会工作服务中心"}

// charityFlag is a 是否设立社区慈善基金 value: in a messy return a "no" is
// sometimes left empty (which reads as no).
func (w *writer) charityFlag(v bool) any {
	if !v && w.opt.Messy && w.mess.IntN(20) == 0 {
		return nil
	}
	return v
}

func (w *writer) roomSheet(name string) error {
	s := &ingest.RoomSheet
	t, err := w.beginTable(s, name, len(w.vills))
	if err != nil {
		return err
	}
	f := t.field
	fCode, fName, fBuilt, fOn, fCharity := f["village_code"], f["village_name"], f["built"], f["built_on"], f["charity_fund"]
	built := 0
	for i, u := range w.vills {
		w.sem[fCode], w.sem[fName] = code(u.Code), u.Name
		if !w.blank {
			st := w.rooms[i]
			w.sem[fBuilt] = st.built
			if st.built {
				w.sem[fOn] = st.builtOn
				built++
			}
			w.sem[fCharity] = w.charityFlag(st.charity)
		}
		if err := w.dataRow(t, nil); err != nil {
			return err
		}
	}
	return w.totalRow(t, map[int]any{fName: fmt.Sprintf("建成 %d 个", built)})
}

func (w *writer) funds(name string) error {
	s := &ingest.FundSheet
	if w.blank {
		_, err := w.beginTable(s, name, 0)
		return err
	}
	type fund struct {
		unit     string
		category string
		amount   int64
		note     string
	}
	var rows []fund
	r := w.rng
	size := w.size()
	// Amounts grow with coverage and reach the Suzhou-like level (4,700 万元
	// government purchase and 5,100 万元 charity a year for the city) at 100%.
	factor := 550_000 + w.sch.cov(w.pi)*9/20
	quarterly := func(perYear int64) int64 {
		v := size * perYear * 10_000 / 2927 / 4 * factor / million
		return v * (800 + int64(r.IntN(401))) / 1000
	}
	split := func(category string, total int64, units []string, notes []string) {
		n := 1 + r.IntN(3)
		if len(units) == 0 {
			n = 1
		}
		left := total
		for k := 0; k < n; k++ {
			unit := w.d.Code
			if k > 0 {
				unit = units[r.IntN(len(units))]
			}
			amt := left
			if k < n-1 {
				amt = left * int64(20+r.IntN(50)) / 100
			}
			left -= amt
			note := ""
			if len(notes) > 0 && r.IntN(2) == 0 {
				note = notes[r.IntN(len(notes))]
			}
			rows = append(rows, fund{unit, category, amt, note})
		}
	}
	townCodes := make([]string, len(w.towns))
	for i, u := range w.towns {
		townCodes[i] = u.Code
	}
	var charityUnits []string
	for i, u := range w.vills {
		if w.rooms[i].charity && len(charityUnits) < 64 {
			charityUnits = append(charityUnits, u.Code)
		}
	}
	if len(charityUnits) == 0 {
		charityUnits = townCodes
	}
	split(ingest.FundGov, quarterly(4700), townCodes, []string{"社工站运营经费", "购买社会工作服务项目", "第二批资金"})
	split(ingest.FundCharity, quarterly(5100), charityUnits, []string{"社区慈善基金募集", "慈善总会配捐"})
	split(ingest.FundDonated, quarterly(800), townCodes, []string{"企业捐赠", "个人捐赠"})
	if r.IntN(10) < 4 {
		split(ingest.FundChoices[2], quarterly(300), townCodes, nil)
	}
	if r.IntN(4) == 0 {
		split(ingest.FundChoices[4], quarterly(150), townCodes, []string{"街道自筹"})
	}
	t, err := w.beginTable(s, name, len(rows))
	if err != nil {
		return err
	}
	f := t.field
	fUnit, fCat, fAmt, fNote := f["unit_code"], f["category"], f["amount"], f["note"]
	var total int64
	for _, x := range rows {
		if !(x.unit == w.d.Code && w.opt.Messy && w.mess.IntN(5) == 0) {
			w.sem[fUnit] = code(x.unit)
		}
		w.sem[fCat] = x.category
		w.sem[fAmt] = money(x.amount)
		if x.note != "" {
			w.sem[fNote] = x.note
		}
		total += x.amount
		if err := w.dataRow(t, nil); err != nil {
			return err
		}
	}
	return w.totalRow(t, map[int]any{fAmt: money(total)})
}

var trainingTopics = []string{"困境儿童关爱", "社区治理", "社工站运营管理", "心理危机干预", "老年人关爱服务", "社会救助"}

func (w *writer) trainings(name string) error {
	s := &ingest.TrainingSheet
	n := 0
	if !w.blank {
		n = 1 + w.rng.IntN(4)
	}
	t, err := w.beginTable(s, name, n)
	if err != nil {
		return err
	}
	f := t.field
	fName, fOn, fHours, fPart, fCat, fCost := f["name"], f["start_on"], f["hours"], f["participants"], f["category"], f["cost"]
	r := w.rng
	first := w.p.First()
	days := int(w.p.Last().Sub(first).Hours()/24+0.5) + 1
	var total int64
	for k := 0; k < n; k++ {
		cat := ingest.TrainingChoices[r.IntN(len(ingest.TrainingChoices))]
		var nm string
		switch cat {
		case "继续教育":
			nm = fmt.Sprintf("%s社会工作者继续教育培训班（第%d期）", w.d.Name, 1+r.IntN(6))
		case "督导培养":
			nm = w.d.Name + "社会工作督导人才培养计划"
		case "新入职培训":
			nm = "新入职社工岗前培训"
		case "专题培训":
			nm = trainingTopics[r.IntN(len(trainingTopics))] + "专题培训"
		default:
			nm = "社工站站长工作交流会"
		}
		d := first.AddDate(0, 0, r.IntN(days))
		w.sem[fName] = nm
		w.sem[fOn] = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		w.sem[fHours] = []float64{3, 4.5, 6, 8, 12, 16, 24, 32}[r.IntN(8)]
		part := int64(20 + r.IntN(280))
		total += part
		w.sem[fPart] = part
		w.sem[fCat] = cat
		if r.IntN(10) < 7 {
			w.sem[fCost] = money(int64(50+r.IntN(750)) * 100)
		}
		if err := w.dataRow(t, nil); err != nil {
			return err
		}
	}
	return w.totalRow(t, map[int]any{fPart: total})
}

func (w *writer) projects(name string) error {
	s := &ingest.ProjectSheet
	n := 0
	if !w.blank {
		n = 2 + w.rng.IntN(4)
	}
	t, err := w.beginTable(s, name, n)
	if err != nil {
		return err
	}
	f := t.field
	fName, fTown, fField, fServed, fDemo := f["name"], f["town_code"], f["field"], f["served"], f["demonstration"]
	r := w.rng
	for k := 0; k < n; k++ {
		field := ingest.FieldChoices[r.IntN(len(ingest.FieldChoices))]
		prefix := w.d.Name
		if len(w.towns) > 0 {
			u := w.towns[r.IntN(len(w.towns))]
			prefix = u.Name
			w.sem[fTown] = code(u.Code)
		}
		if field == "其他" {
			w.sem[fName] = prefix + "社区融合服务项目"
		} else {
			w.sem[fName] = prefix + field + "服务项目"
		}
		w.sem[fField] = field
		w.sem[fServed] = int64(50 + r.IntN(2950))
		w.sem[fDemo] = r.IntN(5) == 0
		if err := w.dataRow(t, nil); err != nil {
			return err
		}
	}
	return nil
}

// notes is the 填报说明 sheet a messy return carries (not part of the return).
func (w *writer) notes(name string) error {
	if err := w.b.begin(name, layout{widths: []float64{80}}); err != nil {
		return err
	}
	lines := []string{"填报说明", "1. 每个乡镇（街道）、村（社区）填报一行。", "2. 金额单位为万元。"}
	for i, s := range lines {
		if err := w.b.put(i+1, []any{s}, false); err != nil {
			return err
		}
	}
	return nil
}

// ---- values ----

// cell is the value written for v in column c (nil c: a 序号 or total).
func (w *writer) cell(c *ingest.Column, v any) any {
	if !w.opt.Messy {
		switch x := v.(type) {
		case code:
			return string(x)
		case bool:
			if x {
				return "是"
			}
			return "否"
		case money:
			return float64(x) / 10000
		case sgz.Period:
			return x.String()
		}
		return v
	}
	r := w.mess
	switch x := v.(type) {
	case code:
		s := string(x)
		switch k := r.IntN(20); {
		case k < 8:
			n, _ := strconv.ParseInt(s, 10, 64)
			return n
		case k < 10:
			return " " + s + " "
		case k < 11:
			return "'" + s
		case k < 13 && c != nil && c.Field == "town_code" && len(s) == 9:
			return s + "000"
		case k < 14 && len(s) == 12:
			return s[:1] + "." + s[1:] + "E+11"
		case k < 15:
			return fullWidth(s)
		}
		return s
	case bool:
		yes, no := yesForms, noForms
		if c != nil && c.Field == "built" {
			yes, no = yesBuilt, noBuilt // 已建成 / 未建 only where they make sense
		}
		if x {
			return yes[r.IntN(len(yes))]
		}
		return no[r.IntN(len(no))]
	case time.Time:
		return w.messyDate(x)
	case int64:
		if c == nil && x > 0 {
			return x // 序号
		}
		switch k := r.IntN(10); {
		case k < 5:
			return x
		case k < 7:
			return thousands(strconv.FormatInt(x, 10))
		case k < 8:
			return fullWidth(strconv.FormatInt(x, 10))
		case k < 9:
			return float64(x)
		}
		return strconv.FormatInt(x, 10) + ".0"
	case money:
		switch k := r.IntN(10); {
		case k < 4:
			return float64(x) / 10000
		case k < 8:
			return moneyText(int64(x), true)
		case k < 9:
			return " " + moneyText(int64(x), false) + " "
		}
		return fullWidth(moneyText(int64(x), false))
	case float64:
		switch r.IntN(3) {
		case 0:
			return strconv.FormatFloat(x, 'f', 1, 64)
		case 1:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		return x
	case sgz.Period:
		forms := []string{x.String(), fmt.Sprintf("%d-Q%d", x.Year, x.Quarter), fmt.Sprintf("%d年第%s季度", x.Year, cnQuarter[x.Quarter]),
			fmt.Sprintf("%d年第%d季度", x.Year, x.Quarter), fmt.Sprintf("%d年%d季度", x.Year, x.Quarter), fmt.Sprintf("%dq%d", x.Year, x.Quarter)}
		return forms[r.IntN(len(forms))]
	case string:
		if c != nil && c.Kind == ingest.Choice && r.IntN(5) == 0 {
			return insertSpace(x, r)
		}
		switch r.IntN(10) {
		case 0:
			return " " + x + " "
		case 1:
			return x + "\u3000"
		}
		return x
	}
	return v
}

var (
	yesForms = []any{"是", "是", "√", "Y", "y", "1", int64(1), "TRUE", true, "✓", " 是 "}
	noForms  = []any{"否", "否", "×", "N", "n", "0", int64(0), "FALSE", false, "✗", " 否 "}
	yesBuilt = append(yesForms[:len(yesForms):len(yesForms)], "已建成", "已建")
	noBuilt  = append(noForms[:len(noForms):len(noForms)], "未建", "未建成")
)

// messyDate writes a date in one of the accepted forms.
func (w *writer) messyDate(d time.Time) any {
	r := w.mess
	y, m, day := d.Date()
	st := w.b.st
	switch k := r.IntN(14); {
	case k < 3:
		return d // a date cell, yyyy-mm-dd
	case k < 4:
		return excelize.Cell{StyleID: st.dateShort, Value: d}
	case k < 5:
		return excelize.Cell{StyleID: st.dateCN, Value: d}
	case k < 6:
		return excelize.Cell{StyleID: st.dateTime, Value: d.Add(time.Duration(8+r.IntN(10))*time.Hour + 30*time.Minute)}
	case k < 7:
		return d.Format("2006-01-02")
	case k < 8:
		return fmt.Sprintf("%d/%d/%d", y, m, day)
	case k < 9:
		return fmt.Sprintf("%d.%d.%d", y, m, day)
	case k < 10:
		return fmt.Sprintf("%d年%d月%d日", y, m, day)
	case k < 11:
		return d.Format("2006-01-02") + " 09:30"
	case k < 12:
		return fullWidth(fmt.Sprintf("%d年%d月%d日", y, m, day))
	case k < 13 && day == 1:
		return fmt.Sprintf("%d年%d月", y, m)
	case k < 13:
		return fmt.Sprintf(" %d/%02d/%02d ", y, m, day)
	case day == 1:
		return d.Format("2006-01")
	}
	return fmt.Sprintf("%d年%02d月%02d日", y, m, day)
}

// fullWidth maps ASCII digits and . , to their full-width forms.
func fullWidth(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune('０' + (c - '0'))
		case c == '.':
			b.WriteRune('．')
		case c == ',':
			b.WriteRune('，')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// thousands puts separators into a run of digits.
func thousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// moneyText is an amount in 万元 with up to 4 decimals, optionally with
// thousands separators: 12345678 -> "1,234.5678".
func moneyText(v int64, sep bool) string {
	whole := strconv.FormatInt(v/10000, 10)
	if sep {
		whole = thousands(whole)
	}
	frac := strings.TrimRight(fmt.Sprintf("%04d", v%10000), "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// keyVariant is a key of a key-value sheet as printed forms write it: the
// contract's name with a required mark, a hint in brackets or 其中：.
func keyVariant(key string, r *rand.Rand) string {
	if rest, ok := strings.CutPrefix(key, "其中"); ok {
		return "其中：" + rest
	}
	switch r.IntN(2) {
	case 0:
		return "*" + key
	}
	return key + "（人）"
}

// headerVariant is a column's header with a unit or fill-in hint, as the
// revised contract allows (never another name: that would be another
// statistic).
func headerVariant(c *ingest.Column, r *rand.Rand) string {
	h := c.Header
	switch c.Kind {
	case ingest.Int:
		return h + []string{"（人）", "(人)", "（人次）"}[r.IntN(3)]
	case ingest.YesNo:
		return h + "（是/否）"
	case ingest.Date:
		return h + "（年/月/日）"
	case ingest.Code:
		return "*" + h
	case ingest.Decimal:
		return h + "（小时）"
	}
	return h
}
