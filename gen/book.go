package gen

import (
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// book writes a workbook either cell by cell (an ordinary excelize File
// that can still be read and edited) or through excelize's StreamWriter
// (fast, for the large generated sets). Both take the same calls, so the two
// give the same cells.
type book struct {
	f      *excelize.File
	stream bool
	st     styles
	sheet  string
	sw     *excelize.StreamWriter
	names  []string // cell names of the row being written, reused
}

// styles are the cell formats of one workbook.
type styles struct {
	title, note, header, key                                int
	text, date, dateCN, dateShort, dateTime, integer, money int
}

func newBook(stream bool) (*book, error) {
	b := &book{f: excelize.NewFile(), stream: stream}
	f := b.f
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	str := func(s string) *string { return &s }
	defs := []struct {
		dst *int
		s   *excelize.Style
	}{
		{&b.st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&b.st.note, &excelize.Style{Font: &excelize.Font{Color: "595959"}}},
		{&b.st.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}}},
		{&b.st.key, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}}},
		{&b.st.text, &excelize.Style{NumFmt: 49}}, // "@": what is typed stays text
		{&b.st.date, &excelize.Style{CustomNumFmt: str("yyyy-mm-dd")}},
		{&b.st.dateCN, &excelize.Style{CustomNumFmt: str(`yyyy"年"m"月"d"日"`)}},
		{&b.st.dateShort, &excelize.Style{NumFmt: 14}},
		{&b.st.dateTime, &excelize.Style{CustomNumFmt: str("yyyy-mm-dd hh:mm")}},
		{&b.st.integer, &excelize.Style{NumFmt: 1}},                     // 0
		{&b.st.money, &excelize.Style{CustomNumFmt: str("#,##0.00##")}}, // up to 4 decimals
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.s)
		if err != nil {
			f.Close()
			return nil, err
		}
		*d.dst = id
	}
	return b, nil
}

// sheets creates the workbook's sheets, in order.
func (b *book) sheets(names []string) error {
	if err := b.f.SetSheetName("Sheet1", names[0]); err != nil {
		return err
	}
	for _, n := range names[1:] {
		if _, err := b.f.NewSheet(n); err != nil {
			return err
		}
	}
	return nil
}

// layout is what a sheet carries besides its cells; it is set before the
// first row.
type layout struct {
	widths   []float64 // per column from A
	styles   []int     // default cell format per column (0: none)
	freeze   int       // rows kept in view above the data (0: none)
	merges   [][2]string
	dvs      []*excelize.DataValidation
	comments []excelize.Comment
}

func (b *book) begin(name string, l layout) error {
	b.sheet = name
	f := b.f
	for _, dv := range l.dvs {
		if err := f.AddDataValidation(name, dv); err != nil {
			return err
		}
	}
	for _, c := range l.comments {
		if err := f.AddComment(name, c); err != nil {
			return err
		}
	}
	var panes *excelize.Panes
	if l.freeze > 0 {
		top := "A" + strconv.Itoa(l.freeze+1)
		panes = &excelize.Panes{Freeze: true, YSplit: l.freeze, TopLeftCell: top, ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}}}
	}
	if !b.stream {
		for i, w := range l.widths {
			c := colName(i + 1)
			if err := f.SetColWidth(name, c, c, w); err != nil {
				return err
			}
		}
		for i, s := range l.styles {
			if s != 0 {
				c := colName(i + 1)
				if err := f.SetColStyle(name, c, s); err != nil {
					return err
				}
			}
		}
		if panes != nil {
			if err := f.SetPanes(name, panes); err != nil {
				return err
			}
		}
		for _, m := range l.merges {
			if err := f.MergeCell(name, m[0], m[1]); err != nil {
				return err
			}
		}
		return nil
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	b.sw = sw
	for i, w := range l.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	for i, s := range l.styles {
		if s != 0 {
			if err := sw.SetColStyle(i+1, i+1, s); err != nil {
				return err
			}
		}
	}
	if panes != nil {
		if err := sw.SetPanes(panes); err != nil {
			return err
		}
	}
	for _, m := range l.merges {
		if err := sw.MergeCell(m[0], m[1]); err != nil {
			return err
		}
	}
	return nil
}

// put writes one row; nil values are left empty and an excelize.Cell
// carries its own format. Rows must come in ascending order.
func (b *book) put(row int, vals []any, hidden bool) error {
	// Dates go in as serial numbers under the column's (or the cell's)
	// date format: excelize would otherwise put its own format on them.
	for i, v := range vals {
		switch x := v.(type) {
		case time.Time:
			vals[i] = serial(x)
		case excelize.Cell:
			if t, ok := x.Value.(time.Time); ok {
				vals[i] = excelize.Cell{StyleID: x.StyleID, Value: serial(t)}
			}
		}
	}
	if b.stream {
		if hidden {
			return b.sw.SetRow("A"+strconv.Itoa(row), vals, excelize.RowOpts{Hidden: true})
		}
		return b.sw.SetRow("A"+strconv.Itoa(row), vals)
	}
	r := strconv.Itoa(row)
	for i, v := range vals {
		if v == nil {
			continue
		}
		cell := colName(i+1) + r
		style := 0
		if c, ok := v.(excelize.Cell); ok {
			v, style = c.Value, c.StyleID
		}
		if err := b.f.SetCellValue(b.sheet, cell, v); err != nil {
			return err
		}
		if style != 0 {
			if err := b.f.SetCellStyle(b.sheet, cell, cell, style); err != nil {
				return err
			}
		}
	}
	if hidden {
		return b.f.SetRowVisible(b.sheet, row, false)
	}
	return nil
}

func (b *book) end() error {
	if b.sw != nil {
		err := b.sw.Flush()
		b.sw = nil
		return err
	}
	return nil
}

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serial is the Excel (1900 system) serial number of a wall-clock time
// after 1900-03-01.
func serial(t time.Time) float64 {
	t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	return float64(t.Sub(excelEpoch)) / float64(24*time.Hour)
}

// colName is the letters of a 1-based column.
func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}
