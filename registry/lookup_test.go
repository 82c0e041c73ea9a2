package registry

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/store"
)

// The default scope: towns numbered 001-399 (streets, towns, townships), not
// 000 nor 400 and above (development zones, farms); villages follow their town.
func TestDefaultInScopeBoundaries(t *testing.T) {
	for _, c := range []struct {
		code  string
		level sgz.Level
		town  bool
		want  bool
	}{
		{"320505000", sgz.Town, false, false},
		{"320505001", sgz.Town, false, true},
		{"320505399", sgz.Town, false, true},
		{"320505400", sgz.Town, true, false},
		{"320505x01", sgz.Town, true, false},
		{"32050500", sgz.Town, true, false},
		{"320505001001", sgz.Village, true, true},
		{"320505400001", sgz.Village, false, false},
		{"320505", sgz.District, true, false},
	} {
		if got := DefaultInScope(c.code, c.level, c.town); got != c.want {
			t.Errorf("%s %s (town in scope %v): %v, want %v", c.level, c.code, c.town, got, c.want)
		}
	}
}

// Lookups: a code that is absent (before, between or after every code) is
// not found; Within walks down from the first unit of the file as from any.
func TestLookups(t *testing.T) {
	r := Suzhou()
	for _, code := range []string{"", "1", "3205051", "320505001001x", "999999999999"} {
		if u, ok := r.Unit(code); ok || u != nil {
			t.Errorf("Unit(%q) = %+v", code, u)
		}
		if w := r.Within(code, sgz.Town); w != nil {
			t.Errorf("Within(%q) = %d units", code, len(w))
		}
	}
	if r.Units[0].Code != "3205" {
		t.Fatalf("first unit %s", r.Units[0].Code)
	}
	for level, n := range map[sgz.Level]int{sgz.District: 10, sgz.Town: 118, sgz.Village: 2248} {
		if got := len(r.Within("3205", level)); got != n {
			t.Errorf("Within(3205, %s) = %d, want %d", level, got, n)
		}
	}
	if got := len(r.Children("3205")); got != 10 {
		t.Errorf("Children(3205) = %d", got)
	}
}

// A file without the district rows: towns take the district from their
// parent code, villages from their town.
func TestAncestorsOutsideTheFile(t *testing.T) {
	r, err := ParseCSV(strings.NewReader("code,name,level,parent_code\n320505001,横塘街道,town,320505\n320505001001,某村,village,320505001\n320505002001,孤村,village,320505002\n"), "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := r.Unit("320505001"); u.District != "320505" || u.Town != "" {
		t.Errorf("town %+v", u)
	}
	if u, _ := r.Unit("320505001001"); u.District != "320505" || u.Town != "320505001" || !u.InScope {
		t.Errorf("village %+v", u)
	}
	// Its town is outside the file too: no district is made up.
	if u, _ := r.Unit("320505002001"); u.District != "" || u.InScope {
		t.Errorf("orphan village %+v", u)
	}
}

// Short rows, population 0 and the cap of about 50 problems.
func TestParseCSVEdges(t *testing.T) {
	// A row shorter than the header is read (missing cells are empty).
	if _, err := ParseCSV(strings.NewReader("code,name,level,parent_code\n320505,虎丘区\n"), "r.csv"); err == nil ||
		len(keysOf(err)) != 1 || keysOf(err)[0] != "registry.level" {
		t.Errorf("short row: %v", err)
	}
	r, err := ParseCSV(strings.NewReader("code,name,level,parent_code,population\n320505,虎丘区,district,,0\n320506,吴中区,district,,1\n"), "r.csv")
	if err != nil {
		t.Fatalf("population 0 refused: %v", err)
	}
	// Population 0 is unknown: stored as NULL, read back as 0; 1 stays 1.
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Save(ctx, db, r, BasePeriod, "r.csv"); err != nil {
		t.Fatal(err)
	}
	var nulls int
	if err := db.QueryRow(`SELECT count(*) FROM registry_units WHERE population IS NULL`).Scan(&nulls); err != nil || nulls != 1 {
		t.Errorf("%d NULL populations (%v), want 1", nulls, err)
	}
	back, err := Load(ctx, db, BasePeriod)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := back.Unit("320505"); a.Population != 0 {
		t.Errorf("population %d", a.Population)
	}
	if b, _ := back.Unit("320506"); b.Population != 1 {
		t.Errorf("population %d", b.Population)
	}
}
