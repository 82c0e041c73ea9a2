package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
)

// book is a return workbook under construction in a test: sheets of rows,
// written by excelize. Row i of rows is Excel row i+1.
type book struct {
	sheets []*bsheet
}

type bsheet struct {
	name   string
	rows   [][]any
	merges []string // ranges such as "L3:L9", merged by excelize
}

func (b *book) sheet(name string) *bsheet {
	for _, s := range b.sheets {
		if s.name == name {
			return s
		}
	}
	panic("no sheet " + name)
}

func (b *book) drop(name string) {
	for i, s := range b.sheets {
		if s.name == name {
			b.sheets = append(b.sheets[:i], b.sheets[i+1:]...)
			return
		}
	}
}

// set puts v at an Excel reference such as "E14".
func (s *bsheet) set(ref string, v any) {
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		panic(err)
	}
	for len(s.rows) < row {
		s.rows = append(s.rows, nil)
	}
	r := s.rows[row-1]
	for len(r) < col {
		r = append(r, nil)
	}
	r[col-1] = v
	s.rows[row-1] = r
}

// rawNumber is a number cell whose XML spells the value exactly so
// (3.2058310001E+11 as Apache POI writes, a formula's 7.000000000000001).
type rawNumber string

func (b *book) bytes(t testing.TB) []byte {
	t.Helper()
	raws := map[string]string{} // placeholder <v> text -> raw spelling
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	for i, s := range b.sheets {
		if i == 0 {
			f.SetSheetName("Sheet1", s.name)
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if raw, ok := v.(rawNumber); ok {
					ph := 987650000 + len(raws)
					raws["<v>"+strconv.Itoa(ph)+"</v>"] = "<v>" + string(raw) + "</v>"
					v = ph
				}
				if err := f.SetCellValue(s.name, ref, v); err != nil {
					t.Fatal(err)
				}
				if _, ok := v.(time.Time); ok {
					f.SetCellStyle(s.name, ref, ref, dateStyle)
				}
			}
		}
		for _, m := range s.merges {
			from, to, _ := strings.Cut(m, ":")
			if err := f.MergeCell(s.name, from, to); err != nil {
				t.Fatal(err)
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if len(raws) == 0 {
		return buf.Bytes()
	}
	return rewriteZip(t, buf.Bytes(), func(name string, data []byte) []byte {
		for ph, raw := range raws {
			data = bytes.ReplaceAll(data, []byte(ph), []byte(raw))
		}
		return data
	})
}

// rewriteZip copies a zip, passing every part through edit.
func rewriteZip(t testing.TB, data []byte, edit func(name string, data []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(edit(f.Name, b))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var testPeriod = sgz.MustPeriod("2026Q3")

const testDistrict = "320505" // 虎丘区: 5 in-scope towns, 4 out of scope

// goodBook is a valid return of district for the period, with every in-scope
// town and village listed, a title row above each table's header, data from
// row 3: so station row i (0-based) is Excel row 3+i.
func goodBook(reg *registry.Registry, district string, p sgz.Period) *book {
	d, _ := reg.Unit(district)
	b := &book{}
	b.sheets = append(b.sheets, &bsheet{name: SheetInfo, rows: [][]any{
		{"指标", "数值"},
		{"填报单位", d.Name},
		{"区划代码", d.Code},
		{"报告期", p.String()},
		{"填报人", "张三"},
		{"联系电话", "0512-12345678"},
		{"填报日期", "2026-10-08"},
	}})
	title := func(s *Sheet) []any { return []any{d.Name + " " + p.String() + " " + s.Name} }
	header := func(s *Sheet) []any {
		var h []any
		for _, c := range s.Columns {
			h = append(h, c.Header)
		}
		return h
	}
	built := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	firstTown := ""
	for _, u := range reg.Within(district, sgz.Town) {
		if u.InScope && firstTown == "" {
			firstTown = u.Code
		}
	}
	st := &bsheet{name: SheetStations, rows: [][]any{title(&StationSheet), header(&StationSheet)}}
	for i, u := range reg.Within(district, sgz.Town) {
		if !u.InScope {
			continue
		}
		if i%2 == 0 {
			st.rows = append(st.rows, []any{u.Code, u.Name, "是", built, "是", 4, 3, 2, 1, "委托社会组织运营", "某社工机构", "是"})
		} else {
			st.rows = append(st.rows, []any{u.Code, u.Name, "否", nil, nil, nil, nil, nil, nil, nil, nil, "否"})
		}
	}
	b.sheets = append(b.sheets, st)
	rm := &bsheet{name: SheetRooms, rows: [][]any{title(&RoomSheet), header(&RoomSheet)}}
	for i, u := range reg.Within(district, sgz.Village) {
		if !u.InScope {
			continue
		}
		if i%3 != 0 {
			rm.rows = append(rm.rows, []any{u.Code, u.Name, "是", "2025-03-01", "否"})
		} else {
			rm.rows = append(rm.rows, []any{u.Code, u.Name, "否", nil, "否"})
		}
	}
	b.sheets = append(b.sheets, rm)
	b.sheets = append(b.sheets, &bsheet{name: SheetFunds, rows: [][]any{title(&FundSheet), header(&FundSheet),
		{district, "政府购买服务", 120.5, "区级"},
		{firstTown, "社区慈善基金", "30.1234", nil},
		{district, "社会捐赠", 12, nil},
	}})
	b.sheets = append(b.sheets, &bsheet{name: SheetTrainings, rows: [][]any{title(&TrainingSheet), header(&TrainingSheet),
		{"社工继续教育", "2026-08-01", 8, 40, "继续教育", 1.5},
		{"新入职培训", time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC), 16, 12, "新入职培训", nil},
	}})
	b.sheets = append(b.sheets, &bsheet{name: SheetWorkforce, rows: [][]any{
		{"指标", "数值"},
		{"持证社工总数", 300},
		{"其中助理社会工作师", 200},
		{"其中社会工作师", 90},
		{"其中高级社会工作师", 10},
		{"社会工作服务机构数", 12},
		{"机构全职员工数", 150},
		{"本土督导人数", 8},
	}})
	b.sheets = append(b.sheets, &bsheet{name: SheetProjects, rows: [][]any{title(&ProjectSheet), header(&ProjectSheet),
		{"困境儿童关爱", firstTown, "困境儿童", 320, "是"},
	}})
	return b
}

var suzhou = registry.Suzhou()

func testOptions() Options {
	return Options{
		Limits:   xlsx.DefaultLimits(),
		Registry: func(sgz.Period) (*registry.Registry, error) { return suzhou, nil },
	}
}

func check(t testing.TB, b *book) *Result {
	t.Helper()
	return Check("test.xlsx", b.bytes(t), testOptions())
}

// describe lists issues as "sheet!cell key" for failure messages.
func describe(list []Issue) string {
	var s []string
	for _, is := range list {
		s = append(s, fmt.Sprintf("%s %s (%s)", is.Where(), is.Msg.Key, is.Msg.In(locale.ZH)))
	}
	return strings.Join(s, "\n")
}
