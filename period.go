package sgz

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Period is one calendar quarter, the unit of reporting. The zero value is invalid.
type Period struct {
	Year    int
	Quarter int // 1..4
}

// Beijing is the bureau's time zone: receipt times and due dates are read in it.
var Beijing = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func (p Period) Valid() bool {
	return p.Year >= 1900 && p.Year <= 9999 && p.Quarter >= 1 && p.Quarter <= 4
}

// String is the canonical form "2026Q3"; canonical strings sort in time order.
func (p Period) String() string { return fmt.Sprintf("%04dQ%d", p.Year, p.Quarter) }

// Index counts quarters from year 0, so that consecutive quarters differ by one.
func (p Period) Index() int { return p.Year*4 + p.Quarter - 1 }

// PeriodOfIndex is the inverse of Index.
func PeriodOfIndex(i int) Period { return Period{Year: i / 4, Quarter: i%4 + 1} }

func (p Period) Next() Period { return PeriodOfIndex(p.Index() + 1) }
func (p Period) Prev() Period { return PeriodOfIndex(p.Index() - 1) }

// First is the quarter's first day; Last its last day (both at midnight, Beijing time).
func (p Period) First() time.Time {
	return time.Date(p.Year, time.Month(3*(p.Quarter-1)+1), 1, 0, 0, 0, 0, Beijing)
}
func (p Period) Last() time.Time { return p.Next().First().AddDate(0, 0, -1) }

// PeriodOf is the quarter that contains the calendar date of t, read in t's
// own location (cell dates are UTC midnights; convert instants with In(Beijing)).
func PeriodOf(t time.Time) Period { return Period{Year: t.Year(), Quarter: (int(t.Month())-1)/3 + 1} }

var cnQuarter = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

// ParsePeriod reads a quarter as districts write it: 2026Q3, 2026q3, 2026-Q3,
// 2026年第三季度, 2026年第3季度, 2026年3季度 (spaces and full-width digits allowed).
func ParsePeriod(s string) (Period, error) {
	t := normalizeDigits(s)
	t = strings.ToUpper(t)
	bad := fmt.Errorf("invalid period %q", s)
	if len(t) < 6 {
		return Period{}, bad
	}
	year, err := strconv.Atoi(t[:4])
	if err != nil || t[0] == '+' || t[0] == '-' {
		return Period{}, bad
	}
	rest := t[4:]
	var q string
	switch {
	case strings.HasPrefix(rest, "Q"):
		q = rest[1:]
	case strings.HasPrefix(rest, "-Q"):
		q = rest[2:]
	case strings.HasPrefix(rest, "年"):
		r := strings.TrimPrefix(rest, "年")
		r = strings.TrimPrefix(r, "第")
		var ok bool
		if q, ok = strings.CutSuffix(r, "季度"); !ok {
			return Period{}, bad
		}
		n, ok := cnQuarter[q]
		if !ok {
			return Period{}, bad
		}
		q = strconv.Itoa(n)
	default:
		return Period{}, bad
	}
	if len(q) != 1 || q[0] < '1' || q[0] > '4' {
		return Period{}, bad
	}
	p := Period{Year: year, Quarter: int(q[0] - '0')}
	if !p.Valid() {
		return Period{}, bad
	}
	return p, nil
}

// MustPeriod is ParsePeriod for constants in tests and generators.
func MustPeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// normalizeDigits removes every space (ASCII, U+3000, NBSP …) and maps
// full-width digits and letters to ASCII.
func normalizeDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0':
			continue
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'a' + (r - 'ａ')
		case r == '－':
			r = '-'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Span is a run of consecutive quarters: one quarter, a year, or a range.
type Span struct{ From, To Period }

// ParseSpan reads "2026Q3" (a quarter), "2026" (its four quarters) or
// "2026Q1-2026Q3" / "2026Q1..2026Q3" (a range, inclusive).
func ParseSpan(s string) (Span, error) {
	t := normalizeDigits(s)
	if len(t) == 4 {
		y, err := strconv.Atoi(t)
		if err != nil || y < 1900 || t[0] == '+' {
			return Span{}, fmt.Errorf("invalid period %q", s)
		}
		return Span{Period{y, 1}, Period{y, 4}}, nil
	}
	for _, sep := range []string{"..", "~", "至", "-"} {
		// "2026-Q1-2026-Q3": try every place the separator stands.
		found := false
		for i := strings.Index(t, sep); i >= 0; {
			a, b := t[:i], t[i+len(sep):]
			if len(a) >= 6 && len(b) >= 6 {
				found = true
				from, err1 := ParsePeriod(a)
				to, err2 := ParsePeriod(b)
				if err1 == nil && err2 == nil && to.Index() >= from.Index() {
					return Span{from, to}, nil
				}
			}
			j := strings.Index(t[i+len(sep):], sep)
			if j < 0 {
				break
			}
			i += len(sep) + j
		}
		if found {
			return Span{}, fmt.Errorf("invalid period range %q", s)
		}
	}
	p, err := ParsePeriod(t)
	if err != nil {
		return Span{}, err
	}
	return Span{p, p}, nil
}

// QuarterSpan is the span of a single quarter.
func QuarterSpan(p Period) Span { return Span{p, p} }

// String is "2026Q3", "2026" for a whole calendar year, else "2026Q1-2026Q3".
func (s Span) String() string {
	switch {
	case s.From == s.To:
		return s.From.String()
	case s.From.Year == s.To.Year && s.From.Quarter == 1 && s.To.Quarter == 4:
		return strconv.Itoa(s.From.Year)
	}
	return s.From.String() + "-" + s.To.String()
}

// Quarters lists the span's quarters in order.
func (s Span) Quarters() []Period {
	var out []Period
	for i := s.From.Index(); i <= s.To.Index(); i++ {
		out = append(out, PeriodOfIndex(i))
	}
	return out
}

// Len is the number of quarters in the span.
func (s Span) Len() int { return s.To.Index() - s.From.Index() + 1 }
