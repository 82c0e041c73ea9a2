// Package xlsx is a small, fast, bounded streaming reader for the cell data of
// .xlsx workbooks (Office Open XML spreadsheets, transitional or strict).
//
// It reads an in-memory file with archive/zip, parses the small structural
// parts (workbook, relationships, styles) with encoding/xml and scans the
// sheet data and shared strings with a hand-written byte scanner. Unlike
// excelize's streaming iterator it reports each cell's type and whether its
// style carries a date/time number format, so a date serial number can be
// told apart from a plain number.
//
// Every failure to read a file is reported as a *FileError whose Kind lets a
// caller show one clear message (not a zip, legacy .xls, password protected,
// truncated, corrupt, too large, zip bomb, too many rows, no such sheet).
// Memory is bounded by Limits: every part is inflated through a counting
// reader and sheet parts are streamed, never inflated whole.
package xlsx

import (
	"archive/zip"
	"bytes"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Limits bound the resources spent on one file. A zero or negative field
// means the corresponding DefaultLimits value.
type Limits struct {
	MaxFileSize  int64 // bytes of the .xlsx file itself (default 20 MiB)
	MaxPartSize  int64 // uncompressed bytes of any one zip part read (default 256 MiB)
	MaxTotalSize int64 // uncompressed bytes read across all parts, over the Workbook's life: reading a sheet twice counts twice (default 512 MiB)
	MaxRows      int   // rows per sheet (default 200_000); row numbers above it are an error
}

// DefaultLimits returns the default limits.
func DefaultLimits() Limits {
	return Limits{
		MaxFileSize:  20 << 20,
		MaxPartSize:  256 << 20,
		MaxTotalSize: 512 << 20,
		MaxRows:      200_000,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxPartSize <= 0 {
		l.MaxPartSize = d.MaxPartSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = d.MaxTotalSize
	}
	if l.MaxRows <= 0 {
		l.MaxRows = d.MaxRows
	}
	return l
}

// CellKind is the stored type of a cell.
type CellKind uint8

const (
	Number CellKind = iota // t absent or "n": Value is the number as stored, e.g. "45413.5"
	String                 // shared, inline or formula string result
	Bool                   // Value "1" or "0"
	Error                  // Value is the error text, e.g. "#N/A"
	Date                   // t="d": Value is ISO 8601 text
)

func (k CellKind) String() string {
	switch k {
	case Number:
		return "number"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Error:
		return "error"
	case Date:
		return "date"
	}
	return "CellKind(" + strconv.Itoa(int(k)) + ")"
}

// Cell is one non-empty cell.
type Cell struct {
	Col        int      // 1-based column
	Kind       CellKind // stored type
	Value      string   // raw text; see the package tests for the exact forms
	DateFormat bool     // the cell's style uses a date/time number format
}

// Ref returns the A1-style reference of the cell in the given row, e.g. "E14".
func (c Cell) Ref(row int) string {
	return ColName(c.Col) + strconv.Itoa(row)
}

// ColName returns the letters of a 1-based column number: 1 -> "A", 27 -> "AA".
// It returns "" for col < 1.
func ColName(col int) string {
	if col < 1 {
		return ""
	}
	var b [16]byte
	i := len(b)
	for col > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return string(b[i:])
}

// Row is one row that has at least one non-empty cell.
//
// A Row and its Cells slice are only valid during the callback that receives
// them: the slice is reused for the next row. The Value strings themselves
// are ordinary immutable strings and may be kept.
type Row struct {
	Num    int // 1-based row number (from r= or counted)
	Hidden bool
	Cells  []Cell // only non-empty cells, ascending Col
}

// Workbook is an opened workbook. It is safe for concurrent use; each Rows
// call streams its sheet independently.
type Workbook struct {
	zr       *zip.Reader
	parts    map[string]*zip.File // normalized (lower-case, slash) name -> entry
	lim      Limits
	total    atomic.Int64 // inflated bytes read so far, all parts
	sheets   []sheetRef
	date1904 bool
	dateXF   []bool // per cellXfs index: date/time number format

	sstPart string
	sstOnce sync.Once
	sst     []string
	sstErr  error
}

type sheetRef struct {
	name    string
	part    string // zip entry name, "" if the relationship is missing
	relType string // local relationship type, e.g. "worksheet", "chartsheet"
}

// SheetNames returns the sheet names in workbook order, as written.
func (w *Workbook) SheetNames() []string {
	out := make([]string, len(w.sheets))
	for i, s := range w.sheets {
		out[i] = s.name
	}
	return out
}

// Date1904 reports whether the workbook uses the 1904 date system.
func (w *Workbook) Date1904() bool { return w.date1904 }

// Open parses the workbook structure (not the sheet data) from an in-memory
// file. Zero fields of lim take their DefaultLimits values. The Workbook
// reads from data until it is dropped: do not modify data meanwhile. The
// shared-string table is loaded by the first Rows call.
func Open(data []byte, lim Limits) (*Workbook, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxFileSize {
		return nil, &FileError{Kind: TooLarge, Detail: "file is " + strconv.Itoa(len(data)) +
			" bytes, limit " + strconv.FormatInt(lim.MaxFileSize, 10)}
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		// zip: go on below
	case bytes.HasPrefix(data, cfbMagic):
		return nil, classifyCFB(data)
	default:
		return nil, &FileError{Kind: NotZip, Detail: describeNotZip(data)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !(err == zip.ErrInsecurePath && zr != nil) {
		return nil, zipDirError(data, err)
	}
	w := &Workbook{zr: zr, lim: lim, parts: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		k := normName(f.Name)
		if _, dup := w.parts[k]; !dup {
			w.parts[k] = f
		}
	}
	if err := w.load(); err != nil {
		return nil, err
	}
	return w, nil
}

func normName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = strings.TrimPrefix(name, "/")
	return strings.ToLower(name)
}

func (w *Workbook) lookup(name string) *zip.File {
	return w.parts[normName(name)]
}

// findSheet returns the sheet by exact name, else by case-insensitive name
// (Excel sheet names are unique regardless of case).
func (w *Workbook) findSheet(name string) (sheetRef, bool) {
	for _, s := range w.sheets {
		if s.name == name {
			return s, true
		}
	}
	for _, s := range w.sheets {
		if strings.EqualFold(s.name, name) {
			return s, true
		}
	}
	return sheetRef{}, false
}
