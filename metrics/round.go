package metrics

import (
	"math"
	"math/big"
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
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', digits, 64)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(math.Abs(x), 'g', 15, 64))
	if !ok {
		return strconv.FormatFloat(x, 'f', digits, 64)
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	r.Mul(r, new(big.Rat).SetInt(scale))
	r.Add(r, big.NewRat(1, 2))
	n := new(big.Int).Quo(r.Num(), r.Denom()) // floor: r ≥ 0
	s := n.String()
	if digits > 0 {
		if len(s) <= digits {
			s = strings.Repeat("0", digits-len(s)+1) + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if x < 0 && n.Sign() != 0 {
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
