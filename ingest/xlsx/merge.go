package xlsx

import (
	"bytes"
	"io"
	"strconv"
	"sync"
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
// sheet part is inflated once more (the ranges follow the cell data), but
// only the part from <mergeCells> on is scanned as XML.
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
	// The cell data is skipped by a plain byte search for "mergeCells";
	// only from there on is the XML scanned.
	const chunk = 32 << 10
	bp := mergeBufs.Get().(*[]byte)
	defer mergeBufs.Put(bp)
	buf := (*bp)[:0]
	var rest io.Reader
	for rest == nil {
		keep := len(buf)
		buf = buf[:keep+chunk]
		n, err := io.ReadFull(pr, buf[keep:])
		buf = buf[:keep+n]
		if i := bytes.Index(buf, mergeCellsTag); i >= 0 {
			lt := bytes.LastIndexByte(buf[:i], '<')
			if lt < 0 || i-lt > 32 {
				lt = i
			}
			rest = io.MultiReader(bytes.NewReader(buf[lt:]), pr)
			break
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, nil
		}
		if err != nil {
			return nil, partError(f.Name, err)
		}
		// Keep the tail, where the tag may have been cut.
		tail := buf[max(0, len(buf)-48):]
		buf = append(buf[:0], tail...)
	}
	return w.mergesFrom(f.Name, rest)
}

// mergesFrom scans XML from r for <mergeCell ref=…> elements.
func (w *Workbook) mergesFrom(part string, r io.Reader) ([]Range, error) {
	sc := newScanner(r)
	defer sc.release()
	var out []Range
	for {
		switch sc.next() {
		case tokEOF:
			if sc.err != nil {
				return nil, partError(part, sc.err)
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
					return nil, corrupt(part, "more than %d merged ranges", maxMerges)
				}
				out = append(out, r)
			}
		}
	}
}

var (
	mergeCellsTag = []byte("mergeCells")
	mergeBufs     = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10+64); return &b }}
)

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
