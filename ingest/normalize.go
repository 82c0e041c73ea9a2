package ingest

import (
	"strings"
	"unicode"
)

// norm folds a header, key or sheet name for tolerant matching: every space
// (ASCII, full-width U+3000, NBSP) removed, full-width brackets, colons and
// alphanumerics mapped to ASCII, ASCII letters lower-cased, and a leading "*"
// (required-field mark) or trailing colon dropped.
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
	return out
}

// trim removes surrounding spaces of every kind from a cell value.
func trim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\u200b' || r == '\ufeff'
	})
}

// isTotal reports whether a first non-empty cell marks a total row.
func isTotal(s string) bool {
	n := norm(s)
	return n == "合计" || n == "总计" || n == "总合计" || strings.HasPrefix(n, "合计:") || strings.HasPrefix(n, "总计:")
}

// names is the set of folded names a sheet or column answers to.
func names(primary string, aliases []string) map[string]bool {
	m := map[string]bool{norm(primary): true}
	for _, a := range aliases {
		m[norm(a)] = true
	}
	return m
}
