package value

import (
	"encoding/csv"
	"io"
)

// CSVCell makes a cell safe to open in a spreadsheet: text that would begin
// with =, +, -, @, a tab or a carriage return (a formula to Excel, WPS or
// LibreOffice: =HYPERLINK(…), +cmd|…, @SUM(…)) is written with a leading
// apostrophe, which the spreadsheet shows as text. A plain number (-3.5,
// +2, 1e-3) is left alone. The one rule for every CSV sgz writes
// (interfaces.md, "CSV outputs"); CSVUncell undoes it when sgz reads a CSV
// it wrote.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber(s) {
			return "'" + s
		}
	}
	return s
}

// CSVRow applies CSVCell to every cell of a row, in place, and returns it.
func CSVRow(cells []string) []string {
	for i, v := range cells {
		cells[i] = CSVCell(v)
	}
	return cells
}

// CSVUncell undoes CSVCell.
func CSVUncell(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		switch s[1] {
		case '=', '+', '-', '@', '\t', '\r':
			return s[1:]
		}
	}
	return s
}

// plainNumber: [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// CSVWriter is encoding/csv's writer with every cell passed through CSVCell:
// what every CSV of sgz (pages, API, CLI, SQL console) is written with.
type CSVWriter struct {
	w *csv.Writer
}

// NewCSVWriter writes CSV to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record, its cells made safe.
func (c *CSVWriter) Write(record []string) error {
	safe := make([]string, len(record))
	for i, s := range record {
		safe[i] = CSVCell(s)
	}
	return c.w.Write(safe)
}

// Flush writes what is buffered.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error is the first error of a Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }
