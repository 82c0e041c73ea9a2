package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"sgz/value"
)

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// CSVWriter writes a result as CSV, UTF-8 with a byte-order mark so that Excel
// reads the Chinese text correctly, every cell through value.CSVCell
// (formulas neutralised).
type CSVWriter struct {
	w       *value.CSVWriter
	started bool
	out     io.Writer
	BOM     bool
}

// NewCSV writes CSV to w (with a BOM when bom is true).
func NewCSV(w io.Writer, bom bool) *CSVWriter {
	return &CSVWriter{out: w, w: value.NewCSVWriter(w), BOM: bom}
}

// Columns writes the header.
func (c *CSVWriter) Columns(cols []Column) error {
	if c.BOM && !c.started {
		if _, err := io.WriteString(c.out, "\ufeff"); err != nil {
			return err
		}
	}
	c.started = true
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
	}
	return c.w.Write(names)
}

// Row writes one row.
func (c *CSVWriter) Row(row []any) error {
	rec := make([]string, len(row))
	for i, v := range row {
		rec[i] = text(v)
	}
	return c.w.Write(rec)
}

// Flush ends the output.
func (c *CSVWriter) Flush() error { c.w.Flush(); return c.w.Error() }

// XLSXWriter writes a result as one worksheet, streaming.
type XLSXWriter struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []Column
	row  int
	date int
	ts   int
}

// NewXLSX starts a workbook whose one sheet is named sheet.
func NewXLSX(sheet string) (*XLSXWriter, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	date, _ := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("yyyy-mm-dd")})
	ts, _ := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("yyyy-mm-dd hh:mm:ss")})
	return &XLSXWriter{f: f, sw: sw, date: date, ts: ts}, nil
}

func strPtr(s string) *string { return &s }

// Columns writes the header row.
func (x *XLSXWriter) Columns(cols []Column) error {
	x.cols = cols
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = c.Name
	}
	x.row = 1
	return x.sw.SetRow("A1", vals)
}

// Row writes one row: numbers as numbers, dates as dates, the rest as text.
func (x *XLSXWriter) Row(row []any) error {
	x.row++
	vals := make([]any, len(row))
	for i, v := range row {
		typ := ""
		if i < len(x.cols) {
			typ = x.cols[i].Type
		}
		vals[i] = x.xcell(v, typ)
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, vals)
}

func (x *XLSXWriter) xcell(v any, typ string) any {
	switch t := v.(type) {
	case nil:
		return nil
	case bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, int, float64:
		return t
	case json.Number:
		if f, err := t.Float64(); err == nil {
			return f
		}
		return t.String()
	case string:
		if typ == "DATE" || strings.HasPrefix(typ, "TIMESTAMP") {
			if tm, ok := parseTime(t); ok {
				style := x.ts
				if typ == "DATE" {
					style = x.date
				}
				return excelize.Cell{StyleID: style, Value: tm}
			}
		}
		if utf8.RuneCountInString(t) > 32767 {
			r := []rune(t)
			return string(r[:32767])
		}
		return t
	}
	return text(v)
}

// Write finishes the workbook into w.
func (x *XLSXWriter) Write(w io.Writer) error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(w)
	return err
}

// WriteText prints a result as an aligned table for a terminal.
func WriteText(w io.Writer, res *Result) error {
	widths := make([]int, len(res.Columns))
	cells := make([][]string, len(res.Rows))
	for i, c := range res.Columns {
		widths[i] = displayWidth(c.Name)
	}
	for r, row := range res.Rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			s := strings.ReplaceAll(text(v), "\n", " ")
			if v == nil {
				s = "NULL"
			}
			cells[r][i] = s
			if n := displayWidth(s); n > widths[i] {
				widths[i] = min(n, 60)
			}
		}
	}
	line := func(vals []string) {
		var b strings.Builder
		for i, s := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(s)
			if pad := widths[i] - displayWidth(s); pad > 0 && i < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", pad))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	names := make([]string, len(res.Columns))
	seps := make([]string, len(res.Columns))
	for i, c := range res.Columns {
		names[i] = c.Name
		seps[i] = strings.Repeat("-", widths[i])
	}
	line(names)
	line(seps)
	for _, r := range cells {
		line(r)
	}
	return nil
}

// displayWidth counts East Asian wide characters as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
			(r >= 0xffe0 && r <= 0xffe6)) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
