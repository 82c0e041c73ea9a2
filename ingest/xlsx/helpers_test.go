package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dump renders every row and cell of a sheet, one line per row:
//
//	5 hidden | C5 string "x" | D5 number "45413" date
func dump(t testing.TB, wb *Workbook, sheet string) []string {
	t.Helper()
	out, err := dumpErr(wb, sheet)
	if err != nil {
		t.Fatalf("Rows(%q): %v", sheet, err)
	}
	return out
}

func dumpErr(wb *Workbook, sheet string) ([]string, error) {
	var out []string
	err := wb.Rows(sheet, func(r Row) error {
		var b strings.Builder
		fmt.Fprintf(&b, "%d", r.Num)
		if r.Hidden {
			b.WriteString(" hidden")
		}
		for _, c := range r.Cells {
			fmt.Fprintf(&b, " | %s %s %q", c.Ref(r.Num), c.Kind, c.Value)
			if c.DateFormat {
				b.WriteString(" date")
			}
		}
		out = append(out, b.String())
		return nil
	})
	return out, err
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d rows, want %d", what, len(got), len(want))
	}
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("%s row %d:\n got  %s\n want %s", what, i, g, w)
		}
	}
}

// wantKind asserts that err is a *FileError of the given kind.
func wantKind(t *testing.T, err error, k Kind) *FileError {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got error %v (%T), want *FileError %v", err, err, k)
	}
	if fe.Kind != k {
		t.Fatalf("got %v (kind %d), want kind %v", fe, fe.Kind, k)
	}
	if fe.Error() == "" {
		t.Fatal("empty error text")
	}
	return fe
}

func excelizeBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type part struct{ name, body string }

// makeZip writes a zip with deflated parts in the given order.
func makeZip(t testing.TB, parts ...part) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relNS  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
)

// handWorkbook builds a minimal transitional package with one sheet "S"
// (xl/worksheets/sheet1.xml), the given styles (may be "") and shared
// strings (may be "").
func handWorkbook(t testing.TB, sheetXML, stylesXML, sstXML string) []byte {
	t.Helper()
	rels := `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="` + relNS + `worksheet" Target="worksheets/sheet1.xml"/>`
	parts := []part{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + relNS + `officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0"?><workbook ` + nsMain + `><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/worksheets/sheet1.xml", sheetXML},
	}
	if stylesXML != "" {
		rels += `<Relationship Id="rId2" Type="` + relNS + `styles" Target="styles.xml"/>`
		parts = append(parts, part{"xl/styles.xml", stylesXML})
	}
	if sstXML != "" {
		rels += `<Relationship Id="rId3" Type="` + relNS + `sharedStrings" Target="sharedStrings.xml"/>`
		parts = append(parts, part{"xl/sharedStrings.xml", sstXML})
	}
	parts = append(parts, part{"xl/_rels/workbook.xml.rels", rels + `</Relationships>`})
	return makeZip(t, parts...)
}

func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet ` + nsMain + `><dimension ref="A1"/><sheetData>` + rows + `</sheetData><pageMargins left="0.7"/></worksheet>`
}

// deflateSegment compresses b as a self-contained, byte-aligned run of
// deflate blocks (ending in a sync flush, or the final block if last).
func deflateSegment(t testing.TB, b []byte, last bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(b)
	if last {
		fw.Close()
	} else {
		fw.Flush()
	}
	return buf.Bytes()
}

// bombZip returns a workbook whose only sheet part inflates to about
// mib MiB of spaces inside <sheetData>, compressed to well under 1 MiB.
// The deflate stream is built by repeating one compressed 1 MiB segment, so
// the test does not have to compress hundreds of MB. declared, if non-zero,
// is written as the part's uncompressed size instead of the true size (a
// lying header). inSST puts the spaces in the shared-string part instead.
func bombZip(t testing.TB, mib int, declared uint64, inSST bool) []byte {
	t.Helper()
	head := []byte(`<?xml version="1.0"?><worksheet ` + nsMain + `><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`)
	tail := []byte(`</sheetData></worksheet>`)
	if inSST {
		head = []byte(`<?xml version="1.0"?><sst ` + nsMain + `><si><t>`)
		tail = []byte(`</t></si></sst>`)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	seg := deflateSegment(t, chunk, false)
	var comp bytes.Buffer
	comp.Write(deflateSegment(t, head, false))
	crc := crc32.Update(0, crc32.IEEETable, head)
	for i := 0; i < mib; i++ {
		comp.Write(seg)
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	comp.Write(deflateSegment(t, tail, true))
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	size := uint64(len(head)) + uint64(mib)<<20 + uint64(len(tail))
	if declared == 0 {
		declared = size
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	add("_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+relNS+`officeDocument" Target="xl/workbook.xml"/></Relationships>`)
	add("xl/workbook.xml", `<workbook `+nsMain+`><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`)
	bombName := "xl/worksheets/sheet1.xml"
	if inSST {
		add("xl/worksheets/sheet1.xml", sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`))
		bombName = "xl/sharedStrings.xml"
	}
	add("xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="`+relNS+`worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="`+relNS+`sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
	hdr := &zip.FileHeader{
		Name:               bombName,
		Method:             zip.Deflate,
		CRC32:              crc,
		CompressedSize64:   uint64(comp.Len()),
		UncompressedSize64: declared,
	}
	w, err := zw.CreateRaw(hdr)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
