package value

import "strings"

// Code reads a statistical division code (6, 9 or 12 digits; the caller
// checks the length) and returns its digits. Accepted after Clean
// (surrounding spaces, full-width digits):
//
//	"320581001001"       digits as typed (leading zeros kept)
//	"'320581"            a leading apostrophe (also ‘ or ’)
//	"320581001.0"        a numeric cell's trailing ".0"
//	"3.20581001001E+11"  scientific notation, also "3.20581001001e11"
//
// Numbers are read by digit-string arithmetic, never through float64.
// In scientific notation the mantissa must carry every digit down to the
// units: "3.20581E+11" could be any of 320581000000–320581999999 as far as
// the text tells, so it is ErrCodePrecision (even if the code really ends
// in zeros; the clerk must retype it as text).
// Errors: ErrEmpty, ErrBadCode (anything else, including signs, separators
// and fractions), ErrCodePrecision.
func Code(s string) (string, error) {
	t := Clean(s)
	if t == "" {
		return "", ErrEmpty
	}
	switch {
	case t[0] == '\'':
		t = t[1:]
	case strings.HasPrefix(t, "‘"), strings.HasPrefix(t, "’"):
		t = t[len("‘"):]
	}
	if t == "" {
		return "", ErrEmpty
	}
	i := skipDigits(t, 0)
	if i == len(t) {
		return t, nil
	}
	intPart := t[:i]
	if intPart == "" || t[i] != '.' && t[i] != 'e' && t[i] != 'E' {
		return "", ErrBadCode
	}
	frac := ""
	if t[i] == '.' {
		j := skipDigits(t, i+1)
		frac = t[i+1 : j]
		i = j
	}
	if i == len(t) { // "320581001.0": the fraction must be zeros
		if frac == "" || strings.Trim(frac, "0") != "" {
			return "", ErrBadCode
		}
		return intPart, nil
	}
	if t[i] != 'e' && t[i] != 'E' {
		return "", ErrBadCode
	}
	i++
	eneg := false
	if i < len(t) && (t[i] == '+' || t[i] == '-') {
		eneg = t[i] == '-'
		i++
	}
	j := skipDigits(t, i)
	if j == i || j != len(t) {
		return "", ErrBadCode
	}
	e := 0
	for _, c := range []byte(t[i:j]) {
		if e < 100_000 {
			e = e*10 + int(c-'0')
		}
	}
	if eneg {
		e = -e
	}
	// The mantissa digits intPart+frac with the point moved to p.
	mant := len(intPart) + len(frac)
	digit := func(k int) byte {
		if k < len(intPart) {
			return intPart[k]
		}
		return frac[k-len(intPart)]
	}
	p := len(intPart) + e
	for k := max(p, 0); k < mant; k++ {
		if digit(k) != '0' {
			return "", ErrBadCode // a fraction remains
		}
	}
	lead := 0 // leading zeros of the number
	for lead < mant && lead < p && digit(lead) == '0' {
		lead++
	}
	if lead == mant || lead >= p { // the value is zero
		return "0", nil
	}
	if p > mant {
		return "", ErrCodePrecision
	}
	b := make([]byte, 0, p-lead)
	for k := lead; k < p; k++ {
		b = append(b, digit(k))
	}
	return string(b), nil
}

func skipDigits(t string, i int) int {
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i
}
