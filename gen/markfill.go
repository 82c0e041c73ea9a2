package gen

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"sgz/ingest/xlsx"
)

// Cell fills of the marked workbook: errors red, warnings yellow, keeping
// each cell's own format (number format, font, borders): a copy of its cell
// format with the fill changed is appended to the styles part.

const (
	fillError   = "FFFFC7CE"
	fillWarning = "FFFFEB9C"
)

var (
	reFills   = regexp.MustCompile(`(?s)<(\w+:)?fills\b([^>]*)>(.*?)</(?:\w+:)?fills>`)
	reFillEl  = regexp.MustCompile(`<(?:\w+:)?fill\b`)
	reCellXfs = regexp.MustCompile(`(?s)<(\w+:)?cellXfs\b([^>]*)>(.*?)</(?:\w+:)?cellXfs>`)
	reXf      = regexp.MustCompile(`(?s)<(?:\w+:)?xf\b[^>]*?/>|<(?:\w+:)?xf\b[^>]*?[^/]>.*?</(?:\w+:)?xf>`)
	reCount   = regexp.MustCompile(`\bcount="\d+"`)
	reRow     = regexp.MustCompile(`<(\w+:)?row\b([^>]*?)(/?)>`)
	reCell    = regexp.MustCompile(`<(\w+:)?c\b([^>]*?)(/?)>`)
	reSAttr   = regexp.MustCompile(`\bs="\d*"`)
	reRowEnd  = regexp.MustCompile(`</(\w+:)?row\s*>`)
)

// styler adds fills to a styles part and hands out cell format indexes.
type styler struct {
	s      string
	prefix string
	xfs    []string // the cellXfs elements
	added  map[[2]int]int
	fillID map[bool]int
	news   []string
}

func newStyler(styles string) *styler {
	m := reCellXfs.FindStringSubmatch(styles)
	f := reFills.FindStringSubmatch(styles)
	if m == nil || f == nil {
		return nil
	}
	st := &styler{s: styles, prefix: m[1], xfs: reXf.FindAllString(m[3], -1), added: map[[2]int]int{}, fillID: map[bool]int{}}
	n := len(reFillEl.FindAllString(f[3], -1))
	st.fillID[true], st.fillID[false] = n, n+1
	return st
}

// xf returns the index of cell format orig with the error or warning fill.
func (st *styler) xf(orig int, isErr bool) int {
	k := [2]int{orig, 0}
	if isErr {
		k[1] = 1
	}
	if i, ok := st.added[k]; ok {
		return i
	}
	base := `<` + st.prefix + `xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`
	if orig >= 0 && orig < len(st.xfs) {
		base = st.xfs[orig]
	}
	fill := strconv.Itoa(st.fillID[isErr])
	head := base
	rest := ""
	if i := strings.IndexByte(base, '>'); i >= 0 {
		head, rest = base[:i], base[i:]
		if strings.HasSuffix(head, "/") {
			head, rest = head[:len(head)-1], "/"+rest
		}
	}
	head = regexp.MustCompile(`\s(fillId|applyFill)="[^"]*"`).ReplaceAllString(head, "")
	x := head + ` fillId="` + fill + `" applyFill="1"` + rest
	i := len(st.xfs) + len(st.news)
	st.news = append(st.news, x)
	st.added[k] = i
	return i
}

// styles returns the styles part with the fills and formats added.
func (st *styler) styles() string {
	if len(st.news) == 0 {
		return st.s
	}
	s := st.s
	f := reFills.FindStringSubmatchIndex(s)
	p := ""
	if f[2] >= 0 {
		p = s[f[2]:f[3]]
	}
	pattern := func(rgb string) string {
		return `<` + p + `fill><` + p + `patternFill patternType="solid"><` + p + `fgColor rgb="` + rgb + `"/><` + p + `bgColor indexed="64"/></` + p + `patternFill></` + p + `fill>`
	}
	n := st.fillID[false] + 1
	fills := s[f[0]:f[1]]
	end := strings.LastIndex(fills, "</")
	fills = fills[:end] + pattern(fillError) + pattern(fillWarning) + fills[end:]
	fills = setCount(fills, n)
	s = s[:f[0]] + fills + s[f[1]:]
	c := reCellXfs.FindStringIndex(s)
	xfs := s[c[0]:c[1]]
	end = strings.LastIndex(xfs, "</")
	xfs = xfs[:end] + strings.Join(st.news, "") + xfs[end:]
	xfs = setCount(xfs, len(st.xfs)+len(st.news))
	return s[:c[0]] + xfs + s[c[1]:]
}

// setCount sets the count attribute of an element's start tag.
func setCount(el string, n int) string {
	i := strings.IndexByte(el, '>')
	head := el[:i]
	if reCount.MatchString(head) {
		head = reCount.ReplaceAllString(head, `count="`+strconv.Itoa(n)+`"`)
	} else {
		head += ` count="` + strconv.Itoa(n) + `"`
	}
	return head + el[i:]
}

// fillCells gives the cells (ref -> is an error) the fill in a sheet part,
// adding empty cells and rows where the sheet has none.
func fillCells(x string, cells map[string]bool, st *styler) string {
	sd := regexp.MustCompile(`(?s)<(\w+:)?sheetData\b[^>]*?(/?)>`).FindStringSubmatchIndex(x)
	if sd == nil {
		return x
	}
	prefix := ""
	if sd[2] >= 0 {
		prefix = x[sd[2]:sd[3]]
	}
	start := sd[1]
	var body, tail string
	if sd[5] > sd[4] { // <sheetData/>
		x = x[:sd[0]] + `<` + prefix + `sheetData>` + `</` + prefix + `sheetData>` + x[sd[1]:]
		start = sd[0] + len(`<`+prefix+`sheetData>`)
	}
	endRel := closeTag(x[start:], "sheetData")
	if endRel < 0 {
		return x
	}
	body, tail = x[start:start+endRel], x[start+endRel:]
	head := x[:start]
	// The wanted cells by row, columns ascending.
	byRow := map[int][]int{}
	for ref := range cells {
		col, row, ok := cellRC(ref)
		if ok {
			byRow[row] = append(byRow[row], col)
		}
	}
	for r := range byRow {
		sort.Ints(byRow[r])
	}
	var out strings.Builder
	done := map[int]bool{}
	prevRow := 0
	pos := 0
	rows := reRow.FindAllStringSubmatchIndex(body, -1)
	newRow := func(r int) string {
		var b strings.Builder
		b.WriteString(`<` + prefix + `row r="` + strconv.Itoa(r) + `">`)
		for _, col := range byRow[r] {
			ref := xlsx.ColName(col) + strconv.Itoa(r)
			b.WriteString(`<` + prefix + `c r="` + ref + `" s="` + strconv.Itoa(st.xf(0, cells[ref])) + `"/>`)
		}
		b.WriteString(`</` + prefix + `row>`)
		done[r] = true
		return b.String()
	}
	missingBefore := func(r int) {
		var rs []int
		for row := range byRow {
			if !done[row] && row < r {
				rs = append(rs, row)
			}
		}
		sort.Ints(rs)
		for _, row := range rs {
			out.WriteString(newRow(row))
		}
	}
	for _, m := range rows {
		a := attrs(body[m[4]:m[5]])
		r, err := strconv.Atoi(a["r"])
		if err != nil || r < 1 {
			r = prevRow + 1
		}
		prevRow = r
		out.WriteString(body[pos:m[0]])
		pos = m[0]
		missingBefore(r)
		if _, want := byRow[r]; !want {
			continue
		}
		done[r] = true
		selfClosing := m[7] > m[6]
		if selfClosing {
			out.WriteString(body[m[0]:m[6]] + ">")
			out.WriteString(rowCells("", r, byRow[r], cells, st, prefix))
			out.WriteString(`</` + prefix + `row>`)
			pos = m[1]
			continue
		}
		first := reRowEnd.FindStringIndex(body[m[1]:])
		if first == nil {
			continue
		}
		endRow := first[0]
		out.WriteString(body[m[0]:m[1]])
		out.WriteString(rowCells(body[m[1]:m[1]+endRow], r, byRow[r], cells, st, prefix))
		pos = m[1] + endRow
	}
	out.WriteString(body[pos:])
	// Rows after the last one in the sheet.
	var rest strings.Builder
	var rs []int
	for row := range byRow {
		if !done[row] {
			rs = append(rs, row)
		}
	}
	sort.Ints(rs)
	for _, row := range rs {
		rest.WriteString(newRow(row))
	}
	return head + out.String() + rest.String() + tail
}

// rowCells rewrites the cells of one row: the wanted ones get the fill (a
// new empty cell where there is none).
func rowCells(inner string, r int, cols []int, cells map[string]bool, st *styler, prefix string) string {
	var out strings.Builder
	want := map[int]bool{}
	for _, c := range cols {
		want[c] = true
	}
	doneCol := map[int]bool{}
	insertBefore := func(col int) {
		for _, c := range cols {
			if c < col && !doneCol[c] {
				ref := xlsx.ColName(c) + strconv.Itoa(r)
				out.WriteString(`<` + prefix + `c r="` + ref + `" s="` + strconv.Itoa(st.xf(0, cells[ref])) + `"/>`)
				doneCol[c] = true
			}
		}
	}
	pos, prevCol := 0, 0
	for _, m := range reCell.FindAllStringSubmatchIndex(inner, -1) {
		a := attrs(inner[m[4]:m[5]])
		col, _, ok := cellRC(a["r"])
		if !ok {
			col = prevCol + 1
		}
		prevCol = col
		out.WriteString(inner[pos:m[0]])
		insertBefore(col)
		pos = m[0]
		if !want[col] {
			continue
		}
		doneCol[col] = true
		orig, _ := strconv.Atoi(a["s"])
		ref := xlsx.ColName(col) + strconv.Itoa(r)
		tag := inner[m[0]:m[1]]
		s := `s="` + strconv.Itoa(st.xf(orig, cells[ref])) + `"`
		if reSAttr.MatchString(tag) {
			tag = reSAttr.ReplaceAllString(tag, s)
		} else if strings.HasSuffix(tag, "/>") {
			tag = tag[:len(tag)-2] + " " + s + "/>"
		} else {
			tag = tag[:len(tag)-1] + " " + s + ">"
		}
		out.WriteString(tag)
		pos = m[1]
	}
	out.WriteString(inner[pos:])
	var tail strings.Builder
	for _, c := range cols {
		if !doneCol[c] {
			ref := xlsx.ColName(c) + strconv.Itoa(r)
			tail.WriteString(`<` + prefix + `c r="` + ref + `" s="` + strconv.Itoa(st.xf(0, cells[ref])) + `"/>`)
		}
	}
	return out.String() + tail.String()
}
