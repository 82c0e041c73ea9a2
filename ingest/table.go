package ingest

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sgz"
	"sgz/ingest/xlsx"
	"sgz/registry"
	"sgz/value"
)

// headerScanRows is how many non-empty rows may stand above the header row
// (titles, notes, a unit line) before the sheet is declared headerless.
const headerScanRows = 30

// tableRow is one data row of a table sheet while it is being read.
type tableRow struct {
	c      *checker
	t      *table
	num    int
	cells  []*xlsx.Cell // by spec column index; nil when the cell is empty
	failed bool         // an error was reported for this row
}

// table is a table sheet being read.
type table struct {
	spec    *Sheet
	name    string   // the sheet's name in the workbook
	letters []string // column letter of each spec column ("" when absent)
	byCol   map[int]int
	field   map[string]int
	totals  map[int]xlsx.Cell // spec column -> cell of the total row
	total   int               // total row number (0 if none)
	sums    map[int]int64     // spec column -> sum over accepted rows
	empty   map[string][]string
	seen    map[string]int      // code -> row, for duplicate detection
	nTotals int                 // total rows seen
	merged  map[xlsx.Range]bool // merged ranges whose value was spread over data cells
	heads   map[int]string      // column -> its header text as found (to spot a repeated header row)
}

func (r *tableRow) idx(f string) int { return r.t.field[f] }

func (r *tableRow) cell(f string) (xlsx.Cell, bool) {
	i := r.idx(f)
	if r.cells[i] == nil {
		return xlsx.Cell{}, false
	}
	return *r.cells[i], true
}

func (r *tableRow) has(f string) bool { _, ok := r.cell(f); return ok }

// ref is the cell address of field f in this row (the column's letter even
// when the cell is empty; "" when the column is absent).
func (r *tableRow) ref(f string) string {
	l := r.t.letters[r.idx(f)]
	if l == "" {
		return ""
	}
	return l + strconv.Itoa(r.num)
}

func (r *tableRow) header(f string) string { return r.t.spec.Columns[r.idx(f)].Header }

func (r *tableRow) errorf(f, key string, args ...any) {
	r.failed = true
	r.c.errorf(r.t.name, r.ref(f), key, args...)
}

func (r *tableRow) warnf(f, key string, args ...any) { r.c.warnf(r.t.name, r.ref(f), key, args...) }

func (r *tableRow) text(f string) string {
	c, ok := r.cell(f)
	if !ok {
		return ""
	}
	return trim(c.Value)
}

// required reports an empty required cell.
func (r *tableRow) required(f string) bool {
	if r.has(f) {
		return true
	}
	if r.t.letters[r.idx(f)] == "" {
		// The whole column is missing: reported once for the sheet.
		r.failed = true
		return false
	}
	r.errorf(f, "ingest.v.empty", r.header(f))
	return false
}

func (r *tableRow) int(f string, min int64) (int64, bool) {
	c, ok := r.cell(f)
	if !ok {
		return 0, false
	}
	n, good := r.c.parseInt(r.t.name, r.ref(f), r.header(f), c, min)
	if !good {
		r.failed = true
		return 0, false
	}
	r.t.sums[r.idx(f)] += n
	return n, true
}

func (r *tableRow) yesno(f string) (bool, bool) {
	c, ok := r.cell(f)
	if !ok {
		return false, false
	}
	v, good := r.c.parseYesNo(r.t.name, r.ref(f), r.header(f), c)
	r.failed = r.failed || !good
	return v, good
}

func (r *tableRow) date(f string) (time.Time, bool) {
	c, ok := r.cell(f)
	if !ok {
		return time.Time{}, false
	}
	v, good := r.c.parseDate(r.t.name, r.ref(f), r.header(f), c, r.c.wb.Date1904())
	r.failed = r.failed || !good
	return v, good
}

func (r *tableRow) money(f string) (int64, bool) {
	c, ok := r.cell(f)
	if !ok {
		return 0, false
	}
	v, good := r.c.parseMoney(r.t.name, r.ref(f), r.header(f), c)
	r.failed = r.failed || !good
	return v, good
}

func (r *tableRow) choice(f string) (string, bool) {
	c, ok := r.cell(f)
	if !ok {
		return "", false
	}
	v, good := r.c.parseChoice(r.t.name, r.ref(f), &r.t.spec.Columns[r.idx(f)], c)
	r.failed = r.failed || !good
	return v, good
}

// code reads a division code of the given length; for towns a 12-digit code
// ending in 000 names the same town.
func (r *tableRow) code(f string, want int) (string, bool) {
	c, ok := r.cell(f)
	if !ok {
		return "", false
	}
	code, err := value.Code(c.Value)
	if err == nil && want < 12 {
		code = shorten(code, want)
	}
	if err != nil || len(code) != want {
		r.failed = true
		r.c.codeError(r.t.name, r.ref(f), r.header(f), c.Value, want, err)
		return "", false
	}
	return code, true
}

// emptyAs remembers that a cell was left empty and read as a default; one
// warning per sheet and column says so at the end.
func (r *tableRow) emptyAs(f string) {
	r.t.empty[f] = append(r.t.empty[f], r.ref(f))
}

// hcell is one column of a header row being recognised.
type hcell struct {
	col    int
	text   string
	spread bool // the text only comes from a merged range
}

// readTable reads a table sheet: finds its header row (or two rows: a
// group header over sub-headers), maps its columns by the contract's names,
// and hands each data row to the sheet's row reader. Total rows, footers and
// repeated header rows are not data.
func (c *checker) readTable(s *Sheet, name string) error {
	t := &table{spec: s, name: name, letters: make([]string, len(s.Columns)), byCol: map[int]int{},
		field: map[string]int{}, totals: map[int]xlsx.Cell{}, sums: map[int]int64{},
		empty: map[string][]string{}, seen: map[string]int{}, merged: map[xlsx.Range]bool{}, heads: map[int]string{}}
	for i := range s.Columns {
		t.field[s.Columns[i].Field] = i
	}
	colOf := s.columnOf()
	count := func(h []hcell) int {
		seen := map[int]bool{}
		for _, x := range h {
			if i := colOf(x.text); i >= 0 {
				seen[i] = true
			}
		}
		return len(seen)
	}
	texts := func(r mrow) []hcell {
		h := make([]hcell, 0, len(r.Cells))
		for k, cell := range r.Cells {
			if v := trim(cell.Value); v != "" {
				h = append(h, hcell{cell.Col, v, r.spreadFrom(k) != nil})
			}
		}
		return h
	}
	// combine joins a group header row above a sub-header row, column by
	// column: the group and the sub-header in whichever order is a contract
	// name (驻站社工+人数, 其中持证+驻站社工), else the lower text.
	combine := func(up, low []hcell) []hcell {
		by := map[int]hcell{}
		var cols []int
		for _, x := range up {
			by[x.col] = x
			cols = append(cols, x.col)
		}
		out := make([]hcell, 0, len(cols)+len(low))
		for _, l := range low {
			u, ok := by[l.col]
			switch {
			case !ok || norm(u.text) == norm(l.text):
				out = append(out, l)
			case colOf(u.text+l.text) >= 0:
				out = append(out, hcell{l.col, u.text + l.text, u.spread && l.spread})
			case colOf(l.text+u.text) >= 0:
				out = append(out, hcell{l.col, l.text + u.text, u.spread && l.spread})
			default:
				out = append(out, l)
			}
			delete(by, l.col)
		}
		for _, col := range cols {
			if u, ok := by[col]; ok {
				out = append(out, u)
			}
		}
		slices.SortFunc(out, func(a, b hcell) int { return a.col - b.col })
		return out
	}
	setHeader := func(h []hcell, rowNum int) {
		for _, x := range h {
			i := colOf(x.text)
			if i < 0 {
				if !x.spread {
					c.warnf(name, xlsx.ColName(x.col)+strconv.Itoa(rowNum), "ingest.col.unknown", x.text)
				}
				continue
			}
			if t.letters[i] != "" {
				if x.spread {
					continue // one header merged over several columns: its first column
				}
				c.errorf(name, xlsx.ColName(x.col)+strconv.Itoa(rowNum), "ingest.col.dup", s.Columns[i].Header, t.letters[i], xlsx.ColName(x.col))
				continue
			}
			t.letters[i] = xlsx.ColName(x.col)
			t.byCol[x.col] = i
			t.heads[x.col] = x.text
		}
		for i, col := range s.Columns {
			if col.Required && t.letters[i] == "" {
				c.errorf(name, "", "ingest.col.missing", col.Header, rowNum)
			}
		}
	}
	scanned, headerRow := 0, 0
	var prev, pending []hcell // the row above; a header candidate waiting for the row below
	pendingNum, pendingN := 0, 0
	content := false // some row holds two different texts
	cells := make([]*xlsx.Cell, len(s.Columns))
	spreadOf := make([]*xlsx.Range, len(s.Columns))
	err := c.eachRow(name, func(row mrow) error {
		if headerRow == 0 {
			h := texts(row)
			if len(h) >= 2 {
				for _, x := range h[1:] {
					if x.text != h[0].text {
						content = true
					}
				}
			}
			if pending != nil {
				if comb := combine(pending, h); count(comb) > pendingN {
					setHeader(comb, row.Num)
					headerRow = row.Num
					pending = nil
					return nil
				}
				setHeader(pending, pendingNum)
				headerRow = pendingNum
				pending = nil
				// and this row is data: go on below
			} else {
				scanned++
				if scanned > headerScanRows {
					return errStop
				}
				n, cand := count(h), h
				if prev != nil {
					if comb := combine(prev, h); count(comb) > n {
						n, cand = count(comb), comb
					}
				}
				prev = h
				if n >= 2 {
					pending, pendingNum, pendingN = cand, row.Num, n
				}
				return nil
			}
		}
		// A data row, a total row, a footer, a repeated header or a blank one.
		first := ""
		for _, cell := range row.Cells {
			if v := trim(cell.Value); v != "" {
				first = v
				break
			}
		}
		if first == "" {
			return nil
		}
		if c.isTotalRow(t, row) {
			t.total = row.Num
			t.nTotals++
			for _, cell := range row.Cells {
				if i, ok := t.byCol[cell.Col]; ok {
					t.totals[i] = plain(cell)
				}
			}
			return nil
		}
		if isFooter(first) {
			return nil
		}
		repeated := 0
		for _, cell := range row.Cells {
			if h, ok := t.heads[cell.Col]; ok && trim(cell.Value) == h {
				repeated++
			}
		}
		if repeated >= 2 {
			c.warnf(name, xlsx.ColName(row.Cells[0].Col)+strconv.Itoa(row.Num), "ingest.header.repeated", row.Num)
			return nil
		}
		for i := range cells {
			cells[i], spreadOf[i] = nil, nil
		}
		any := false
		for k := range row.Cells {
			cell := &row.Cells[k] // valid during this call, as the row is
			if i, ok := t.byCol[cell.Col]; ok && trim(cell.Value) != "" {
				*cell = plain(*cell)
				cells[i] = cell
				spreadOf[i] = row.spreadFrom(k)
				any = true
			}
		}
		if !any {
			return nil // blank, or only 序号/备注-like columns
		}
		for _, m := range spreadOf {
			if m != nil {
				t.merged[*m] = true
			}
		}
		r := &tableRow{c: c, t: t, num: row.Num, cells: cells}
		switch s {
		case &StationSheet:
			c.stationRow(r)
		case &RoomSheet:
			c.roomRow(r)
		case &FundSheet:
			c.fundRow(r)
		case &TrainingSheet:
			c.trainingRow(r)
		case &ProjectSheet:
			c.projectRow(r)
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if err != nil {
		return err
	}
	if pending != nil {
		setHeader(pending, pendingNum)
		headerRow = pendingNum
	}
	if headerRow == 0 {
		if !s.Required && !content {
			return nil // an optional sheet present but blank is as if absent
		}
		var want []string
		for _, col := range s.Columns {
			if col.Required {
				want = append(want, col.Header)
			}
		}
		c.errorf(name, "", "ingest.sheet.header", name, strings.Join(want, "、"))
		return nil
	}
	c.tableRead[s] = name
	c.finishTable(t)
	return nil
}

// codeField is the column that holds a unit's code in each table sheet.
var codeField = map[*Sheet]string{&StationSheet: "town_code", &RoomSheet: "village_code", &FundSheet: "unit_code", &ProjectSheet: "town_code"}

// isTotalRow reports a total row: one that holds no unit code and in which
// some cell reads 合计, 总计, 小计, 汇总, 总合计 or ends in 合计, in any
// column (the sums may stand before or after the label).
func (c *checker) isTotalRow(t *table, row mrow) bool {
	label := false
	for _, cell := range row.Cells {
		if isTotal(cell.Value) {
			label = true
			break
		}
	}
	if !label {
		return false
	}
	f, ok := codeField[t.spec]
	if !ok {
		return true
	}
	for _, cell := range row.Cells {
		if i, ok := t.byCol[cell.Col]; ok && i == t.field[f] {
			if code, err := value.Code(plain(cell).Value); err == nil && len(code) >= 6 {
				return false
			}
		}
	}
	return true
}

var errStop = errors.New("stop")

func (c *checker) finishTable(t *table) {
	for _, col := range t.spec.Columns {
		refs := t.empty[col.Field]
		if len(refs) == 0 {
			continue
		}
		c.warnf(t.name, refs[0], "ingest.empty_as_no", col.Header, len(refs), refs[0])
	}
	var ranges []xlsx.Range
	for m := range t.merged {
		ranges = append(ranges, m)
	}
	slices.SortFunc(ranges, func(a, b xlsx.Range) int {
		if a.FromRow != b.FromRow {
			return a.FromRow - b.FromRow
		}
		return a.FromCol - b.FromCol
	})
	for _, m := range ranges {
		c.warnf(t.name, xlsx.ColName(m.FromCol)+strconv.Itoa(m.FromRow), "ingest.merged", m.String())
	}
	if t.total == 0 || t.nTotals > 1 {
		return // several totals (小计 per town, then 合计): not checked
	}
	for i, cell := range t.totals {
		if t.spec.Columns[i].Kind != Int {
			continue
		}
		n, err := value.Int(cell.Value)
		if err != nil {
			continue
		}
		if sum := t.sums[i]; n != sum && c.nErr == 0 {
			c.warnf(t.name, cell.Ref(t.total), "ingest.total.mismatch", t.spec.Columns[i].Header, n, sum)
		}
	}
}

// unit checks a listed code against the registry: it must be a unit of the
// level under this district. It reports and returns false when not.
func (c *checker) unit(r *tableRow, f string, code string, level sgz.Level) (*registry.Unit, bool) {
	u, ok := c.reg.Unit(code)
	switch {
	case !ok:
		r.errorf(f, "ingest.unit.unknown", code)
		return nil, false
	case u.Level != level:
		r.errorf(f, "ingest.unit.level", code, u.Name, levelName(u.Level), levelName(level))
		return nil, false
	case u.District != c.district.Code:
		owner := u.District
		if d, ok := c.reg.Unit(u.District); ok {
			owner = d.Code + " " + d.Name
		}
		r.errorf(f, "ingest.unit.other", code, u.Name, owner, c.district.Code+" "+c.district.Name)
		return nil, false
	}
	return u, true
}

func levelName(l sgz.Level) string {
	switch l {
	case sgz.Province:
		return "省级"
	case sgz.City:
		return "地级"
	case sgz.District:
		return "区（县）"
	case sgz.Town:
		return "乡镇(街道)"
	case sgz.Village:
		return "村(社区)"
	}
	return string(l)
}

// listedUnit handles the code and name columns of the station and room sheets.
func (c *checker) listedUnit(r *tableRow, codeField, nameField string, level sgz.Level) (string, bool) {
	if !r.required(codeField) {
		return "", false
	}
	code, ok := r.code(codeField, level.CodeLen())
	if !ok {
		return "", false
	}
	c.listed[code] = true
	if prev, dup := r.t.seen[code]; dup {
		r.errorf(codeField, "ingest.unit.dup", code, prev)
		return "", false
	}
	r.t.seen[code] = r.num
	u, ok := c.unit(r, codeField, code, level)
	if !ok {
		return "", false
	}
	if !u.InScope {
		r.warnf(codeField, "ingest.unit.scope", code, u.Name)
	}
	if name := r.text(nameField); name != "" && norm(name) != norm(u.Name) {
		r.warnf(nameField, "ingest.unit.name", name, u.Name)
	}
	return code, true
}

// builtDate checks 建成时间 against 是否建成 and the period.
func (c *checker) builtDate(r *tableRow, built, builtKnown bool) time.Time {
	if !builtKnown {
		return time.Time{}
	}
	if !built {
		if r.has("built_on") {
			r.errorf("built_on", "ingest.built.notbuilt_date", r.text("built_on"))
		}
		return time.Time{}
	}
	if !r.has("built_on") {
		r.errorf("built_on", "ingest.built.date_required", r.header("built_on"))
		return time.Time{}
	}
	d, ok := r.date("built_on")
	if !ok {
		return time.Time{}
	}
	last := c.ret.Period.Last()
	if d.After(time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC)) {
		r.errorf("built_on", "ingest.built.future", d.Format("2006-01-02"), c.ret.Period.String(), last.Format("2006-01-02"))
		return time.Time{}
	}
	if d.Year() < 2000 {
		r.warnf("built_on", "ingest.built.early", d.Format("2006-01-02"))
	}
	return d
}

// notBuilt remembers where a unit was reported not built, so that recording
// can warn if the previous quarter had it built.
func (c *checker) notBuilt(r *tableRow, code string, built, known bool) {
	if known && !built && code != "" {
		c.res.notBuilt = append(c.res.notBuilt, unitCell{code, r.t.name, r.ref("built")})
	}
}

func (c *checker) charityFund(r *tableRow) bool {
	if !r.has("charity_fund") {
		r.emptyAs("charity_fund")
		return false
	}
	v, _ := r.yesno("charity_fund")
	return v
}

func (c *checker) stationRow(r *tableRow) {
	code, _ := c.listedUnit(r, "town_code", "town_name", sgz.Town)
	st := Station{Row: r.num, Code: code, Name: r.text("town_name")}
	var builtKnown bool
	if r.required("built") {
		st.Built, builtKnown = r.yesno("built")
	}
	st.BuiltOn = c.builtDate(r, st.Built, builtKnown)
	c.notBuilt(r, code, st.Built, builtKnown)
	// 是否达到规范化标准: only a built station can meet the standard.
	if builtKnown {
		if st.Built {
			if r.required("standard") {
				st.Standard, _ = r.yesno("standard")
			}
		} else if r.has("standard") {
			if v, ok := r.yesno("standard"); ok && v {
				r.errorf("standard", "ingest.standard.notbuilt")
			}
		}
	}
	counts := []struct {
		field string
		dst   *int64
		ok    bool
	}{{"resident", &st.Resident, true}, {"resident_cert", &st.ResidentCert, true}, {"outreach", &st.Outreach, true}, {"outreach_cert", &st.OutreachCert, true}}
	for i := range counts {
		k := &counts[i]
		if !r.has(k.field) {
			if builtKnown && st.Built {
				r.errorf(k.field, "ingest.count.required", r.header(k.field))
				k.ok = false
			}
			continue
		}
		n, ok := r.int(k.field, 0)
		if !ok {
			k.ok = false
			continue
		}
		*k.dst = n
		if builtKnown && !st.Built && n > 0 {
			r.warnf(k.field, "ingest.count.notbuilt", r.header(k.field), n)
		}
		if n > 100 {
			r.warnf(k.field, "ingest.warn.large", r.header(k.field), n)
		}
	}
	if counts[0].ok && counts[1].ok && st.ResidentCert > st.Resident {
		r.errorf("resident_cert", "ingest.cert.exceeds", r.header("resident_cert"), st.ResidentCert, r.header("resident"), st.Resident)
	}
	if counts[2].ok && counts[3].ok && st.OutreachCert > st.Outreach {
		r.errorf("outreach_cert", "ingest.cert.exceeds", r.header("outreach_cert"), st.OutreachCert, r.header("outreach"), st.Outreach)
	}
	if r.has("operation") {
		st.Operation, _ = r.choice("operation")
	}
	st.Operator = r.text("operator")
	st.CharityFund = c.charityFund(r)
	if !r.failed {
		c.ret.Stations = append(c.ret.Stations, st)
	}
}

func (c *checker) roomRow(r *tableRow) {
	code, _ := c.listedUnit(r, "village_code", "village_name", sgz.Village)
	rm := Room{Row: r.num, Code: code, Name: r.text("village_name")}
	var builtKnown bool
	if r.required("built") {
		rm.Built, builtKnown = r.yesno("built")
	}
	rm.BuiltOn = c.builtDate(r, rm.Built, builtKnown)
	c.notBuilt(r, code, rm.Built, builtKnown)
	rm.CharityFund = c.charityFund(r)
	if !r.failed {
		c.ret.Rooms = append(c.ret.Rooms, rm)
	}
}

func (c *checker) fundRow(r *tableRow) {
	f := Fund{Row: r.num, Unit: c.district.Code, Note: r.text("note")}
	if r.has("unit_code") {
		cell, _ := r.cell("unit_code")
		code, err := value.Code(cell.Value)
		code = shorten(code, 0)
		switch {
		case errors.Is(err, value.ErrCodePrecision):
			c.codeError(r.t.name, r.ref("unit_code"), r.header("unit_code"), r.text("unit_code"), 0, err)
			r.failed = true
		case err != nil || (len(code) != 6 && len(code) != 9 && len(code) != 12):
			r.errorf("unit_code", "ingest.v.code_any", r.header("unit_code"), r.text("unit_code"))
		default:
			u, ok := c.reg.Unit(code)
			if !ok || (u.Code != c.district.Code && u.District != c.district.Code) {
				r.errorf("unit_code", "ingest.fund.unit", code, c.district.Code+" "+c.district.Name)
			}
			f.Unit = code
		}
	} else {
		r.emptyAs("unit_code")
	}
	if r.required("category") {
		f.Category, _ = r.choice("category")
	}
	if r.required("amount") {
		f.Amount, _ = r.money("amount")
		if f.Amount > 10000*10000 { // over 1 亿元 in one row
			r.warnf("amount", "ingest.warn.large", r.header("amount"), r.text("amount"))
		}
	}
	if !r.failed {
		c.ret.Funds = append(c.ret.Funds, f)
	}
}

func (c *checker) trainingRow(r *tableRow) {
	t := Training{Row: r.num, Name: r.text("name"), Cost: -1}
	r.required("name")
	if r.has("start_on") {
		if d, ok := r.date("start_on"); ok {
			t.StartOn = d
			p := sgz.PeriodOf(d)
			if p != c.ret.Period {
				r.warnf("start_on", "ingest.training.outside", d.Format("2006-01-02"), c.ret.Period.String())
			}
		}
	}
	if r.required("hours") {
		cell, _ := r.cell("hours")
		h, err := value.Decimal(cell.Value)
		switch {
		case err != nil:
			r.errorf("hours", "ingest.v.number", r.header("hours"), r.text("hours"))
		case h <= 0:
			r.errorf("hours", "ingest.v.positive", r.header("hours"), r.text("hours"))
		default:
			t.Hours = h
			if h > 500 {
				r.warnf("hours", "ingest.warn.large", r.header("hours"), r.text("hours"))
			}
		}
	}
	if r.required("participants") {
		t.Participants, _ = r.int("participants", 1)
	}
	if r.has("category") {
		t.Category, _ = r.choice("category")
	}
	if r.has("cost") {
		t.Cost, _ = r.money("cost")
	}
	if !r.failed {
		c.ret.Trainings = append(c.ret.Trainings, t)
	}
}

func (c *checker) projectRow(r *tableRow) {
	p := Project{Row: r.num, Name: r.text("name"), Served: -1}
	r.required("name")
	if r.has("town_code") {
		if code, ok := r.code("town_code", 9); ok {
			if _, ok := c.unit(r, "town_code", code, sgz.Town); ok {
				p.Town = code
			}
		}
	}
	if r.has("field") {
		p.Field, _ = r.choice("field")
	}
	if r.has("served") {
		p.Served, _ = r.int("served", 0)
	}
	if r.has("demonstration") {
		if v, ok := r.yesno("demonstration"); ok {
			p.Demonstration = &v
		}
	}
	if !r.failed {
		c.ret.Projects = append(c.ret.Projects, p)
	}
}

// checkMissingUnits reports every in-scope town and village of the district
// that the return does not list: coverage is measured against the registry.
func (c *checker) checkMissingUnits() {
	if c.district == nil {
		return
	}
	// c.listed holds every code a row named, even rows that failed for
	// another reason: those are not reported missing on top of their error.
	// A sheet that is absent or headerless has its own error already.
	if name := c.tableRead[&StationSheet]; name != "" {
		for _, u := range c.reg.Within(c.district.Code, sgz.Town) {
			if u.InScope && !c.listed[u.Code] {
				c.errorf(name, "", "ingest.unit.missing", levelName(sgz.Town), u.Code, u.Name)
			}
		}
	}
	if name := c.tableRead[&RoomSheet]; name != "" {
		for _, u := range c.reg.Within(c.district.Code, sgz.Village) {
			if u.InScope && !c.listed[u.Code] {
				c.errorf(name, "", "ingest.unit.missing", levelName(sgz.Village), u.Code, u.Name)
			}
		}
	}
}

// columnOf returns the lookup of a header (or key) text among the sheet's
// contract columns, by the contract's names after normalisation only: the
// column's index, or -1 for an unknown or empty text.
func (s *Sheet) columnOf() func(string) int {
	want := make([]string, len(s.Columns))
	for i := range s.Columns {
		want[i] = norm(s.Columns[i].Header)
	}
	return func(v string) int {
		n := norm(v)
		if n == "" {
			return -1
		}
		for i := range want {
			if matchName(n, want[i]) {
				return i
			}
		}
		return -1
	}
}
