package xlsx

import (
	"strconv"
	"strings"
	"testing"
)

// Hand-written packages for what excelize never writes: missing r=
// attributes, prefixed element names, strict namespaces, absolute targets,
// phonetic runs, escapes, CDATA, error and ISO date cells.

const testStyles = `<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="3"><numFmt numFmtId="164" formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;"/><numFmt numFmtId="165" formatCode="0.00&quot;days&quot;"/><numFmt numFmtId="166" formatCode="[Red]0.00"/></numFmts>
<cellStyleXfs count="2"><xf numFmtId="14"/><xf numFmtId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"><alignment/></xf><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="57"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0"/></cellStyles></styleSheet>`

const testSST = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">
<si><t>plain</t></si>
<si><r><rPr><b/></rPr><t>東京</t></r><r><t xml:space="preserve"> 都</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>
<si><t>a_x000D_b_x005F_x000D_c&#x4E2D;&#20013;&amp;</t></si>
<si/>
<si><t><![CDATA[<raw & text>]]></t></si>
</sst>`

func TestHandmadeCells(t *testing.T) {
	rows := `
<row r="1" spans="1:9"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>
<row r="2"><c r="A2" t="e"><v>#N/A</v></c><c r="B2" t="d"><v>2024-05-01T12:00:00</v></c><c r="C2" t="b"><v>true</v></c><c r="D2" t="str"><f>B1&amp;""</f><v>x &lt;&gt; y_x000A_</v></c><c r="E2" t="str"><f>A1</f></c><c r="F2" s="1"><f>TODAY()</f><v>45413</v></c></row>
<row r="3" hidden="1"><c r="A3" s="2"><v>45413</v></c><c r="B3" s="3"><v>1.5</v></c><c r="C3" s="4"><v>2</v></c><c r="D3" s="5"><v>3</v></c><c r="E3" s="99"><v>4</v></c><c r="F3" t="n" s="1"><v>3.2E+11</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><r><t>ab</t></r><r><rPr/><t>cd</t></r><rPh><t>ignored</t></rPh></is></c><c r="B4" t="inlineStr"><is><t>x&#10;y</t></is></c><c r="C4"/><c r="D4" s="1"/><c r="E4" t="s"><v></v></c><c r="F4"><v/></c></row>
<row r="5"><c r="A5" t="inlineStr"><is><t></t></is></c><c r="B5"><v></v></c></row>
<!-- a comment with <row> inside -->
<?some-pi data?>
<row r="7"><c r="C7"><v>1</v></c><c r="A7"><v>2</v></c></row>
`
	data := handWorkbook(t, sheetXML(rows), testStyles, testSST)
	wb, err := Open(data, DefaultLimits())
	must(t, err)
	checkLines(t, "S", dump(t, wb, "S"), []string{
		`1 | A1 string "plain" | B1 string "東京 都" | C1 string "a\rb_x000D_c中中&" | E1 string "<raw & text>"`,
		`2 | A2 error "#N/A" | B2 date "2024-05-01T12:00:00" | C2 bool "1" | D2 string "x <> y\n" | F2 number "45413" date`,
		`3 hidden | A3 number "45413" date | B3 number "1.5" | C3 number "2" | D3 number "3" date | E3 number "4" | F3 number "3.2E+11" date`,
		`4 | A4 string "abcd" | B4 string "x\ny"`,
		`7 | A7 number "2" | C7 number "1"`,
	})
}

// LibreOffice and some generators omit r= on rows and cells.
func TestMissingRefs(t *testing.T) {
	rows := `<row><c t="inlineStr"><is><t>a</t></is></c><c/><c><v>3</v></c></row>` +
		`<row/>` + // empty row still counts
		`<row><c><v>1</v></c><c r="E3"><v>5</v></c><c><v>6</v></c></row>` +
		`<row r="10"><c><v>x</v></c></row>` +
		`<row><c r="B11"><v>7</v></c></row>` +
		`<row><c r="B77"><v>8</v></c></row>` // no row r=: the cell's row number is used
	wb, err := Open(handWorkbook(t, sheetXML(rows), "", ""), DefaultLimits())
	must(t, err)
	checkLines(t, "S", dump(t, wb, "S"), []string{
		`1 | A1 string "a" | C1 number "3"`,
		`3 | A3 number "1" | E3 number "5" | F3 number "6"`,
		`10 | A10 number "x"`,
		`11 | B11 number "7"`,
		`77 | B77 number "8"`,
	})
}

// Strict OOXML namespaces, x: prefixed elements, a workbook at a
// non-standard path found through _rels/.rels, absolute and percent-encoded
// relationship targets, a chartsheet.
func TestStrictPrefixedAbsolute(t *testing.T) {
	strictMain := `xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships"`
	strictRel := "http://purl.oclc.org/ooxml/officeDocument/relationships/"
	data := makeZip(t,
		part{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + strictRel + `officeDocument" Target="/book/main.xml"/></Relationships>`},
		part{"book/main.xml", `<x:workbook ` + strictMain + `><x:workbookPr date1904="true"/><x:sheets>` +
			`<x:sheet name="Chart" sheetId="3" r:id="rId9"/>` +
			`<x:sheet name="第一 页" sheetId="1" r:id="rId1"/><x:sheet name="Two" sheetId="2" r:id="rId2"/></x:sheets></x:workbook>`},
		part{"book/_rels/main.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + strictRel + `worksheet" Target="/book/sheets/s%201.xml"/>` +
			`<Relationship Id="rId2" Type="` + strictRel + `worksheet" Target="sheets/../sheets/two.xml"/>` +
			`<Relationship Id="rId9" Type="` + strictRel + `chartsheet" Target="charts/c.xml"/>` +
			`<Relationship Id="rId3" Type="` + strictRel + `sharedStrings" Target="strings.xml"/>` +
			`<Relationship Id="rId4" Type="` + strictRel + `styles" Target="/book/st.xml"/>` +
			`<Relationship Id="rId5" Type="` + strictRel + `hyperlink" Target="http://example.invalid/" TargetMode="External"/></Relationships>`},
		part{"book/sheets/s 1.xml", `<x:worksheet ` + strictMain + `><x:sheetData><x:row x:r="2"><x:c r="B2" t="s" s="1"><x:v>1</x:v></x:c><x:c r="C2" s="1"><x:v>45413</x:v></x:c></x:row></x:sheetData></x:worksheet>`},
		part{"book/sheets/two.xml", `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`},
		part{"book/charts/c.xml", `<chartsheet/>`},
		part{"book/strings.xml", `<x:sst ` + strictMain + `><x:si><x:t>zero</x:t></x:si><x:si><x:r><x:t>o</x:t></x:r><x:r><x:t>ne</x:t></x:r></x:si></x:sst>`},
		part{"book/st.xml", `<x:styleSheet ` + strictMain + `><x:cellXfs><x:xf numFmtId="0"/><x:xf numFmtId="22"/></x:cellXfs></x:styleSheet>`},
	)
	wb, err := Open(data, DefaultLimits())
	must(t, err)
	if got := strings.Join(wb.SheetNames(), "|"); got != "Chart|第一 页|Two" {
		t.Errorf("SheetNames = %q", got)
	}
	if !wb.Date1904() {
		t.Error("Date1904 = false")
	}
	checkLines(t, "第一 页", dump(t, wb, "第一 页"), []string{
		`2 | B2 string "one" date | C2 number "45413" date`,
	})
	checkLines(t, "Two", dump(t, wb, "Two"), []string{`1 | A1 string "zero"`})
	checkLines(t, "Chart", dump(t, wb, "Chart"), nil)
}

func TestDateFormatCodes(t *testing.T) {
	cases := map[string]bool{
		"General":                    false,
		"general":                    false,
		"0":                          false,
		"0.00":                       false,
		"#,##0.00_);[Red](#,##0.00)": false,
		`_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)`: false,
		"0.00E+00":                       false,
		"@":                              false,
		`0.00"days"`:                     false,
		`"Year: "0`:                      false,
		`\d0`:                            false,
		"[Red]0.00":                      false,
		"[$-804]0.00":                    false,
		"[$€-x-euro2] #,##0.00":          false,
		`G/通用格式`:                         false,
		"yyyy-mm-dd":                     true,
		"yyyy年m月d日":                      true,
		`[$-804]yyyy"年"m"月"`:             true,
		"[$-F800]dddd, mmmm dd, yyyy":    true,
		"h:mm AM/PM":                     true,
		"[h]:mm:ss":                      true,
		"[mm]":                           true,
		"[ss].00":                        true,
		"mm:ss.0":                        true,
		"DD/MM/YYYY":                     true,
		`[DBNum1][$-804]yyyy"年"m"月"d"日"`: true,
		"[Blue]m/d/yy":                   true,
	}
	for code, want := range cases {
		if got := isDateFormat(code); got != want {
			t.Errorf("isDateFormat(%q) = %v, want %v", code, got, want)
		}
	}
	for id := 0; id < 200; id++ {
		want := id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
		if builtinDate(id) != want {
			t.Errorf("builtinDate(%d) = %v", id, !want)
		}
	}
}

func TestColName(t *testing.T) {
	for col, want := range map[int]string{0: "", 1: "A", 26: "Z", 27: "AA", 52: "AZ", 53: "BA", 702: "ZZ", 703: "AAA", 16384: "XFD"} {
		if got := ColName(col); got != want {
			t.Errorf("ColName(%d) = %q, want %q", col, got, want)
		}
		if col > 0 {
			if c, _, ok := parseRef([]byte(want + "7")); !ok || c != col {
				t.Errorf("parseRef(%q) = %d", want+"7", c)
			}
		}
	}
	if got := (Cell{Col: 5}).Ref(14); got != "E14" {
		t.Errorf("Ref = %q", got)
	}
}

func TestDecode(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"a&amp;b&lt;&gt;&quot;&apos;": `a&b<>"'`,
		"&#65;&#x42;&#X43;&#x4e2d;":   "ABC中",
		"&unknown; & &#; &#xZZ; &#0;": "&unknown; & &#; &#xZZ; &#0;",
		"&#x1F600;":                   "😀",
		"&amp":                        "&amp",
	} {
		b := []byte(in)
		if got := string(b[:decodeEntities(b)]); got != want {
			t.Errorf("decodeEntities(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"a_x000D__x000A_b":  "a\r\nb",
		"_x005F_x000D_":     "_x000D_",
		"_xD83D__xDE00_":    "😀",
		"_xD83D_x":          "_xD83D_x",
		"_x12_ _xZZZZ_ _x":  "_x12_ _xZZZZ_ _x",
		"price_x0020_total": "price total",
	} {
		b := []byte(in)
		if got := string(b[:decodeXEscapes(b)]); got != want {
			t.Errorf("decodeXEscapes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStructureErrors(t *testing.T) {
	cell := func(c string) []byte { return handWorkbook(t, sheetXML(`<row r="1">`+c+`</row>`), "", testSST) }
	cases := []struct {
		name string
		data []byte
		kind Kind
		open bool // fails in Open rather than Rows
	}{
		{"sst index out of range", cell(`<c r="A1" t="s"><v>5</v></c>`), Corrupt, false},
		{"sst index not a number", cell(`<c r="A1" t="s"><v>x</v></c>`), Corrupt, false},
		{"sst index without table", handWorkbook(t, sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`), "", ""), Corrupt, false},
		{"unknown cell type", cell(`<c r="A1" t="zz"><v>1</v></c>`), Corrupt, false},
		{"bad cell ref", cell(`<c r="1A"><v>1</v></c>`), Corrupt, false},
		{"column beyond XFD", cell(`<c r="XFE1"><v>1</v></c>`), Corrupt, false},
		{"cell in cell", cell(`<c r="A1"><c r="B1"><v>1</v></c></c>`), Corrupt, false},
		{"truncated sheet XML", handWorkbook(t, `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r`, "", ""), Corrupt, false},
		{"sheet XML ends in sheetData", handWorkbook(t, `<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`, "", ""), Corrupt, false},
		{"row number beyond limit", handWorkbook(t, sheetXML(`<row r="200001"><c><v>1</v></c></row>`), "", ""), TooManyRows, false},
		{"row number absurd", handWorkbook(t, sheetXML(`<row r="99999999999"><c><v>1</v></c></row>`), "", ""), TooManyRows, false},
		{"row number invalid", handWorkbook(t, sheetXML(`<row r="x"><c><v>1</v></c></row>`), "", ""), Corrupt, false},
		{"bad styles XML", handWorkbook(t, sheetXML(""), "<styleSheet><cellXfs>", ""), Corrupt, true},
		{"missing workbook", makeZip(t, part{"[Content_Types].xml", "<Types/>"}, part{"word/document.xml", "<w/>"}), Corrupt, true},
		{"missing workbook rels", makeZip(t, part{"xl/workbook.xml", `<workbook><sheets/></workbook>`}), Corrupt, true},
		{"bad workbook XML", makeZip(t, part{"xl/workbook.xml", `<workbook><sheets></workbook>`}, part{"xl/_rels/workbook.xml.rels", "<Relationships/>"}), Corrupt, true},
		{"sheet part missing", makeZip(t, part{"xl/workbook.xml", `<workbook ` + nsMain + `><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`},
			part{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="` + relNS + `worksheet" Target="worksheets/nope.xml"/></Relationships>`}), Corrupt, false},
		{"UTF-16 workbook", makeZip(t, part{"xl/workbook.xml", "\xFF\xFE<\x00w\x00"}), Corrupt, true},
		{"empty zip", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), Corrupt, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wb, err := Open(c.data, DefaultLimits())
			if c.open {
				wantKind(t, err, c.kind)
				return
			}
			must(t, err)
			_, err = dumpErr(wb, "S")
			wantKind(t, err, c.kind)
		})
	}
}

func TestMaxRowsCount(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 20; i++ {
		b.WriteString(`<row><c><v>1</v></c></row>`)
	}
	data := handWorkbook(t, sheetXML(b.String()), "", "")
	wb, err := Open(data, Limits{MaxRows: 20})
	must(t, err)
	if got := dump(t, wb, "S"); len(got) != 20 {
		t.Fatalf("%d rows", len(got))
	}
	wb, err = Open(data, Limits{MaxRows: 19})
	must(t, err)
	_, err = dumpErr(wb, "S")
	wantKind(t, err, TooManyRows)
}

// Long text nodes, tags and values straddling the scanner's buffer.
func TestLongValues(t *testing.T) {
	const unitRaw, unit = "长文本&amp;", "长文本&"
	attrs := strings.Repeat(` x14ac:dyDescent="0.25"`, 5000) // 115 kB tag
	units := func(i int) int { return i * 7919 % 40000 }     // up to 560 kB of raw text
	var rows strings.Builder
	for i := 1; i <= 300; i++ {
		n := strconv.Itoa(i)
		rows.WriteString(`<row r="` + n + `"` + attrs[:len(attrs)*(i%2)] + `><c r="A` + n + `" t="inlineStr"><is><t>` +
			strings.Repeat(unitRaw, units(i)) + `</t></is></c><c r="B` + n + `"><v>` + n + `</v></c></row>` + strings.Repeat(" \n", i%7*1000))
	}
	wb, err := Open(handWorkbook(t, sheetXML(rows.String()), "", ""), DefaultLimits())
	must(t, err)
	count := 0
	must(t, wb.Rows("S", func(r Row) error {
		count++
		if len(r.Cells) != 2 || r.Cells[0].Value != strings.Repeat(unit, units(r.Num)) || r.Cells[1].Value != strconv.Itoa(r.Num) {
			t.Fatalf("row %d: got %d cells", r.Num, len(r.Cells))
		}
		return nil
	}))
	if count != 300 {
		t.Fatalf("%d rows", count)
	}
}
