package metrics

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// One rounding rule for every number shown (pages, charts, exports, the
// milestone texts): half away from zero at the displayed precision, as Chinese
// statistical tables and Excel round. A float is first read as Excel reads it
// (15 significant digits), so 0.6625 × 100 = 66.25 shows as 66.3, not as
// strconv's 66.2 (half to even on the binary value 66.2499…). Scores keep their
// own documented rounding (round2, to 0.01).

// Fixed formats x with exactly digits decimals, rounded half away from zero.
func Fixed(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) || digits < 0 || digits > 15 {
		return strconv.FormatFloat(x, 'f', digits, 64)
	}
	// 15 significant digits: "6.62500000000000e+01".
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], math.Abs(x), 'e', 14, 64)
	mant, exps, _ := strings.Cut(string(e), "e")
	exp, _ := strconv.Atoi(exps)
	digs := []byte(mant[:1] + mant[2:])
	// N = round(|x| × 10^digits): its first k digits, plus one when the next is ≥ 5.
	k := exp + 1 + digits
	var n []byte
	switch {
	case k < 0:
		n = []byte{'0'}
	case k == 0:
		n = []byte{'0'}
		if digs[0] >= '5' {
			n[0] = '1'
		}
	case k >= len(digs):
		n = append(digs, bytes.Repeat([]byte{'0'}, k-len(digs))...)
	default:
		up := digs[k] >= '5'
		n = digs[:k]
		for i := len(n) - 1; up && i >= 0; i-- {
			if n[i] == '9' {
				n[i] = '0'
			} else {
				n[i]++
				up = false
			}
		}
		if up {
			n = append([]byte{'1'}, n...)
		}
	}
	if len(n) > 1 {
		n = bytes.TrimLeft(n, "0")
		if len(n) == 0 {
			n = []byte{'0'}
		}
	}
	zero := len(n) == 1 && n[0] == '0'
	s := string(n)
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if x < 0 && !zero {
		s = "-" + s
	}
	return s
}

// Round is x rounded half away from zero to digits decimals (as Fixed shows it).
func Round(x float64, digits int) float64 {
	f, err := strconv.ParseFloat(Fixed(x, digits), 64)
	if err != nil {
		return x
	}
	return f
}

// Points is a difference of two rates in percentage points, as shown: "14.1".
func Points(d float64) string { return Fixed(d*100, 1) }

// Group puts thousands separators in a formatted number: 18,000.5, -1,341.
func Group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
