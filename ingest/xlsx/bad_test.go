package xlsx

import (
	"archive/zip"
	"bytes"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// bigBook writes a workbook whose sheet part is large enough that flipping
// bytes in the middle of it hits compressed cell data.
func bigBook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for r := 1; r <= 2000; r++ {
		must(t, f.SetSheetRow("Sheet1", "A"+strconv.Itoa(r), &[]any{r, "name " + strconv.Itoa(r*7919%10007), float64(r) / 3, r%2 == 0}))
	}
	return excelizeBytes(t, f)
}

func TestNotZip(t *testing.T) {
	for name, data := range map[string]string{
		"csv":   "代码,名称,金额\n320581001001,张家港市,12.5\n",
		"html":  "<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
		"xml":   `<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>`,
		"empty": "",
		"junk":  "\x00\x01\x02\x03garbage",
		"PK":    "PK",
	} {
		_, err := Open([]byte(data), DefaultLimits())
		fe := wantKind(t, err, NotZip)
		t.Logf("%s: %v", name, fe)
	}
}

func TestTruncated(t *testing.T) {
	data := bigBook(t)
	for _, n := range []int{len(data) / 2, len(data) - 10, 100, 4} {
		_, err := Open(data[:n], DefaultLimits())
		wantKind(t, err, Truncated)
	}
}

func TestCorruptPart(t *testing.T) {
	data := bigBook(t)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	var sheet *zip.File
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheet = f
		}
	}
	off, err := sheet.DataOffset()
	must(t, err)
	for _, at := range []int64{1, 2, 3} {
		bad := bytes.Clone(data)
		mid := off + int64(sheet.CompressedSize64)*at/4
		for i := mid; i < mid+8; i++ {
			bad[i] ^= 0x5A
		}
		wb, err := Open(bad, DefaultLimits())
		must(t, err) // structure parts are intact
		_, err = dumpErr(wb, "Sheet1")
		fe := wantKind(t, err, Corrupt)
		t.Log(fe)
	}
	// A bad CRC in the workbook part itself fails Open.
	wbf := zr.File[0]
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			wbf = f
		}
	}
	off, err = wbf.DataOffset()
	must(t, err)
	bad := bytes.Clone(data)
	bad[off+int64(wbf.CompressedSize64)/2] ^= 0xFF
	_, err = Open(bad, DefaultLimits())
	wantKind(t, err, Corrupt)
}

func TestTooLarge(t *testing.T) {
	data := bigBook(t)
	_, err := Open(data, Limits{MaxFileSize: int64(len(data)) - 1})
	wantKind(t, err, TooLarge)
	_, err = Open(data, Limits{MaxFileSize: int64(len(data))})
	must(t, err)
}

func TestZipBombSmallLimits(t *testing.T) {
	lim := Limits{MaxPartSize: 1 << 20, MaxTotalSize: 4 << 20}
	for _, c := range []struct {
		name   string
		data   []byte
		inOpen bool
	}{
		{"honest header", bombZip(t, 300, 0, false), false},
		{"lying header", bombZip(t, 300, 900<<10, false), false},
		{"lying header, shared strings", bombZip(t, 300, 900<<10, true), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if len(c.data) > 1<<20 {
				t.Fatalf("bomb is %d bytes", len(c.data))
			}
			start := time.Now()
			wb, err := Open(c.data, lim)
			must(t, err)
			_, err = dumpErr(wb, "S")
			fe := wantKind(t, err, ZipBomb)
			if d := time.Since(start); d > time.Minute { // a hang guard; speed: BenchmarkZipBomb
				t.Errorf("took %v", d)
			}
			t.Logf("%d-byte file: %v", len(c.data), fe)
		})
	}
	// The workbook-wide total: each part fits, together they do not.
	data := handWorkbook(t, sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>`+strings.Repeat("x", 600<<10)+`</t></is></c></row>`), "", "")
	wb, err := Open(data, Limits{MaxPartSize: 1 << 20, MaxTotalSize: 1 << 20})
	must(t, err)
	must(t, wb.Rows("S", func(Row) error { return nil }))
	wantKind(t, wb.Rows("S", func(Row) error { return nil }), ZipBomb)
}

// With the default limits a bomb must fail fast, without allocating
// anything like its inflated size.
func TestZipBombDefaultLimits(t *testing.T) {
	for _, c := range []struct {
		name     string
		mib      int
		declared uint64
	}{
		{"300 MiB honest", 300, 0},
		{"300 MiB declared 100 MiB", 300, 100 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := bombZip(t, c.mib, c.declared, false)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			wb, err := Open(data, DefaultLimits())
			must(t, err)
			_, err = dumpErr(wb, "S")
			fe := wantKind(t, err, ZipBomb)
			d := time.Since(start)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d-byte file: %v in %v, %d bytes allocated", len(data), fe, d, alloc)
			if alloc > 8<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
			if d > time.Minute { // a hang guard; the bound that matters is the allocation above
				t.Errorf("took %v", d)
			}
		})
	}
}

// The time to refuse a 300 MiB bomb with the default limits (the tests assert
// the refusal and the memory; the speed is measured here).
func BenchmarkZipBomb(b *testing.B) {
	data := bombZip(b, 300, 100<<20, false)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		wb, err := Open(data, DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := dumpErr(wb, "S"); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}
