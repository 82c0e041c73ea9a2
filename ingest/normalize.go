package ingest

import (
	"strings"
	"unicode"
)

// norm folds a header, key or sheet name for matching against the
// contract's own names (returns.md, "Revised 2026-12-01"): every space
// (ASCII, full-width U+3000, NBSP) and line break removed, full-width
// brackets, colons and alphanumerics mapped to ASCII, ASCII letters
// lower-cased, a leading "*" (required-field mark) or trailing colon
// dropped, and a leading "其中：" read as "其中". Unit and hint brackets at
// the end are removed by matchName, which knows the contract's name.
func norm(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\u200b' || r == '\ufeff':
			continue
		case r == '（' || r == '〔' || r == '[' || r == '【':
			r = '('
		case r == '）' || r == '〕' || r == ']' || r == '】':
			r = ')'
		case r == '：':
			r = ':'
		case r == '＊':
			r = '*'
		case r >= '！' && r <= '～': // full-width ASCII block
			r = r - '！' + '!'
		case r >= 'A' && r <= 'Z':
			r = r - 'A' + 'a'
		}
		b.WriteRune(r)
	}
	out := strings.TrimLeft(b.String(), "*")
	out = strings.TrimRight(out, ":*")
	if rest, ok := strings.CutPrefix(out, "其中:"); ok {
		out = "其中" + rest
	}
	return out
}

// stripHint removes unit or fill-in hints in brackets at the end of a
// normalised name: "驻站社工人数(人)" -> "驻站社工人数", "建成时间(年/月/日)" ->
// "建成时间". A name that is nothing but a bracket is kept.
func stripHint(n string) string {
	for strings.HasSuffix(n, ")") {
		i := strings.LastIndexByte(n, '(')
		if i <= 0 {
			break
		}
		n = strings.TrimRight(n[:i], ":")
	}
	return n
}

// matchName reports whether a header or key as written (already normalised)
// is the contract's name want (normalised). A contract name that itself ends
// in a unit (金额(万元)) must be written with that unit; any other name may
// carry a trailing unit or hint in brackets. So 金额(元) and 金额 are not
// 金额(万元), and 参训人数(人) is not 参训人次.
func matchName(got, want string) bool {
	if got == want {
		return true
	}
	if strings.HasSuffix(want, ")") {
		// 金额(万元)(必填): the contract's unit, then a hint.
		rest, ok := strings.CutPrefix(got, want)
		for ok && rest != "" {
			j := strings.IndexByte(rest, ')')
			ok = rest[0] == '(' && j > 0
			if ok {
				rest = rest[j+1:]
			}
		}
		return ok
	}
	return stripHint(got) == want
}

// sheetNorm folds a sheet name: norm, then a numbering prefix such as
// "表1 ", "表1-", "附表2：" or "1." removed.
func sheetNorm(s string) string {
	n := norm(s)
	i := 0
	if strings.HasPrefix(n, "附表") {
		i = len("附表")
	} else if strings.HasPrefix(n, "表") {
		i = len("表")
	}
	j := i
	for j < len(n) && n[j] >= '0' && n[j] <= '9' {
		j++
	}
	if j == i || j == len(n) {
		return n
	}
	rest := n[j:]
	for _, sep := range []string{"-", ".", ":", "_", "、", "—"} {
		if r, ok := strings.CutPrefix(rest, sep); ok {
			return r
		}
	}
	if i > 0 { // "表1基本信息" (the space already removed)
		return rest
	}
	return n // "1基本信息" is not a numbering
}

// trim removes surrounding spaces of every kind from a cell value.
func trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\u200b' || r == '\ufeff'
	})
}

// isTotal reports whether a cell reads as the label of a total row: 合计,
// 总计, 小计, 汇总, 总合计 or anything ending in 合计 (全区合计, 本页合计),
// spaces and a trailing colon ignored; also "合计：…" with a note after it.
func isTotal(s string) bool {
	if len(s) > 64 || !strings.Contains(s, "计") && !strings.Contains(s, "汇总") {
		return false // the fast path for every data cell
	}
	n := norm(s)
	switch n {
	case "合计", "总计", "小计", "汇总", "总合计":
		return true
	}
	if strings.HasSuffix(n, "合计") && len(n) <= len("合计")*4 {
		return true
	}
	for _, p := range []string{"合计:", "总计:", "小计:"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// isFooter reports whether the first non-empty text of a row starts a
// footer: 填表人, 审核人, 负责人 (anything after them), or 制表, 注, 说明
// followed by a colon, a number (注1：) or nothing.
func isFooter(s string) bool {
	if t := strings.TrimLeft(trim(s), "*＊"); t == "" || !strings.ContainsRune("填审负制注说备联", []rune(t)[0]) {
		return false // the fast path for every data row
	}
	n := norm(s)
	for _, p := range []string{"填表人", "审核人", "负责人", "制表人", "填报人:", "联系电话:"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	for _, p := range []string{"制表", "注", "说明", "备注"} {
		rest, ok := strings.CutPrefix(n, p)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, "0123456789")
		if rest == "" || strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, "单位:") || strings.HasPrefix(rest, "日期:") || strings.HasPrefix(rest, "时间:") {
			return true
		}
	}
	return false
}

// shorten reads a 12-digit code ending in 000000 as the district it names
// (6 digits) and one ending in 000 as the town (9 digits), when the caller
// wants that length (want 0: whichever it names).
func shorten(code string, want int) string {
	if len(code) != 12 {
		return code
	}
	switch {
	case (want == 6 || want == 0) && strings.HasSuffix(code, "000000"):
		return code[:6]
	case (want == 9 || want == 0) && strings.HasSuffix(code, "000"):
		return code[:9]
	}
	return code
}
