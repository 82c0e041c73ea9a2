package metrics

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
)

func numFmtOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return ""
}

func fillOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	id, _ := f.GetCellStyle(sheet, cell)
	st, _ := f.GetStyle(id)
	if len(st.Fill.Color) > 0 {
		return st.Fill.Color[0]
	}
	return ""
}

func raw(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAssessmentXLSX(t *testing.T) {
	db := fixture(t)
	a, err := Assess(context.Background(), db, mustSpan("2026Q3"), nil)
	if err != nil {
		t.Fatal(err)
	}
	a.MadeAt = time.Date(2026, 11, 25, 21, 30, 0, 0, sgz.Beijing)
	if _, err := Record(context.Background(), db, a, "test"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, a); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "考核得分,指标值,指标值明细,指标定义,所用报表,考核规则" {
		t.Fatalf("sheets %s", got)
	}
	s := SheetScores
	if v := raw(t, f, s, "A1"); !strings.Contains(v, "2026Q3") {
		t.Errorf("title %q", v)
	}
	if v := raw(t, f, s, "A2"); !strings.Contains(v, "2026-11-25 21:30") || !strings.Contains(v, a.ConfigSHA256) || !strings.Contains(v, "#1") {
		t.Errorf("info %q", v)
	}
	if v := raw(t, f, s, "A3") + "|" + raw(t, f, s, "B3") + "|" + raw(t, f, s, "C3") + "|" + raw(t, f, s, "D3"); v != "排名|区划代码|区(县)|总分" {
		t.Errorf("header %q", v)
	}
	if v := raw(t, f, s, "E3"); !strings.HasPrefix(v, "乡镇(街道)社工站覆盖率(%)") || !strings.Contains(v, "目标 100%") {
		t.Errorf("E3 %q", v)
	}
	// Row 4: B 320502 rank 1, total 91.08.
	if raw(t, f, s, "A4") != "1" || raw(t, f, s, "B4") != "320502" || raw(t, f, s, "D4") != "91.08" {
		t.Errorf("row 4: %s %s %s", raw(t, f, s, "A4"), raw(t, f, s, "B4"), raw(t, f, s, "D4"))
	}
	// Row 5: A; station coverage 2/3 in E5 as a percentage with one decimal, below target → red; score F5.
	if v, _ := strconv.ParseFloat(raw(t, f, s, "E5"), 64); !approx(v, 2.0/3) {
		t.Errorf("E5 %v", v)
	}
	if nf := numFmtOf(t, f, s, "E5"); nf != FmtPercent {
		t.Errorf("E5 format %q", nf)
	}
	if fill := fillOf(t, f, s, "E5"); fill != "FFC7CE" {
		t.Errorf("E5 not highlighted: %q", fill)
	}
	if fill := fillOf(t, f, s, "E4"); fill == "FFC7CE" {
		t.Error("E4 highlighted at 100%")
	}
	if raw(t, f, s, "F5") != "16.67" || numFmtOf(t, f, s, "F5") != FmtScore {
		t.Errorf("F5 %s", raw(t, f, s, "F5"))
	}
	// C (row 6): room coverage missing.
	if v := raw(t, f, s, "G6"); v != "缺失" {
		t.Errorf("G6 %q", v)
	}
	if v := raw(t, f, s, "U6"); !strings.Contains(v, "村(社区)社工室覆盖率") {
		t.Errorf("missing list %q", v)
	}
	// Row 7: the city.
	if v := raw(t, f, s, "B7"); v != "3205" {
		t.Errorf("city row %q", v)
	}
	if v := raw(t, f, s, "U7"); v != "已报 3 / 3 个区县" {
		t.Errorf("city completeness %q", v)
	}
	panes, _ := f.GetPanes(s)
	if !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes %+v", panes)
	}
	// Values sheet: gov_funding in 万元 format.
	v := SheetValues
	var govCol string
	for c := 1; c < 30; c++ {
		if raw(t, f, v, cellName(c, 3)) == "政府购买服务资金(万元)" {
			govCol = cellName(c, 4)
		}
	}
	if govCol == "" {
		t.Fatal("no gov column")
	}
	if raw(t, f, v, "A4") != "320502" || raw(t, f, v, govCol) != "8" || numFmtOf(t, f, v, govCol) != FmtMoney {
		t.Errorf("gov %s %q %q", govCol, raw(t, f, v, govCol), numFmtOf(t, f, v, govCol))
	}
	// Definitions: every indicator, with formula, target, weight and source.
	d := SheetDefinitions
	for i, ind := range Indicators {
		r := strconv.Itoa(i + 4)
		if raw(t, f, d, "A"+r) != ind.ID || raw(t, f, d, "B"+r) != ind.Name.Zh || raw(t, f, d, "D"+r) != ind.Formula.Zh ||
			raw(t, f, d, "K"+r) != strings.Join(ind.Sources, "、") {
			t.Errorf("definition %d: %s %s", i, raw(t, f, d, "A"+r), raw(t, f, d, "K"+r))
		}
	}
	if raw(t, f, d, "A4") != "station_coverage" || raw(t, f, d, "G4") != "1" || raw(t, f, d, "I4") != "25" || raw(t, f, d, "J4") != "是" {
		t.Errorf("station def %s %s %s", raw(t, f, d, "G4"), raw(t, f, d, "I4"), raw(t, f, d, "J4"))
	}
	if raw(t, f, d, "H17") != "6" || raw(t, f, d, "G17") != "24" { // training_hours_per_worker, per quarter
		t.Errorf("hpw target %s %s", raw(t, f, d, "G17"), raw(t, f, d, "H17"))
	}
	// Returns sheet.
	rs := SheetReturns
	if raw(t, f, rs, "A4") != "320501" || raw(t, f, rs, "D4") != "4" || raw(t, f, rs, "F4") != "2026-10-20 09:00:00" ||
		raw(t, f, rs, "G4") != a.Returns[0].SHA256 || raw(t, f, rs, "A6") != "320503" {
		t.Errorf("returns sheet %s %s %s", raw(t, f, rs, "A4"), raw(t, f, rs, "D4"), raw(t, f, rs, "F4"))
	}
	// Rules: the hash and the config itself.
	rows, _ := f.GetRows(SheetRules)
	all := ""
	for _, r := range rows {
		all += strings.Join(r, "\t") + "\n"
	}
	if !strings.Contains(all, "规则 SHA-256\t"+a.ConfigSHA256) || !strings.Contains(all, `"due_days_after_quarter_end": 15`) ||
		!strings.Contains(all, "2026-10-15") {
		t.Errorf("rules sheet:\n%s", all)
	}
}

func TestIndicatorsXLSXTown(t *testing.T) {
	db := fixture(t)
	span := mustSpan("2026Q3")
	vals, err := Compute(context.Background(), db, span, sgz.Town, nil)
	if err != nil {
		t.Fatal(err)
	}
	ret, _ := ReturnsUsed(context.Background(), db, span, nil)
	var buf bytes.Buffer
	if err := WriteIndicatorsXLSX(&buf, vals, ExportInfo{Span: span, Level: sgz.Town, MadeAt: time.Now(), Returns: ret}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(SheetValues)
	if len(rows) != 3+7 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[3][0] != "320501001" || rows[3][2] != "乡镇(街道)" || len(rows[2]) != 5+9 {
		t.Errorf("row %v header %v", rows[3], rows[2])
	}
	if rows[2][5] != "乡镇(街道)社工站覆盖率(%)" || rows[3][5] != "100.0%" {
		t.Errorf("formatted %q %q", rows[2][5], rows[3][5])
	}
	if rs, _ := f.GetRows(SheetReturns); len(rs) != 3+3 {
		t.Errorf("returns rows %d", len(rs))
	}
}

func TestCSVAndJSON(t *testing.T) {
	db := fixture(t)
	span := mustSpan("2026Q2")
	vals, err := Compute(context.Background(), db, span, sgz.District, nil)
	if err != nil {
		t.Fatal(err)
	}
	// JSON: exactly the contract's keys; null for missing and non-ratios.
	var buf bytes.Buffer
	if err := WriteIndicatorsJSON(&buf, vals); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &objs); err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3*len(Indicators) {
		t.Fatalf("%d objects", len(objs))
	}
	// The contract's keys, with completeness (interfaces.md "(b)"): as_of and
	// as_of_mixed only on stock rows with a value from some quarter.
	for _, o := range objs {
		ind, _ := Lookup(o["indicator"].(string))
		n := 10
		if ind.Kind == Stock && o["unit_code"] != "320502" {
			n = 12
			if o["as_of"] != "2026Q2" || o["as_of_mixed"] != false {
				t.Errorf("stock as_of %v", o)
			}
		}
		if len(o) != n || o["reported"] == nil || o["expected"] == nil {
			t.Errorf("%d keys, want %d: %v", len(o), n, o)
		}
	}
	for _, o := range objs {
		switch o["unit_code"].(string) + "/" + o["indicator"].(string) {
		case "320501/station_coverage":
			if o["value"].(float64) != 1 || o["numerator"].(float64) != 2 || o["denominator"].(float64) != 2 ||
				o["unit_name"] != "甲区" || o["level"] != "district" || o["period"] != "2026Q2" {
				t.Errorf("%v", o)
			}
		case "320502/station_coverage":
			if o["value"] != nil || o["numerator"] != nil || o["reported"].(float64) != 0 || o["expected"].(float64) != 1 {
				t.Errorf("missing %v", o)
			}
		case "320501/gov_funding":
			if o["value"].(float64) != 20 || o["numerator"] != nil || o["denominator"] != nil {
				t.Errorf("non-ratio %v", o)
			}
		}
	}
	// CSV: BOM, Chinese header, parses back.
	buf.Reset()
	if err := WriteIndicatorsCSV(&buf, vals); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Error("no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "单位代码" || len(recs) != 1+3*len(Indicators) {
		t.Fatalf("csv header %v, %d rows", recs[0], len(recs))
	}
	if r := recs[1]; r[0] != "320501" || r[4] != "station_coverage" || r[6] != "1" || r[7] != "2" || r[8] != "2" {
		t.Errorf("csv row %v", r)
	}
	for _, r := range recs[1:] {
		if r[0] == "320502" && r[4] == "room_coverage" && (r[6] != "" || r[9] != "0" || r[10] != "1") {
			t.Errorf("csv missing row %v", r)
		}
	}
	// Assessment JSON and CSV.
	a, err := Assess(context.Background(), db, mustSpan("2026Q3"), nil)
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	WriteAssessmentJSON(&buf, a)
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0]) != 7 || rows[0]["reported"] != true || rows[0]["unit_code"] != "320502" || rows[0]["rank"].(float64) != 1 ||
		rows[0]["total"].(float64) != 91.08 || rows[1]["scores"].(map[string]any)["station_coverage"].(float64) != 16.67 ||
		len(rows[1]["scores"].(map[string]any)) != 8 {
		t.Errorf("assessment json %v", rows)
	}
	buf.Reset()
	WriteAssessmentCSV(&buf, a)
	recs, err = csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "排名" || recs[1][1] != "320502" || recs[1][4] != "91.08" || recs[2][6] != "16.67" || len(recs) != 4 {
		t.Errorf("assessment csv %v", recs[:2])
	}
}
