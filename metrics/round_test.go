package metrics

import (
	"math"
	"math/big"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func TestFixedHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		x    float64
		d    int
		want string
	}{
		{0.6625 * 100, 1, "66.3"}, {66.25, 1, "66.3"}, {66.35, 1, "66.4"}, {0.125, 2, "0.13"}, {1.005, 2, "1.01"},
		{2.675, 2, "2.68"}, {-2.5, 0, "-3"}, {2.5, 0, "3"}, {-0.04, 1, "0.0"}, {-0.05, 1, "-0.1"}, {0, 1, "0.0"},
		{123456.785, 2, "123456.79"}, {0.1 + 0.2, 1, "0.3"}, {99.95, 1, "100.0"}, {1e-7, 2, "0.00"}, {12345678, 0, "12345678"},
		{0.0005, 3, "0.001"}, {1.45, 1, "1.5"},
	} {
		if got := Fixed(c.x, c.d); got != c.want {
			t.Errorf("Fixed(%v, %d) = %s, want %s", c.x, c.d, got, c.want)
		}
	}
	if Round(0.6625*100, 1) != 66.3 || Round(-1.25, 1) != -1.3 || Points(0.141) != "14.1" || Points(0.00049) != "0.0" {
		t.Error("Round or Points")
	}
}

// Fixed against strconv (the reference): the cost of rounding as Excel does.
func BenchmarkFixed(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = Fixed(float64(i%10000)/16000*100, 1)
	}
}

func BenchmarkStrconv(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = strconv.FormatFloat(float64(i%10000)/16000*100, 'f', 1, 64)
	}
}

// Fixed agrees with exact decimal arithmetic on the 15-digit reading of x.
func TestFixedAgainstExact(t *testing.T) {
	exact := func(x float64, d int) string {
		r, _ := new(big.Rat).SetString(strconv.FormatFloat(math.Abs(x), 'g', 15, 64))
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)))
		r.Add(r, big.NewRat(1, 2))
		n := new(big.Int).Quo(r.Num(), r.Denom())
		s := n.String()
		if d > 0 {
			if len(s) <= d {
				s = strings.Repeat("0", d-len(s)+1) + s
			}
			s = s[:len(s)-d] + "." + s[len(s)-d:]
		}
		if x < 0 && n.Sign() != 0 {
			s = "-" + s
		}
		return s
	}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		x := (rng.Float64() - 0.3) * math.Pow(10, float64(rng.Intn(12)-5))
		if i%3 == 0 {
			x = float64(rng.Intn(200000)-50000) / 1000 * 5 / 10 // many exact halves
		}
		for d := 0; d <= 4; d++ {
			if got, want := Fixed(x, d), exact(x, d); got != want {
				t.Fatalf("Fixed(%v, %d) = %s, want %s", x, d, got, want)
			}
		}
	}
}
