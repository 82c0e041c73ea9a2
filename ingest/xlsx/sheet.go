package xlsx

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"sync"
)

const maxCol = 16384 // XFD

// Rows streams a sheet's rows in file order. fn is called once per <row>
// element that has at least one non-empty cell; rows with only empty cells
// are skipped. If fn returns an error, Rows stops and returns that error
// unchanged. Every other failure is a *FileError.
//
// The Row passed to fn, including its Cells slice, is only valid during the
// call (the slice is reused); the Value strings may be kept. Because the
// sheet is streamed, fn may already have been called for earlier rows when a
// later part of the file turns out to be corrupt or too large: callers should
// discard what they collected when Rows returns an error.
func (w *Workbook) Rows(sheet string, fn func(Row) error) error {
	ref, ok := w.findSheet(sheet)
	if !ok {
		return &FileError{Kind: NoSuchSheet, Detail: "sheet " + strconv.Quote(sheet) + " not found"}
	}
	switch {
	case ref.part == "":
		return &FileError{Kind: Corrupt, Detail: "sheet " + strconv.Quote(sheet) + " has no part (" + ref.relType + ")"}
	case ref.relType == "chartsheet" || ref.relType == "dialogsheet":
		return nil // no cell data
	}
	f := w.lookup(ref.part)
	sst, err := w.sharedStrings()
	if err != nil {
		return err
	}
	pr, err := w.openPart(f)
	if err != nil {
		return err
	}
	defer pr.Close()
	if err := w.rowsFrom(f.Name, pr, sst, fn); err != nil {
		return err
	}
	// Read the rest of the part so its CRC is checked.
	if _, err := io.Copy(io.Discard, pr); err != nil {
		return partError(f.Name, err)
	}
	return nil
}

// rowsFrom streams the rows of a sheet part read from r.
func (w *Workbook) rowsFrom(part string, r io.Reader, sst []string, fn func(Row) error) error {
	rd := &sheetReader{
		w:    w,
		part: part,
		sst:  sst,
		sc:   newScanner(r),
		fn:   fn,
	}
	defer rd.sc.release()
	return rd.run()
}

// maxBuffered is the largest sheet part RowsAndMerges inflates into memory
// once; larger ones are streamed twice.
var maxBuffered uint64 = 4 << 20

var sheetBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// RowsAndMerges hands merged the sheet's merged ranges (see Merges), then
// streams its rows as Rows does. A sheet part of up to 4 MiB is inflated
// once for both; a larger one is read twice.
func (w *Workbook) RowsAndMerges(sheet string, merged func([]Range), fn func(Row) error) error {
	ref, ok := w.findSheet(sheet)
	if !ok || ref.part == "" || ref.relType == "chartsheet" || ref.relType == "dialogsheet" {
		return w.Rows(sheet, fn) // the same answer as Rows: an error or no rows
	}
	f := w.lookup(ref.part)
	if f.UncompressedSize64 > maxBuffered {
		m, err := w.Merges(sheet)
		if err != nil {
			return err
		}
		merged(m)
		return w.Rows(sheet, fn)
	}
	sst, err := w.sharedStrings()
	if err != nil {
		return err
	}
	pr, err := w.openPart(f)
	if err != nil {
		return err
	}
	defer pr.Close()
	buf := sheetBufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if uint64(buf.Cap()) <= maxBuffered+bytes.MinRead {
			sheetBufs.Put(buf)
		}
	}()
	if _, err := buf.ReadFrom(pr); err != nil {
		return partError(f.Name, err)
	}
	b := buf.Bytes()
	var ranges []Range
	if i := bytes.Index(b, mergeCellsTag); i >= 0 {
		lt := bytes.LastIndexByte(b[:i], '<')
		if lt < 0 || i-lt > 32 {
			lt = i
		}
		if ranges, err = w.mergesFrom(f.Name, bytes.NewReader(b[lt:])); err != nil {
			return err
		}
	}
	merged(ranges)
	return w.rowsFrom(f.Name, bytes.NewReader(b), sst, fn)
}

// sharedStrings loads the shared-string table once.
func (w *Workbook) sharedStrings() ([]string, error) {
	w.sstOnce.Do(func() {
		if w.sstPart == "" {
			return
		}
		w.sst, w.sstErr = w.loadSST(w.lookup(w.sstPart))
	})
	return w.sst, w.sstErr
}

type span struct{ start, end int32 }

type sheetReader struct {
	w    *Workbook
	part string
	sst  []string
	sc   *scanner
	fn   func(Row) error

	// row state
	rowNum     int // from r=, or 0
	prevRow    int
	rowCount   int
	hidden     bool
	cellRowNum int // row number from the first cell reference, when the row has no r=
	cells      []Cell
	spans      []span // per cell: value in arena, or start<0 when Value is set
	arena      []byte
	col        int // column of the last cell seen in this row
	sorted     bool

	// cell state
	cellCol  int
	cellType []byte
	cellS    int
	inV      bool
	inIS     bool
	inT      bool
	rPh      int
	haveV    bool
	haveIS   bool
	val      textBuf // <v> text
	is       textBuf // <is> text
	typeBuf  [16]byte
}

func (r *sheetReader) corrupt(format string, args ...any) error {
	return corrupt(r.part, format, args...)
}

func (r *sheetReader) scanErr() error {
	if r.sc.err == nil {
		return nil
	}
	return partError(r.part, r.sc.err)
}

func (r *sheetReader) run() error {
	sc := r.sc
	inSheetData, inRow, inCell := false, false, false
	for {
		switch sc.next() {
		case tokEOF:
			if err := r.scanErr(); err != nil {
				return err
			}
			if inSheetData {
				return r.corrupt("XML ends inside sheetData")
			}
			return nil
		case tokStart:
			name := sc.name
			switch {
			case inCell:
				switch string(name) {
				case "v":
					r.haveV = true
					r.inV = !sc.empty
				case "is":
					r.haveIS = true
					r.inIS = !sc.empty
				case "t":
					if r.inIS && r.rPh == 0 && !sc.empty {
						r.inT = true
					}
				case "rPh":
					if !sc.empty {
						r.rPh++
					}
				case "c", "row":
					return r.corrupt("<%s> inside a cell", name)
				}
			case inRow:
				if string(name) == "c" {
					if err := r.startCell(sc.attrs); err != nil {
						return err
					}
					if sc.empty {
						if err := r.endCell(); err != nil {
							return err
						}
					} else {
						inCell = true
					}
				} else if string(name) == "row" {
					return r.corrupt("<row> inside a row")
				}
			case inSheetData:
				if string(name) == "row" {
					if err := r.startRow(sc.attrs); err != nil {
						return err
					}
					if sc.empty {
						if err := r.endRow(); err != nil {
							return err
						}
					} else {
						inRow = true
					}
				}
			default:
				if string(name) == "sheetData" && !sc.empty {
					inSheetData = true
				}
			}
		case tokEnd:
			name := sc.name
			switch {
			case inCell:
				switch string(name) {
				case "v":
					r.inV = false
				case "t":
					r.inT = false
				case "rPh":
					if r.rPh > 0 {
						r.rPh--
					}
				case "is":
					r.inIS, r.inT, r.rPh = false, false, 0
				case "c":
					inCell = false
					if err := r.endCell(); err != nil {
						return err
					}
				case "row", "sheetData":
					return r.corrupt("</%s> inside a cell", name)
				}
			case inRow:
				switch string(name) {
				case "row":
					inRow = false
					if err := r.endRow(); err != nil {
						return err
					}
				case "sheetData":
					return r.corrupt("</sheetData> inside a row")
				}
			case inSheetData:
				if string(name) == "sheetData" {
					// The rest of the worksheet holds no cell data.
					return nil
				}
			}
		case tokText:
			if r.inV {
				if !r.val.raw(sc.text) {
					return r.corrupt("cell value longer than %d bytes", maxValueSize)
				}
			} else if r.inT {
				if !r.is.raw(sc.text) {
					return r.corrupt("cell value longer than %d bytes", maxValueSize)
				}
			}
		case tokCDATA:
			if r.inV {
				if !r.val.cdata(sc.text) {
					return r.corrupt("cell value longer than %d bytes", maxValueSize)
				}
			} else if r.inT {
				if !r.is.cdata(sc.text) {
					return r.corrupt("cell value longer than %d bytes", maxValueSize)
				}
			}
		}
	}
}

// parseUint parses a decimal number of at most 9 digits.
func parseUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func (r *sheetReader) startRow(attrs []byte) error {
	r.rowNum, r.hidden, r.cellRowNum, r.col = 0, false, 0, 0
	r.cells, r.spans, r.arena = r.cells[:0], r.spans[:0], r.arena[:0]
	r.sorted = true
	for {
		name, val, rest, ok := nextAttr(attrs)
		if !ok {
			break
		}
		attrs = rest
		switch string(name) {
		case "r":
			v := trimSpace(val)
			n, ok := parseUint(v)
			switch {
			case ok && n >= 1:
				r.rowNum = n
			case len(v) > 9 && isDigits(v):
				return r.tooManyRows(string(v))
			case len(v) > 0:
				return r.corrupt("invalid row number %q", val)
			}
		case "hidden":
			r.hidden = len(val) > 0 && (val[0] == '1' || val[0] == 't' || val[0] == 'T')
		}
	}
	return nil
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func (r *sheetReader) tooManyRows(num string) error {
	return &FileError{Kind: TooManyRows, Part: r.part, Detail: "row " + num + " beyond the limit of " +
		strconv.Itoa(r.w.lim.MaxRows) + " rows"}
}

func (r *sheetReader) endRow() error {
	num := r.rowNum
	if num == 0 {
		num = r.cellRowNum
	}
	if num == 0 {
		num = r.prevRow + 1
	}
	r.prevRow = num
	if len(r.cells) == 0 {
		// Rows without data (formatting only) are skipped and not limited.
		return nil
	}
	r.rowCount++
	if num > r.w.lim.MaxRows {
		return r.tooManyRows(strconv.Itoa(num))
	}
	if r.rowCount > r.w.lim.MaxRows {
		return &FileError{Kind: TooManyRows, Part: r.part, Detail: "more than " +
			strconv.Itoa(r.w.lim.MaxRows) + " rows with data"}
	}
	if len(r.arena) > 0 {
		s := string(r.arena)
		for i, sp := range r.spans {
			if sp.start >= 0 {
				r.cells[i].Value = s[sp.start:sp.end]
			}
		}
	}
	if !r.sorted {
		slices.SortStableFunc(r.cells, func(a, b Cell) int { return a.Col - b.Col })
	}
	return r.fn(Row{Num: num, Hidden: r.hidden, Cells: r.cells})
}

// parseRef parses a cell reference such as "E14" into column and row; row is
// 0 when absent. ok is false when the reference is not usable.
func parseRef(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) {
		c := b[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		if i == 3 {
			return 0, 0, false
		}
		col = col*26 + int(c-'a') + 1
		i++
	}
	if i == 0 {
		return 0, 0, false
	}
	if i < len(b) {
		n, ok := parseUint(b[i:])
		if !ok {
			return 0, 0, false
		}
		row = n
	}
	return col, row, true
}

func (r *sheetReader) startCell(attrs []byte) error {
	r.cellType = r.typeBuf[:0]
	r.cellS = 0
	r.inV, r.inIS, r.inT, r.rPh, r.haveV, r.haveIS = false, false, false, 0, false, false
	r.val.reset()
	r.is.reset()
	col := 0
	for {
		name, val, rest, ok := nextAttr(attrs)
		if !ok {
			break
		}
		attrs = rest
		if len(name) != 1 {
			continue
		}
		switch name[0] {
		case 'r':
			c, row, ok := parseRef(trimSpace(val))
			if !ok {
				if len(trimSpace(val)) > 0 {
					return r.corrupt("invalid cell reference %q", val)
				}
				break
			}
			col = c
			if row > 0 && r.cellRowNum == 0 {
				r.cellRowNum = row
			}
		case 's':
			if n, ok := parseUint(trimSpace(val)); ok {
				r.cellS = n
			}
		case 't':
			r.cellType = append(r.typeBuf[:0], val[:min(len(val), len(r.typeBuf))]...)
		}
	}
	if col == 0 {
		col = r.col + 1
	}
	if col > maxCol {
		return r.corrupt("column %d beyond XFD", col)
	}
	if col <= r.col {
		r.sorted = false
	}
	r.col = col
	r.cellCol = col
	return nil
}

func (r *sheetReader) endCell() error {
	if !r.haveV && !r.haveIS {
		return nil
	}
	kind := Number
	var raw []byte
	var direct string
	isDirect := false
	switch string(r.cellType) {
	case "", "n":
		raw = r.val.flush()
	case "s":
		idx, ok := parseUint(trimSpace(r.val.flush()))
		if !r.haveV || len(trimSpace(r.val.b)) == 0 {
			return nil
		}
		if !ok || idx >= len(r.sst) {
			return r.corrupt("cell %s: shared string index %q out of range (%d strings)",
				ColName(r.cellCol), r.val.b, len(r.sst))
		}
		kind, direct, isDirect = String, r.sst[idx], true
	case "inlineStr":
		kind = String
		if r.haveIS {
			raw = r.is.flush()
		} else {
			raw = r.val.flush()
		}
		raw = raw[:decodeXEscapes(raw)]
	case "str":
		kind = String
		raw = r.val.flush()
		raw = raw[:decodeXEscapes(raw)]
	case "b":
		kind = Bool
		raw = trimSpace(r.val.flush())
		switch string(raw) {
		case "true", "TRUE":
			direct, isDirect = "1", true
		case "false", "FALSE":
			direct, isDirect = "0", true
		}
	case "e":
		kind = Error
		raw = r.val.flush()
	case "d":
		kind = Date
		raw = trimSpace(r.val.flush())
	default:
		return r.corrupt("cell %s: unknown cell type %q", ColName(r.cellCol), r.cellType)
	}
	if isDirect {
		if direct == "" {
			return nil
		}
	} else if len(raw) == 0 {
		return nil
	}
	if len(r.cells) >= maxCol {
		return r.corrupt("more than %d cells in one row", maxCol)
	}
	dateFmt := r.cellS < len(r.w.dateXF) && r.w.dateXF[r.cellS]
	r.cells = append(r.cells, Cell{Col: r.cellCol, Kind: kind, DateFormat: dateFmt})
	if isDirect {
		r.cells[len(r.cells)-1].Value = direct
		r.spans = append(r.spans, span{-1, -1})
		return nil
	}
	if len(r.arena)+len(raw) > maxValueSize*2 {
		return r.corrupt("row %d too long", r.prevRow+1)
	}
	start := len(r.arena)
	r.arena = append(r.arena, raw...)
	r.spans = append(r.spans, span{int32(start), int32(len(r.arena))})
	return nil
}
