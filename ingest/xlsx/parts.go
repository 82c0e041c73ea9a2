package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Compression ratio above which an inflating part is treated as a bomb once
// it has produced ratioMinBytes. Deflate cannot exceed about 1032:1, so only
// pathologically repetitive parts (runs of one byte) get there; real sheet
// XML compresses 5-50:1.
const (
	maxRatio      = 1000
	ratioMinBytes = 8 << 20
)

// partReader inflates one zip part, counting bytes against the part and the
// workbook-wide limits. Exceeding a limit fails the read at once with a
// ZipBomb *FileError.
type partReader struct {
	rc    io.ReadCloser
	w     *Workbook
	name  string
	n     int64  // bytes of this part so far
	csize int64  // declared compressed size
	usize uint64 // declared uncompressed size
	err   error
}

func (p *partReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	// Never read past the part limit: ask for at most one byte beyond it.
	if room := p.w.lim.MaxPartSize - p.n + 1; int64(len(b)) > room {
		b = b[:room]
	}
	n, err := p.rc.Read(b)
	p.n += int64(n)
	total := p.w.total.Add(int64(n))
	switch {
	case p.n > p.w.lim.MaxPartSize:
		p.err = &FileError{Kind: ZipBomb, Part: p.name, Detail: "part inflates beyond " +
			strconv.FormatInt(p.w.lim.MaxPartSize, 10) + " bytes"}
	case total > p.w.lim.MaxTotalSize:
		p.err = &FileError{Kind: ZipBomb, Part: p.name, Detail: "parts inflate beyond " +
			strconv.FormatInt(p.w.lim.MaxTotalSize, 10) + " bytes in total"}
	case p.n >= ratioMinBytes && p.n/max(p.csize, 1) > maxRatio:
		p.err = &FileError{Kind: ZipBomb, Part: p.name, Detail: "compression ratio above " +
			strconv.Itoa(maxRatio) + ":1"}
	}
	if p.err != nil {
		return 0, p.err
	}
	if err != nil && err != io.EOF {
		if errors.Is(err, zip.ErrFormat) && uint64(p.n)+uint64(len(b)) > p.usize {
			// archive/zip stops a part that inflates beyond its declared size.
			p.err = &FileError{Kind: ZipBomb, Part: p.name, Detail: "part inflates beyond its declared size of " +
				strconv.FormatUint(p.usize, 10) + " bytes"}
			return 0, p.err
		}
		p.err = partError(p.name, err)
		return n, p.err
	}
	return n, err
}

func (p *partReader) Close() error { return p.rc.Close() }

// openPart opens a zip part for bounded streaming.
func (w *Workbook) openPart(f *zip.File) (*partReader, error) {
	if f.UncompressedSize64 > uint64(w.lim.MaxPartSize) {
		return nil, &FileError{Kind: ZipBomb, Part: f.Name, Detail: "part declares " +
			strconv.FormatUint(f.UncompressedSize64, 10) + " uncompressed bytes, limit " +
			strconv.FormatInt(w.lim.MaxPartSize, 10)}
	}
	if w.total.Load()+int64(f.UncompressedSize64) > w.lim.MaxTotalSize {
		return nil, &FileError{Kind: ZipBomb, Part: f.Name, Detail: "parts declare more than " +
			strconv.FormatInt(w.lim.MaxTotalSize, 10) + " uncompressed bytes in total"}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, partError(f.Name, err)
	}
	return &partReader{rc: rc, w: w, name: f.Name, csize: int64(f.CompressedSize64), usize: f.UncompressedSize64}, nil
}

// readPart inflates a whole (small) part into memory, within the limits.
func (w *Workbook) readPart(f *zip.File) ([]byte, error) {
	pr, err := w.openPart(f)
	if err != nil {
		return nil, err
	}
	defer pr.Close()
	var buf bytes.Buffer
	buf.Grow(int(min(f.UncompressedSize64, 1<<20)))
	if _, err := buf.ReadFrom(pr); err != nil {
		return nil, partError(f.Name, err)
	}
	if err := checkUTF16(f.Name, buf.Bytes()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func checkUTF16(name string, b []byte) error {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return corrupt(name, "UTF-16 encoded XML parts are not supported")
	}
	return nil
}

// resolveTarget resolves a relationship target against the directory of the
// source part. Absolute targets ("/xl/...") are relative to the package root.
func resolveTarget(baseDir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean("/"+baseDir+"/"+target), "/")
}

// findTarget returns the zip entry for a relationship target, trying the
// percent-decoded form too.
func (w *Workbook) findTarget(baseDir, target string) (*zip.File, string) {
	name := resolveTarget(baseDir, target)
	if f := w.lookup(name); f != nil {
		return f, f.Name
	}
	if u, err := url.PathUnescape(target); err == nil && u != target {
		name2 := resolveTarget(baseDir, u)
		if f := w.lookup(name2); f != nil {
			return f, f.Name
		}
	}
	return nil, name
}

type rel struct {
	id, typ, target string
	external        bool
}

// relTypeLocal returns the last path segment of a relationship type URI, so
// transitional and strict namespaces compare equal.
func relTypeLocal(t string) string {
	if i := strings.LastIndexByte(t, '/'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func newDecoder(b []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return in, nil
		}
		return nil, errors.New("unsupported XML encoding " + strconv.Quote(label))
	}
	return d
}

// parseRels parses a .rels part.
func parseRels(name string, b []byte) ([]rel, error) {
	d := newDecoder(b)
	var out []rel
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, corrupt(name, "bad XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r rel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = relTypeLocal(a.Value)
			case "Target":
				r.target = a.Value
			case "TargetMode":
				r.external = strings.EqualFold(a.Value, "External")
			}
		}
		out = append(out, r)
	}
}

// load reads the package relationships, the workbook part, its
// relationships and the styles.
func (w *Workbook) load() error {
	// Workbook part: from the officeDocument relationship, else xl/workbook.xml.
	var wbFile *zip.File
	if f := w.lookup("_rels/.rels"); f != nil {
		b, err := w.readPart(f)
		if err != nil {
			return err
		}
		rels, err := parseRels(f.Name, b)
		if err != nil {
			return err
		}
		for _, r := range rels {
			if r.typ == "officeDocument" && !r.external {
				wbFile, _ = w.findTarget("", r.target)
				if wbFile != nil {
					break
				}
			}
		}
	}
	if wbFile == nil {
		wbFile = w.lookup("xl/workbook.xml")
	}
	if wbFile == nil {
		return &FileError{Kind: Corrupt, Part: "xl/workbook.xml", Detail: "workbook part missing (not a spreadsheet package?)"}
	}
	wbName := strings.ReplaceAll(wbFile.Name, `\`, "/")
	wbName = strings.TrimPrefix(wbName, "/")
	wbDir := path.Dir(wbName)
	if wbDir == "." {
		wbDir = ""
	}

	b, err := w.readPart(wbFile)
	if err != nil {
		return err
	}
	type sheetEntry struct{ name, rid string }
	var entries []sheetEntry
	d := newDecoder(b)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return corrupt(wbFile.Name, "bad XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					w.date1904 = a.Value == "1" || strings.EqualFold(a.Value, "true")
				}
			}
		case "sheet":
			var e sheetEntry
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "name":
					e.name = a.Value
				case a.Name.Local == "id" && a.Name.Space != "":
					e.rid = a.Value
				}
			}
			entries = append(entries, e)
		}
	}

	// Workbook relationships.
	relsName := path.Join(wbDir, "_rels", path.Base(wbName)+".rels")
	relByID := map[string]rel{}
	var stylesFile, sstFile *zip.File
	if f := w.lookup(relsName); f != nil {
		b, err := w.readPart(f)
		if err != nil {
			return err
		}
		rels, err := parseRels(f.Name, b)
		if err != nil {
			return err
		}
		for _, r := range rels {
			if r.external {
				continue
			}
			relByID[r.id] = r
			switch r.typ {
			case "styles":
				if stylesFile == nil {
					stylesFile, _ = w.findTarget(wbDir, r.target)
				}
			case "sharedStrings":
				if sstFile == nil {
					sstFile, _ = w.findTarget(wbDir, r.target)
				}
			}
		}
	} else {
		return &FileError{Kind: Corrupt, Part: relsName, Detail: "workbook relationships part missing"}
	}
	if stylesFile == nil {
		stylesFile = w.lookup(path.Join(wbDir, "styles.xml"))
	}
	if sstFile == nil {
		sstFile = w.lookup(path.Join(wbDir, "sharedStrings.xml"))
	}
	if sstFile != nil {
		w.sstPart = sstFile.Name
	}

	for _, e := range entries {
		s := sheetRef{name: e.name}
		if r, ok := relByID[e.rid]; ok {
			s.relType = r.typ
			f, name := w.findTarget(wbDir, r.target)
			if f != nil {
				s.part = f.Name
			} else {
				s.part = ""
				s.relType = "missing:" + name
			}
		}
		w.sheets = append(w.sheets, s)
	}

	if stylesFile != nil {
		b, err := w.readPart(stylesFile)
		if err != nil {
			return err
		}
		if w.dateXF, err = parseStyles(stylesFile.Name, b); err != nil {
			return err
		}
	}
	return nil
}
