package gen

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sgz/internal/needs"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/ingest"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
)

var update = flag.Bool("update", false, "rewrite testdata/marked/base.xlsx (then run the scripts beside it)")

const markedDir = "../testdata/marked"

// markBase is a return of 320505 for 2026Q3 as a clerk fills the template:
// comments on the headers (as the template has), a note of the clerk's own
// on a cell that is wrong, and errors with and without a cell.
func markBase(t *testing.T) []byte {
	t.Helper()
	f, err := Return(registry.Suzhou(), "320505", sgz.MustPeriod("2026Q3"), Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range ingest.Sheets {
		for i, c := range s.Columns {
			cell, _ := excelize.CoordinatesToCellName(i+1, 2)
			if s.KeyValue {
				cell, _ = excelize.CoordinatesToCellName(1, i+3)
			}
			if c.Help == "" {
				continue
			}
			if err := f.AddComment(s.Name, excelize.Comment{Author: "模板", Cell: cell, Paragraph: []excelize.RichTextRun{{Text: c.Help}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Errors: a yes/no cell that is not (with the clerk's own note on it), a
	// count that is not a number, a village row removed (an error without a
	// cell); a warning: an unknown column.
	f.SetCellValue(ingest.SheetStations, "C3", "在建")
	f.AddComment(ingest.SheetStations, excelize.Comment{Author: "张伟", Cell: "C3", Paragraph: []excelize.RichTextRun{{Text: "年底建成"}}})
	f.SetCellValue(ingest.SheetStations, "F4", "两人")
	f.SetCellValue(ingest.SheetStations, "M2", "备注")
	rows, _ := f.GetRows(ingest.SheetRooms)
	f.RemoveRow(ingest.SheetRooms, len(rows))
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMarkFixtureBase(t *testing.T) {
	if !*update {
		t.Skip("not a check: it rewrites the golden file testdata/marked/base.xlsx, which the other tests compare with; run it with -update after changing the marked workbook on purpose")
	}
	if err := os.WriteFile(filepath.Join(markedDir, "base.xlsx"), markBase(t), 0o644); err != nil {
		t.Fatal(err)
	}
}

func markOptions() ingest.Options {
	return ingest.Options{Limits: xlsx.DefaultLimits(),
		Registry: func(sgz.Period) (*registry.Registry, error) { return registry.Suzhou(), nil }}
}

func toMark(res *ingest.Result) []MarkIssue {
	var out []MarkIssue
	for _, is := range res.Errors {
		out = append(out, MarkIssue{true, is.Sheet, is.Cell, is.Msg.In(locale.ZH)})
	}
	for _, is := range res.Warnings {
		out = append(out, MarkIssue{false, is.Sheet, is.Cell, is.Msg.In(locale.ZH)})
	}
	return out
}

// ---- reading a package's comments independently of the code under test ----

type zpkg map[string][]byte

func unzipAll(t *testing.T, data []byte) zpkg {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := zpkg{}
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
		out[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = b
	}
	return out
}

type xrels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

func (z zpkg) rels(t *testing.T, part string) xrels {
	var r xrels
	if b, ok := z[strings.ToLower(path.Join(path.Dir(part), "_rels", path.Base(part)+".rels"))]; ok {
		if err := xml.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s rels: %v", part, err)
		}
	}
	return r
}

func target(base, tgt string) string {
	if strings.HasPrefix(tgt, "/") {
		return strings.ToLower(tgt[1:])
	}
	return strings.ToLower(path.Join(path.Dir(base), tgt))
}

// sheetComments maps sheet name -> cell -> comment text, following each
// sheet's relationships. It fails the test on a comment part no sheet links,
// a sheet linking two, a cell commented twice, or (when the sheet has a VML
// drawing) a comment without exactly one note shape.
func sheetComments(t *testing.T, data []byte, who string) map[string]map[string]string {
	t.Helper()
	z := unzipAll(t, data)
	wbPart := "xl/workbook.xml"
	for _, r := range z.rels(t, "").Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPart = target("", r.Target)
		}
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(z[wbPart], &wb); err != nil {
		t.Fatalf("%s: workbook: %v", who, err)
	}
	byID := map[string]string{}
	for _, r := range z.rels(t, wbPart).Rels {
		byID[r.ID] = target(wbPart, r.Target)
	}
	linked := map[string]bool{}
	out := map[string]map[string]string{}
	for _, s := range wb.Sheets {
		part := byID[s.RID]
		var comments, vml []string
		for _, r := range z.rels(t, part).Rels {
			switch {
			case strings.HasSuffix(r.Type, "/comments"):
				comments = append(comments, target(part, r.Target))
			case strings.HasSuffix(r.Type, "/vmlDrawing"):
				vml = append(vml, target(part, r.Target))
			}
		}
		if len(comments) > 1 {
			t.Errorf("%s: sheet %s links %d comment parts", who, s.Name, len(comments))
		}
		if len(comments) == 0 {
			continue
		}
		linked[comments[0]] = true
		b, ok := z[comments[0]]
		if !ok {
			t.Errorf("%s: sheet %s links a missing comment part %s", who, s.Name, comments[0])
			continue
		}
		var c struct {
			List []struct {
				Ref  string `xml:"ref,attr"`
				Text struct {
					Inner []byte `xml:",innerxml"`
				} `xml:"text"`
			} `xml:"commentList>comment"`
		}
		if err := xml.Unmarshal(b, &c); err != nil {
			t.Errorf("%s: %s: %v", who, comments[0], err)
			continue
		}
		m := map[string]string{}
		for _, cm := range c.List {
			ref := strings.ToUpper(cm.Ref)
			if _, dup := m[ref]; dup {
				t.Errorf("%s: %s!%s commented twice", who, s.Name, ref)
			}
			m[ref] = textOf(cm.Text.Inner)
		}
		out[s.Name] = m
		if len(vml) == 1 {
			shapes := map[string]int{}
			v := string(z[vml[0]])
			for _, sm := range vmlCell.FindAllStringSubmatch(v, -1) {
				shapes[sm[1]+","+sm[2]]++
			}
			for ref := range m {
				col, row, _ := excelize.CellNameToCoordinates(ref)
				if n := shapes[itoa(row-1)+","+itoa(col-1)]; n != 1 {
					t.Errorf("%s: %s!%s has %d note shapes", who, s.Name, ref, n)
				}
			}
		}
	}
	for name := range z {
		if strings.Contains(name, "comment") && strings.HasSuffix(name, ".xml") && !strings.Contains(name, "_rels") && !linked[name] {
			t.Errorf("%s: comment part %s is linked from no sheet", who, name)
		}
	}
	return out
}

// textOf is the text of a comment's <text>: every <t>, in order.
func textOf(inner []byte) string {
	d := xml.NewDecoder(bytes.NewReader(inner))
	var b strings.Builder
	inT := false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch x := tok.(type) {
		case xml.StartElement:
			inT = x.Name.Local == "t"
		case xml.EndElement:
			inT = false
		case xml.CharData:
			if inT {
				b.Write(x)
			}
		}
	}
	return b.String()
}

// soffice converts files to .xlsx with LibreOffice headless, in one run with
// its own user profile; the test is skipped when soffice is not installed.
func soffice(t *testing.T, files map[string][]byte) map[string][]byte {
	t.Helper()
	bin := needs.Soffice(t, false)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.MkdirAll(in, 0o755)
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless", "--convert-to", "xlsx", "--outdir", out}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(in, n)
		os.WriteFile(p, files[n], 0o644)
		args = append(args, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	res := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(out, n))
		if err != nil {
			t.Fatalf("soffice wrote no %s: %v\n%s", n, err, msg)
		}
		res[n] = b
	}
	return res
}

var vmlCell = regexp.MustCompile(`(?s)<(?:\w+:)?Row>\s*(\d+)\s*</(?:\w+:)?Row>\s*<(?:\w+:)?Column>\s*(\d+)\s*</(?:\w+:)?Column>`)

func itoa(n int) string { return strconv.Itoa(n) }

// The marked workbook works whatever wrote the upload: excelize (as the
// template), LibreOffice, ExcelJS, SheetJS and openpyxl (testdata/marked,
// made by the scripts there from base.xlsx). Comments already there are all
// kept, every error and warning with a cell is a comment on it, the first
// sheet 校验结果 lists every one, and the result survives LibreOffice.
func TestMarkRoundTrips(t *testing.T) {
	sources := map[string][]byte{}
	for _, n := range []string{"base", "exceljs", "sheetjs", "openpyxl"} {
		b, err := os.ReadFile(filepath.Join(markedDir, n+".xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		sources[n] = b
	}
	if _, err := exec.LookPath("soffice"); err == nil {
		sources["libreoffice"] = soffice(t, map[string][]byte{"base.xlsx": sources["base"]})["base.xlsx"]
	} else {
		t.Log("soffice is not installed: the LibreOffice re-save is not tested")
	}
	marked := map[string][]byte{}
	issues := map[string][]MarkIssue{}
	for name, data := range sources {
		res := ingest.Check(name+".xlsx", data, markOptions())
		if res.OK() {
			t.Fatalf("%s: the base has errors, yet it is accepted", name)
		}
		want := toMark(res)
		issues[name] = want
		before := sheetComments(t, data, name)
		out, err := Mark(data, want, locale.ZH)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		marked[name+".xlsx"] = out
		after := sheetComments(t, out, name+" marked")
		n, m := 0, 0
		for _, c := range before {
			n += len(c)
		}
		for _, c := range after {
			m += len(c)
		}
		t.Logf("%s: %d errors, %d warnings; %d comments before, %d after", name, len(res.Errors), len(res.Warnings), n, m)
		// Nothing lost: every comment there before is still there, first.
		for sheet, cells := range before {
			for cell, text := range cells {
				if got := after[sheet][cell]; !strings.HasPrefix(got, text) {
					t.Errorf("%s: %s!%s was %q, now %q", name, sheet, cell, text, got)
				}
			}
		}
		// Every issue with a cell is a comment on it.
		for _, is := range want {
			if is.Cell != "" && !strings.Contains(after[is.Sheet][is.Cell], is.Msg) {
				t.Errorf("%s: %s!%s lacks %q: %q", name, is.Sheet, is.Cell, is.Msg, after[is.Sheet][is.Cell])
			}
		}
		if len(before[ingest.SheetStations]) > 0 {
			if c := after[ingest.SheetStations]["C3"]; !strings.Contains(c, "年底建成") || !strings.Contains(c, "是否建成社工站") {
				t.Errorf("%s: the clerk's note and the error should share C3: %q", name, c)
			}
		}
		checkResultsSheet(t, name, out, want)
		checkFills(t, name, out, want)
		// Read again by the checker: the same errors, and one more warning
		// (the sheet 校验结果 is not part of the return).
		again := ingest.Check(name+"-marked.xlsx", out, markOptions())
		if len(again.Errors) != len(res.Errors) || len(again.Warnings) != len(res.Warnings)+1 {
			t.Errorf("%s: marked reads with %d errors %d warnings, was %d %d", name, len(again.Errors), len(again.Warnings), len(res.Errors), len(res.Warnings))
		}
	}
	// The marked workbooks convert again with LibreOffice and keep their comments.
	needs.Soffice(t, false)
	for file, data := range soffice(t, marked) {
		name := strings.TrimSuffix(file, ".xlsx")
		got := sheetComments(t, data, name+" marked, LibreOffice")
		for _, is := range issues[name] {
			if is.Cell != "" && !strings.Contains(got[is.Sheet][is.Cell], is.Msg) {
				t.Errorf("%s after LibreOffice: %s!%s lacks %q: %q", name, is.Sheet, is.Cell, is.Msg, got[is.Sheet][is.Cell])
			}
		}
		checkResultsSheet(t, name+" after LibreOffice", data, issues[name])
	}
}

// checkResultsSheet: the first sheet is 校验结果, a row per issue (sheet,
// cell, message), each cell a hyperlink into the workbook.
func checkResultsSheet(t *testing.T, who string, data []byte, want []MarkIssue) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if sheets[0] != "校验结果" {
		t.Fatalf("%s: first sheet %q", who, sheets[0])
	}
	rows, _ := f.GetRows("校验结果")
	if len(rows) != len(want)+2 {
		t.Fatalf("%s: 校验结果 has %d rows for %d issues", who, len(rows), len(want))
	}
	listed := map[string]bool{}
	for i, r := range rows[2:] {
		for len(r) < 6 {
			r = append(r, "")
		}
		listed[r[5]] = true
		if r[3] != "" && r[3] != "（整张表）" {
			link, target, err := f.GetCellHyperLink("校验结果", "D"+itoa(i+3))
			if err != nil || !link || !strings.HasSuffix(target, "!"+r[3]) || !strings.Contains(target, r[2]) {
				t.Errorf("%s: row %d links %v %q", who, i+3, link, target)
			}
		}
	}
	for _, is := range want {
		if !listed[is.Msg] {
			t.Errorf("%s: 校验结果 lacks %q", who, is.Msg)
		}
	}
}

// A file that is not a workbook has nothing to mark.
func TestMarkNotAWorkbook(t *testing.T) {
	for _, data := range [][]byte{[]byte("code,name\n1,2\n"), nil, {0x50, 0x4b, 3, 4, 0, 0}} {
		if _, err := Mark(data, []MarkIssue{{Error: true, Msg: "x"}}, locale.ZH); err != ErrNotWorkbook {
			t.Errorf("%q: %v", data, err)
		}
	}
}

// checkFills: every cell with an error is filled red, with a warning
// yellow (read from the styles part: excelize needs a theme to report fills).
func checkFills(t *testing.T, who string, data []byte, want []MarkIssue) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	defer f.Close()
	z := unzipAll(t, data)
	var styles struct {
		Fills []struct {
			FG struct {
				RGB string `xml:"rgb,attr"`
			} `xml:"patternFill>fgColor"`
		} `xml:"fills>fill"`
		Xfs []struct {
			Fill int `xml:"fillId,attr"`
		} `xml:"cellXfs>xf"`
	}
	for name, b := range z {
		if strings.HasSuffix(name, "styles.xml") {
			if err := xml.Unmarshal(b, &styles); err != nil {
				t.Fatalf("%s: styles: %v", who, err)
			}
		}
	}
	isErr := map[[2]string]bool{}
	for _, is := range want {
		if is.Cell != "" {
			k := [2]string{is.Sheet, is.Cell}
			isErr[k] = isErr[k] || is.Error
		}
	}
	for k, e := range isErr {
		id, err := f.GetCellStyle(k[0], k[1])
		if err != nil || id >= len(styles.Xfs) || styles.Xfs[id].Fill >= len(styles.Fills) {
			t.Errorf("%s: %s!%s: style %d %v", who, k[0], k[1], id, err)
			continue
		}
		rgb := strings.ToUpper(styles.Fills[styles.Xfs[id].Fill].FG.RGB)
		color := "FFEB9C"
		if e {
			color = "FFC7CE"
		}
		if !strings.HasSuffix(rgb, color) {
			t.Errorf("%s: %s!%s filled %q, want %s", who, k[0], k[1], rgb, color)
		}
	}
}

// fillCells adds the cells and rows a sheet lacks, in order, keeps the
// cells' own formats, and copes with prefixes and self-closing rows.
func TestFillCells(t *testing.T) {
	styles := `<styleSheet xmlns="m"><fills count="2"><fill/><fill/></fills><cellXfs count="2"><xf numFmtId="0" fillId="0"/><xf numFmtId="14" fillId="0" applyNumberFormat="1"><alignment/></xf></cellXfs></styleSheet>`
	st := newStyler(styles)
	x := `<x:worksheet xmlns:x="m"><x:sheetData><x:row r="2"><x:c r="B2" s="1"><x:v>1</x:v></x:c><x:c r="D2"/></x:row><x:row r="4"/><x:row r="7" spans="1:3"><x:c r="A7" t="s"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>`
	got := fillCells(x, map[string]bool{"A2": true, "B2": true, "E2": false, "C3": true, "A4": false, "B7": true, "A9": true}, st)
	want := `<x:worksheet xmlns:x="m"><x:sheetData><x:row r="2"><x:c r="A2" s="2"/><x:c r="B2" s="3"><x:v>1</x:v></x:c><x:c r="D2"/><x:c r="E2" s="4"/></x:row>` +
		`<x:row r="3"><x:c r="C3" s="2"/></x:row><x:row r="4"><x:c r="A4" s="4"/></x:row>` +
		`<x:row r="7" spans="1:3"><x:c r="A7" t="s"><x:v>0</x:v></x:c><x:c r="B7" s="2"/></x:row><x:row r="9"><x:c r="A9" s="2"/></x:row></x:sheetData></x:worksheet>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	out := st.styles()
	if !strings.Contains(out, `<fills count="4">`) || !strings.Contains(out, `<cellXfs count="5">`) ||
		!strings.Contains(out, `<xf numFmtId="14" applyNumberFormat="1" fillId="2" applyFill="1"><alignment/></xf>`) {
		t.Errorf("styles:\n%s", out)
	}
	if got := fillCells(`<worksheet><sheetData/></worksheet>`, map[string]bool{"B2": true}, newStyler(styles)); got != `<worksheet><sheetData><row r="2"><c r="B2" s="2"/></row></sheetData></worksheet>` {
		t.Errorf("empty sheet: %s", got)
	}
}

// Issues about the whole file or a whole sheet are listed too, the sheet's
// row linking to its first cell; a second marking names its sheet apart.
func TestMarkWithoutCells(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(markedDir, "base.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	issues := []MarkIssue{{Error: true, Msg: "整个文件的问题"}, {Error: false, Sheet: ingest.SheetRooms, Msg: "整张表的问题"}}
	out, err := Mark(data, issues, locale.ZH)
	if err != nil {
		t.Fatal(err)
	}
	checkResultsSheet(t, "without cells", out, issues)
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("校验结果")
	if len(rows) != 4 || rows[2][2] != "（整个文件）" || rows[3][2] != ingest.SheetRooms || rows[3][3] != "（整张表）" {
		t.Errorf("rows %q", rows)
	}
	if link, target, _ := f.GetCellHyperLink("校验结果", "D4"); !link || target != "'"+ingest.SheetRooms+"'!A1" {
		t.Errorf("whole-sheet link %v %q", link, target)
	}
	f.Close()
	again, err := Mark(out, issues[:1], locale.EN)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := excelize.OpenReader(bytes.NewReader(again))
	defer g.Close()
	if s := g.GetSheetList(); s[0] != "Check results" || s[1] != "校验结果" {
		t.Errorf("marked twice: %q", s)
	}
}
