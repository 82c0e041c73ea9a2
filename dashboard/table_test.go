package dashboard

import (
	"context"
	"reflect"
	"testing"
	"unsafe"

	"sgz"
	"sgz/metrics"
)

// newTable keeps each value once: a unit's values are a part of Raw (the
// same memory, no copy) when they are one run there, as metrics.Compute
// returns them, and each unit answers every indicator with the value Raw
// holds for it. Values in another order (a unit's values scattered) give
// the same answers.
func TestTableKeepsEachValueOnce(t *testing.T) {
	db := openCopy(t)
	for _, tc := range []struct {
		span  string
		level sgz.Level
	}{{"2026Q3", sgz.District}, {"2026", sgz.District}, {"2026Q3", sgz.City}, {"2026Q3", sgz.Town}} {
		sp := mustSpan(tc.span)
		vals, err := metrics.Compute(context.Background(), db, sp, tc.level, metrics.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) == 0 {
			t.Fatalf("%s %s: no values", tc.span, tc.level)
		}
		want := map[string]map[string]metrics.Value{} // the map per unit newTable used to copy into
		for _, v := range vals {
			if want[v.UnitCode] == nil {
				want[v.UnitCode] = map[string]metrics.Value{}
			}
			want[v.UnitCode][v.Indicator] = v
		}
		check := func(name string, tb *table) {
			t.Helper()
			if len(tb.Units) != len(want) {
				t.Fatalf("%s: %d units, want %d", name, len(tb.Units), len(want))
			}
			for code, m := range want {
				u := tb.unit(code)
				if u == nil {
					t.Fatalf("%s: no unit %s", name, code)
				}
				for _, ind := range metrics.Indicators {
					w, wok := m[ind.ID]
					g, gok := u.Lookup(ind.ID)
					if wok != gok || !reflect.DeepEqual(g, w) || !reflect.DeepEqual(u.Val(ind.ID), w) {
						t.Fatalf("%s: %s %s = %+v, %v; want %+v, %v", name, code, ind.ID, g, gok, w, wok)
					}
				}
				if _, ok := u.Lookup("no_such_indicator"); ok {
					t.Fatalf("%s: %s has an unknown indicator", name, code)
				}
			}
		}
		tb := newTable(sp, tc.level, vals)
		check(tc.span+" "+string(tc.level), tb)
		raw0 := uintptr(unsafe.Pointer(unsafe.SliceData(tb.Raw)))
		rawEnd := raw0 + uintptr(len(tb.Raw))*unsafe.Sizeof(metrics.Value{})
		for _, u := range tb.Units {
			p := uintptr(unsafe.Pointer(unsafe.SliceData(u.vals)))
			if p < raw0 || p >= rawEnd {
				t.Fatalf("%s %s: unit %s's values are a copy, not a part of Raw", tc.span, tc.level, u.Code)
			}
		}
		// The same values with each unit's in two runs (its first
		// indicator moved to the end): same answers.
		var firsts, rest []metrics.Value
		for i, v := range vals {
			if i == 0 || vals[i-1].UnitCode != v.UnitCode {
				firsts = append(firsts, v)
			} else {
				rest = append(rest, v)
			}
		}
		scattered := append(rest, firsts...)
		check(tc.span+" "+string(tc.level)+" scattered", newTable(sp, tc.level, scattered))
		if got := (*unitRow)(nil).Val("station_coverage"); got.Value != nil || got.Indicator != "" {
			t.Fatalf("a nil unit's value: %+v", got)
		}
	}
}
