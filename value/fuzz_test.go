package value

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// checkErr fails unless err is nil or one of the allowed sentinels.
func checkErr(t *testing.T, what string, err error, allowed ...error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, a := range allowed {
		if errors.Is(err, a) {
			return
		}
	}
	t.Fatalf("%s: unexpected error %v", what, err)
}

// fullWidth maps printable ASCII to the full-width forms.
func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '!' && r <= '~' {
			r += 0xFF01 - '!'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// thousands puts separators into the integer part of a formatted number.
func thousands(s, sep string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, dot := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if dot {
		b.WriteString("." + frac)
	}
	return b.String()
}

// formatScaled writes v / 10^scale exactly, e.g. (-12345, 2) → "-123.45".
func formatScaled(v int64, scale int) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if scale > 0 {
		if len(s) <= scale {
			s = strings.Repeat("0", scale-len(s)+1) + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", " １２ ", "\u3000是\u3000", "\u00a01，234\u00a0", "\xff\u3000", "a\u3000b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent: %q → %q → %q", s, c, Clean(c))
		}
		if len(c) > len(s) {
			t.Fatalf("Clean(%q) = %q grew", s, c)
		}
		if Clean(" \u3000"+s+"\u00a0\t") != c {
			t.Fatalf("Clean(%q) depends on surrounding spaces", s)
		}
	})
}

var yesWords = map[string]bool{"是": true, "Y": true, "y": true, "1": true, "√": true, "✓": true, "✔": true,
	"已建": true, "已建成": true, "true": true, "TRUE": true, "有": true,
	"否": false, "N": false, "n": false, "0": false, "×": false, "✗": false, "✘": false,
	"未建": false, "未建成": false, "false": false, "FALSE": false, "无": false}

func FuzzYesNo(f *testing.F) {
	for w := range yesWords {
		f.Add(w)
	}
	for _, s := range []string{"", " 是 ", "Ｙ", "\u3000否", "是的", "True", "yes", "1.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := YesNo(s)
		checkErr(t, "YesNo", err, ErrEmpty, ErrNotYesNo)
		want, listed := yesWords[Clean(s)]
		if (err == nil) != listed || v != want {
			t.Fatalf("YesNo(%q) = %v, %v; listed %v want %v", s, v, err, listed, want)
		}
		if (err == ErrEmpty) != (Clean(s) == "") {
			t.Fatalf("YesNo(%q): ErrEmpty iff blank, got %v", s, err)
		}
		if v2, err2 := YesNo("\u3000 " + s + "\u00a0"); v2 != v || err2 != err {
			t.Fatalf("YesNo(%q) depends on surrounding spaces", s)
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, s := range []string{"320581001001", "45413.5", "3.20581001001E+11", "1,234", "1，234", "１２",
		"－１２", "3.0", "3.000", "1.5E+3", "-7", "+7", "NaN", "Inf", "0x1F", "1_000", "9e15", "9000000000000001",
		"1E+999999999999", "1.0000000000000000000000000000000000000000000001", "12,34", "", " "} {
		f.Add(s, int64(0))
	}
	for _, n := range []int64{0, 1, -1, 999, 1000, -1234567, MaxAbs, -MaxAbs, MaxAbs + 1, math.MinInt64, math.MaxInt64} {
		f.Add("", n)
	}
	f.Fuzz(func(t *testing.T, s string, n int64) {
		v, err := Int(s)
		checkErr(t, "Int", err, ErrEmpty, ErrNotNumber, ErrNotWhole, ErrOutOfRange)
		if err == nil {
			if v > MaxAbs || v < -MaxAbs {
				t.Fatalf("Int(%q) = %d out of range", s, v)
			}
			if d, err := Decimal(s); err != nil || d != float64(v) {
				t.Fatalf("Int(%q) = %d but Decimal = %v, %v", s, v, d, err)
			}
		}
		if sv, serr := Scaled(s, 0, false); sv != v || (serr == ErrTooManyDecimals) != (err == ErrNotWhole) ||
			(serr != ErrTooManyDecimals && serr != err) {
			t.Fatalf("Int(%q) = %d, %v but Scaled(s, 0) = %d, %v", s, v, err, sv, serr)
		}

		ns := strconv.FormatInt(n, 10)
		forms := []string{ns, thousands(ns, ","), thousands(ns, "，"), fullWidth(ns), fullWidth(thousands(ns, ",")),
			" " + ns + "\u3000", ns + ".000", ns + "E0", ns + "0e-1", "\u00a0" + ns + ".0\u00a0"}
		if n >= 0 {
			forms = append(forms, "+"+ns)
		}
		for _, form := range forms {
			got, err := Int(form)
			if n > MaxAbs || n < -MaxAbs {
				if err != ErrOutOfRange {
					t.Fatalf("Int(%q) = %d, %v; want ErrOutOfRange", form, got, err)
				}
			} else if err != nil || got != n {
				t.Fatalf("Int(%q) = %d, %v; want %d", form, got, err, n)
			}
		}
		if n > -MaxAbs && n < MaxAbs {
			if _, err := Int(ns + ".5"); err != ErrNotWhole {
				t.Fatalf("Int(%q.5) error %v, want ErrNotWhole", ns, err)
			}
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"7.5", "1,234.25", "１，２３４．２５", "1e400", "1e-400", "NaN", "-0", "+.5", "5."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Decimal(s)
		checkErr(t, "Decimal", err, ErrEmpty, ErrNotNumber, ErrOutOfRange)
		if err != nil {
			return
		}
		if math.IsNaN(d) || math.IsInf(d, 0) {
			t.Fatalf("Decimal(%q) = %v", s, d)
		}
		want, perr := strconv.ParseFloat(strings.ReplaceAll(Clean(s), ",", ""), 64)
		if perr != nil || want != d {
			t.Fatalf("Decimal(%q) = %v, ParseFloat says %v, %v", s, d, want, perr)
		}
		if _, err := Int(s); err == ErrNotNumber || err == ErrEmpty {
			t.Fatalf("Decimal(%q) ok but Int says %v", s, err)
		}
	})
}

func FuzzScaled(f *testing.F) {
	for _, s := range []string{"12.34", "12.3456", "12.34567", "0.30000000000000004", "12.340000000000002",
		"1,234.5", "１，２３４．５", "-12.34", "1.5E+3", "0.1234499999999999", "99999.99999999999999", "900000000000.0001", ""} {
		f.Add(s, uint8(4), true, int64(0))
		f.Add(s, uint8(4), false, int64(0))
	}
	for _, n := range []int64{1, -1, 3000, 123400, 1234567, 999999999999999, 1e15, MaxAbs, MaxAbs + 1, math.MinInt64} {
		f.Add("", uint8(4), true, n)
		f.Add("", uint8(0), false, n)
	}
	f.Fuzz(func(t *testing.T, s string, sc uint8, num bool, n int64) {
		scale := int(sc % 10)
		v, err := Scaled(s, scale, num)
		checkErr(t, "Scaled", err, ErrEmpty, ErrNotNumber, ErrTooManyDecimals, ErrOutOfRange)
		if err == nil {
			if v > MaxAbs || v < -MaxAbs {
				t.Fatalf("Scaled(%q) = %d out of range", s, v)
			}
			text := formatScaled(v, scale)
			if got, err := Scaled(text, scale, false); err != nil || got != v {
				t.Fatalf("Scaled(%q, %d, %v) = %d, but its formatting %q reads %d, %v", s, scale, num, v, text, got, err)
			}
			if v < 1e15 && v > -1e15 {
				if got, err := Scaled(text, scale, true); err != nil || got != v {
					t.Fatalf("Scaled(%q, %d, true) = %d, %v; want %d", text, scale, got, err, v)
				}
			}
			if !num && scale < 9 && v < MaxAbs/10 && v > -MaxAbs/10 {
				if got, err := Scaled(s, scale+1, false); err != nil || got != 10*v {
					t.Fatalf("Scaled(%q, %d) = %d but at scale+1 %d, %v", s, scale, v, got, err)
				}
			}
		}

		text := formatScaled(n, scale)
		padded := text + ".0"
		if scale > 0 {
			padded = text + "0"
		}
		for _, form := range []string{text, thousands(text, ","), fullWidth(thousands(text, "，")), " " + padded + " "} {
			got, err := Scaled(form, scale, false)
			if n > MaxAbs || n < -MaxAbs {
				if err != ErrOutOfRange {
					t.Fatalf("Scaled(%q, %d) = %d, %v; want ErrOutOfRange", form, scale, got, err)
				}
			} else if err != nil || got != n {
				t.Fatalf("Scaled(%q, %d) = %d, %v; want %d", form, scale, got, err, n)
			}
		}
		if n < 1e15 && n > -1e15 {
			// A numeric cell holding n / 10^scale, stored as Go (and Excel) print floats.
			fl := float64(n) / math.Pow10(scale)
			for _, form := range []string{strconv.FormatFloat(fl, 'g', -1, 64), strconv.FormatFloat(fl, 'E', 16, 64),
				strconv.FormatFloat(fl, 'f', -1, 64)} {
				if got, err := Scaled(form, scale, true); err != nil || got != n {
					t.Fatalf("Scaled(%q, %d, true) = %d, %v; want %d", form, scale, got, err, n)
				}
			}
			if _, err := Scaled(text+"1", scale, false); err != ErrTooManyDecimals && scale > 0 {
				t.Fatalf("Scaled(%q1, %d) error %v, want ErrTooManyDecimals", text, scale, err)
			}
		}
	})
}

var (
	minDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

func checkDay(t *testing.T, what string, d time.Time) {
	t.Helper()
	if d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
		t.Fatalf("%s = %v, not UTC midnight", what, d)
	}
	if d.Before(minDate) || d.After(maxDate) {
		t.Fatalf("%s = %v, out of range", what, d)
	}
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-05-01", "2024/5/1", "2024.5.1", "2024年5月1日", "2024年5月", "2024-05", "2024/5",
		"2024.5", "２０２４－０５－０１", "2024-05-01 10:30", "2024/5/1 10:30:00", "2024-02-30", "2024-05-01T",
		"1899-12-31", "", "abc", "2024年5月1日 10:30"} {
		f.Add(s, uint16(2024), uint8(5), uint8(1))
	}
	f.Add("", uint16(2023), uint8(2), uint8(29))
	f.Add("", uint16(2000), uint8(2), uint8(29))
	f.Fuzz(func(t *testing.T, s string, yy uint16, mm, dd uint8) {
		d, err := Date(s)
		checkErr(t, "Date", err, ErrEmpty, ErrNotDate, ErrOutOfRange)
		if err == nil {
			checkDay(t, "Date("+strconv.Quote(s)+")", d)
			for _, layout := range []string{"2006-01-02", "2006/1/2", "2006.1.2", "2006年1月2日", "2006-01-02 15:04:05"} {
				if d2, err := Date(d.Format(layout)); err != nil || !d2.Equal(d) {
					t.Fatalf("Date(%q) = %v but %q reads %v, %v", s, d, d.Format(layout), d2, err)
				}
			}
		}

		y, m, day := 1900+int(yy)%8100, 1+int(mm)%13, 1+int(dd)%32
		want := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
		real := m <= 12 && want.Day() == day
		ys, ms, ds := strconv.Itoa(y), strconv.Itoa(m), strconv.Itoa(day)
		for _, form := range []string{ys + "-" + ms + "-" + ds, ys + "/" + ms + "/" + ds, ys + "." + ms + "." + ds,
			ys + "年" + ms + "月" + ds + "日", fullWidth(ys + "-" + ms + "-" + ds), " " + ys + "/" + ms + "/" + ds + " 23:59:59 "} {
			got, err := Date(form)
			if real && (err != nil || !got.Equal(want)) {
				t.Fatalf("Date(%q) = %v, %v; want %v", form, got, err, want)
			}
			if !real && err != ErrNotDate {
				t.Fatalf("Date(%q) = %v, %v; want ErrNotDate", form, got, err)
			}
		}
		if m <= 12 {
			first := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
			for _, form := range []string{ys + "-" + ms, ys + "年" + ms + "月", ys + "." + ms} {
				if got, err := Date(form); err != nil || !got.Equal(first) {
					t.Fatalf("Date(%q) = %v, %v; want %v", form, got, err, first)
				}
			}
		}
	})
}

func FuzzSerialDate(f *testing.F) {
	for _, s := range []string{"1", "59", "60", "61", "45413", "45413.5", "45413.999999999996", "4.5413E+4", "0",
		"-1", "2958465", "2958466", "2957003", "", "abc", "1e300"} {
		f.Add(s, false, int32(0))
		f.Add(s, true, int32(0))
	}
	for _, n := range []int32{1, 59, 60, 61, 1462, 45413, 2957003, 2958465, 2958466, -5} {
		f.Add("", false, n)
	}
	anchor := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) // serial 45413 (1900), 43951 (1904)
	f.Fuzz(func(t *testing.T, s string, d1904 bool, n int32) {
		d, err := SerialDate(s, d1904)
		checkErr(t, "SerialDate", err, ErrEmpty, ErrNotDate, ErrOutOfRange)
		if err == nil {
			checkDay(t, "SerialDate("+strconv.Quote(s)+")", d)
			if d1904 && d.Year() < 1904 {
				t.Fatalf("SerialDate(%q, true) = %v", s, d)
			}
		}

		ns := strconv.Itoa(int(n))
		got, err := SerialDate(ns, false)
		switch {
		case n < 1 || n > 2958465:
			if err != ErrOutOfRange {
				t.Fatalf("SerialDate(%d) = %v, %v; want ErrOutOfRange", n, got, err)
			}
		case n == 60:
			if err != ErrNotDate {
				t.Fatalf("SerialDate(60) = %v, %v; want ErrNotDate", got, err)
			}
		default:
			want := anchor.AddDate(0, 0, int(n)-45413)
			if n < 60 {
				want = want.AddDate(0, 0, 1) // before Excel's fake 1900-02-29
			}
			if err != nil || !got.Equal(want) {
				t.Fatalf("SerialDate(%d) = %v, %v; want %v", n, got, err, want)
			}
			if g2, err := SerialDate(ns+".75", false); err != nil || !g2.Equal(got) {
				t.Fatalf("SerialDate(%d.75) = %v, %v; want %v", n, g2, err, got)
			}
			if n >= 1462 {
				if g2, err := SerialDate(strconv.Itoa(int(n)-1462), true); err != nil || !g2.Equal(got) {
					t.Fatalf("SerialDate(%d, 1904) = %v, %v; want %v", n-1462, g2, err, got)
				}
			}
		}
		if n >= 0 && n <= 2957003 {
			want := anchor.AddDate(0, 0, int(n)-43951)
			if got, err := SerialDate(ns, true); err != nil || !got.Equal(want) {
				t.Fatalf("SerialDate(%d, 1904) = %v, %v; want %v", n, got, err, want)
			}
		}
	})
}

func FuzzCode(f *testing.F) {
	for _, s := range []string{"320581", "320581001", "320581001001", "320581001.0", "3.20581001001E+11",
		"3.20581001001e11", "3.20581E+11", "'320581", "３２０５８１", " 320581 ", "0E5", "1E+999999999999",
		"320581001.5", "-320581", "", "'"} {
		f.Add(s, uint64(0))
	}
	for _, n := range []uint64{320581001001, 320581000000, 320581, 100000000000, 999999999999} {
		f.Add("", n)
	}
	f.Fuzz(func(t *testing.T, s string, n uint64) {
		c, err := Code(s)
		checkErr(t, "Code", err, ErrEmpty, ErrBadCode, ErrCodePrecision)
		if err == nil {
			if !isDigits(c) {
				t.Fatalf("Code(%q) = %q, not digits", s, c)
			}
			if c2, err := Code(c); err != nil || c2 != c {
				t.Fatalf("Code(%q) = %q, which reads %q, %v", s, c, c2, err)
			}
		} else if c != "" {
			t.Fatalf("Code(%q) = %q with error %v", s, c, err)
		}
		if plain := strings.Trim(s, " "); isDigits(plain) && (err != nil || c != plain) {
			t.Fatalf("Code(%q) = %q, %v; want %q", s, c, err, plain)
		}

		n %= 1_000_000_000_000
		ns := strconv.FormatUint(n, 10)
		for _, form := range []string{ns, ns + ".0", "'" + ns, fullWidth(ns), "\u3000" + ns + " "} {
			if got, err := Code(form); err != nil || got != ns {
				t.Fatalf("Code(%q) = %q, %v; want %q", form, got, err, ns)
			}
		}
		// The number as a numeric cell in scientific notation: exact with all digits…
		sci := strconv.FormatFloat(float64(n), 'E', len(ns)-1, 64)
		if got, err := Code(sci); err != nil || got != ns {
			t.Fatalf("Code(%q) = %q, %v; want %q", sci, got, err, ns)
		}
		// … and precision lost when the shortest form drops trailing zeros.
		short := strconv.FormatFloat(float64(n), 'E', -1, 64)
		got, err := Code(short)
		if strings.HasSuffix(ns, "0") && n != 0 {
			if err != ErrCodePrecision {
				t.Fatalf("Code(%q) = %q, %v; want ErrCodePrecision", short, got, err)
			}
		} else if err != nil || got != ns {
			t.Fatalf("Code(%q) = %q, %v; want %q", short, got, err, ns)
		}
	})
}
