package value

import (
	"strconv"
	"strings"
)

// MaxAbs is the largest magnitude Int and Scaled return (9e15 < 2^53, so
// every result is also exact as a float64).
const MaxAbs = 9_000_000_000_000_000

// maxDigits significant digits are kept exactly; that is far more than any
// result in range needs (16 digits), so a dropped nonzero digit always lies
// in the fraction.
const maxDigits = 40

// decimal is an exact decimal number: 0.d[0:nd] × 10^dp, negative if neg.
// d has no leading or trailing zeros; nd == 0 means zero. trunc says nonzero
// digits beyond maxDigits were dropped.
type decimal struct {
	d     [maxDigits]byte
	nd    int
	dp    int
	neg   bool
	trunc bool
}

// parse reads s, which must already be Clean, in the number grammar
//
//	[+-] ( int [ "." digits ] | "." digits ) [ (e|E) [+-] digits ]
//	int = digits | d{1,3} ( "," d{3} )+     (thousands separators, no exponent then)
//
// and reports whether s matched. NaN, Inf, hex, underscores and inner spaces
// never match.
func (x *decimal) parse(s string) bool {
	*x = decimal{}
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		x.neg = s[i] == '-'
		i++
	}
	var (
		sawDigits, sawDot, sep bool
		group                  int // integer digits since the last separator
		total                  int // significant digits seen
	)
loop:
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			sawDigits = true
			if !sawDot {
				group++
			}
			if c == '0' && total == 0 {
				x.dp-- // a leading zero: only matters after the dot
				continue
			}
			total++
			if x.nd < maxDigits {
				x.d[x.nd] = c
				x.nd++
			} else if c != '0' {
				x.trunc = true
			}
		case c == ',':
			if sawDot || !sawDigits || (sep && group != 3) || group > 3 {
				return false
			}
			sep, group = true, 0
		case c == '.':
			if sawDot {
				return false
			}
			sawDot = true
			x.dp = total
		default:
			break loop
		}
	}
	if !sawDigits || (sep && group != 3) {
		return false
	}
	if !sawDot {
		x.dp = total
	}
	if i < len(s) {
		if sep || (s[i] != 'e' && s[i] != 'E') {
			return false
		}
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return false
		}
		e := 0
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return false
			}
			if e < 100_000 {
				e = e*10 + int(c-'0')
			}
		}
		if eneg {
			e = -e
		}
		x.dp += e
	}
	for x.nd > 0 && x.d[x.nd-1] == '0' {
		x.nd--
	}
	if x.nd == 0 {
		x.dp, x.trunc = 0, false
	}
	return true
}

// round rounds x half away from zero to n < maxDigits significant digits.
func (x *decimal) round(n int) {
	if x.nd <= n {
		// Any dropped digits lie beyond maxDigits > n: digit n is a zero.
		x.trunc = false
		return
	}
	up := x.d[n] >= '5'
	x.nd, x.trunc = n, false
	if up {
		j := n - 1
		for j >= 0 && x.d[j] == '9' {
			j--
		}
		if j < 0 {
			x.d[0], x.nd = '1', 1
			x.dp++
			return
		}
		x.d[j]++
		x.nd = j + 1
	}
	for x.nd > 0 && x.d[x.nd-1] == '0' {
		x.nd--
	}
	if x.nd == 0 {
		x.dp = 0
	}
}

// scaled is x × 10^scale as an integer: ErrOutOfRange beyond ±MaxAbs,
// errFrac when a fraction would remain.
func (x *decimal) scaled(scale int, errFrac error) (int64, error) {
	if x.nd == 0 {
		return 0, nil
	}
	p := x.dp + scale // digits before the point
	if p > 16 {
		return 0, ErrOutOfRange
	}
	// Trailing zeros are trimmed, so digits after p make a nonzero fraction;
	// dropped digits (trunc) lie beyond maxDigits > 16 >= p.
	if p < x.nd || x.trunc {
		return 0, errFrac
	}
	var v int64
	for i := 0; i < p; i++ {
		v *= 10
		if i < x.nd {
			v += int64(x.d[i] - '0')
		}
	}
	if v > MaxAbs {
		return 0, ErrOutOfRange
	}
	if x.neg {
		v = -v
	}
	return v, nil
}

func parseNumber(s string, x *decimal) (string, error) {
	t := Clean(s)
	if t == "" {
		return t, ErrEmpty
	}
	if !x.parse(t) {
		return t, ErrNotNumber
	}
	return t, nil
}

// Int reads a whole number: an Excel number ("42", "1.5E+3",
// "3.20581001001E+11") or text holding one, with thousands separators
// ("1,234", "1，234"), full-width digits, minus, plus and dot. A decimal is
// accepted only when whole ("3.0", "3.000"); otherwise ErrNotWhole.
// Negative numbers are returned as such: the caller checks the sign.
// Errors: ErrEmpty, ErrNotNumber, ErrOutOfRange (|n| > 9e15, checked before
// wholeness), ErrNotWhole.
func Int(s string) (int64, error) {
	var x decimal
	if _, err := parseNumber(s, &x); err != nil {
		return 0, err
	}
	return x.scaled(0, ErrNotWhole)
}

// Decimal reads a general decimal (hours, ratios …) in the same syntax as
// Int. Errors: ErrEmpty, ErrNotNumber, ErrOutOfRange when the value
// overflows float64. Never NaN or ±Inf.
func Decimal(s string) (float64, error) {
	var x decimal
	t, err := parseNumber(s, &x)
	if err != nil {
		return 0, err
	}
	if strings.IndexByte(t, ',') >= 0 {
		t = strings.ReplaceAll(t, ",", "")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, ErrOutOfRange // the grammar is a subset of ParseFloat's: only ErrRange is left
	}
	return f, nil
}

// Scaled reads a decimal exactly as the integer value × 10^scale, e.g. money
// in 万元 with scale 4: "12.34" → 123400. No float arithmetic is involved.
// More than scale decimals is ErrTooManyDecimals — except that when
// fromNumberCell is set the text is first rounded to 15 significant digits,
// as Excel shows it, so binary-float artefacts of numeric cells
// ("0.30000000000000004", "12.340000000000002") read as 0.3 and 12.34.
// Negative values are returned (the caller checks the sign).
// Errors: ErrEmpty, ErrNotNumber, ErrOutOfRange (|result| > 9e15, or scale
// outside 0..16), ErrTooManyDecimals.
func Scaled(s string, scale int, fromNumberCell bool) (int64, error) {
	if scale < 0 || scale > 16 {
		return 0, ErrOutOfRange
	}
	var x decimal
	if _, err := parseNumber(s, &x); err != nil {
		return 0, err
	}
	if fromNumberCell {
		x.round(15)
	}
	return x.scaled(scale, ErrTooManyDecimals)
}
