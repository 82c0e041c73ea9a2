package metrics

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/store"
)

// openDB opens a fresh database file in a temporary directory.
func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t testing.TB, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}

// regUnit inserts one registry row, deriving the ancestors from the code.
func regUnit(t testing.TB, db *store.DB, ver, code, name string, inScope bool, pop int64) {
	t.Helper()
	level := sgz.LevelOfCode(code)
	var parent, city, district, town any
	switch level {
	case sgz.District:
		parent, city = code[:4], code[:4]
	case sgz.Town:
		parent, city, district = code[:6], code[:4], code[:6]
	case sgz.Village:
		parent, city, district, town = code[:9], code[:4], code[:6], code[:9]
	}
	var p any
	if pop > 0 {
		p = pop
	}
	mustExec(t, db, `INSERT INTO registry_units VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)`,
		ver, code, name, string(level), parent, inScope, p, city, district, town)
}

type station struct {
	town                       string
	built, std                 bool
	res, resCert, out, outCert int
	fund                       bool
}

type room struct {
	village     string
	built, fund bool
}

type fund struct {
	unit, category string
	amount         string // decimal text
}

type training struct {
	hours        float64
	participants int
}

type ret struct {
	id          int64
	district    string
	period      string
	received    string // Beijing wall time
	status      string // accepted (default) | rejected
	sentBack    bool
	stations    []station
	rooms       []room
	funds       []fund
	trainings   []training
	certified   int
	noWorkforce bool
}

func insertReturn(t testing.TB, db *store.DB, r ret) {
	t.Helper()
	status := r.status
	if status == "" {
		status = "accepted"
	}
	var sentBack any
	if r.sentBack {
		sentBack = "2026-12-01 09:00:00"
	}
	mustExec(t, db, `INSERT INTO returns VALUES (?, ?, ?, 100, ?::TIMESTAMP, ?, 'cli', ?, NULL, ?, NULL, NULL, NULL, 0, 0, ?::TIMESTAMP, NULL)`,
		r.id, fmt.Sprintf("%s-%s-%d.xlsx", r.district, r.period, r.id), fmt.Sprintf("%064x", r.id), r.received, status,
		r.district, r.period, sentBack)
	for i, s := range r.stations {
		mustExec(t, db, `INSERT INTO stations VALUES (?, ?, ?, NULL, ?, NULL, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
			r.id, i+5, s.town, s.built, s.std, s.res, s.resCert, s.out, s.outCert, s.fund)
	}
	for i, x := range r.rooms {
		mustExec(t, db, `INSERT INTO rooms VALUES (?, ?, ?, NULL, ?, NULL, ?)`, r.id, i+5, x.village, x.built, x.fund)
	}
	for i, f := range r.funds {
		mustExec(t, db, `INSERT INTO funds VALUES (?, ?, ?, ?, ?::DECIMAL(18,4), NULL)`, r.id, i+5, f.unit, f.category, f.amount)
	}
	for i, tr := range r.trainings {
		mustExec(t, db, `INSERT INTO trainings VALUES (?, ?, 'T', NULL, ?, ?, NULL, NULL)`, r.id, i+5, tr.hours, tr.participants)
	}
	if status == "accepted" && !r.noWorkforce {
		mustExec(t, db, `INSERT INTO workforce VALUES (?, ?, 0, 0, 0, 0, 0, 0)`, r.id, r.certified)
	}
}

// fixture builds the small world the oracle tests are written against (see
// the comments of oracle_test.go for the hand computations):
//
//	city 3205; districts A 320501 (pop 100,000; 110,000 from 2026Q3),
//	B 320502 (pop 50,000), C 320503 (no population, no villages).
//	A: towns 001, 002 in scope, 400 out of scope; from 2026Q3 also town 003.
//	The out-of-scope town 400 (and its village) reports a built, standard,
//	staffed and funded station in every quarter's current return: none of it
//	may count (a numerator that counted it would pass 100%).
//	Returns for 2026Q1..Q3: A resubmitted Q2, B's Q1 sent back then
//	corrected, B's Q2 sent back and never replaced, C missing Q1 and late Q2.
func fixture(t testing.TB) *store.DB {
	db := openDB(t)
	for _, v := range []string{"0000Q1", "2026Q3"} {
		mustExec(t, db, `INSERT INTO registry_versions VALUES (?, TIMESTAMP '2026-01-01 00:00:00', 'test', 0)`, v)
		mustExec(t, db, `INSERT INTO registry_units VALUES (?, '3205', '苏州市', 'city', NULL, false, NULL, NULL, NULL, NULL, NULL)`, v)
		popA := int64(100000)
		if v == "2026Q3" {
			popA = 110000
		}
		regUnit(t, db, v, "320501", "甲区", false, popA)
		regUnit(t, db, v, "320502", "乙区", false, 50000)
		regUnit(t, db, v, "320503", "丙区", false, 0)
		regUnit(t, db, v, "320501001", "甲一街道", true, 0)
		regUnit(t, db, v, "320501002", "甲二镇", true, 0)
		regUnit(t, db, v, "320501400", "甲开发区", false, 0)
		regUnit(t, db, v, "320501001001", "甲一社区", true, 0)
		regUnit(t, db, v, "320501001002", "甲一村", true, 0)
		regUnit(t, db, v, "320501002001", "甲二村", true, 0)
		regUnit(t, db, v, "320501400001", "开发区社区", false, 0)
		regUnit(t, db, v, "320502001", "乙一街道", true, 0)
		regUnit(t, db, v, "320502002", "乙二镇", true, 0)
		regUnit(t, db, v, "320502001001", "乙一社区", true, 0)
		regUnit(t, db, v, "320502002001", "乙二村", true, 0)
		regUnit(t, db, v, "320502002002", "乙二东村", true, 0)
		regUnit(t, db, v, "320503001", "丙一街道", true, 0)
		if v == "2026Q3" {
			regUnit(t, db, v, "320501003", "甲三街道", true, 0)
			regUnit(t, db, v, "320501003001", "甲三社区", true, 0)
		}
	}
	S := func(town string, built, std bool, res, rc, out, oc int, f bool) station {
		return station{town, built, std, res, rc, out, oc, f}
	}
	for _, r := range []ret{
		{id: 1, district: "320501", period: "2026Q1", received: "2026-04-10 09:00:00",
			stations:  []station{S("320501001", true, true, 3, 1, 2, 1, true), S("320501002", false, false, 0, 0, 0, 0, false), S("320501400", true, true, 5, 5, 0, 0, true)},
			rooms:     []room{{"320501001001", true, true}, {"320501001002", false, false}, {"320501002001", true, false}, {"320501400001", true, true}},
			funds:     []fund{{"320501", "政府购买服务", "10"}, {"320501001", "社区慈善基金", "2"}, {"320501001001", "社会捐赠", "1"}, {"320501002", "福利彩票公益金", "5"}},
			trainings: []training{{2, 10}, {3.5, 4}}, certified: 50},
		{id: 2, district: "320501", period: "2026Q2", received: "2026-07-14 18:00:00",
			stations: []station{S("320501001", true, true, 9, 9, 9, 9, true), S("320501002", true, true, 9, 9, 9, 9, true), S("320501400", true, true, 9, 9, 9, 9, true)},
			rooms:    []room{{"320501001001", true, true}, {"320501001002", true, true}, {"320501002001", true, true}},
			funds:    []fund{{"320501", "政府购买服务", "999"}}, trainings: []training{{99, 99}}, certified: 999},
		{id: 3, district: "320501", period: "2026Q2", received: "2026-08-01 10:00:00",
			stations:  []station{S("320501001", true, true, 4, 2, 2, 2, true), S("320501002", true, false, 2, 0, 1, 1, true), S("320501400", true, true, 7, 7, 3, 3, true)},
			rooms:     []room{{"320501001001", true, true}, {"320501001002", true, false}, {"320501002001", false, false}, {"320501400001", false, false}},
			funds:     []fund{{"320501", "政府购买服务", "20"}, {"320501002001", "社会捐赠", "4"}},
			trainings: []training{{8, 5}}, certified: 60},
		{id: 4, district: "320501", period: "2026Q3", received: "2026-10-20 09:00:00",
			stations:  []station{S("320501001", true, true, 4, 3, 2, 2, true), S("320501002", true, true, 3, 1, 0, 0, true), S("320501003", false, false, 0, 0, 0, 0, false), S("320501400", true, true, 5, 4, 2, 2, true)},
			rooms:     []room{{"320501001001", true, true}, {"320501001002", true, true}, {"320501002001", true, false}, {"320501003001", false, false}, {"320501400001", true, true}},
			funds:     []fund{{"320501", "政府购买服务", "30"}, {"320501003", "社区慈善基金", "6"}},
			trainings: []training{{10, 3}}, certified: 70},
		{id: 5, district: "320502", period: "2026Q1", received: "2026-04-15 23:30:00", sentBack: true,
			stations:  []station{S("320502001", true, true, 9, 9, 9, 9, true), S("320502002", true, true, 9, 9, 9, 9, true)},
			certified: 999},
		{id: 11, district: "320502", period: "2026Q1", received: "2026-05-01 08:00:00",
			stations:  []station{S("320502001", true, true, 3, 3, 3, 0, false), S("320502002", true, false, 1, 0, 0, 0, false)},
			rooms:     []room{{"320502001001", true, true}, {"320502002001", true, false}, {"320502002002", false, false}},
			certified: 20},
		{id: 6, district: "320502", period: "2026Q2", received: "2026-07-10 08:00:00", sentBack: true,
			stations: []station{S("320502001", true, true, 9, 9, 9, 9, true)}, certified: 999},
		{id: 7, district: "320502", period: "2026Q3", received: "2026-10-15 10:00:00",
			stations:  []station{S("320502001", true, true, 3, 2, 1, 1, true), S("320502002", true, true, 3, 1, 1, 0, true)},
			rooms:     []room{{"320502001001", true, true}, {"320502002001", true, true}, {"320502002002", true, false}},
			funds:     []fund{{"320502", "政府购买服务", "8"}, {"320502001", "社区慈善基金", "4"}, {"320502002001", "社会捐赠", "2"}},
			trainings: []training{{6, 4}}, certified: 25},
		{id: 8, district: "320502", period: "2026Q3", received: "2026-10-01 10:00:00", status: "rejected"},
		{id: 9, district: "320503", period: "2026Q2", received: "2026-07-16 00:00:01",
			stations: []station{S("320503001", false, false, 0, 0, 0, 0, false)},
			funds:    []fund{{"320503", "政府购买服务", "5"}}, certified: 5},
		{id: 10, district: "320503", period: "2026Q3", received: "2026-10-12 16:00:00",
			stations:  []station{S("320503001", true, true, 2, 2, 0, 0, true)},
			trainings: []training{{5, 2}}, certified: 6},
	} {
		insertReturn(t, db, r)
	}
	return db
}

// index values by unit and indicator.
func index(vals []Value) map[string]Value {
	m := map[string]Value{}
	for _, v := range vals {
		m[v.UnitCode+"/"+v.Indicator] = v
	}
	return m
}

const eps = 1e-9

func approx(a, b float64) bool { return math.Abs(a-b) <= eps*math.Max(1, math.Abs(b)) }

// want checks one value: exp is the expected value (nil for missing); for
// ratios num and den, when given, are checked too.
type want struct {
	key      string
	value    any // float64, nil
	num, den any // float64, nil, or skip
}

type skip struct{}

func check(t *testing.T, label string, got map[string]Value, wants []want) {
	t.Helper()
	for _, w := range wants {
		v, ok := got[w.key]
		if !ok {
			t.Errorf("%s %s: no value", label, w.key)
			continue
		}
		var cmp func(what string, g *float64, e any)
		cmp = func(what string, g *float64, e any) {
			switch e := e.(type) {
			case skip:
			case nil:
				if g != nil {
					t.Errorf("%s %s %s = %v, want missing", label, w.key, what, *g)
				}
			case float64:
				if g == nil {
					t.Errorf("%s %s %s missing, want %v", label, w.key, what, e)
				} else if !approx(*g, e) {
					t.Errorf("%s %s %s = %v, want %v", label, w.key, what, *g, e)
				}
			case int:
				cmp(what, g, float64(e))
			}
		}
		cmp("value", v.Value, w.value)
		if w.num != nil || w.den != nil {
			cmp("numerator", v.Numerator, w.num)
			cmp("denominator", v.Denominator, w.den)
		}
	}
}

func mustSpan(s string) sgz.Span {
	sp, err := sgz.ParseSpan(s)
	if err != nil {
		panic(err)
	}
	return sp
}

func keys(m map[string]Value) string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return strings.Join(k, " ")
}

// asOf is the default rules at a fixed reference date (tests never depend on
// the day they run).
func asOf(date string) *Config {
	ref, err := ParseAsOf(date)
	if err != nil {
		panic(err)
	}
	return DefaultConfig().At(ref)
}

// allDue is a reference date by which every quarter of 2026 is due
// (2026Q4 is due by 2027-01-15).
func allDue() *Config { return asOf("2027-02-01") }
