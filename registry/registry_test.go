package registry

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

func TestSuzhouDefaultScope(t *testing.T) {
	r := Suzhou()
	count := func(l sgz.Level, scoped bool) int {
		n := 0
		for _, u := range r.OfLevel(l) {
			if !scoped || u.InScope {
				n++
			}
		}
		return n
	}
	if count(sgz.District, false) != 10 || count(sgz.Town, false) != 118 || count(sgz.Village, false) != 2248 {
		t.Fatalf("units: %d districts %d towns %d villages", count(sgz.District, false), count(sgz.Town, false), count(sgz.Village, false))
	}
	// 27 town-level units are development zones and the like (codes 400-599).
	if got := count(sgz.Town, true); got != 118-27 {
		t.Errorf("%d towns in scope, want 91", got)
	}
	u, _ := r.Unit("320505400017")
	if u == nil || u.InScope || u.District != "320505" || u.Town != "320505400" || r.Above(u, sgz.City) != "3205" || r.Above(u, sgz.Province) != "" {
		t.Errorf("village under an out-of-scope town: %+v", u)
	}
	v, _ := r.Unit("320505001002")
	if v == nil || !v.InScope {
		t.Errorf("village under an in-scope town: %+v", v)
	}
	if towns := r.Within("320505", sgz.Town); len(towns) != 9 || towns[0].Code != "320505001" {
		t.Errorf("towns of 320505: %d", len(towns))
	}
}

func TestParseCSVScopePopulationAndErrors(t *testing.T) {
	csv := "\ufeffcode,name,level,parent_code,in_scope,population\n" +
		"32,江苏省,province,,,\n" +
		"3205,苏州市,city,32,,12910000\n" +
		"320505,虎丘区,district,3205,,830000\n" +
		"320505400,浒墅关经开区,town,320505,是,\n" + // an operator brings a zone into scope
		"320505400001,某社区,village,320505400,,\n" +
		"320505001,横塘街道,town,320505,否,\n" + // and takes a street out
		"320505001001,某村,village,320505001,,\n"
	r, err := ParseCSV(strings.NewReader(csv), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	check := func(code string, in bool) {
		u, ok := r.Unit(code)
		if !ok || u.InScope != in {
			t.Errorf("%s in scope = %v, want %v", code, u != nil && u.InScope, in)
		}
	}
	check("320505400", true)
	check("320505400001", true)
	check("320505001", false)
	check("320505001001", false)
	if d, _ := r.Unit("320505"); d.Population != 830000 || r.Above(d, sgz.Province) != "32" || r.Above(d, sgz.City) != "3205" {
		t.Errorf("district %+v", d)
	}
	bad := "code,name,level,parent_code\n" +
		"3205,苏州市,city,\n" +
		"320505,虎丘区,county,3205\n" +
		"32050,短代码,district,3205\n" +
		"320506,,district,3205\n" +
		"3205,苏州市,city,\n"
	_, err = ParseCSV(strings.NewReader(bad), "bad.csv")
	if err == nil {
		t.Fatal("bad registry accepted")
	}
	msg := locale.Say(locale.ZH, err)
	for _, want := range []string{"bad.csv 第 3 行", "county", "bad.csv 第 4 行", "第 5 行", "第 6 行：代码 3205 重复"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s\n%s", want, err, msg)
		}
	}
	if _, err := ParseCSV(strings.NewReader("a,b\n1,2\n"), "x.csv"); err == nil || !strings.Contains(err.Error(), "code") {
		t.Errorf("missing columns: %v", err)
	}
}

func TestVersionsApplyFromTheirPeriod(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if did, err := EnsureDefault(ctx, db); !did || err != nil {
		t.Fatal(did, err)
	}
	if did, _ := EnsureDefault(ctx, db); did {
		t.Fatal("default loaded twice")
	}
	// 区划调整 from 2026Q3: a street merged away.
	changed := Suzhou()
	var keep []Unit
	for _, u := range changed.Units {
		if !strings.HasPrefix(u.Code, "320505002") {
			keep = append(keep, u)
		}
	}
	changed.Units = keep
	changed.index(nil)
	if err := Save(ctx, db, changed, "2026Q3", "adjust.csv"); err != nil {
		t.Fatal(err)
	}
	cache := NewCache(db)
	towns := func(p string) int {
		r, err := cache.For(ctx, sgz.MustPeriod(p))
		if err != nil {
			t.Fatal(err)
		}
		return len(r.Within("320505", sgz.Town))
	}
	if towns("2026Q2") != 9 || towns("2026Q3") != 8 || towns("2027Q1") != 8 || towns("2020Q1") != 9 {
		t.Errorf("towns by period: %d %d %d", towns("2026Q2"), towns("2026Q3"), towns("2027Q1"))
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM registry_at('2026Q2') WHERE level = 'town' AND district_code = '320505'`).Scan(&n)
	if n != 9 {
		t.Errorf("registry_at('2026Q2') has %d towns", n)
	}
	db.QueryRow(`SELECT count(*) FROM registry_at('2026Q4') WHERE level = 'town' AND district_code = '320505'`).Scan(&n)
	if n != 8 {
		t.Errorf("registry_at('2026Q4') has %d towns", n)
	}
	vs, _ := Versions(ctx, db)
	if len(vs) != 2 || vs[0].From != BasePeriod || vs[1].From != "2026Q3" || vs[1].Units != changed.Len() {
		t.Errorf("versions %+v", vs)
	}
}

func TestNationalRegistryParses(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the national registry takes a second")
	}
	f, err := os.Open("../testdata/china-divisions-2023.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ParseCSV(f, "china-divisions-2023.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 665276 || len(r.OfLevel(sgz.District)) != 2978 {
		t.Fatalf("%d units, %d districts", r.Len(), len(r.OfLevel(sgz.District)))
	}
}

// OfLevel and CountOf answer from the index built once per snapshot: the
// same units, in code order, as a walk over every unit, for a registry read
// from a file and for one built in code (not indexed).
func TestOfLevelIndexed(t *testing.T) {
	walk := func(r *Registry, l sgz.Level) []string {
		var out []string
		for i := range r.Units {
			if r.Units[i].Level == l {
				out = append(out, r.Units[i].Code)
			}
		}
		return out
	}
	plain := &Registry{Units: append([]Unit(nil), Suzhou().Units...)}
	for _, r := range []*Registry{Suzhou(), plain} {
		for _, l := range sgz.Levels {
			want := walk(r, l)
			var got []string
			for _, u := range r.OfLevel(l) {
				got = append(got, u.Code)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") || r.CountOf(l) != len(want) {
				t.Errorf("%s (indexed %v): OfLevel %d units, CountOf %d, want %d", l, r.byLevel != nil, len(got), r.CountOf(l), len(want))
			}
		}
	}
	// A pointer from OfLevel is the unit itself, not a copy.
	r := Suzhou()
	r.OfLevel(sgz.City)[0].Name = "改名"
	if u, _ := r.Unit("3205"); u.Name != "改名" {
		t.Errorf("OfLevel gave a copy: %q", u.Name)
	}
}

// DistrictsIn finds the districts within a district, city or province code:
// through the registry's parents, and through the codes where a city's row
// is missing (as registry_at's city_code and province_code, which Save
// stores from Above).
func TestDistrictsIn(t *testing.T) {
	r, err := ParseCSV(strings.NewReader(`code,name,level,parent_code
32,江苏省,province,
3205,苏州市,city,32
320501,甲区,district,3205
3206,南通市,city,32
320601,丁区,district,3206
320602,戊区,district,3206
330101,己区,district,3301
440101,庚区,district,
`), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	for unit, want := range map[string]string{
		"32": "320501,320601,320602", "3205": "320501", "3206": "320601,320602", "320602": "320602",
		"3301": "330101", "33": "330101", "440101": "440101", "": "", "999999": "",
	} {
		var got []string
		for d := range r.DistrictsIn(unit) {
			got = append(got, d)
		}
		slices.Sort(got)
		if strings.Join(got, ",") != want {
			t.Errorf("DistrictsIn(%q) = %v, want %s", unit, got, want)
		}
	}
}
