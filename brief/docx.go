package brief

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"strings"
	"text/template"
	"time"
)

// A small writer of WordprocessingML (ECMA-376, the .docx of Word and WPS):
// headings, paragraphs and tables, nothing else. No Go docx library the
// module proxy serves is both maintained and free (docs/brief.md).

// Block is one paragraph or table of the body.
type Block struct {
	Style string     // "Title", "Subtitle", "Heading1", "Heading2", "Note" or "" (body text)
	Text  string     // a paragraph
	Bold  bool       // the whole paragraph in bold
	Rows  [][]string // a table (first row is the header) when not nil
	Align string     // "center", "right" or ""
}

// Doc is a document: its title (document properties) and body.
type Doc struct {
	Title   string
	Created time.Time
	Body    []Block
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

var docTmpl = template.Must(template.New("doc").Funcs(template.FuncMap{"x": xmlEscape, "widths": func(n int) []int {
	w := make([]int, n)
	for i := range w {
		w[i] = 9000 / n
	}
	return w
}}).Parse(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>
{{- range .Body}}{{if .Rows}}
<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="04A0" w:firstRow="1"/></w:tblPr><w:tblGrid>{{range widths (len (index .Rows 0))}}<w:gridCol w:w="{{.}}"/>{{end}}</w:tblGrid>
{{- range $i, $row := .Rows}}<w:tr>{{if eq $i 0}}<w:trPr><w:tblHeader/></w:trPr>{{end}}{{range $row}}<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="Cell"/></w:pPr><w:r>{{if eq $i 0}}<w:rPr><w:b/></w:rPr>{{end}}<w:t xml:space="preserve">{{x .}}</w:t></w:r></w:p></w:tc>{{end}}</w:tr>
{{- end}}</w:tbl><w:p/>
{{- else}}
<w:p><w:pPr>{{if .Style}}<w:pStyle w:val="{{.Style}}"/>{{end}}{{if .Align}}<w:jc w:val="{{.Align}}"/>{{end}}</w:pPr><w:r>{{if .Bold}}<w:rPr><w:b/></w:rPr>{{end}}<w:t xml:space="preserve">{{x .Text}}</w:t></w:r></w:p>
{{- end}}{{end}}
<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>
</w:body></w:document>
`))

// The styles: 仿宋 body, 黑体 headings, 方正小标宋-like title in 宋体 bold
// (the fonts every Chinese Windows has; WPS and LibreOffice substitute).
const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="560"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:ind w:firstLine="0"/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:rFonts w:eastAsia="宋体"/><w:b/><w:color w:val="C00000"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:ind w:firstLine="0"/><w:pBdr><w:bottom w:val="single" w:sz="12" w:space="4" w:color="C00000"/></w:pBdr></w:pPr><w:rPr><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体"/><w:b/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/><w:color w:val="595959"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Cell"><w:name w:val="Cell"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>
`

const contentTypesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>
`

const relsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>
`

const docRelsXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>
`

var coreTmpl = template.Must(template.New("core").Funcs(template.FuncMap{"x": xmlEscape}).Parse(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{{x .Title}}</dc:title><dc:creator>sgz</dc:creator>
<dcterms:created xsi:type="dcterms:W3CDTF">{{.Created.UTC.Format "2006-01-02T15:04:05Z"}}</dcterms:created>
</cp:coreProperties>
`))

// WriteDocx writes d as a .docx package.
func (d *Doc) WriteDocx(w io.Writer) error {
	z := zip.NewWriter(w)
	part := func(name string, fn func(io.Writer) error) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: d.Created})
		if err != nil {
			return err
		}
		return fn(f)
	}
	str := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	parts := []struct {
		name string
		fn   func(io.Writer) error
	}{
		{"[Content_Types].xml", str(contentTypesXML)},
		{"_rels/.rels", str(relsXML)},
		{"word/_rels/document.xml.rels", str(docRelsXML)},
		{"word/styles.xml", str(stylesXML)},
		{"word/document.xml", func(w io.Writer) error { return docTmpl.Execute(w, d) }},
		{"docProps/core.xml", func(w io.Writer) error { return coreTmpl.Execute(w, d) }},
	}
	for _, p := range parts {
		if err := part(p.name, p.fn); err != nil {
			return err
		}
	}
	return z.Close()
}
