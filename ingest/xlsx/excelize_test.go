package xlsx

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// buildExcelizeBook writes a workbook with excelize covering the cell types
// clerks send: codes, names, numbers, dates in several formats, booleans,
// formulas, rich text, hidden rows, a sheet starting at row 5 and a sheet
// written by the StreamWriter (inline strings).
func buildExcelizeBook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const s1 = "数据表"
	must(t, f.SetSheetName("Sheet1", s1))

	st14, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(t, err)
	stCN, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy年m月d日")})
	must(t, err)
	stISO, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	must(t, err)
	stMoney, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	must(t, err)
	stElapsed, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("[h]:mm:ss")})
	must(t, err)
	stRed, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`[Red]#,##0.00;"(元)"0`)})
	must(t, err)

	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	noon := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	set := func(cell string, v any) { t.Helper(); must(t, f.SetCellValue(s1, cell, v)) }
	style := func(cell string, id int) { t.Helper(); must(t, f.SetCellStyle(s1, cell, cell, id)) }

	for i, h := range []string{"代码", "名称", "金额", "是否", "日期", "日期CN", "日期ISO", "备注"} {
		set(ColName(i+1)+"1", h)
	}
	set("A2", int64(320581001001))
	set("B2", "张家港市")
	set("C2", 45413.5)
	set("D2", true)
	// Style after value: SetCellValue(time.Time) replaces a built-in date
	// style by its own default.
	set("E2", day)
	style("E2", st14)
	set("F2", day)
	style("F2", stCN)
	set("G2", noon)
	style("G2", stISO)
	set("H2", "A & B <c> \"q\" 'a'")

	set("A3", "0012")
	set("B3", " 前后空格 ")
	set("C3", 3.2e11)
	set("D3", false)
	set("E3", noon) // no style: excelize applies its default date-time format
	style("F3", stMoney)
	set("F3", 1234.5)
	style("G3", stElapsed)
	set("G3", 1.25)
	style("H3", stRed)
	set("H3", -7)
	must(t, f.SetRowVisible(s1, 3, false))

	// Row 4: formula without a cached value (skipped), rich text, line break.
	must(t, f.SetCellFormula(s1, "A4", "SUM(C2:C3)"))
	must(t, f.SetCellRichText(s1, "B4", []excelize.RichTextRun{
		{Text: "粗体", Font: &excelize.Font{Bold: true}},
		{Text: " and "},
		{Text: "italic", Font: &excelize.Font{Italic: true}},
	}))
	set("C4", "line1\nline2")
	set("D4", -0.000125)
	set("E4", "")

	// Row 6 only (row 5 missing).
	set("H6", 7)

	// Sheet starting at row 5.
	_, err = f.NewSheet("Start5")
	must(t, err)
	must(t, f.SetCellValue("Start5", "C5", "first"))
	must(t, f.SetCellValue("Start5", "D5", 1))
	must(t, f.SetCellValue("Start5", "C6", "second"))

	// StreamWriter sheet: inline strings, formula with a cached value.
	_, err = f.NewSheet("Stream")
	must(t, err)
	sw, err := f.NewStreamWriter("Stream")
	must(t, err)
	must(t, sw.SetRow("A1", []any{"code", "name", "n", "flag", "when"}))
	must(t, sw.SetRow("A2", []any{
		"320581001001", "虞山街道", 42, true,
		excelize.Cell{StyleID: st14, Value: day},
	}))
	must(t, sw.SetRow("A3", []any{
		excelize.Cell{Value: 1}, excelize.Cell{Value: 2},
		excelize.Cell{Formula: "A3+B3", Value: 3},
		excelize.Cell{Formula: `"x"&"y"`, Value: "xy"},
	}, excelize.RowOpts{Hidden: true}))
	must(t, sw.SetRow("B5", []any{"gap", nil, "after nil"}))
	must(t, sw.Flush())

	return excelizeBytes(t, f)
}

func TestExcelizeWorkbook(t *testing.T) {
	data := buildExcelizeBook(t)
	wb, err := Open(data, DefaultLimits())
	must(t, err)
	if got, want := strings.Join(wb.SheetNames(), ","), "数据表,Start5,Stream"; got != want {
		t.Errorf("SheetNames = %q, want %q", got, want)
	}
	if wb.Date1904() {
		t.Error("Date1904 = true")
	}

	checkLines(t, "数据表", dump(t, wb, "数据表"), []string{
		`1 | A1 string "代码" | B1 string "名称" | C1 string "金额" | D1 string "是否" | E1 string "日期" | F1 string "日期CN" | G1 string "日期ISO" | H1 string "备注"`,
		`2 | A2 number "320581001001" | B2 string "张家港市" | C2 number "45413.5" | D2 bool "1" | E2 number "45413" date | F2 number "45413" date | G2 number "45413.5" date | H2 string "A & B <c> \"q\" 'a'"`,
		`3 hidden | A3 string "0012" | B3 string " 前后空格 " | C3 number "320000000000" | D3 bool "0" | E3 number "45413.5" date | F3 number "1234.5" | G3 number "1.25" date | H3 number "-7"`,
		`4 | B4 string "粗体 and italic" | C4 string "line1\nline2" | D4 number "-0.000125"`,
		`6 | H6 number "7"`,
	})
	checkLines(t, "Start5", dump(t, wb, "Start5"), []string{
		`5 | C5 string "first" | D5 number "1"`,
		`6 | C6 string "second"`,
	})
	checkLines(t, "Stream", dump(t, wb, "Stream"), []string{
		`1 | A1 string "code" | B1 string "name" | C1 string "n" | D1 string "flag" | E1 string "when"`,
		`2 | A2 string "320581001001" | B2 string "虞山街道" | C2 number "42" | D2 bool "1" | E2 number "45413" date`,
		`3 hidden | A3 number "1" | B3 number "2" | C3 number "3" | D3 string "xy"`,
		`5 | B5 string "gap" | D5 string "after nil"`,
	})
	// Case-insensitive sheet lookup, as Excel names are.
	if got := dump(t, wb, "start5"); len(got) != 2 {
		t.Errorf("start5: %q", got)
	}
	wantKind(t, wb.Rows("Nope", func(Row) error { return nil }), NoSuchSheet)
}

func TestDate1904(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: ptr(true)}))
	must(t, f.SetCellValue("Sheet1", "A1", 1))
	wb, err := Open(excelizeBytes(t, f), DefaultLimits())
	must(t, err)
	if !wb.Date1904() {
		t.Error("Date1904 = false")
	}
}

func TestCallbackErrorStops(t *testing.T) {
	wb, err := Open(buildExcelizeBook(t), DefaultLimits())
	must(t, err)
	stop := os.ErrClosed
	n := 0
	err = wb.Rows("数据表", func(r Row) error {
		n++
		if r.Num == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("err = %v after %d rows, want the callback's error after 2", err, n)
	}
}

func TestEncryptedExcelize(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetCellValue("Sheet1", "A1", "secret"))
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf, excelize.Options{Password: "x"})
	must(t, err)
	_, err = Open(buf.Bytes(), DefaultLimits())
	wantKind(t, err, Encrypted)
}

func TestSheetJSFixtures(t *testing.T) {
	want := []string{
		`1 | A1 string "code" | B1 string "name" | C1 string "count" | D1 string "ok" | E1 string "when"`,
		`2 | A2 number "320581001001" | B2 string "张家港市" | C2 number "12" | D2 bool "1" | E2 number "45413" date`,
		`3 | A3 string "0012" | B3 string "A & B <c>" | C3 number "3.5" | D3 bool "0" | E3 number "45322.5" date`,
	}
	for _, name := range []string{"sheetjs.xlsx", "sheetjs-sst.xlsx"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		must(t, err)
		wb, err := Open(data, DefaultLimits())
		must(t, err)
		if got := strings.Join(wb.SheetNames(), ","); got != "数据,Second" {
			t.Errorf("%s: SheetNames = %q", name, got)
		}
		checkLines(t, name, dump(t, wb, "数据"), want)
		checkLines(t, name+" Second", dump(t, wb, "Second"), []string{`1 | A1 string "x"`})
	}
}

func TestLegacyXLS(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "legacy.xls"))
	must(t, err)
	_, err = Open(data, DefaultLimits())
	wantKind(t, err, LegacyXLS)
}

func TestConcurrentRows(t *testing.T) {
	wb, err := Open(buildExcelizeBook(t), DefaultLimits())
	must(t, err)
	want := map[string][]string{}
	for _, s := range wb.SheetNames() {
		want[s] = dump(t, wb, s)
	}
	errs := make(chan error, 12)
	for i := 0; i < 12; i++ {
		go func(s string) {
			got, err := dumpErr(wb, s)
			if err == nil && strings.Join(got, "\n") != strings.Join(want[s], "\n") {
				err = os.ErrInvalid
			}
			errs <- err
		}(wb.SheetNames()[i%3])
	}
	for i := 0; i < 12; i++ {
		must(t, <-errs)
	}
}
