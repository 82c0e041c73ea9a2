package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/richardlehane/mscfb"
)

// Kind classifies a failure to read a file.
type Kind int

const (
	_           Kind = iota
	NotZip           // not a zip container: CSV, HTML or junk renamed .xlsx
	LegacyXLS        // OLE/CFB container holding an old binary .xls (or another legacy document)
	Encrypted        // CFB container with EncryptionInfo/EncryptedPackage: password-protected .xlsx
	Truncated        // starts like a zip but the central directory is missing or cut
	Corrupt          // bad CRC, bad XML, missing workbook part, invalid shared-string index, ...
	TooLarge         // file larger than Limits.MaxFileSize
	ZipBomb          // a part inflates beyond the limits, or with an absurd compression ratio
	TooManyRows      // a sheet has a row number or row count above Limits.MaxRows
	NoSuchSheet      // Rows was asked for a sheet the workbook does not have
)

func (k Kind) String() string {
	switch k {
	case NotZip:
		return "not a zip/xlsx file"
	case LegacyXLS:
		return "legacy binary .xls file"
	case Encrypted:
		return "password-protected (encrypted) workbook"
	case Truncated:
		return "truncated file"
	case Corrupt:
		return "corrupt file"
	case TooLarge:
		return "file too large"
	case ZipBomb:
		return "zip bomb (part inflates beyond limits)"
	case TooManyRows:
		return "too many rows"
	case NoSuchSheet:
		return "no such sheet"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// FileError is the error returned for every failure to read a file.
type FileError struct {
	Kind   Kind
	Part   string // zip part concerned, if any (e.g. "xl/worksheets/sheet1.xml")
	Detail string // English technical detail
}

// Error returns English technical text; callers translate by Kind.
func (e *FileError) Error() string {
	s := "xlsx: " + e.Kind.String()
	if e.Part != "" {
		s += " (" + e.Part + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

var cfbMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")

func corrupt(part, format string, args ...any) *FileError {
	return &FileError{Kind: Corrupt, Part: part, Detail: fmt.Sprintf(format, args...)}
}

// describeNotZip returns a short description of what the file seems to be.
func describeNotZip(data []byte) string {
	head := data
	if len(head) > 512 {
		head = head[:512]
	}
	trim := bytes.TrimLeft(head, "\xEF\xBB\xBF \t\r\n")
	switch {
	case len(data) == 0:
		return "empty file"
	case bytes.HasPrefix(bytes.ToLower(trim), []byte("<!doctype html")), bytes.HasPrefix(bytes.ToLower(trim), []byte("<html")):
		return "file is HTML"
	case bytes.HasPrefix(trim, []byte("<?xml")), bytes.HasPrefix(trim, []byte("<")):
		return "file is XML/markup (perhaps an Excel 2003 XML spreadsheet)"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "file is PDF"
	case bytes.HasPrefix(head, []byte("Rar!")), bytes.HasPrefix(head, []byte("7z\xBC\xAF")):
		return "file is a RAR/7z archive"
	case utf8.Valid(head) || bytes.IndexByte(head, 0) < 0:
		return "file is plain text (perhaps CSV)"
	}
	return fmt.Sprintf("unknown file signature % x", head[:min(len(head), 8)])
}

// zipDirError classifies a failure of zip.NewReader on data that starts like
// a zip. A missing or cut end-of-central-directory record, or a directory
// that lies beyond the end of the data, means the file was cut short;
// otherwise the directory is damaged.
func zipDirError(data []byte, err error) error {
	base := max(0, len(data)-(65535+22))
	i := bytes.LastIndex(data[base:], []byte("PK\x05\x06"))
	if i < 0 {
		return &FileError{Kind: Truncated, Detail: "zip central directory missing (" + err.Error() + ")"}
	}
	eocd := base + i
	rec := data[eocd:]
	if len(rec) < 22 || 22+int(binary.LittleEndian.Uint16(rec[20:])) > len(rec) {
		return &FileError{Kind: Truncated, Detail: "zip end record cut (" + err.Error() + ")"}
	}
	size, off := binary.LittleEndian.Uint32(rec[12:]), binary.LittleEndian.Uint32(rec[16:])
	if off != 0xFFFFFFFF && uint64(off)+uint64(size) > uint64(eocd) {
		return &FileError{Kind: Truncated, Detail: "zip central directory cut (" + err.Error() + ")"}
	}
	return &FileError{Kind: Corrupt, Detail: "zip central directory unreadable: " + err.Error()}
}

// classifyCFB looks inside an OLE compound file to tell a password-protected
// xlsx from a legacy .xls.
func classifyCFB(data []byte) (ferr *FileError) {
	defer func() {
		if r := recover(); r != nil {
			ferr = &FileError{Kind: Corrupt, Detail: fmt.Sprintf("unreadable OLE compound file (%v)", r)}
		}
	}()
	doc, err := mscfb.New(bytes.NewReader(data))
	if err != nil {
		return &FileError{Kind: Corrupt, Detail: "unreadable OLE compound file: " + err.Error()}
	}
	var sawBook bool
	var names []string
	for i := 0; i < 10000; i++ {
		e, err := doc.Next()
		if err != nil {
			break
		}
		switch e.Name {
		case "EncryptionInfo", "EncryptedPackage":
			return &FileError{Kind: Encrypted, Detail: "OLE container with " + e.Name + " stream (password-protected workbook)"}
		case "Workbook", "Book":
			sawBook = true
		}
		if len(names) < 8 {
			names = append(names, e.Name)
		}
	}
	if sawBook {
		return &FileError{Kind: LegacyXLS, Detail: "OLE container with a BIFF workbook stream (Excel 97-2003 .xls)"}
	}
	return &FileError{Kind: LegacyXLS, Detail: fmt.Sprintf("OLE compound file without a workbook stream (streams %q)", names)}
}

// partError turns an error met while opening or reading a zip part into a
// *FileError.
func partError(part string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		if fe.Part == "" {
			fe.Part = part
		}
		return fe
	}
	var ce flate.CorruptInputError
	switch {
	case errors.Is(err, zip.ErrChecksum):
		return corrupt(part, "CRC-32 mismatch")
	case errors.As(err, &ce):
		return corrupt(part, "bad deflate data: %v", err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return corrupt(part, "compressed data ends early: %v", err)
	case errors.Is(err, zip.ErrAlgorithm):
		return corrupt(part, "unsupported zip compression method")
	case errors.Is(err, errTokenTooLarge):
		return corrupt(part, "%v", err)
	}
	return corrupt(part, "%v", err)
}
