package sgz

import (
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Period
	}{
		{"2026Q3", Period{2026, 3}},
		{"2026q3", Period{2026, 3}},
		{"2026-Q3", Period{2026, 3}},
		{"2026-q1", Period{2026, 1}},
		{"2026年第三季度", Period{2026, 3}},
		{"2026年第3季度", Period{2026, 3}},
		{"2026年3季度", Period{2026, 3}},
		{"2026年三季度", Period{2026, 3}},
		{"2026年第一季度", Period{2026, 1}},
		{"2026年第二季度", Period{2026, 2}},
		{"2026年第四季度", Period{2026, 4}},
		{"２０２６Ｑ３", Period{2026, 3}},
		{"２０２６ｑ３", Period{2026, 3}},
		{"２０２６－Ｑ３", Period{2026, 3}},
		{"２０２６年第３季度", Period{2026, 3}},
		{" 2026Q3 ", Period{2026, 3}},
		{"2026 Q3", Period{2026, 3}},
		{"\u30002026 年 第三季度\u3000", Period{2026, 3}},
		{"\u00a02026Q3\u00a0", Period{2026, 3}},
		{"1900Q1", Period{1900, 1}},
		{"9999Q4", Period{9999, 4}},
	} {
		got, err := ParsePeriod(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"", " ", "2026", "2026Q", "2026Q5", "2026Q0", "2026Q34", "26Q3", "2026年第五季度", "2026年第0季度",
		"2026年第03季度", "2026年第三季", "2026年第三", "2026年季度", "2026-3", "2026/Q3", "2026QQ3", "Q3 2026",
		"1899Q4", "0000Q1", "+202Q3", "-202Q3", "2026Q3x", "2026Q1-2026Q3", "二〇二六年第三季度",
	} {
		if got, err := ParsePeriod(in); err == nil {
			t.Errorf("ParsePeriod(%q) = %v, want an error", in, got)
		}
	}
}

func TestMustPeriod(t *testing.T) {
	if p := MustPeriod("2026Q3"); p != (Period{2026, 3}) {
		t.Errorf("MustPeriod = %v", p)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustPeriod(\"2026Q5\") did not panic")
		}
	}()
	MustPeriod("2026Q5")
}

func TestPeriodString(t *testing.T) {
	for p, want := range map[Period]string{{2026, 3}: "2026Q3", {1900, 1}: "1900Q1", {9999, 4}: "9999Q4"} {
		if got := p.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", p, got, want)
		}
	}
	if !(Period{2025, 4}.String() < Period{2026, 1}.String()) {
		t.Error("canonical strings do not sort in time order")
	}
}

func TestValid(t *testing.T) {
	for p, want := range map[Period]bool{
		{2026, 1}: true, {2026, 4}: true, {1900, 1}: true, {9999, 4}: true,
		{}: false, {2026, 0}: false, {2026, 5}: false, {1899, 4}: false, {10000, 1}: false,
	} {
		if p.Valid() != want {
			t.Errorf("%#v.Valid() = %v", p, !want)
		}
	}
}

func TestNextPrev(t *testing.T) {
	for _, c := range []struct{ p, next Period }{
		{Period{2026, 1}, Period{2026, 2}},
		{Period{2026, 2}, Period{2026, 3}},
		{Period{2026, 3}, Period{2026, 4}},
		{Period{2026, 4}, Period{2027, 1}},
		{Period{1999, 4}, Period{2000, 1}},
	} {
		if got := c.p.Next(); got != c.next {
			t.Errorf("%v.Next() = %v, want %v", c.p, got, c.next)
		}
		if got := c.next.Prev(); got != c.p {
			t.Errorf("%v.Prev() = %v, want %v", c.next, got, c.p)
		}
		if c.next.Index()-c.p.Index() != 1 {
			t.Errorf("Index(%v) - Index(%v) != 1", c.next, c.p)
		}
		if PeriodOfIndex(c.p.Index()) != c.p {
			t.Errorf("PeriodOfIndex(Index(%v)) = %v", c.p, PeriodOfIndex(c.p.Index()))
		}
	}
}

func TestFirstLast(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, Beijing) }
	for _, c := range []struct {
		p           Period
		first, last time.Time
	}{
		{Period{2026, 1}, d(2026, 1, 1), d(2026, 3, 31)},
		{Period{2026, 2}, d(2026, 4, 1), d(2026, 6, 30)},
		{Period{2026, 3}, d(2026, 7, 1), d(2026, 9, 30)},
		{Period{2026, 4}, d(2026, 10, 1), d(2026, 12, 31)},
		{Period{2024, 1}, d(2024, 1, 1), d(2024, 3, 31)},
		{Period{9999, 4}, d(9999, 10, 1), d(9999, 12, 31)},
	} {
		if got := c.p.First(); !got.Equal(c.first) || got.Location() != Beijing {
			t.Errorf("%v.First() = %v, want %v", c.p, got, c.first)
		}
		if got := c.p.Last(); !got.Equal(c.last) || got.Location() != Beijing {
			t.Errorf("%v.Last() = %v, want %v", c.p, got, c.last)
		}
	}
	// Midnight exists at every quarter boundary despite China's past daylight saving.
	for y := 1900; y <= 2100; y++ {
		for q := 1; q <= 4; q++ {
			p := Period{y, q}
			f, l := p.First(), p.Last()
			if f.Hour() != 0 || f.Day() != 1 || int(f.Month()) != 3*q-2 || l.Hour() != 0 || int(l.Month()) != 3*q ||
				l.AddDate(0, 0, 1).Month() == l.Month() {
				t.Fatalf("%v: First %v, Last %v", p, f, l)
			}
			if PeriodOf(f) != p || PeriodOf(l) != p {
				t.Fatalf("PeriodOf(%v) = %v, PeriodOf(%v) = %v; want %v", f, PeriodOf(f), l, PeriodOf(l), p)
			}
		}
	}
}

func TestPeriodOf(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want Period
	}{
		{time.Date(2026, 3, 31, 23, 59, 59, 0, Beijing), Period{2026, 1}},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, Beijing), Period{2026, 2}},
		{time.Date(2026, 12, 31, 12, 0, 0, 0, Beijing), Period{2026, 4}},
		{time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC), Period{2026, 3}},
	} {
		if got := PeriodOf(c.t); got != c.want {
			t.Errorf("PeriodOf(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}

func TestParseSpan(t *testing.T) {
	q := func(y, n int) Period { return Period{y, n} }
	for _, c := range []struct {
		in   string
		want Span
	}{
		{"2026Q3", Span{q(2026, 3), q(2026, 3)}},
		{"2026-Q3", Span{q(2026, 3), q(2026, 3)}},
		{"2026年第三季度", Span{q(2026, 3), q(2026, 3)}},
		{"2026", Span{q(2026, 1), q(2026, 4)}},
		{"２０２６", Span{q(2026, 1), q(2026, 4)}},
		{" 2026 ", Span{q(2026, 1), q(2026, 4)}},
		{"2026Q1-2026Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026Q1..2026Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026Q1~2026Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026Q1至2026Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026Q1 - 2026Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026q1-2026q3", Span{q(2026, 1), q(2026, 3)}},
		{"２０２６Ｑ１－２０２６Ｑ３", Span{q(2026, 1), q(2026, 3)}},
		{"2026Q1-2026-Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026-Q1..2026-Q3", Span{q(2026, 1), q(2026, 3)}},
		{"2026年第一季度-2026年第三季度", Span{q(2026, 1), q(2026, 3)}},
		{"2026年第一季度至2026年第三季度", Span{q(2026, 1), q(2026, 3)}},
		{"2025Q4-2026Q2", Span{q(2025, 4), q(2026, 2)}},
		{"2026Q3-2026Q3", Span{q(2026, 3), q(2026, 3)}},
		{"2026Q1-2026Q4", Span{q(2026, 1), q(2026, 4)}},
	} {
		got, err := ParseSpan(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{
		"", "2026Q3-2026Q1", "2026Q3..2025Q4", "2026Q1-", "-2026Q3", "2026Q1-2026Q5", "2026Q1--2026Q3",
		"1899", "0999", "+999", "202", "20266", "2026Q5", "26Q3", "2026Q1-2027", "2026-2027", "abcd",
	} {
		if got, err := ParseSpan(in); err == nil {
			t.Errorf("ParseSpan(%q) = %v, want an error", in, got)
		}
	}
}

// A range whose first quarter is written "2026-Q1" is cut at its first
// hyphen, so ParseSpan rejects it although both halves are valid periods.
func TestParseSpanHyphenatedFrom(t *testing.T) {
	for _, in := range []string{"2026-Q1-2026-Q3", "2026-Q1-2026Q3"} {
		if got, err := ParseSpan(in); err != nil || got != (Span{Period{2026, 1}, Period{2026, 3}}) {
			t.Errorf("ParseSpan(%q) = %v, %v", in, got, err)
		}
	}
}

func TestSpanString(t *testing.T) {
	q := func(y, n int) Period { return Period{y, n} }
	for _, c := range []struct {
		s    Span
		want string
	}{
		{Span{q(2026, 3), q(2026, 3)}, "2026Q3"},
		{QuarterSpan(q(2026, 2)), "2026Q2"},
		{Span{q(2026, 1), q(2026, 4)}, "2026"},
		{Span{q(2026, 1), q(2026, 3)}, "2026Q1-2026Q3"},
		{Span{q(2026, 2), q(2026, 4)}, "2026Q2-2026Q4"},
		{Span{q(2025, 4), q(2026, 2)}, "2025Q4-2026Q2"},
		{Span{q(2025, 1), q(2026, 4)}, "2025Q1-2026Q4"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.s, got, c.want)
		}
		if back, err := ParseSpan(c.want); err != nil || back != c.s {
			t.Errorf("ParseSpan(%q) = %v, %v; want %#v", c.want, back, err, c.s)
		}
	}
}

func TestQuarters(t *testing.T) {
	q := func(y, n int) Period { return Period{y, n} }
	for _, c := range []struct {
		s    Span
		want []Period
	}{
		{QuarterSpan(q(2026, 3)), []Period{q(2026, 3)}},
		{Span{q(2026, 1), q(2026, 4)}, []Period{q(2026, 1), q(2026, 2), q(2026, 3), q(2026, 4)}},
		{Span{q(2025, 4), q(2026, 2)}, []Period{q(2025, 4), q(2026, 1), q(2026, 2)}},
		{Span{q(2026, 3), q(2026, 1)}, nil},
	} {
		got := c.s.Quarters()
		if len(got) != len(c.want) {
			t.Errorf("%v.Quarters() = %v, want %v", c.s, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%v.Quarters() = %v, want %v", c.s, got, c.want)
				break
			}
		}
		if len(c.want) > 0 && c.s.Len() != len(c.want) {
			t.Errorf("%v.Len() = %d, want %d", c.s, c.s.Len(), len(c.want))
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2026Q3", "2026q3", "2026-Q3", "2026年第三季度", "2026年第3季度", "2026年3季度",
		"２０２６Ｑ３", " 2026 Q3 ", "2026Q5", "2026Q0", "26Q3", "2026年第五季度", "", "1900Q1", "9999Q4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			if p != (Period{}) {
				t.Fatalf("ParsePeriod(%q) = %v with error %v", s, p, err)
			}
			return
		}
		if !p.Valid() {
			t.Fatalf("ParsePeriod(%q) = %#v, not valid", s, p)
		}
		if back, err := ParsePeriod(p.String()); err != nil || back != p {
			t.Fatalf("ParsePeriod(%q) = %v, but %q reads %v, %v", s, p, p.String(), back, err)
		}
		if sp, err := ParseSpan(s); err != nil || sp != QuarterSpan(p) {
			t.Fatalf("ParsePeriod(%q) = %v, but ParseSpan gives %v, %v", s, p, sp, err)
		}
		if p.Next().Prev() != p || PeriodOf(p.First()) != p || PeriodOf(p.Last()) != p {
			t.Fatalf("%v: Next/Prev/First/Last inconsistent", p)
		}
	})
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"2026Q3", "2026", "2026Q1-2026Q3", "2026Q1..2026Q3", "2026Q1~2026Q3", "2026Q1至2026Q3",
		"2026Q3-2026Q1", "2025Q4-2026Q2", "2026年第一季度-2026年第三季度", "1899", "２０２６", "2026-Q1-2026-Q3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpan(s)
		if err != nil {
			return
		}
		if !sp.From.Valid() || !sp.To.Valid() || sp.To.Index() < sp.From.Index() {
			t.Fatalf("ParseSpan(%q) = %#v, not a valid span", s, sp)
		}
		if back, err := ParseSpan(sp.String()); err != nil || back != sp {
			t.Fatalf("ParseSpan(%q) = %#v, but %q reads %#v, %v", s, sp, sp.String(), back, err)
		}
		if qs := sp.Quarters(); len(qs) != sp.Len() || qs[0] != sp.From || qs[len(qs)-1] != sp.To {
			t.Fatalf("ParseSpan(%q) = %v: Quarters/Len inconsistent", s, sp)
		}
	})
}
