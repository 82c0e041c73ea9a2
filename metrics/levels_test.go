package metrics

import (
	"context"
	"strings"
	"testing"

	"sgz"
	"sgz/registry"
)

// A registry with provinces: province and country rows appear, and each sums
// its districts' numerators and denominators.
func TestProvinceAndCountry(t *testing.T) {
	db := openDB(t)
	csvText := `code,name,level,parent_code
32,江苏省,province,
3205,苏州市,city,32
320501,甲区,district,3205
320501001,甲一街道,town,320501
320501002,甲二街道,town,320501
3206,南通市,city,32
320601,丁区,district,3206
320601001,丁一街道,town,320601
33,浙江省,province,
3301,杭州市,city,33
330101,戊区,district,3301
330101001,戊一街道,town,330101
330101002,戊二街道,town,330101
330101003,戊三街道,town,330101
`
	reg, err := registry.ParseCSV(strings.NewReader(csvText), "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := registry.Save(context.Background(), db, reg, registry.BasePeriod, "p.csv"); err != nil {
		t.Fatal(err)
	}
	S := func(town string, built bool) station { return station{town: town, built: built} }
	insertReturn(t, db, ret{id: 1, district: "320501", period: "2026Q3", received: "2026-10-01 10:00:00",
		stations: []station{S("320501001", true), S("320501002", false)}, certified: 10})
	insertReturn(t, db, ret{id: 2, district: "330101", period: "2026Q3", received: "2026-10-01 10:00:00",
		stations: []station{S("330101001", true), S("330101002", true), S("330101003", false)}, certified: 7})
	// 320601 did not report.
	vals, err := ComputeLevels(context.Background(), db, mustSpan("2026Q3"), OutputLevels, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := index(vals)
	check(t, "levels", got, []want{
		{"CN/station_coverage", 3.0 / 5, 3, 5}, {"CN/certified_total", 17.0, nil, nil},
		{"32/station_coverage", 0.5, 1, 2}, {"33/station_coverage", 2.0 / 3, 2, 3},
		{"3205/station_coverage", 0.5, 1, 2}, {"3206/station_coverage", nil, nil, nil}, {"3301/station_coverage", 2.0 / 3, 2, 3},
	})
	if c := got["CN/station_coverage"].Completeness; c != (Completeness{2, 3, 2, 3}) {
		t.Errorf("country completeness %+v", c)
	}
	if c := got["32/station_coverage"].Completeness; c != (Completeness{1, 2, 1, 2}) {
		t.Errorf("province completeness %+v", c)
	}
	if v := got["3205/station_coverage"]; v.ParentCode != "32" || v.UnitName != "苏州市" {
		t.Errorf("city %+v", v)
	}
	if v := got["32/station_coverage"]; v.UnitName != "江苏省" || v.Level != sgz.Province {
		t.Errorf("province %+v", v)
	}
	// Order: country, provinces, cities, districts, towns.
	var levels []string
	for _, v := range vals {
		if len(levels) == 0 || levels[len(levels)-1] != string(v.Level) {
			levels = append(levels, string(v.Level))
		}
	}
	if strings.Join(levels, ",") != "country,province,city,district,town" {
		t.Errorf("order %v", levels)
	}
}

// Without provinces in the registry there is no province or country row.
func TestNoProvinceRows(t *testing.T) {
	db := fixture(t)
	vals, err := ComputeLevels(context.Background(), db, mustSpan("2026Q3"), []sgz.Level{Country, sgz.Province, sgz.City}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vals {
		if v.Level != sgz.City {
			t.Fatalf("unexpected %+v", v)
		}
	}
}
