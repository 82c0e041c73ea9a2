package ingest

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The structure fuzzer: a valid return, its parts mutated as clerks' and
// other programs' files differ (cells dropped, merged ranges, rows repeated,
// moved or without numbers, parts shuffled, odd XML spellings). Every
// mutant must be read in bounded time without a panic (Check turns one into
// ingest.internal) and end accepted or with errors that name a sheet (or,
// for the whole file or a missing sheet, say so).

var (
	fuzzBaseOnce sync.Once
	fuzzBase     map[string][]byte
	fuzzOrder    []string
	fuzzSheets   []string // worksheet part names
)

func fuzzParts(t *testing.T) {
	fuzzBaseOnce.Do(func() {
		b := goodBook(suzhou, testDistrict, testPeriod)
		b.sheet(SheetRooms).merges = []string{"A1:E1"}
		data := b.bytes(t)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			panic(err)
		}
		fuzzBase = map[string][]byte{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			c, _ := io.ReadAll(rc)
			rc.Close()
			fuzzBase[f.Name] = c
			fuzzOrder = append(fuzzOrder, f.Name)
			if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
				fuzzSheets = append(fuzzSheets, f.Name)
			}
		}
		sort.Strings(fuzzSheets)
	})
}

var (
	reFzCell  = regexp.MustCompile(`<c [^>]*?(/>|>.*?</c>)`)
	reFzRow   = regexp.MustCompile(`<row [^>]*?(/>|>.*?</row>)`)
	reFzRAttr = regexp.MustCompile(` r="[A-Z]*[0-9]+"`)
)

// mutate applies ops (pairs of bytes: operation, argument) to a copy of
// the base workbook and returns its bytes.
func mutate(ops []byte) []byte {
	parts := map[string][]byte{}
	for k, v := range fuzzBase {
		parts[k] = v
	}
	order := append([]string{}, fuzzOrder...)
	for i := 0; i+1 < len(ops) && i < 64; i += 2 {
		op, arg := ops[i], int(ops[i+1])
		name := fuzzSheets[arg%len(fuzzSheets)]
		x := string(parts[name])
		nth := func(re *regexp.Regexp) []int {
			all := re.FindAllStringIndex(x, -1)
			if len(all) == 0 {
				return nil
			}
			return all[(arg/len(fuzzSheets))%len(all)]
		}
		switch op % 12 {
		case 0: // drop a cell
			if m := nth(reFzCell); m != nil {
				x = x[:m[0]] + x[m[1]:]
			}
		case 1: // a merged range over data
			c1, r1 := 'A'+arg%5, 2+arg%9
			ref := fmt.Sprintf("%c%d:%c%d", rune(c1), r1, rune(c1+arg%3), r1+arg%7)
			el := `<mergeCells count="1"><mergeCell ref="` + ref + `"/></mergeCells>`
			if strings.Contains(x, "<mergeCells") {
				x = strings.Replace(x, "</mergeCells>", `<mergeCell ref="`+ref+`"/></mergeCells>`, 1)
			} else {
				x = strings.Replace(x, "</sheetData>", "</sheetData>"+el, 1)
			}
		case 2: // shuffle the parts
			r := rand.New(rand.NewPCG(uint64(arg), 9))
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		case 3: // single quotes and extra spaces in tags
			x = strings.ReplaceAll(x, `r="`, `r = '`)
			x = regexp.MustCompile(`r = '([^"]*)"`).ReplaceAllString(x, `r = '$1'`)
		case 4: // cells without references in a row
			if m := nth(reFzRow); m != nil {
				row := x[m[0]:m[1]]
				head := row[:strings.IndexByte(row, '>')+1]
				row = head + reFzRAttr.ReplaceAllString(row[len(head):], "")
				x = x[:m[0]] + row + x[m[1]:]
			}
		case 5: // a row repeated
			if m := nth(reFzRow); m != nil {
				x = x[:m[1]] + x[m[0]:m[1]] + x[m[1]:]
			}
		case 6: // a row moved to the end
			if m := nth(reFzRow); m != nil {
				row := x[m[0]:m[1]]
				x = x[:m[0]] + x[m[1]:]
				x = strings.Replace(x, "</sheetData>", row+"</sheetData>", 1)
			}
		case 7: // values as CDATA and character references
			x = strings.ReplaceAll(x, "<v>1</v>", "<v><![CDATA[1]]></v>")
			x = strings.ReplaceAll(x, "<v>2", "<v>&#50;")
		case 8: // a namespace prefix on every element
			x = regexp.MustCompile(`<(/?)([a-zA-Z])`).ReplaceAllString(x, "<${1}x:$2")
			x = strings.Replace(x, "<x:worksheet", `<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`, 1)
		case 9: // a shared string read as a number
			x = strings.Replace(x, `t="s"`, `t="n"`, 1+arg%3)
		case 10: // a merged range over the header rows
			x = strings.Replace(x, "</sheetData>", `</sheetData><mergeCells><mergeCell ref="A1:`+string(rune('A'+arg%12))+`3"/></mergeCells>`, 1)
		case 11: // the sheet's rows without numbers
			x = regexp.MustCompile(`<row r="\d+"`).ReplaceAllString(x, "<row")
		}
		parts[name] = []byte(x)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, n := range order {
		w, _ := zw.Create(n)
		w.Write(parts[n])
	}
	zw.Close()
	return out.Bytes()
}

// wholeFile are the errors that need not name a sheet.
var wholeFile = map[string]bool{"ingest.sheet.missing": true, "ingest.too_many": true, "ingest.registry.none": true}

func checkMutant(t *testing.T, data []byte) {
	done := make(chan *Result, 1)
	go func() { done <- Check("fuzz.xlsx", data, testOptions()) }()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Check hangs")
	}
	for _, is := range res.Errors {
		switch {
		case is.Msg.Key == "ingest.internal":
			t.Fatalf("panic: %s", is.Msg.In("en"))
		case is.Sheet == "" && !wholeFile[is.Msg.Key] && !strings.HasPrefix(is.Msg.Key, "ingest.file."):
			t.Errorf("error without a sheet: %s", is.Msg.In("en"))
		}
	}
	if res.OK() && (res.Return == nil || res.Return.District != testDistrict) {
		t.Errorf("accepted as %+v", res.Return)
	}
}

func FuzzStructure(f *testing.F) {
	for _, seed := range [][]byte{
		nil, {0, 3}, {1, 1}, {1, 2, 1, 9}, {2, 5}, {3, 0}, {4, 2}, {5, 1}, {6, 7}, {7, 0}, {8, 1}, {8, 2, 3, 2},
		{9, 1}, {10, 1}, {10, 4}, {11, 3}, {0, 1, 0, 2, 1, 3, 5, 4, 2, 9}, {1, 8, 6, 8, 8, 8}, {4, 1, 11, 1, 1, 1},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		fuzzParts(t)
		checkMutant(t, mutate(ops))
	})
}

// The mutations do change what is read: the base is accepted, a dropped
// cell or rows without numbers are not, a prefix on every element is.
func TestStructureMutations(t *testing.T) {
	fuzzParts(t)
	for _, tc := range []struct {
		ops []byte
		ok  bool
	}{{nil, true}, {[]byte{8, 1}, true}, {[]byte{2, 5}, true}, {[]byte{3, 1}, true}, {[]byte{7, 0}, true},
		{[]byte{0, 1 + 7*3}, false}, {[]byte{5, 1 + 7*4}, false}} {
		res := Check("m.xlsx", mutate(tc.ops), testOptions())
		if res.OK() != tc.ok {
			t.Errorf("ops %v: accepted %v, want %v:\n%s", tc.ops, res.OK(), tc.ok, describe(res.Errors))
		}
	}
}
