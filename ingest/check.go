package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"sgz"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
	"sgz/value"
)

// Options control a check.
type Options struct {
	Limits xlsx.Limits
	// Registry returns the registry in force for a period (nil if none).
	Registry func(sgz.Period) (*registry.Registry, error)
	// OnlyDistrict, when set, refuses returns of any other district (uploads
	// are scoped to the clerk's own district).
	OnlyDistrict string
	// MaxIssues caps the errors and warnings listed (0: 1000 each).
	MaxIssues int
}

// Check reads and validates one return workbook held in memory. It never
// panics on bad input and never touches the database.
func Check(name string, data []byte, opt Options) (res *Result) {
	sum := sha256.Sum256(data)
	res = &Result{File: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data}
	if opt.MaxIssues <= 0 {
		opt.MaxIssues = 1000
	}
	c := &checker{res: res, opt: opt, listed: map[string]bool{}, tableRead: map[*Sheet]string{}}
	defer func() {
		if p := recover(); p != nil {
			// A bug of ours must not take the batch down: the file is refused
			// with an error that says so.
			res.Errors = append(res.Errors, Issue{Severity: Error, Msg: locale.M("ingest.internal", fmt.Sprint(p))})
		}
		c.finish()
	}()
	wb, err := xlsx.Open(data, opt.Limits)
	if err != nil {
		c.fileError(err)
		return res
	}
	c.wb = wb
	c.run()
	return res
}

type checker struct {
	res      *Result
	opt      Options
	wb       *xlsx.Workbook
	ret      *Return
	reg      *registry.Registry
	district *registry.Unit
	nErr     int
	nWarn    int
	// listed holds every town and village code a row named.
	listed map[string]bool
	// tableRead maps each table sheet whose header was found to its name.
	tableRead map[*Sheet]string
}

func (c *checker) errorf(sheet, cell, key string, args ...any) {
	c.nErr++
	if len(c.res.Errors) < c.opt.MaxIssues {
		c.res.Errors = append(c.res.Errors, Issue{Error, sheet, cell, locale.M(key, args...)})
	}
}

func (c *checker) warnf(sheet, cell, key string, args ...any) {
	c.nWarn++
	if len(c.res.Warnings) < c.opt.MaxIssues {
		c.res.Warnings = append(c.res.Warnings, Issue{Warning, sheet, cell, locale.M(key, args...)})
	}
}

func (c *checker) finish() {
	if n := c.nErr - len(c.res.Errors); n > 0 {
		c.res.Errors = append(c.res.Errors, Issue{Error, "", "", locale.M("ingest.too_many", len(c.res.Errors), c.nErr)})
	}
	if n := c.nWarn - len(c.res.Warnings); n > 0 {
		c.res.Warnings = append(c.res.Warnings, Issue{Warning, "", "", locale.M("ingest.too_many_warnings", len(c.res.Warnings), c.nWarn)})
	}
}

func (c *checker) fileError(err error) {
	var fe *xlsx.FileError
	if !errors.As(err, &fe) {
		c.errorf("", "", "ingest.file.unreadable", err.Error())
		return
	}
	switch fe.Kind {
	case xlsx.NotZip:
		c.errorf("", "", "ingest.file.notzip")
	case xlsx.LegacyXLS:
		c.errorf("", "", "ingest.file.xls")
	case xlsx.Encrypted:
		c.errorf("", "", "ingest.file.encrypted")
	case xlsx.Truncated:
		c.errorf("", "", "ingest.file.truncated")
	case xlsx.TooLarge:
		c.errorf("", "", "ingest.file.toolarge", mib(c.res.Size), mib(c.opt.Limits.MaxFileSize))
	case xlsx.ZipBomb:
		c.errorf("", "", "ingest.file.zipbomb", mib(c.opt.Limits.MaxPartSize))
	case xlsx.TooManyRows:
		c.errorf(fe.Part, "", "ingest.file.rows", c.opt.Limits.MaxRows)
	default:
		c.errorf("", "", "ingest.file.corrupt", fe.Detail)
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// run checks the whole workbook: first 基本信息 (which says the district and
// period, and so which registry applies), then every other sheet.
func (c *checker) run() {
	found := c.findSheets()
	c.ret = &Return{}
	c.res.Return = c.ret
	info := found[&InfoSheet]
	if info == "" {
		c.errorf("", "", "ingest.sheet.missing", SheetInfo)
	} else if !c.readInfo(info) {
		// Without a district and a period no unit can be checked: report the
		// other sheets' presence only.
		for _, s := range Sheets[1:] {
			if s.Required && found[s] == "" {
				c.errorf("", "", "ingest.sheet.missing", s.Name)
			}
		}
		return
	}
	for _, s := range Sheets[1:] {
		name := found[s]
		if name == "" {
			if s.Required {
				c.errorf("", "", "ingest.sheet.missing", s.Name)
			}
			continue
		}
		var err error
		switch s {
		case &WorkforceSheet:
			err = c.readWorkforce(name)
		default:
			err = c.readTable(s, name)
		}
		if err != nil {
			c.fileError(err)
		}
	}
	c.checkMissingUnits()
}

// findSheets maps each sheet of the contract to the workbook's sheet name.
// Only the contract's own name (after sheetNorm) makes a contract sheet; two
// sheets with the same name are an error naming both; every other sheet
// (封面, 填表说明, Sheet1, a hidden working sheet) is ignored with one
// warning naming them all.
func (c *checker) findSheets() map[*Sheet]string {
	found := map[*Sheet]string{}
	var others []string
	for _, name := range c.wb.SheetNames() {
		n := sheetNorm(name)
		matched := false
		for _, s := range Sheets {
			if n != norm(s.Name) {
				continue
			}
			matched = true
			if prev := found[s]; prev != "" {
				c.errorf(name, "", "ingest.sheet.dup", s.Name, prev, name)
				continue
			}
			found[s] = name
		}
		if !matched {
			others = append(others, name)
		}
	}
	switch len(others) {
	case 0:
	case 1:
		c.warnf(others[0], "", "ingest.sheet.unknown", others[0])
	default:
		c.warnf("", "", "ingest.sheet.unknown", strings.Join(others, "、"))
	}
	return found
}

// kv is a key-value sheet read into cells by field.
type kv struct {
	cells map[string]xlsx.Cell
	refs  map[string]string // field -> cell of the value (or of the key when the value is empty)
}

// readKV reads a key-value sheet: a known key in any cell, its value in the
// next non-empty cell to its right (unless that is another known key), so
// printed forms with two or more pairs on a row read as well as column A/B.
func (c *checker) readKV(s *Sheet, name string) (*kv, error) {
	out := &kv{cells: map[string]xlsx.Cell{}, refs: map[string]string{}}
	keyOf := s.columnOf()
	seenKey := false
	err := c.eachRow(name, func(r mrow) error {
		known := false
		for k := 0; k < len(r.Cells); k++ {
			key := r.Cells[k]
			if r.spreadFrom(k) != nil {
				continue // a key merged over several cells is one key
			}
			i := keyOf(key.Value)
			if i < 0 {
				continue
			}
			known, seenKey = true, true
			col := &s.Columns[i]
			if _, dup := out.refs[col.Field]; dup {
				c.errorf(name, key.Ref(r.Num), "ingest.key.dup", col.Header)
				continue
			}
			out.refs[col.Field] = xlsx.ColName(key.Col+1) + strconv.Itoa(r.Num)
			for k+1 < len(r.Cells) && r.spreadFrom(k+1) != nil && r.spreadFrom(k+1).FromCol == key.Col {
				k++ // the key's own merged cells
			}
			if k+1 < len(r.Cells) && keyOf(r.Cells[k+1].Value) < 0 {
				k++
				out.cells[col.Field] = plain(r.Cells[k])
				out.refs[col.Field] = r.Cells[k].Ref(r.Num)
				for k+1 < len(r.Cells) && r.spreadFrom(k+1) != nil && r.spreadFrom(k+1).FromCol == r.Cells[k].Col {
					k++ // the value's own merged cells
				}
			}
		}
		if known || !seenKey || len(r.Cells) == 0 {
			return nil
		}
		first := r.Cells[0]
		if v := trim(first.Value); v != "" && !isTotal(v) && !isFooter(v) {
			c.warnf(name, first.Ref(r.Num), "ingest.key.unknown", v)
		}
		return nil
	})
	return out, err
}

// shown is a cell's value as the sheet shows it, for text fields and
// messages: a date cell as 2006-01-02, a number as Excel displays it (15
// significant digits), anything else trimmed.
func (c *checker) shown(cell xlsx.Cell) string {
	switch {
	case cell.Kind == xlsx.Number && cell.DateFormat:
		if t, err := value.SerialDate(cell.Value, c.wb.Date1904()); err == nil {
			return t.Format("2006-01-02")
		}
	case cell.Kind == xlsx.Date:
		if len(cell.Value) >= 10 {
			return cell.Value[:10]
		}
	case cell.Kind == xlsx.Number:
		return numberText(cell.Value)
	}
	return trim(cell.Value)
}

// numberText is a number cell's value as Excel shows it: rounded to 15
// significant digits (a formula's 7.000000000000001 is 7) and written out in
// full (3.2058310001E+11 is 320583100010).
func numberText(raw string) string {
	if plainNumber(raw) {
		return raw
	}
	f, err := strconv.ParseFloat(trim(raw), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return trim(raw)
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if math.Abs(f) >= 1e21 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// plainNumber reports a number written as Excel shows it already: digits,
// at most one point, no exponent, at most 15 significant digits.
func plainNumber(s string) bool {
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits > 0 || c != '0' {
				digits++
			}
		case c == '.' && !point:
			point = true
		case c == '-' && i == 0 && len(s) > 1:
		default:
			return false
		}
	}
	return digits <= 15 && len(s) > 0 && s[len(s)-1] != '.'
}

// plain returns the cell with a number cell's value as Excel shows it
// (numberText); date cells and text are unchanged.
func plain(cell xlsx.Cell) xlsx.Cell {
	if cell.Kind == xlsx.Number && !cell.DateFormat {
		cell.Value = numberText(cell.Value)
	}
	return cell
}

func (c *checker) readInfo(name string) bool {
	kv, err := c.readKV(&InfoSheet, name)
	if err != nil {
		c.fileError(err)
		return false
	}
	text := func(f string) string {
		if cell, ok := kv.cells[f]; ok {
			return c.shown(cell)
		}
		return ""
	}
	c.ret.DistrictName = text("district_name")
	c.ret.Reporter = text("reporter")
	c.ret.Phone = text("phone")
	c.ret.FilledOn = text("filled_on")
	ok := true
	ref := kv.refs["district_code"] // where district errors point
	if cell, _, found := c.kvRequired(name, kv, "district_code", "区划代码"); !found {
		ok = false
	} else {
		code, err := value.Code(plain(cell).Value)
		code = shorten(code, 6)
		if err != nil || len(code) != 6 {
			c.codeError(name, ref, "区划代码", cell.Value, 6, err)
			ok = false
		}
		c.ret.District = code
	}
	if cell, pref, found := c.kvRequired(name, kv, "period", "报告期"); !found {
		ok = false
	} else {
		p, err := sgz.ParsePeriod(cell.Value)
		if err != nil || cell.DateFormat || cell.Kind == xlsx.Date {
			c.errorf(name, pref, "ingest.v.period", c.shown(cell))
			ok = false
		}
		c.ret.Period = p
	}
	if !ok {
		return false
	}
	if c.opt.OnlyDistrict != "" && c.ret.District != c.opt.OnlyDistrict {
		c.errorf(name, ref, "ingest.district.scope", c.opt.OnlyDistrict, c.ret.District)
		return false
	}
	if c.opt.Registry == nil {
		c.errorf("", "", "ingest.registry.none", c.ret.Period.String())
		return false
	}
	reg, err := c.opt.Registry(c.ret.Period)
	if err != nil || reg == nil {
		c.errorf("", "", "ingest.registry.none", c.ret.Period.String())
		return false
	}
	c.reg = reg
	d, found := reg.Unit(c.ret.District)
	if !found || d.Level != sgz.District {
		c.errorf(name, ref, "ingest.district.unknown", c.ret.District, c.ret.Period.String())
		return false
	}
	c.district = d
	if c.ret.DistrictName != "" && norm(c.ret.DistrictName) != norm(d.Name) {
		c.warnf(name, kv.refs["district_name"], "ingest.district.name", c.ret.DistrictName, d.Code, d.Name)
	}
	return true
}

// kvRequired returns the value of a required key, or reports the key
// missing (sheet-level) or its value empty (at the value's cell).
func (c *checker) kvRequired(sheet string, kv *kv, field, header string) (xlsx.Cell, string, bool) {
	ref := kv.refs[field]
	cell, has := kv.cells[field]
	switch {
	case ref == "":
		c.errorf(sheet, "", "ingest.key.missing", header)
		return cell, "", false
	case !has || trim(cell.Value) == "":
		c.errorf(sheet, ref, "ingest.v.empty", header)
		return cell, ref, false
	}
	return cell, ref, true
}

func (c *checker) codeError(sheet, cell, header, raw string, want int, err error) {
	switch {
	case errors.Is(err, value.ErrCodePrecision):
		c.errorf(sheet, cell, "ingest.v.precision", header, trim(raw))
	default:
		c.errorf(sheet, cell, "ingest.v.code", header, want, trim(raw))
	}
}

func (c *checker) readWorkforce(name string) error {
	kv, err := c.readKV(&WorkforceSheet, name)
	if err != nil {
		return err
	}
	vals := map[string]int64{}
	complete := true
	for _, col := range WorkforceSheet.Columns {
		cell, ref, found := c.kvRequired(name, kv, col.Field, col.Header)
		if !found {
			complete = false
			continue
		}
		n, ok := c.parseInt(name, ref, col.Header, cell, 0)
		if !ok {
			complete = false
		}
		vals[col.Field] = n
	}
	w := &c.ret.Workforce
	w.CertifiedTotal, w.Assistant, w.Intermediate, w.Senior = vals["certified_total"], vals["assistant"], vals["intermediate"], vals["senior"]
	w.Organisations, w.OrgStaff, w.Supervisors = vals["organisations"], vals["org_staff"], vals["supervisors"]
	if complete && w.Assistant+w.Intermediate+w.Senior != w.CertifiedTotal {
		c.errorf(name, kv.refs["certified_total"], "ingest.workforce.sum", w.Assistant+w.Intermediate+w.Senior, w.CertifiedTotal)
	}
	if complete && w.CertifiedTotal > 20000 {
		c.warnf(name, kv.refs["certified_total"], "ingest.warn.large", "持证社工总数", w.CertifiedTotal)
	}
	return nil
}

// ---- values ----

func (c *checker) parseInt(sheet, ref, header string, cell xlsx.Cell, min int64) (int64, bool) {
	raw := trim(cell.Value)
	if cell.Kind == xlsx.Bool || cell.Kind == xlsx.Error {
		c.errorf(sheet, ref, "ingest.v.int", header, raw)
		return 0, false
	}
	n, err := value.Int(raw)
	switch {
	case errors.Is(err, value.ErrNotWhole):
		c.errorf(sheet, ref, "ingest.v.notwhole", header, raw)
		return 0, false
	case err != nil:
		c.errorf(sheet, ref, "ingest.v.int", header, raw)
		return 0, false
	case n > math.MaxInt32:
		c.errorf(sheet, ref, "ingest.v.toolarge", header, raw)
		return 0, false
	case n < min && min == 0:
		c.errorf(sheet, ref, "ingest.v.negative", header, raw)
		return 0, false
	case n < min:
		c.errorf(sheet, ref, "ingest.v.positive", header, raw)
		return 0, false
	}
	return n, true
}

func (c *checker) parseYesNo(sheet, ref, header string, cell xlsx.Cell) (bool, bool) {
	v, err := value.YesNo(cell.Value)
	if err != nil {
		c.errorf(sheet, ref, "ingest.v.yesno", header, trim(cell.Value))
		return false, false
	}
	return v, true
}

func (c *checker) parseDate(sheet, ref, header string, cell xlsx.Cell, date1904 bool) (time.Time, bool) {
	var t time.Time
	var err error
	switch {
	case cell.Kind == xlsx.Number && cell.DateFormat:
		t, err = value.SerialDate(cell.Value, date1904)
	case cell.Kind == xlsx.Date:
		s := cell.Value
		if i := strings.IndexByte(s, 'T'); i > 0 {
			s = s[:i]
		}
		t, err = value.Date(s)
	case cell.Kind == xlsx.String:
		t, err = value.Date(cell.Value)
	default:
		err = value.ErrNotDate
	}
	if err != nil {
		c.errorf(sheet, ref, "ingest.v.date", header, trim(cell.Value))
		return time.Time{}, false
	}
	return t, true
}

func (c *checker) parseMoney(sheet, ref, header string, cell xlsx.Cell) (int64, bool) {
	raw := trim(cell.Value)
	if cell.Kind == xlsx.Bool || cell.Kind == xlsx.Error {
		c.errorf(sheet, ref, "ingest.v.number", header, raw)
		return 0, false
	}
	n, err := value.Scaled(raw, 4, cell.Kind == xlsx.Number)
	switch {
	case errors.Is(err, value.ErrTooManyDecimals):
		c.errorf(sheet, ref, "ingest.v.decimals", header, raw)
		return 0, false
	case err != nil:
		c.errorf(sheet, ref, "ingest.v.number", header, raw)
		return 0, false
	case n < 0:
		c.errorf(sheet, ref, "ingest.v.negative", header, raw)
		return 0, false
	}
	return n, true
}

func (c *checker) parseChoice(sheet, ref string, col *Column, cell xlsx.Cell) (string, bool) {
	n := norm(cell.Value)
	for _, ch := range col.Choices {
		if norm(ch) == n {
			return ch, true
		}
	}
	c.errorf(sheet, ref, "ingest.v.choice", col.Header, strings.Join(col.Choices, "、"), trim(cell.Value))
	return "", false
}
