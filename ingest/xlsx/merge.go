package xlsx

import (
	"io"
	"strconv"
)

// Range is a merged range of cells, 1-based and inclusive.
type Range struct {
	FromCol, FromRow, ToCol, ToRow int
}

// String returns the range as Excel writes it, e.g. "L3:L9".
func (r Range) String() string {
	return ColName(r.FromCol) + strconv.Itoa(r.FromRow) + ":" + ColName(r.ToCol) + strconv.Itoa(r.ToRow)
}

// Contains reports whether the cell (col, row) lies in r.
func (r Range) Contains(col, row int) bool {
	return col >= r.FromCol && col <= r.ToCol && row >= r.FromRow && row <= r.ToRow
}

// maxMerges bounds the merged ranges read from one sheet.
const maxMerges = 10000

// Merges returns the merged ranges of a sheet (its <mergeCells>), in file
// order. Ranges that cannot be parsed, single cells and ranges beyond the
// row limit are left out; more than 10,000 ranges is a corrupt sheet. The
// sheet part is streamed once more (the ranges follow the cell data).
func (w *Workbook) Merges(sheet string) ([]Range, error) {
	ref, ok := w.findSheet(sheet)
	if !ok {
		return nil, &FileError{Kind: NoSuchSheet, Detail: "sheet " + strconv.Quote(sheet) + " not found"}
	}
	if ref.part == "" || ref.relType == "chartsheet" || ref.relType == "dialogsheet" {
		return nil, nil
	}
	f := w.lookup(ref.part)
	pr, err := w.openPart(f)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	sc := newScanner(pr)
	defer sc.release()
	var out []Range
	for {
		switch sc.next() {
		case tokEOF:
			if sc.err != nil {
				return nil, partError(f.Name, sc.err)
			}
			if _, err := io.Copy(io.Discard, pr); err != nil {
				return nil, partError(f.Name, err)
			}
			return out, nil
		case tokStart:
			if string(sc.name) != "mergeCell" {
				continue
			}
			attrs := sc.attrs
			for {
				name, val, rest, ok := nextAttr(attrs)
				if !ok {
					break
				}
				attrs = rest
				if string(localName(name)) != "ref" {
					continue
				}
				r, ok := parseRange(trimSpace(val))
				if !ok || r.ToRow > w.lim.MaxRows || (r.FromCol == r.ToCol && r.FromRow == r.ToRow) {
					continue
				}
				if len(out) >= maxMerges {
					return nil, corrupt(f.Name, "more than %d merged ranges", maxMerges)
				}
				out = append(out, r)
			}
		}
	}
}

// parseRange parses "A1:C3" (absolute "$A$1:$C$3" too) into a normalised
// range (from <= to).
func parseRange(b []byte) (Range, bool) {
	var parts [2][]byte
	n := 0
	start := 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == ':' {
			if n == 2 {
				return Range{}, false
			}
			parts[n] = b[start:i]
			n++
			start = i + 1
		}
	}
	if n != 2 {
		return Range{}, false
	}
	var cr [2][2]int
	for k, p := range parts {
		q := make([]byte, 0, len(p))
		for _, c := range p {
			if c != '$' {
				q = append(q, c)
			}
		}
		col, row, ok := parseRef(q)
		if !ok || row < 1 || col < 1 || col > maxCol {
			return Range{}, false
		}
		cr[k] = [2]int{col, row}
	}
	r := Range{min(cr[0][0], cr[1][0]), min(cr[0][1], cr[1][1]), max(cr[0][0], cr[1][0]), max(cr[0][1], cr[1][1])}
	return r, true
}
