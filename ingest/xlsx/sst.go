package xlsx

import (
	"archive/zip"
	"io"
	"strconv"
)

// maxSharedStrings bounds the string table (whose headers cost 16 bytes per
// entry even for empty strings).
const maxSharedStrings = 1 << 23

// loadSST scans the shared-string table: one string per <si>, the text of
// its <t> elements (plain or rich-text runs) concatenated, phonetic <rPh>
// runs skipped, entities and _xHHHH_ escapes decoded.
func (w *Workbook) loadSST(f *zip.File) ([]string, error) {
	if f == nil {
		return nil, nil
	}
	pr, err := w.openPart(f)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	sc := newScanner(pr)
	defer sc.release()
	var out []string
	var tb textBuf
	inSI, inT := false, false
	rPh := 0
	for {
		switch sc.next() {
		case tokEOF:
			if sc.err != nil {
				return nil, partError(f.Name, sc.err)
			}
			if inSI {
				return nil, corrupt(f.Name, "XML ends inside <si>")
			}
			if _, err := io.Copy(io.Discard, pr); err != nil {
				return nil, partError(f.Name, err)
			}
			return out, nil
		case tokStart:
			switch string(sc.name) {
			case "sst":
				if out == nil {
					out = make([]string, 0, sstCapHint(sc.attrs, f.UncompressedSize64))
				}
			case "si":
				if len(out) >= maxSharedStrings {
					return nil, corrupt(f.Name, "more than %d shared strings", maxSharedStrings)
				}
				if sc.empty {
					out = append(out, "")
					continue
				}
				inSI, inT, rPh = true, false, 0
				tb.reset()
			case "t":
				if inSI && rPh == 0 && !sc.empty {
					inT = true
				}
			case "rPh":
				if inSI && !sc.empty {
					rPh++
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "si":
				if inSI {
					b := tb.flush()
					b = b[:decodeXEscapes(b)]
					out = append(out, string(b))
				}
				inSI, inT = false, false
			case "t":
				inT = false
			case "rPh":
				if rPh > 0 {
					rPh--
				}
			}
		case tokText:
			if inT && !tb.raw(sc.text) {
				return nil, corrupt(f.Name, "shared string longer than %d bytes", maxValueSize)
			}
		case tokCDATA:
			if inT && !tb.cdata(sc.text) {
				return nil, corrupt(f.Name, "shared string longer than %d bytes", maxValueSize)
			}
		}
	}
}

// sstCapHint returns a safe capacity for the string table from uniqueCount,
// bounded by what the part could hold (an <si> takes at least 9 bytes).
func sstCapHint(attrs []byte, size uint64) int {
	for {
		name, val, rest, ok := nextAttr(attrs)
		if !ok {
			return 0
		}
		attrs = rest
		if string(name) == "uniqueCount" {
			n, err := strconv.Atoi(string(val))
			if err != nil || n < 0 {
				return 0
			}
			return int(min(uint64(n), size/9, 1<<22))
		}
	}
}
