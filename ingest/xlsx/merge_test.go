package xlsx

import (
	"fmt"
	"strings"
	"testing"
)

// Merged ranges are read from <mergeCells>, whatever the spelling: a
// namespace prefix, absolute references, reversed corners, single quotes;
// single cells and garbage are left out.
func TestMerges(t *testing.T) {
	x := `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
		`<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>t</x:t></x:is></x:c></x:row></x:sheetData>` +
		`<x:mergeCells count="5"><x:mergeCell ref="A1:L1"/><x:mergeCell ref='$C$3:$C$9'/><x:mergeCell ref="H4:F2"/>` +
		`<x:mergeCell ref="B2:B2"/><x:mergeCell ref="nonsense"/><x:mergeCell ref="A1:A9999999"/></x:mergeCells></x:worksheet>`
	wb, err := Open(handWorkbook(t, x, "", ""), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got, err := wb.Merges("S")
	if err != nil {
		t.Fatal(err)
	}
	want := "[A1:L1 C3:C9 F2:H4]"
	if s := fmt.Sprint(got); s != want {
		t.Errorf("merges %s, want %s", s, want)
	}
	if !got[1].Contains(3, 9) || got[1].Contains(4, 9) || got[1].Contains(3, 10) {
		t.Error("Contains is wrong")
	}
	if _, err := wb.Merges("nope"); err == nil {
		t.Error("no error for a missing sheet")
	}
}

// Too many merged ranges is a corrupt sheet, not an unbounded list.
func TestTooManyMerges(t *testing.T) {
	m := ""
	for i := 1; i <= maxMerges+1; i++ {
		m += fmt.Sprintf(`<mergeCell ref="A%d:B%d"/>`, i, i)
	}
	x := sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`)
	x = x[:len(x)-len(`</worksheet>`)] + `<mergeCells>` + m + `</mergeCells></worksheet>`
	wb, err := Open(handWorkbook(t, x, "", ""), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	_, err = wb.Merges("S")
	wantKind(t, err, Corrupt)
}

// The byte search for <mergeCells> finds it wherever a read chunk ends.
func TestMergesAcrossChunks(t *testing.T) {
	for pad := 32768 - 60; pad < 32768+20; pad += 3 {
		head := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>`)
		head = head[:len(head)-len(`</worksheet>`)]
		// A comment pads the part so that the tag straddles the 64 KiB chunk.
		filler := pad - len(head) - len(`<!---->`)
		if filler < 0 {
			t.Fatal("header too long")
		}
		x := head + `<!--` + strings.Repeat("y", filler) + `-->` + `<mergeCells><mergeCell ref="B2:C3"/></mergeCells></worksheet>`
		wb, err := Open(handWorkbook(t, x, "", ""), DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		got, err := wb.Merges("S")
		if err != nil || len(got) != 1 || got[0].String() != "B2:C3" {
			t.Fatalf("pad %d: %v %v", pad, got, err)
		}
	}
}

// RowsAndMerges gives the same ranges and rows as Merges and Rows, whether
// the part is inflated once (small) or streamed twice (large).
func TestRowsAndMerges(t *testing.T) {
	x := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row><row r="3"><c r="B3"><v>7</v></c></row>`)
	x = x[:len(x)-len(`</worksheet>`)] + `<mergeCells><mergeCell ref="A1:C1"/><mergeCell ref="B3:B5"/></mergeCells></worksheet>`
	wb, err := Open(handWorkbook(t, x, "", ""), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []uint64{4 << 20, 0} {
		saved := maxBuffered
		maxBuffered = limit
		var got []string
		var ranges []Range
		err := wb.RowsAndMerges("S", func(m []Range) { ranges = m }, func(r Row) error {
			if ranges == nil {
				t.Error("rows before the ranges")
			}
			for _, c := range r.Cells {
				got = append(got, fmt.Sprintf("%s %s %q", c.Ref(r.Num), c.Kind, c.Value))
			}
			return nil
		})
		maxBuffered = saved
		if err != nil || fmt.Sprint(ranges) != "[A1:C1 B3:B5]" || len(got) != 2 {
			t.Errorf("limit %d: %v %v %q", limit, err, ranges, got)
		}
	}
	if err := wb.RowsAndMerges("nope", func([]Range) {}, func(Row) error { return nil }); err == nil {
		t.Error("no error for a missing sheet")
	}
}
