package value

import (
	"strings"
	"time"
)

// Serial-number limits: both systems span 1900-01-01 (1904-01-01) to
// 9999-12-31, as Excel does.
const (
	maxSerial1900 = 2958465 // 9999-12-31
	maxSerial1904 = 2957003 // 9999-12-31
)

// SerialDate converts the stored value of a date-formatted numeric cell
// (days since the epoch; a fractional time part is ignored) to that day at
// UTC midnight. The value is first rounded to 15 significant digits, as
// Excel shows it, so "45413.999999999996" is 45414.
//
// In the 1900 system serial 1 is 1900-01-01 and Excel counts a fake
// 1900-02-29 as serial 60: serials before it are one day off a plain count,
// and 60 itself is not a real day (ErrNotDate). In the 1904 system
// (date1904) serial 0 is 1904-01-01.
//
// Errors: ErrEmpty, ErrNotDate (not a number, or serial 60),
// ErrOutOfRange (serial < 1 — < 0 for 1904 — or after 9999-12-31:
// > 2958465, > 2957003 for 1904).
func SerialDate(s string, date1904 bool) (time.Time, error) {
	var x decimal
	if _, err := parseNumber(s, &x); err != nil {
		if err == ErrNotNumber {
			err = ErrNotDate
		}
		return time.Time{}, err
	}
	x.round(15)
	if x.neg && x.nd > 0 {
		return time.Time{}, ErrOutOfRange
	}
	if x.dp > 7 {
		return time.Time{}, ErrOutOfRange
	}
	n := 0 // the whole days
	for i := 0; i < x.dp; i++ {
		n *= 10
		if i < x.nd {
			n += int(x.d[i] - '0')
		}
	}
	if date1904 {
		if n > maxSerial1904 {
			return time.Time{}, ErrOutOfRange
		}
		return time.Date(1904, 1, 1+n, 0, 0, 0, 0, time.UTC), nil
	}
	switch {
	case n < 1 || n > maxSerial1900:
		return time.Time{}, ErrOutOfRange
	case n < 60:
		return time.Date(1899, 12, 31+n, 0, 0, 0, 0, time.UTC), nil
	case n == 60:
		return time.Time{}, ErrNotDate // Excel's 1900-02-29, which never was
	}
	return time.Date(1899, 12, 30+n, 0, 0, 0, 0, time.UTC), nil
}

// Date reads a date typed as text, after Clean (full-width digits and
// punctuation, surrounding spaces), and returns it at UTC midnight:
//
//	2024-05-01  2024/5/1  2024.5.1  2024年5月1日   a day
//	2024-05     2024/5    2024.5    2024年5月      the first of the month
//
// Spaces are allowed around the separators and 年月日. A full date may be
// followed by a time, which is checked and ignored: "2024-05-01 10:30",
// "2024/5/1 10:30:00", "2024-05-01T10:30:00.5", "2024年5月1日 10:30".
// The year has four digits. Errors: ErrEmpty; ErrNotDate for anything
// else, including impossible days (2024-02-30); ErrOutOfRange for a
// well-formed date outside the years 1900–9999.
func Date(s string) (time.Time, error) {
	t := Clean(s)
	if t == "" {
		return time.Time{}, ErrEmpty
	}
	y, i := digits(t, 0, 4)
	if i != 4 {
		return time.Time{}, ErrNotDate
	}
	i = skipSpaces(t, i)
	var m, d int
	var j int
	if strings.HasPrefix(t[i:], "年") {
		i = skipSpaces(t, i+len("年"))
		if m, j = digits(t, i, 2); j == i {
			return time.Time{}, ErrNotDate
		}
		i = skipSpaces(t, j)
		if !strings.HasPrefix(t[i:], "月") {
			return time.Time{}, ErrNotDate
		}
		i = skipSpaces(t, i+len("月"))
		if i == len(t) {
			return makeDate(y, m, 1)
		}
		if d, j = digits(t, i, 2); j == i {
			return time.Time{}, ErrNotDate
		}
		i = skipSpaces(t, j)
		if !strings.HasPrefix(t[i:], "日") {
			return time.Time{}, ErrNotDate
		}
		i += len("日")
		if i < len(t) && t[i] != ' ' && !(t[i] >= '0' && t[i] <= '9') {
			return time.Time{}, ErrNotDate
		}
	} else {
		if i == len(t) || (t[i] != '-' && t[i] != '/' && t[i] != '.') {
			return time.Time{}, ErrNotDate
		}
		sep := t[i]
		i = skipSpaces(t, i+1)
		if m, j = digits(t, i, 2); j == i {
			return time.Time{}, ErrNotDate
		}
		i = skipSpaces(t, j)
		if i == len(t) {
			return makeDate(y, m, 1)
		}
		if t[i] != sep {
			return time.Time{}, ErrNotDate
		}
		i = skipSpaces(t, i+1)
		if d, j = digits(t, i, 2); j == i {
			return time.Time{}, ErrNotDate
		}
		i = j
		switch {
		case i == len(t):
		case t[i] == 'T':
			if !isTime(t[i+1:]) {
				return time.Time{}, ErrNotDate
			}
			i = len(t)
		case t[i] != ' ':
			return time.Time{}, ErrNotDate
		}
	}
	if i < len(t) && !isTime(t[skipSpaces(t, i):]) {
		return time.Time{}, ErrNotDate
	}
	return makeDate(y, m, d)
}

// digits reads up to max digits of t from i: their value and the index after.
func digits(t string, i, max int) (int, int) {
	n := 0
	for k := 0; k < max && i < len(t) && t[i] >= '0' && t[i] <= '9'; k++ {
		n = n*10 + int(t[i]-'0')
		i++
	}
	return n, i
}

func skipSpaces(t string, i int) int {
	for i < len(t) && t[i] == ' ' {
		i++
	}
	return i
}

// isTime reports whether t is exactly a time of day: H:MM, H:MM:SS or
// H:MM:SS.fff (hour 0–23).
func isTime(t string) bool {
	h, i := digits(t, 0, 2)
	if i == 0 || h > 23 || i == len(t) || t[i] != ':' {
		return false
	}
	mm, j := digits(t, i+1, 2)
	if j != i+3 || mm > 59 {
		return false
	}
	if j == len(t) {
		return true
	}
	if t[j] != ':' {
		return false
	}
	ss, k := digits(t, j+1, 2)
	if k != j+3 || ss > 59 {
		return false
	}
	if k == len(t) {
		return true
	}
	if t[k] != '.' || k+1 == len(t) {
		return false
	}
	for k++; k < len(t); k++ {
		if t[k] < '0' || t[k] > '9' {
			return false
		}
	}
	return true
}

func makeDate(y, m, d int) (time.Time, error) {
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return time.Time{}, ErrNotDate
	}
	if y < 1900 {
		return time.Time{}, ErrOutOfRange
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
