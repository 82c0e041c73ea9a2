package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var fuzzLimits = Limits{MaxFileSize: 1 << 20, MaxPartSize: 4 << 20, MaxTotalSize: 16 << 20, MaxRows: 5000}

var errFuzzStop = errors.New("stop")

// readAllChecked opens data and reads every sheet, checking the invariants
// the API promises. It must never panic.
func readAllChecked(t *testing.T, data []byte, lim Limits) {
	wb, err := Open(data, lim)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Kind < NotZip || fe.Kind > NoSuchSheet {
			t.Fatalf("Open: error %v (%T) is not a *FileError", err, err)
		}
		_ = fe.Error()
		return
	}
	for _, name := range wb.SheetNames() {
		rows := 0
		err := wb.Rows(name, func(r Row) error {
			rows++
			if r.Num < 1 || r.Num > lim.MaxRows {
				t.Fatalf("row number %d", r.Num)
			}
			if len(r.Cells) == 0 {
				t.Fatalf("row %d without cells", r.Num)
			}
			for i, c := range r.Cells {
				if c.Col < 1 || c.Col > maxCol || (i > 0 && c.Col < r.Cells[i-1].Col) {
					t.Fatalf("row %d: bad or unsorted column %d", r.Num, c.Col)
				}
				if c.Value == "" || c.Kind > Date {
					t.Fatalf("row %d: bad cell %+v", r.Num, c)
				}
				_ = c.Ref(r.Num)
			}
			if rows > 2*lim.MaxRows {
				return errFuzzStop
			}
			return nil
		})
		if err != nil && err != errFuzzStop {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Rows: error %v (%T) is not a *FileError", err, err)
			}
		}
		// Merged ranges: bounded, well formed, and RowsAndMerges gives the
		// same rows as Rows.
		rowsErr := err
		ranges, merr := wb.Merges(name)
		if merr != nil {
			var fe *FileError
			if !errors.As(merr, &fe) {
				t.Fatalf("Merges: error %v (%T) is not a *FileError", merr, merr)
			}
		}
		for _, m := range ranges {
			if m.FromCol < 1 || m.FromRow < 1 || m.FromCol > m.ToCol || m.FromRow > m.ToRow || m.ToRow > lim.MaxRows || len(ranges) > maxMerges {
				t.Fatalf("bad range %+v", m)
			}
		}
		rows2 := 0
		err2 := wb.RowsAndMerges(name, func([]Range) {}, func(Row) error {
			rows2++
			if rows2 > 2*lim.MaxRows {
				return errFuzzStop
			}
			return nil
		})
		if rowsErr == nil && err2 == nil && rows2 != rows {
			t.Fatalf("RowsAndMerges read %d rows, Rows %d", rows2, rows)
		}
	}
}

// storedZip writes parts without compression so that mutations reach the
// XML scanner (the CRC is only checked after a part has been scanned).
func storedZip(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.body))
	}
	zw.Close()
	return buf.Bytes()
}

func fuzzSeeds(t testing.TB) [][]byte {
	rows := `<row r="1" spans="1:3"><c r="A1" t="s"><v>1</v></c><c r="B1" s="1"><v>45413</v></c><c r="C1" t="inlineStr"><is><r><t>a&amp;b</t></r><rPh><t>x</t></rPh></is></c></row>` +
		`<row hidden="1"><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="d"><v>2024-05-01</v></c><c t="str"><f>A1</f><v>s_x000D_</v></c></row>` +
		`<row r="4"><c r="D4" s="2"><v>3.2E+11</v></c><c r="B4"><![CDATA[x]]></c></row>`
	seeds := [][]byte{
		handWorkbook(t, sheetXML(rows), testStyles, testSST),
		storedZip(t,
			part{"_rels/.rels", `<Relationships><Relationship Id="r" Type="` + relNS + `officeDocument" Target="/xl/workbook.xml"/></Relationships>`},
			part{"xl/workbook.xml", `<workbook ` + nsMain + `><workbookPr date1904="1"/><sheets><sheet name="S" r:id="rId1"/><sheet name="T" r:id="rId2"/></sheets></workbook>`},
			part{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="` + relNS + `worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + relNS + `worksheet" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="` + relNS + `sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="` + relNS + `styles" Target="styles.xml"/></Relationships>`},
			part{"xl/worksheets/sheet1.xml", sheetXML(rows)},
			part{"xl/worksheets/sheet2.xml", `<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>`},
			part{"xl/sharedStrings.xml", testSST},
			part{"xl/styles.xml", testStyles},
		),
		[]byte("PK\x05\x06" + string(make([]byte, 18))),
		[]byte("code,name\n1,a\n"),
		cfbMagic,
	}
	for _, name := range []string{"sheetjs.xlsx", "sheetjs-sst.xlsx", "legacy.xls"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			seeds = append(seeds, b)
		}
	}
	return seeds
}

func FuzzOpenAndRead(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
		// Simple mutations: truncations and a flipped byte in the middle.
		f.Add(s[:len(s)/2])
		f.Add(s[:max(0, len(s)-30)])
		m := bytes.Clone(s)
		m[len(m)/2] ^= 0xFF
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is reported as a crash, so the engine keeps the input.
		tm := time.AfterFunc(10*time.Second, func() { panic("FuzzOpenAndRead: input takes over 10 s") })
		defer tm.Stop()
		readAllChecked(t, data, fuzzLimits)
	})
}

// FuzzSheetXML feeds arbitrary bytes to the sheet scanner as the content of
// a worksheet part (with shared strings and styles present).
func FuzzSheetXML(f *testing.F) {
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" s="1"><v>4</v></c></row>`)))
	f.Add([]byte(`<worksheet><sheetData><row><c t="inlineStr"><is><t>a&#x4e2d;&amp;_x000D_</t></is></c></row><!-- c --><?p?><row r="3"><c r="C3"><![CDATA[1]]><v>2</v></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<sheetData><row r="2" hidden="true"><c r='B2' t='str'><f>x</f><v>a>b</v></c></row></sheetData>`))
	f.Fuzz(func(t *testing.T, sheet []byte) {
		data := storedZip(t,
			part{"xl/workbook.xml", `<workbook ` + nsMain + `><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>`},
			part{"xl/_rels/workbook.xml.rels", `<Relationships><Relationship Id="rId1" Type="` + relNS + `worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
			part{"xl/worksheets/sheet1.xml", string(sheet)},
			part{"xl/sharedStrings.xml", testSST},
			part{"xl/styles.xml", testStyles},
		)
		readAllChecked(t, data, fuzzLimits)
	})
}
