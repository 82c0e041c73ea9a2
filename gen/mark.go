package gen

// The marked workbook ("下载标注了错误的工作簿"): the workbook as the clerk
// sent it, whatever program wrote it, with every error and warning
//
//   - as a comment on its cell, added to the sheet's own comment part (the
//     one its relationships link) or to a new part properly linked, with the
//     VML shape Excel needs to show it; comments already there are kept and
//     a comment on the same cell is extended, never duplicated;
//   - and as a row of a new first sheet 校验结果 (sheet, cell as an
//     in-workbook hyperlink, the value found, what is wanted), so that the
//     errors without a cell (a missing town, a missing column) are there too.
//
// The package is edited part by part at the zip level: every part this does
// not need to change is copied byte for byte.

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/value"
)

func init() {
	locale.Add(map[string]locale.Text{
		"mark.sheet":     {"校验结果", "Check results"},
		"mark.title":     {"校验结果：%d 处错误，%d 条提示（点击单元格地址可跳转）", "Check results: %d errors, %d warnings (click a cell address to go there)"},
		"mark.no":        {"序号", "No."},
		"mark.kind":      {"类型", "Kind"},
		"mark.where":     {"工作表", "Sheet"},
		"mark.cell":      {"单元格", "Cell"},
		"mark.found":     {"所填内容", "Value found"},
		"mark.expected":  {"问题与应填内容", "Problem and what is expected"},
		"mark.error":     {"错误", "error"},
		"mark.warning":   {"提示", "warning"},
		"mark.file":      {"（整个文件）", "(whole file)"},
		"mark.wholesht":  {"（整张表）", "(whole sheet)"},
		"mark.commenter": {"sgz 校验", "sgz check"},
	})
}

// MarkIssue is one error or warning to mark, as the checker reported it.
type MarkIssue struct {
	Error bool
	Sheet string // the workbook's sheet name; "" when about the whole file
	Cell  string // "E14"; "" when about a whole sheet
	Msg   string // in the reader's language
}

// ErrNotWorkbook is returned by Mark for a file that is not a readable
// workbook (there is nothing to mark).
var ErrNotWorkbook = errors.New("not a readable .xlsx workbook")

const (
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	relBase   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	ctSheet   = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	ctComment = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
	ctVML     = "application/vnd.openxmlformats-officedocument.vmlDrawing"
	maxPart   = 64 << 20
)

// pkg is an opened package being edited.
type pkg struct {
	zr      *zip.Reader
	byName  map[string]*zip.File // lower-case name -> entry
	changed map[string][]byte    // original entry name -> new content
	added   []string             // new part names, in order
	addData map[string][]byte
	ctAdds  []string // elements to add to [Content_Types].xml
}

func partKey(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(name, `\`, "/"), "/"))
}

func (p *pkg) file(name string) *zip.File { return p.byName[partKey(name)] }

func (p *pkg) read(name string) ([]byte, bool, error) {
	if b, ok := p.addData[name]; ok {
		return b, true, nil
	}
	f := p.file(name)
	if f == nil {
		return nil, false, nil
	}
	if b, ok := p.changed[f.Name]; ok {
		return b, true, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, true, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxPart+1))
	if err == nil && len(b) > maxPart {
		err = fmt.Errorf("part %s too large", name)
	}
	return b, true, err
}

func (p *pkg) write(name string, b []byte) {
	if f := p.file(name); f != nil {
		p.changed[f.Name] = b
		return
	}
	if _, ok := p.addData[name]; !ok {
		p.added = append(p.added, name)
	}
	p.addData[name] = b
}

// exists reports whether a part of that name is in the package or added.
func (p *pkg) exists(name string) bool {
	if p.file(name) != nil {
		return true
	}
	for n := range p.addData {
		if partKey(n) == partKey(name) {
			return true
		}
	}
	return false
}

// free returns a part name not in use: dir/baseN.ext, N from 1.
func (p *pkg) free(dir, base, ext string) string {
	for n := 1; ; n++ {
		name := path.Join(dir, base+strconv.Itoa(n)+ext)
		if !p.exists(name) {
			return name
		}
	}
}

type rel struct{ id, typ, target string }

var (
	reRel     = regexp.MustCompile(`(?s)<(?:\w+:)?Relationship\b([^>]*?)/?>`)
	reAttr    = regexp.MustCompile(`([\w:.-]+)\s*=\s*("[^"]*"|'[^']*')`)
	reSheet   = regexp.MustCompile(`(?s)<(\w+:)?sheet\b([^>]*?)/?>`)
	reComment = regexp.MustCompile(`(?s)<(?:\w+:)?comment\b([^>]*?)>`)
	reVMLCell = regexp.MustCompile(`(?s)<(?:\w+:)?Row>\s*(\d+)\s*</(?:\w+:)?Row>\s*<(?:\w+:)?Column>\s*(\d+)\s*</(?:\w+:)?Column>`)
	reSpid    = regexp.MustCompile(`_x0000_s(\d+)`)
	reLegacy  = regexp.MustCompile(`(?s)<(?:\w+:)?legacyDrawing\b([^>]*?)/?>`)
	reAfterLD = regexp.MustCompile(`<(\w+:)?(legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range reAttr.FindAllStringSubmatch(s, -1) {
		m[a[1]] = html.UnescapeString(a[2][1 : len(a[2])-1])
	}
	return m
}

// attr finds an attribute by local name (any prefix but xmlns).
func attr(m map[string]string, local string) string {
	if v, ok := m[local]; ok {
		return v
	}
	for k, v := range m {
		if i := strings.IndexByte(k, ':'); i >= 0 && k[i+1:] == local && k[:i] != "xmlns" {
			return v
		}
	}
	return ""
}

func relsOf(b []byte) []rel {
	var out []rel
	for _, m := range reRel.FindAllSubmatch(b, -1) {
		a := attrs(string(m[1]))
		if strings.EqualFold(a["TargetMode"], "External") {
			continue
		}
		out = append(out, rel{a["Id"], a["Type"], a["Target"]})
	}
	return out
}

func relsPath(part string) string {
	return path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")
}

func resolve(base, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(path.Dir(base), target)
}

// relTo is target written as a relationship target of part base.
func relTo(base, target string) string {
	dir := path.Dir(base)
	if dir == "." {
		return target
	}
	if strings.HasPrefix(target, dir+"/") {
		return strings.TrimPrefix(target, dir+"/")
	}
	return "/" + target
}

func typeIs(t, local string) bool { return strings.HasSuffix(t, "/"+local) }

// esc escapes text for XML content and attributes, dropping characters
// XML 1.0 does not allow.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// closeTag finds the last closing tag </prefix:name> (any prefix), or -1.
func closeTag(s, name string) int {
	all := regexp.MustCompile(`</(\w+:)?`+name+`\s*>`).FindAllStringIndex(s, -1)
	if len(all) == 0 {
		return -1
	}
	return all[len(all)-1][0]
}

// addRel appends a relationship to a .rels part (created if missing) and
// returns its id.
func (p *pkg) addRel(relsName, typ, target string) (string, error) {
	b, _, err := p.read(relsName)
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		b = []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`)
	}
	used := map[string]bool{}
	for _, r := range relsOf(b) {
		used[r.id] = true
	}
	id := ""
	for n := 1; ; n++ {
		if id = "rIdSgz" + strconv.Itoa(n); !used[id] {
			break
		}
	}
	el := `<Relationship Id="` + id + `" Type="` + esc(typ) + `" Target="` + esc(target) + `"/>`
	s := string(b)
	if i := closeTag(s, "Relationships"); i >= 0 {
		s = s[:i] + el + s[i:]
	} else if j := regexp.MustCompile(`<(\w+:)?Relationships\b[^>]*/>`).FindStringIndex(s); j != nil {
		s = s[:j[0]] + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + el + `</Relationships>` + s[j[1]:]
	} else {
		return "", fmt.Errorf("%s: no <Relationships>", relsName)
	}
	p.write(relsName, []byte(s))
	return id, nil
}

type cellKey struct{ sheet, cell string }

// note is one comment to add: cell and text.
type note struct{ cell, text string }

// Mark builds the marked workbook. It returns ErrNotWorkbook for a file that
// is not a readable workbook.
func Mark(data []byte, issues []MarkIssue, l locale.Lang) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("marking the workbook failed: %v", p)
		}
	}()
	lim := xlsx.DefaultLimits()
	lim.MaxFileSize = 64 << 20
	wb, openErr := xlsx.Open(data, lim)
	if openErr != nil {
		return nil, ErrNotWorkbook
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && zr == nil {
		return nil, ErrNotWorkbook
	}
	p := &pkg{zr: zr, byName: map[string]*zip.File{}, changed: map[string][]byte{}, addData: map[string][]byte{}}
	for _, f := range zr.File {
		if _, dup := p.byName[partKey(f.Name)]; !dup {
			p.byName[partKey(f.Name)] = f
		}
	}
	// The workbook part and its sheets.
	wbName := "xl/workbook.xml"
	if b, _, err := p.read("_rels/.rels"); err == nil {
		for _, r := range relsOf(b) {
			if f := p.file(resolve("", r.target)); typeIs(r.typ, "officeDocument") && f != nil {
				wbName = f.Name
				break
			}
		}
	}
	if f := p.file(wbName); f != nil {
		wbName = f.Name
	}
	wbXML, ok, err := p.read(wbName)
	if err != nil || !ok {
		return nil, ErrNotWorkbook
	}
	wbRels, _, err := p.read(relsPath(wbName))
	if err != nil {
		return nil, err
	}
	relByID := map[string]rel{}
	relType := relBase + "worksheet"
	stylesPart := ""
	for _, r := range relsOf(wbRels) {
		relByID[r.id] = r
		if typeIs(r.typ, "worksheet") {
			relType = r.typ
		}
		if f := p.file(resolve(wbName, r.target)); typeIs(r.typ, "styles") && f != nil {
			stylesPart = f.Name
		}
	}
	base := strings.TrimSuffix(relType, "worksheet")
	type sheetInfo struct{ name, part string }
	var sheets []sheetInfo
	maxID := 0
	for _, m := range reSheet.FindAllStringSubmatch(string(wbXML), -1) {
		a := attrs(m[2])
		if n, err := strconv.Atoi(a["sheetId"]); err == nil && n > maxID {
			maxID = n
		}
		part := ""
		if r, ok := relByID[attr(a, "id")]; ok && typeIs(r.typ, "worksheet") {
			if f := p.file(resolve(wbName, r.target)); f != nil {
				part = f.Name
			}
		}
		sheets = append(sheets, sheetInfo{a["name"], part})
	}
	sheetOf := func(name string) (sheetInfo, bool) {
		for _, s := range sheets {
			if s.name == name {
				return s, true
			}
		}
		for _, s := range sheets {
			if strings.EqualFold(strings.TrimSpace(s.name), strings.TrimSpace(name)) {
				return s, true
			}
		}
		return sheetInfo{}, false
	}

	// Errors first, then warnings; grouped by sheet and cell for comments.
	ordered := make([]MarkIssue, 0, len(issues))
	for _, e := range []bool{true, false} {
		for _, is := range issues {
			if is.Error == e {
				ordered = append(ordered, is)
			}
		}
	}
	byCell := map[cellKey][]MarkIssue{}
	var cellOrder []cellKey
	want := map[string]map[string]bool{}
	for _, is := range ordered {
		s, ok := sheetOf(is.Sheet)
		if !ok || s.part == "" || is.Cell == "" {
			continue
		}
		if _, _, ok := cellRC(is.Cell); !ok {
			continue
		}
		k := cellKey{s.name, strings.ToUpper(is.Cell)}
		if _, seen := byCell[k]; !seen {
			cellOrder = append(cellOrder, k)
		}
		byCell[k] = append(byCell[k], is)
		if want[s.name] == nil {
			want[s.name] = map[string]bool{}
		}
		want[s.name][k.cell] = true
	}
	// The values found, read as the checker read them.
	found := map[cellKey]string{}
	for sheet, cells := range want {
		_ = wb.Rows(sheet, func(r xlsx.Row) error {
			for _, c := range r.Cells {
				if ref := c.Ref(r.Num); cells[ref] {
					found[cellKey{sheet, ref}] = shownValue(c, wb.Date1904())
				}
			}
			return nil
		})
	}

	// Comments, sheet by sheet.
	bySheet := map[string][]cellKey{}
	var sheetOrder []string
	for _, k := range cellOrder {
		if _, ok := bySheet[k.sheet]; !ok {
			sheetOrder = append(sheetOrder, k.sheet)
		}
		bySheet[k.sheet] = append(bySheet[k.sheet], k)
	}
	author := locale.T(l, "mark.commenter")
	nextBlock := p.maxShapeID()/1024 + 1
	for _, name := range sheetOrder {
		s, _ := sheetOf(name)
		var notes []note
		for _, k := range bySheet[name] {
			var lines []string
			for _, is := range byCell[k] {
				kind := locale.T(l, "mark.warning")
				if is.Error {
					kind = locale.T(l, "mark.error")
				}
				lines = append(lines, kind+"："+is.Msg)
			}
			notes = append(notes, note{k.cell, strings.Join(lines, "\n")})
		}
		if err := p.comment(s.part, notes, author, base, &nextBlock); err != nil {
			return nil, err
		}
	}

	// Fills: errors red, warnings yellow (a cell with both: red).
	if stylesPart != "" {
		sb, _, err := p.read(stylesPart)
		if err != nil {
			return nil, err
		}
		if st := newStyler(string(sb)); st != nil {
			for _, name := range sheetOrder {
				s, _ := sheetOf(name)
				cells := map[string]bool{}
				for _, k := range bySheet[name] {
					for _, is := range byCell[k] {
						cells[k.cell] = cells[k.cell] || is.Error
					}
				}
				x, _, err := p.read(s.part)
				if err != nil {
					return nil, err
				}
				p.write(s.part, []byte(fillCells(string(x), cells, st)))
			}
			p.write(stylesPart, []byte(st.styles()))
		}
	}

	// The first sheet, 校验结果.
	sheetName := func(n string) (string, bool) {
		s, ok := sheetOf(n)
		return s.name, ok
	}
	if err := p.addResults(wbName, relType, maxID, ordered, found, sheetName, l); err != nil {
		return nil, err
	}
	return p.bytes()
}

func shownValue(c xlsx.Cell, date1904 bool) string {
	switch {
	case c.Kind == xlsx.Number && c.DateFormat:
		if t, err := value.SerialDate(c.Value, date1904); err == nil {
			return t.Format("2006-01-02")
		}
	case c.Kind == xlsx.Bool:
		if c.Value == "1" {
			return "TRUE"
		}
		return "FALSE"
	}
	return c.Value
}

// cellRC parses "E14" into 1-based column and row.
func cellRC(ref string) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && (ref[i] >= 'A' && ref[i] <= 'Z' || ref[i] >= 'a' && ref[i] <= 'z') {
		col = col*26 + int((ref[i]|0x20)-'a') + 1
		i++
	}
	if i == 0 || i > 3 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > 1048576 || col > 16384 {
		return 0, 0, false
	}
	return col, row, true
}

// maxShapeID is the largest VML shape number (_x0000_sN) in the package.
func (p *pkg) maxShapeID() int {
	m := 1024
	for _, f := range p.zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".vml") {
			continue
		}
		b, _, err := p.read(f.Name)
		if err != nil {
			continue
		}
		for _, s := range reSpid.FindAllSubmatch(b, -1) {
			if n, err := strconv.Atoi(string(s[1])); err == nil && n > m && n < 1<<30 {
				m = n
			}
		}
	}
	for _, b := range p.addData {
		for _, s := range reSpid.FindAllSubmatch(b, -1) {
			if n, err := strconv.Atoi(string(s[1])); err == nil && n > m && n < 1<<30 {
				m = n
			}
		}
	}
	return m
}

// comment adds notes to the sheet's comments part (or to a new one, linked
// from the sheet's relationships), and a VML shape to every commented cell
// that has none (in the sheet's drawing, or a new one it references).
func (p *pkg) comment(sheetPart string, notes []note, author, base string, nextBlock *int) error {
	rp := relsPath(sheetPart)
	rb, _, err := p.read(rp)
	if err != nil {
		return err
	}
	sheetXML, _, err := p.read(sheetPart)
	if err != nil {
		return err
	}
	rels := relsOf(rb)
	legacyID := ""
	if m := reLegacy.FindSubmatch(sheetXML); m != nil {
		legacyID = attr(attrs(string(m[1])), "id")
	}
	var commentsPart, vmlPart, vmlID string
	for _, r := range rels {
		f := p.file(resolve(sheetPart, r.target))
		switch {
		case f == nil:
		case typeIs(r.typ, "comments") && commentsPart == "":
			commentsPart = f.Name
		case typeIs(r.typ, "vmlDrawing") && (r.id == legacyID || vmlPart == ""):
			vmlPart, vmlID = f.Name, r.id
		}
	}
	if commentsPart == "" {
		commentsPart = p.free(path.Dir(path.Dir(sheetPart)), "comments_sgz", ".xml")
		if _, err := p.addRel(rp, base+"comments", relTo(sheetPart, commentsPart)); err != nil {
			return err
		}
		p.ctAdds = append(p.ctAdds, `<Override PartName="/`+esc(commentsPart)+`" ContentType="`+ctComment+`"/>`)
		p.write(commentsPart, []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
			`<comments xmlns="`+nsMain+`"><authors></authors><commentList></commentList></comments>`))
	}
	cb, _, err := p.read(commentsPart)
	if err != nil {
		return err
	}
	cs, err := addComments(string(cb), notes, author)
	if err != nil {
		return fmt.Errorf("%s: %w", commentsPart, err)
	}
	p.write(commentsPart, []byte(cs))
	// Every commented cell needs a shape, comments another program wrote
	// without one included.
	var refs []string
	seen := map[string]bool{}
	for _, m := range reComment.FindAllStringSubmatch(cs, -1) {
		ref := strings.ToUpper(attrs(m[1])["ref"])
		if _, _, ok := cellRC(ref); ok && !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	if vmlPart != "" {
		vb, _, err := p.read(vmlPart)
		if err != nil {
			return err
		}
		has := map[string]bool{}
		for _, m := range reVMLCell.FindAllSubmatch(vb, -1) {
			r, _ := strconv.Atoi(string(m[1]))
			c, _ := strconv.Atoi(string(m[2]))
			has[xlsx.ColName(c+1)+strconv.Itoa(r+1)] = true
		}
		var cells []string
		for _, ref := range refs {
			if !has[ref] {
				cells = append(cells, ref)
			}
		}
		p.write(vmlPart, []byte(addShapes(string(vb), cells, p.maxShapeID()+1)))
		if legacyID != vmlID {
			return p.addLegacy(sheetPart, sheetXML, vmlID)
		}
		return nil
	}
	vmlPart = p.free(path.Join(path.Dir(path.Dir(sheetPart)), "drawings"), "vmlDrawing_sgz", ".vml")
	id, err := p.addRel(rp, base+"vmlDrawing", relTo(sheetPart, vmlPart))
	if err != nil {
		return err
	}
	p.ctAdds = append(p.ctAdds, `<Override PartName="/`+esc(vmlPart)+`" ContentType="`+ctVML+`"/>`)
	block := *nextBlock
	*nextBlock++
	v := `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">` +
		`<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="` + strconv.Itoa(block) + `"/></o:shapelayout></xml>`
	p.write(vmlPart, []byte(addShapes(v, refs, block*1024+1)))
	return p.addLegacy(sheetPart, sheetXML, id)
}

// addLegacy puts <legacyDrawing r:id=…/> into the sheet where the schema
// wants it (replacing one that points elsewhere).
func (p *pkg) addLegacy(sheetPart string, sheetXML []byte, id string) error {
	s := string(sheetXML)
	prefix := ""
	if m := regexp.MustCompile(`<(\w+:)?worksheet\b`).FindStringSubmatch(s); m != nil {
		prefix = m[1]
	}
	el := `<` + prefix + `legacyDrawing xmlns:r="` + nsRel + `" r:id="` + id + `"/>`
	from := max(0, strings.LastIndex(s, "sheetData>"))
	if old := reLegacy.FindStringIndex(s); old != nil {
		s = s[:old[0]] + el + s[old[1]:]
	} else if m := reAfterLD.FindStringIndex(s[from:]); m != nil {
		s = s[:from+m[0]] + el + s[from+m[0]:]
	} else if i := closeTag(s, "worksheet"); i >= 0 {
		s = s[:i] + el + s[i:]
	} else {
		return fmt.Errorf("%s: no </worksheet>", sheetPart)
	}
	p.write(sheetPart, []byte(s))
	return nil
}

// addComments adds the notes to a comments part: a note on a cell already
// commented extends that comment; the others are new comments by author.
func addComments(s string, notes []note, author string) (string, error) {
	m := regexp.MustCompile(`<(\w+:)?comments\b[^>]*>`).FindStringSubmatchIndex(s)
	if m == nil {
		return "", errors.New("no <comments>")
	}
	prefix := ""
	if m[2] >= 0 {
		prefix = s[m[2]:m[3]]
	}
	el := func(name string) string { return prefix + name }
	open, end := func(n string) string { return "<" + el(n) + ">" }, func(n string) string { return "</" + el(n) + ">" }
	// The author.
	authorID := -1
	authors := regexp.MustCompile(`(?s)<(?:\w+:)?author>(.*?)</(?:\w+:)?author>`).FindAllStringSubmatch(s, -1)
	for i, a := range authors {
		if html.UnescapeString(a[1]) == author {
			authorID = i
		}
	}
	if authorID < 0 {
		authorID = len(authors)
		a := open("author") + esc(author) + end("author")
		if i := closeTag(s, "authors"); i >= 0 {
			s = s[:i] + a + s[i:]
		} else if j := regexp.MustCompile(`<(\w+:)?authors\s*/>`).FindStringIndex(s); j != nil {
			s = s[:j[0]] + open("authors") + a + end("authors") + s[j[1]:]
		} else {
			s = s[:m[1]] + open("authors") + a + end("authors") + s[m[1]:]
		}
	}
	run := func(text string) string {
		return open("r") + `<` + el("t") + ` xml:space="preserve">` + esc(text) + end("t") + end("r")
	}
	var news strings.Builder
	for _, n := range notes {
		at := -1
		for _, c := range reComment.FindAllStringSubmatchIndex(s, -1) {
			if strings.EqualFold(attrs(s[c[2]:c[3]])["ref"], n.cell) && !strings.HasSuffix(s[c[0]:c[1]], "/>") {
				at = c[1]
				break
			}
		}
		if at >= 0 {
			t := regexp.MustCompile(`</(\w+:)?text\s*>`).FindStringIndex(s[at:])
			if t == nil {
				return "", fmt.Errorf("the comment on %s has no text", n.cell)
			}
			i := at + t[0]
			s = s[:i] + run("\n——\n"+n.text) + s[i:]
			continue
		}
		news.WriteString(`<` + el("comment") + ` ref="` + n.cell + `" authorId="` + strconv.Itoa(authorID) + `">` + open("text") +
			run(n.text) + end("text") + end("comment"))
	}
	if news.Len() > 0 {
		if i := closeTag(s, "commentList"); i >= 0 {
			s = s[:i] + news.String() + s[i:]
		} else if j := regexp.MustCompile(`<(\w+:)?commentList\s*/>`).FindStringIndex(s); j != nil {
			s = s[:j[0]] + open("commentList") + news.String() + end("commentList") + s[j[1]:]
		} else if i := closeTag(s, "comments"); i >= 0 {
			s = s[:i] + open("commentList") + news.String() + end("commentList") + s[i:]
		} else {
			return "", errors.New("no </comments>")
		}
	}
	return s, nil
}

const shapeType = `<v:shapetype%s id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">` +
	`<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`

// addShapes adds a hidden note shape for each cell to a VML drawing.
func addShapes(v string, cells []string, firstID int) string {
	if len(cells) == 0 {
		return v
	}
	ns := ""
	if !strings.Contains(v, `xmlns:v="urn:schemas-microsoft-com:vml"`) || !strings.Contains(v, `xmlns:o="urn:schemas-microsoft-com:office:office"`) ||
		!strings.Contains(v, `xmlns:x="urn:schemas-microsoft-com:office:excel"`) {
		ns = ` xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"`
	}
	var b strings.Builder
	if !strings.Contains(v, `"_x0000_t202"`) {
		fmt.Fprintf(&b, shapeType, ns)
	}
	for i, ref := range cells {
		col, row, _ := cellRC(ref)
		fmt.Fprintf(&b, `<v:shape%s id="_x0000_s%d" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:240pt;height:96pt;z-index:%d;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">`+
			`<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>`+
			`<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>`+
			`<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>%d, 15, %d, 2, %d, 15, %d, 16</x:Anchor><x:AutoFill>False</x:AutoFill>`+
			`<x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>`,
			ns, firstID+i, i+1, col, max(row-2, 0), col+4, row+4, row-1, col-1)
	}
	if i := strings.LastIndex(v, "</xml>"); i >= 0 {
		return v[:i] + b.String() + v[i:]
	}
	return v + b.String()
}

// quoteSheet quotes a sheet name for a reference: 'name', ' doubled.
func quoteSheet(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// addResults adds the first sheet 校验结果: every error and warning with its
// sheet, its cell as an in-workbook hyperlink, the value found and the
// message. The new sheet is the active one.
func (p *pkg) addResults(wbName, relType string, maxID int, issues []MarkIssue, found map[cellKey]string,
	sheetOf func(string) (string, bool), l locale.Lang) error {
	wbXML, _, err := p.read(wbName)
	if err != nil {
		return err
	}
	wbs := string(wbXML)
	title := locale.T(l, "mark.sheet")
	name := title
	for n := 2; strings.Contains(wbs, `name="`+esc(name)+`"`); n++ {
		name = title + " (" + strconv.Itoa(n) + ")"
	}
	main := nsMain
	if strings.Contains(wbs, `"http://purl.oclc.org/ooxml/spreadsheetml/main"`) {
		main = "http://purl.oclc.org/ooxml/spreadsheetml/main"
	}
	part := p.free(path.Join(path.Dir(wbName), "worksheets"), "sgz_check", ".xml")
	id, err := p.addRel(relsPath(wbName), relType, relTo(wbName, part))
	if err != nil {
		return err
	}
	p.ctAdds = append(p.ctAdds, `<Override PartName="/`+esc(part)+`" ContentType="`+ctSheet+`"/>`)

	var rows, links strings.Builder
	cell := func(ref, text string) string {
		if text == "" {
			return ""
		}
		return `<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">` + esc(text) + `</t></is></c>`
	}
	nErr := 0
	for _, is := range issues {
		if is.Error {
			nErr++
		}
	}
	rows.WriteString(`<row r="1">` + cell("A1", locale.T(l, "mark.title", nErr, len(issues)-nErr)) + `</row>`)
	rows.WriteString(`<row r="2">` + cell("A2", locale.T(l, "mark.no")) + cell("B2", locale.T(l, "mark.kind")) + cell("C2", locale.T(l, "mark.where")) +
		cell("D2", locale.T(l, "mark.cell")) + cell("E2", locale.T(l, "mark.found")) + cell("F2", locale.T(l, "mark.expected")) + `</row>`)
	for i, is := range issues {
		r := strconv.Itoa(i + 3)
		kind := locale.T(l, "mark.warning")
		if is.Error {
			kind = locale.T(l, "mark.error")
		}
		sheet, ok := sheetOf(is.Sheet)
		where, at, shown := locale.T(l, "mark.file"), "", ""
		switch {
		case is.Sheet == "":
		case !ok:
			where = is.Sheet
		case is.Cell == "":
			where, shown = sheet, locale.T(l, "mark.wholesht")
			links.WriteString(`<hyperlink ref="D` + r + `" location="` + esc(quoteSheet(sheet)+"!A1") + `" display="` + esc(sheet) + `"/>`)
		default:
			at = strings.ToUpper(is.Cell)
			where, shown = sheet, at
			links.WriteString(`<hyperlink ref="D` + r + `" location="` + esc(quoteSheet(sheet)+"!"+at) + `" display="` + esc(at) + `"/>`)
		}
		rows.WriteString(`<row r="` + r + `"><c r="A` + r + `"><v>` + strconv.Itoa(i+1) + `</v></c>` + cell("B"+r, kind) + cell("C"+r, where) +
			cell("D"+r, shown) + cell("E"+r, found[cellKey{sheet, at}]) + cell("F"+r, is.Msg) + `</row>`)
	}
	x := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="` + main + `" xmlns:r="` + nsRel + `">` +
		`<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
		`<cols><col min="1" max="1" width="6" customWidth="1"/><col min="2" max="2" width="8" customWidth="1"/><col min="3" max="3" width="18" customWidth="1"/>` +
		`<col min="4" max="4" width="12" customWidth="1"/><col min="5" max="5" width="20" customWidth="1"/><col min="6" max="6" width="90" customWidth="1"/></cols>` +
		`<sheetData>` + rows.String() + `</sheetData>`
	if links.Len() > 0 {
		x += `<hyperlinks>` + links.String() + `</hyperlinks>`
	}
	x += `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
	p.write(part, []byte(x))

	// The workbook: the new sheet first and active; sheet-local names and
	// the first visible tab move up by one.
	prefix := ""
	j := regexp.MustCompile(`<(\w+:)?sheets\b[^>]*>`).FindStringSubmatchIndex(wbs)
	if j == nil {
		return errors.New("the workbook has no <sheets>")
	}
	if j[2] >= 0 {
		prefix = wbs[j[2]:j[3]]
	}
	el := `<` + prefix + `sheet name="` + esc(name) + `" sheetId="` + strconv.Itoa(maxID+1) + `" xmlns:r="` + nsRel + `" r:id="` + id + `"/>`
	wbs = wbs[:j[1]] + el + wbs[j[1]:]
	shift := func(a string) {
		re := regexp.MustCompile(`\b` + a + `="(\d+)"`)
		wbs = re.ReplaceAllStringFunc(wbs, func(m string) string {
			n, _ := strconv.Atoi(re.FindStringSubmatch(m)[1])
			return a + `="` + strconv.Itoa(n+1) + `"`
		})
	}
	shift("localSheetId")
	shift("firstSheet")
	wbs = regexp.MustCompile(`\bactiveTab="\d+"`).ReplaceAllString(wbs, `activeTab="0"`)
	p.write(wbName, []byte(wbs))
	// No other sheet stays selected (Excel would group them with it).
	for _, f := range p.zr.File {
		low := strings.ToLower(f.Name)
		if !strings.Contains(low, "worksheets/") || !strings.HasSuffix(low, ".xml") {
			continue
		}
		b, _, err := p.read(f.Name)
		if err != nil {
			return err
		}
		head := b
		if i := bytes.Index(b, []byte("sheetData")); i >= 0 {
			head = b[:i]
		}
		for _, sel := range []string{`tabSelected="1"`, `tabSelected="true"`} {
			if i := bytes.Index(head, []byte(sel)); i >= 0 {
				nb := append(append(append([]byte{}, b[:i]...), `tabSelected="0"`...), b[i+len(sel):]...)
				b, head = nb, nb[:len(head)-len(sel)+len(`tabSelected="0"`)]
				p.write(f.Name, b)
			}
		}
	}
	return nil
}

// bytes writes the edited package: unchanged parts copied as they are.
func (p *pkg) bytes() ([]byte, error) {
	if len(p.ctAdds) > 0 {
		name := "[Content_Types].xml"
		b, _, err := p.read(name)
		if err != nil {
			return nil, err
		}
		s := string(b)
		adds := strings.Join(p.ctAdds, "")
		if !regexp.MustCompile(`(?i)Extension="vml"`).MatchString(s) {
			adds = `<Default Extension="vml" ContentType="` + ctVML + `"/>` + adds
		}
		i := closeTag(s, "Types")
		if i < 0 {
			return nil, errors.New("[Content_Types].xml has no </Types>")
		}
		p.write(name, []byte(s[:i]+adds+s[i:]))
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range p.zr.File {
		if b, ok := p.changed[f.Name]; ok {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
			if err != nil {
				return nil, err
			}
			if _, err := w.Write(b); err != nil {
				return nil, err
			}
			continue
		}
		if err := zw.Copy(f); err != nil {
			return nil, err
		}
	}
	for _, name := range p.added {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(p.addData[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
