package metrics

import "testing"

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
