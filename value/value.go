// Package value parses single spreadsheet cells from the districts' Excel
// returns: yes/no flags, integers, decimals, exact scaled amounts (万元),
// dates and statistical division codes.
//
// Cells arrive as text, as an xlsx reader gives the raw cell value: numbers
// as stored ("320581001001", "45413.5", "3.20581001001E+11"), strings as
// typed. Every parser first applies Clean, so surrounding spaces and
// full-width characters are tolerated everywhere.
//
// The parsers run on millions of cells: they use no regular expressions, do
// not allocate for input that is already clean ASCII, never panic, and
// report failures only with the sentinel errors below (test with errors.Is).
package value

import (
	"errors"
	"strings"
	"unicode/utf8"
)

var (
	ErrEmpty           = errors.New("empty")
	ErrNotYesNo        = errors.New("not yes/no")
	ErrNotNumber       = errors.New("not a number")
	ErrNotWhole        = errors.New("not a whole number")
	ErrNegative        = errors.New("negative") // for callers: the parsers return negative values, never this error
	ErrTooManyDecimals = errors.New("too many decimals")
	ErrNotDate         = errors.New("not a date")
	ErrBadCode         = errors.New("not a code")
	ErrCodePrecision   = errors.New("code lost precision")
	ErrOutOfRange      = errors.New("out of range")
)

// isSpace reports whether r is trimmed by Clean: ASCII white space, the
// Unicode spaces (U+3000 ideographic space, U+00A0 NBSP, U+2000–U+200A, …)
// and the invisible U+200B zero-width space and U+FEFF byte-order mark that
// come with pasted text.
func isSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r',
		0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x200B, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// mapRune is the ASCII byte that Clean puts for r inside the text, or 0 to
// keep r: full-width forms U+FF01–U+FF5E (０-９, Ａ-Ｚ, ａ-ｚ, ．，－＋：／ …)
// become their ASCII counterparts, U+3000 and NBSP become a space and
// U+2212 MINUS SIGN becomes '-'.
func mapRune(r rune) byte {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return byte(r - 0xFF01 + '!')
	case r == 0x3000 || r == 0xA0:
		return ' '
	case r == 0x2212:
		return '-'
	}
	return 0
}

// Clean trims spaces around s (ASCII, U+3000 full-width space, NBSP and the
// other spaces of isSpace) and maps full-width digits, letters and
// punctuation (．，－＋ …) inside it to ASCII. It returns s itself, or a
// substring of it, when nothing needs mapping; Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return cleanUnicode(s)
		}
	}
	for len(s) > 0 && isASCIISpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isASCIISpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func cleanUnicode(s string) string {
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		r, n := utf8.DecodeLastRuneInString(s)
		if !isSpace(r) {
			break
		}
		s = s[:len(s)-n]
	}
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if mapRune(r) != 0 {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if s[i] < utf8.RuneSelf {
			b.WriteByte(s[i])
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if m := mapRune(r); m != 0 {
			b.WriteByte(m)
		} else {
			b.WriteString(s[i : i+n]) // invalid UTF-8 is kept byte for byte
		}
		i += n
	}
	return b.String()
}

// YesNo reads a yes/no cell. Accepted, after Clean (so full-width Ｙ/１ too):
//
//	yes: 是 Y y 1 √ ✓ ✔ 已建 已建成 true TRUE 有
//	no:  否 N n 0 × ✗ ✘ 未建 未建成 false FALSE 无
//
// The contract lists all but ✔ ✘ 有 无, which are accepted too because
// clerks use them; nothing else is (no "是的", "Yes", "True", "1.0").
// Excel boolean cells arrive as "1"/"0". Blank is ErrEmpty, anything else
// ErrNotYesNo.
func YesNo(s string) (bool, error) {
	switch Clean(s) {
	case "是", "Y", "y", "1", "√", "✓", "✔", "已建", "已建成", "true", "TRUE", "有":
		return true, nil
	case "否", "N", "n", "0", "×", "✗", "✘", "未建", "未建成", "false", "FALSE", "无":
		return false, nil
	case "":
		return false, ErrEmpty
	}
	return false, ErrNotYesNo
}
