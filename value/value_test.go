package value

import (
	"errors"
	"testing"
	"time"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"  12 \t\r\n", "12"},
		{"\u3000１２\u3000", "12"},
		{"\u00a0 12\u00a0", "12"},
		{"\ufeff\u200b12\u2003", "12"},
		{"１，２３４．５", "1,234.5"},
		{"－３", "-3"},
		{"＋３", "+3"},
		{"\u22123", "-3"},
		{"Ｙ", "Y"},
		{"ｔｒｕｅ", "true"},
		{"2024年\u30005月", "2024年 5月"},
		{"是", "是"},
		{"１０：３０", "10:30"},
		{"\xff１", "\xff1"},
		{"\u3000", ""},
	} {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanNoAlloc(t *testing.T) {
	for _, s := range []string{"1234", " 1,234 ", "2024年5月1日", "320581001001", "是"} {
		if n := testing.AllocsPerRun(100, func() { Clean(s) }); n != 0 {
			t.Errorf("Clean(%q) allocates %v times", s, n)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	for name, f := range map[string]func(){
		"Int":        func() { Int("1,234") },
		"IntSci":     func() { Int("3.20581001001E+11") },
		"Decimal":    func() { Decimal("12.5") },
		"Scaled":     func() { Scaled("12.340000000000002", 4, true) },
		"Code":       func() { Code("320581001001") },
		"CodeDot":    func() { Code("320581001.0") },
		"Date":       func() { Date("2024-05-01 10:30") },
		"DateCN":     func() { Date("2024年5月1日") },
		"SerialDate": func() { SerialDate("45413.5", false) },
		"YesNo":      func() { YesNo(" 是 ") },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}

func TestYesNo(t *testing.T) {
	yes := []string{"是", "Y", "y", "1", "√", "✓", "✔", "已建", "已建成", "true", "TRUE", "有",
		" 是 ", "\u3000是\u3000", "\u00a0Y\u00a0", "Ｙ", "１", "ｔｒｕｅ"}
	no := []string{"否", "N", "n", "0", "×", "✗", "✘", "未建", "未建成", "false", "FALSE", "无",
		" 否", "\tN\n", "０", "ｎ"}
	for _, s := range yes {
		if v, err := YesNo(s); err != nil || !v {
			t.Errorf("YesNo(%q) = %v, %v; want true", s, v, err)
		}
	}
	for _, s := range no {
		if v, err := YesNo(s); err != nil || v {
			t.Errorf("YesNo(%q) = %v, %v; want false", s, v, err)
		}
	}
	for s, want := range map[string]error{
		"": ErrEmpty, "  ": ErrEmpty, "\u3000": ErrEmpty,
		"是的": ErrNotYesNo, "Yes": ErrNotYesNo, "True": ErrNotYesNo, "1.0": ErrNotYesNo,
		"2": ErrNotYesNo, "x": ErrNotYesNo, "是否": ErrNotYesNo, "Y N": ErrNotYesNo, "已": ErrNotYesNo,
	} {
		if _, err := YesNo(s); err != want {
			t.Errorf("YesNo(%q) error = %v, want %v", s, err, want)
		}
	}
}

func TestInt(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"42", 42, nil},
		{"320581001001", 320581001001, nil},
		{"-7", -7, nil},
		{"+7", 7, nil},
		{"-0", 0, nil},
		{"007", 7, nil},
		{" 12 ", 12, nil},
		{"\u300012\u00a0", 12, nil},
		{"１２", 12, nil},
		{"－１２", -12, nil},
		{"＋１２", 12, nil},
		{"1,234", 1234, nil},
		{"1,234,567", 1234567, nil},
		{"-1,234", -1234, nil},
		{"1，234", 1234, nil},
		{"１，２３４，５６７", 1234567, nil},
		{"1,234.000", 1234, nil},
		{"3.0", 3, nil},
		{"3.000", 3, nil},
		{"３．０", 3, nil},
		{"3.", 3, nil},
		{"1.5E+3", 1500, nil},
		{"1.5e3", 1500, nil},
		{"15E-1", 0, ErrNotWhole},
		{"150E-1", 15, nil},
		{"3.20581001001E+11", 320581001001, nil},
		{"0E+999999999999", 0, nil},
		{"9000000000000000", 9e15, nil},
		{"-9000000000000000", -9e15, nil},
		{"9e15", 9e15, nil},
		{"9000000000000001", 0, ErrOutOfRange},
		{"-9000000000000001", 0, ErrOutOfRange},
		{"1e16", 0, ErrOutOfRange},
		{"99999999999999999999", 0, ErrOutOfRange},
		{"1E+999999999999", 0, ErrOutOfRange},
		{"1E-999999999999", 0, ErrNotWhole},
		{"45413.5", 0, ErrNotWhole},
		{"3.1", 0, ErrNotWhole},
		{"0.5", 0, ErrNotWhole},
		{".5", 0, ErrNotWhole},
		{"1.0000000000000000000000000000000000000000000001", 0, ErrNotWhole},
		{"", 0, ErrEmpty},
		{"   ", 0, ErrEmpty},
		{"\u3000", 0, ErrEmpty},
		{"abc", 0, ErrNotNumber},
		{"NaN", 0, ErrNotNumber},
		{"Inf", 0, ErrNotNumber},
		{"-Infinity", 0, ErrNotNumber},
		{"0x1F", 0, ErrNotNumber},
		{"1_000", 0, ErrNotNumber},
		{"1 000", 0, ErrNotNumber},
		{"12,34", 0, ErrNotNumber},
		{"1234,567", 0, ErrNotNumber},
		{",123", 0, ErrNotNumber},
		{"1,,234", 0, ErrNotNumber},
		{"1,234,", 0, ErrNotNumber},
		{"1,234.5,6", 0, ErrNotNumber},
		{"1,234E3", 0, ErrNotNumber},
		{"1.2.3", 0, ErrNotNumber},
		{"--1", 0, ErrNotNumber},
		{"+-1", 0, ErrNotNumber},
		{"-", 0, ErrNotNumber},
		{".", 0, ErrNotNumber},
		{"1e", 0, ErrNotNumber},
		{"1e+", 0, ErrNotNumber},
		{"e5", 0, ErrNotNumber},
		{"12%", 0, ErrNotNumber},
		{"十二", 0, ErrNotNumber},
		{"1 2", 0, ErrNotNumber},
	} {
		got, err := Int(c.in)
		if err != c.err || got != c.want {
			t.Errorf("Int(%q) = %d, %v; want %d, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestDecimal(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		err  error
	}{
		{"7.5", 7.5, nil},
		{"-7.5", -7.5, nil},
		{"+.5", 0.5, nil},
		{"1,234.25", 1234.25, nil},
		{"１，２３４．２５", 1234.25, nil},
		{"1.5E+3", 1500, nil},
		{"0.30000000000000004", 0.30000000000000004, nil},
		{"1e-400", 0, nil},
		{" 8 ", 8, nil},
		{"1e400", 0, ErrOutOfRange},
		{"", 0, ErrEmpty},
		{"NaN", 0, ErrNotNumber},
		{"inf", 0, ErrNotNumber},
		{"+Inf", 0, ErrNotNumber},
		{"0x10", 0, ErrNotNumber},
		{"1_0", 0, ErrNotNumber},
		{"1,5", 0, ErrNotNumber},
		{"h", 0, ErrNotNumber},
	} {
		got, err := Decimal(c.in)
		if err != c.err || got != c.want {
			t.Errorf("Decimal(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestScaled(t *testing.T) {
	for _, c := range []struct {
		in    string
		scale int
		num   bool
		want  int64
		err   error
	}{
		{"12.34", 4, false, 123400, nil},
		{"12.3456", 4, false, 123456, nil},
		{"12.34560", 4, false, 123456, nil},
		{"0", 4, false, 0, nil},
		{"100", 4, false, 1000000, nil},
		{"1,234.5", 4, false, 12345000, nil},
		{"１，２３４．５", 4, false, 12345000, nil},
		{"-12.34", 4, false, -123400, nil},
		{"－0.0001", 4, false, -1, nil},
		{"1.5E+3", 4, false, 15000000, nil},
		{"1.2345E-1", 4, false, 1235 - 1, ErrTooManyDecimals},
		{"12.34567", 4, false, 0, ErrTooManyDecimals},
		{"12.34567", 4, true, 0, ErrTooManyDecimals},
		{"0.00001", 4, false, 0, ErrTooManyDecimals},
		{"0.30000000000000004", 4, false, 0, ErrTooManyDecimals},
		{"0.30000000000000004", 4, true, 3000, nil},
		{"12.340000000000002", 4, true, 123400, nil},
		{"12.339999999999998", 4, true, 123400, nil},
		{"0.1234499999999999", 4, true, 0, ErrTooManyDecimals}, // 0.123450000000000 → 5 decimals
		{"99999.99999999999999", 4, true, 1000000000, nil},
		{"3.20581001001E+11", 4, true, 3205810010010000, nil},
		{"5", 0, false, 5, nil},
		{"5.5", 0, false, 0, ErrTooManyDecimals},
		{"1.23", 2, false, 123, nil},
		{"900000000000", 4, false, 9e15, nil},
		{"900000000000.0001", 4, false, 0, ErrOutOfRange},
		{"1e20", 4, false, 0, ErrOutOfRange},
		{"1", -1, false, 0, ErrOutOfRange},
		{"1", 17, false, 0, ErrOutOfRange},
		{"", 4, true, 0, ErrEmpty},
		{"abc", 4, true, 0, ErrNotNumber},
		{"NaN", 4, true, 0, ErrNotNumber},
		{"12.34万", 4, false, 0, ErrNotNumber},
	} {
		if c.err != nil {
			c.want = 0
		}
		got, err := Scaled(c.in, c.scale, c.num)
		if err != c.err || got != c.want {
			t.Errorf("Scaled(%q, %d, %v) = %d, %v; want %d, %v", c.in, c.scale, c.num, got, err, c.want, c.err)
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestSerialDate(t *testing.T) {
	for _, c := range []struct {
		in    string
		d1904 bool
		want  time.Time
		err   error
	}{
		{"1", false, day(1900, 1, 1), nil},
		{"59", false, day(1900, 2, 28), nil},
		{"60", false, time.Time{}, ErrNotDate},
		{"61", false, day(1900, 3, 1), nil},
		{"45413", false, day(2024, 5, 1), nil},
		{"45413.5", false, day(2024, 5, 1), nil},
		{"45413.99999", false, day(2024, 5, 1), nil},
		{"45413.999999999996", false, day(2024, 5, 2), nil}, // rounds to 15 digits first
		{"4.5413E+4", false, day(2024, 5, 1), nil},
		{" 45413 ", false, day(2024, 5, 1), nil},
		{"４５４１３", false, day(2024, 5, 1), nil},
		{"2958465", false, day(9999, 12, 31), nil},
		{"2958465.9", false, day(9999, 12, 31), nil},
		{"0", true, day(1904, 1, 1), nil},
		{"43951", true, day(2024, 5, 1), nil},
		{"2957003", true, day(9999, 12, 31), nil},
		{"0", false, time.Time{}, ErrOutOfRange},
		{"0.5", false, time.Time{}, ErrOutOfRange},
		{"-1", false, time.Time{}, ErrOutOfRange},
		{"-1", true, time.Time{}, ErrOutOfRange},
		{"-0.5", true, time.Time{}, ErrOutOfRange},
		{"2958466", false, time.Time{}, ErrOutOfRange},
		{"2957004", true, time.Time{}, ErrOutOfRange},
		{"1e300", false, time.Time{}, ErrOutOfRange},
		{"", false, time.Time{}, ErrEmpty},
		{"2024-05-01", false, time.Time{}, ErrNotDate},
		{"abc", false, time.Time{}, ErrNotDate},
		{"NaN", false, time.Time{}, ErrNotDate},
	} {
		got, err := SerialDate(c.in, c.d1904)
		if err != c.err || !got.Equal(c.want) || (err == nil && got.Location() != time.UTC) {
			t.Errorf("SerialDate(%q, %v) = %v, %v; want %v, %v", c.in, c.d1904, got, err, c.want, c.err)
		}
	}
}

func TestDate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		err  error
	}{
		{"2024-05-01", day(2024, 5, 1), nil},
		{"2024/5/1", day(2024, 5, 1), nil},
		{"2024.5.1", day(2024, 5, 1), nil},
		{"2024年5月1日", day(2024, 5, 1), nil},
		{"2024年05月01日", day(2024, 5, 1), nil},
		{"2024-5-1", day(2024, 5, 1), nil},
		{"2024/05/01", day(2024, 5, 1), nil},
		{"2024年5月", day(2024, 5, 1), nil},
		{"2024-05", day(2024, 5, 1), nil},
		{"2024/5", day(2024, 5, 1), nil},
		{"2024.5", day(2024, 5, 1), nil},
		{"2024.12", day(2024, 12, 1), nil},
		{"２０２４－０５－０１", day(2024, 5, 1), nil},
		{"２０２４年５月１日", day(2024, 5, 1), nil},
		{"２０２４．５．１", day(2024, 5, 1), nil},
		{"  2024-05-01\u3000", day(2024, 5, 1), nil},
		{"\u00a02024年5月1日\u00a0", day(2024, 5, 1), nil},
		{"2024 年 5 月 1 日", day(2024, 5, 1), nil},
		{"2024年\u30005月\u30001日", day(2024, 5, 1), nil},
		{"2024 - 05 - 01", day(2024, 5, 1), nil},
		{"2024-05-01 10:30", day(2024, 5, 1), nil},
		{"2024/5/1 10:30:00", day(2024, 5, 1), nil},
		{"2024/5/1  0:00", day(2024, 5, 1), nil},
		{"2024-05-01T10:30:00", day(2024, 5, 1), nil},
		{"2024-05-01 10:30:00.123", day(2024, 5, 1), nil},
		{"2024-05-01\u300010：30", day(2024, 5, 1), nil},
		{"2024年5月1日 10:30", day(2024, 5, 1), nil},
		{"2024年5月1日10:30", day(2024, 5, 1), nil},
		{"2024-02-29", day(2024, 2, 29), nil},
		{"2000-02-29", day(2000, 2, 29), nil},
		{"1900-01-01", day(1900, 1, 1), nil},
		{"9999-12-31", day(9999, 12, 31), nil},
		{"2024-02-30", time.Time{}, ErrNotDate},
		{"2023-02-29", time.Time{}, ErrNotDate},
		{"1900-02-29", time.Time{}, ErrNotDate},
		{"2024-04-31", time.Time{}, ErrNotDate},
		{"2024-13-01", time.Time{}, ErrNotDate},
		{"2024-00-01", time.Time{}, ErrNotDate},
		{"2024-05-00", time.Time{}, ErrNotDate},
		{"2024-05-32", time.Time{}, ErrNotDate},
		{"2024年13月", time.Time{}, ErrNotDate},
		{"2024年5月1", time.Time{}, ErrNotDate},
		{"2024年5", time.Time{}, ErrNotDate},
		{"2024年", time.Time{}, ErrNotDate},
		{"2024年5月1日日", time.Time{}, ErrNotDate},
		{"2024年5月1号", time.Time{}, ErrNotDate},
		{"2024-05/01", time.Time{}, ErrNotDate},
		{"2024-05-", time.Time{}, ErrNotDate},
		{"2024-", time.Time{}, ErrNotDate},
		{"2024-005-01", time.Time{}, ErrNotDate},
		{"2024-05-001", time.Time{}, ErrNotDate},
		{"2024-05-01-", time.Time{}, ErrNotDate},
		{"2024-05-01T", time.Time{}, ErrNotDate},
		{"2024-05-01 ", day(2024, 5, 1), nil},
		{"2024-05-01 25:00", time.Time{}, ErrNotDate},
		{"2024-05-01 10:60", time.Time{}, ErrNotDate},
		{"2024-05-01 10:3", time.Time{}, ErrNotDate},
		{"2024-05-01 10", time.Time{}, ErrNotDate},
		{"2024-05-01 10:30:", time.Time{}, ErrNotDate},
		{"2024-05-01 10:30:00.", time.Time{}, ErrNotDate},
		{"2024-05-01 abc", time.Time{}, ErrNotDate},
		{"2024-05 10:30", time.Time{}, ErrNotDate},
		{"2024年5月 10:30", time.Time{}, ErrNotDate},
		{"24-05-01", time.Time{}, ErrNotDate},
		{"20240501", time.Time{}, ErrNotDate},
		{"2024", time.Time{}, ErrNotDate},
		{"45413", time.Time{}, ErrNotDate},
		{"05/01/2024", time.Time{}, ErrNotDate},
		{"May 1, 2024", time.Time{}, ErrNotDate},
		{"2024 05 01", time.Time{}, ErrNotDate},
		{"1899-12-31", time.Time{}, ErrOutOfRange},
		{"0000-01-01", time.Time{}, ErrOutOfRange},
		{"", time.Time{}, ErrEmpty},
		{" \u3000 ", time.Time{}, ErrEmpty},
	} {
		got, err := Date(c.in)
		if err != c.err || !got.Equal(c.want) || (err == nil && got.Location() != time.UTC) {
			t.Errorf("Date(%q) = %v, %v; want %v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestCode(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      error
	}{
		{"320581", "320581", nil},
		{"320581001", "320581001", nil},
		{"320581001001", "320581001001", nil},
		{"320581001.0", "320581001", nil},
		{"320581001001.00", "320581001001", nil},
		{"3.20581001001E+11", "320581001001", nil},
		{"3.20581001001e11", "320581001001", nil},
		{"3.20581001001E11", "320581001001", nil},
		{"3.205810010010E+11", "320581001001", nil},
		{"3.20581000000E+11", "320581000000", nil},
		{"3.20581001E+8", "320581001", nil},
		{"32058100.1e1", "320581001", nil},
		{"320581001001E0", "320581001001", nil},
		{"0.320581E6", "320581", nil},
		{"3205810010010E-1", "320581001001", nil},
		{"'320581", "320581", nil},
		{"’320581", "320581", nil},
		{"‘320581", "320581", nil},
		{"＇320581", "320581", nil},
		{"３２０５８１", "320581", nil},
		{" 320581 ", "320581", nil},
		{"\u3000320581001\u00a0", "320581001", nil},
		{"0320581", "0320581", nil},
		{"0E5", "0", nil},
		{"3.20581E+11", "", ErrCodePrecision},
		{"3.2058100100E+11", "", ErrCodePrecision},
		{"1E+30", "", ErrCodePrecision},
		{"3.2E+999999999999", "", ErrCodePrecision},
		{"3.205810010015E+11", "", ErrBadCode},
		{"3.2E-1", "", ErrBadCode},
		{"3205810010015E-1", "", ErrBadCode},
		{"320581001.5", "", ErrBadCode},
		{"320581.", "", ErrBadCode},
		{".320581", "", ErrBadCode},
		{"-320581", "", ErrBadCode},
		{"+320581", "", ErrBadCode},
		{"320,581", "", ErrBadCode},
		{"3205 81", "", ErrBadCode},
		{"32058a", "", ErrBadCode},
		{"3.2E", "", ErrBadCode},
		{"3.2E+", "", ErrBadCode},
		{"3.2E+1x", "", ErrBadCode},
		{"3.2.1", "", ErrBadCode},
		{"E5", "", ErrBadCode},
		{"''320581", "", ErrBadCode},
		{"abc", "", ErrBadCode},
		{"", "", ErrEmpty},
		{"  ", "", ErrEmpty},
		{"'", "", ErrEmpty},
	} {
		got, err := Code(c.in)
		if err != c.err || got != c.want {
			t.Errorf("Code(%q) = %q, %v; want %q, %v", c.in, got, err, c.want, c.err)
		}
	}
}

// The parsers report errors only as the sentinels themselves.
func TestErrorsAreSentinels(t *testing.T) {
	if !errors.Is(ErrNotWhole, ErrNotWhole) || errors.Is(ErrNotWhole, ErrNotNumber) {
		t.Fatal("sentinels must be distinct")
	}
}
