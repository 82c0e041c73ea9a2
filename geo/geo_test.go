package geo

import (
	"encoding/json"
	"testing"

	"sgz"
	"sgz/registry"
)

func TestSuzhouHasPolygonsForItsNineDistricts(t *testing.T) {
	reg := registry.Suzhou()
	cities := reg.OfLevel(sgz.City)
	if len(cities) != 1 {
		t.Fatalf("%d cities in the Suzhou registry", len(cities))
	}
	c, ok := Find(cities[0].Name, "")
	if !ok {
		t.Fatalf("no map for %s", cities[0].Name)
	}
	var units []Unit
	for _, d := range reg.OfLevel(sgz.District) {
		units = append(units, Unit{d.Code, d.Name})
	}
	m := MapOf(c, units)
	if len(m.Matched) != 9 {
		t.Errorf("%d districts matched, want 9: %v", len(m.Matched), m.Matched)
	}
	if len(m.Markers) != 1 || m.Markers[0].Name != "苏州工业园区" {
		t.Errorf("markers %+v, want 苏州工业园区 only", m.Markers)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct{ Code, Name string } `json:"properties"`
			Geometry   struct {
				Type        string           `json:"type"`
				Coordinates [][][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(m.GeoJSON, &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 9 {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	for _, f := range fc.Features {
		if f.Properties.Code == "" || len(f.Geometry.Coordinates) == 0 || len(f.Geometry.Coordinates[0][0]) < 8 {
			t.Errorf("%s: %d polygons", f.Properties.Name, len(f.Geometry.Coordinates))
			continue
		}
		// Inside Suzhou's bounding box, rings closed.
		r := f.Geometry.Coordinates[0][0]
		if r[0] != r[len(r)-1] {
			t.Errorf("%s: ring not closed", f.Properties.Name)
		}
		for _, p := range r {
			if p[0] < 119.8 || p[0] > 121.5 || p[1] < 30.7 || p[1] > 32.1 {
				t.Fatalf("%s: point %v outside Suzhou", f.Properties.Name, p)
			}
		}
	}
	m0 := m.Markers[0]
	if m0.Lon < 121.2 || m0.Lat < 30.7 || m0.Lat > 32.1 {
		t.Errorf("marker at %v,%v", m0.Lon, m0.Lat)
	}
}

func TestEveryCityHasDistricts(t *testing.T) {
	cs, err := Cities()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 380 {
		t.Errorf("%d cities", len(cs))
	}
	for _, c := range cs {
		if len(c.Features) == 0 {
			t.Errorf("%s %s: no district", c.Province, c.Name)
		}
	}
	for _, n := range []string{"苏州市", "苏州", "南京市", "果洛藏族自治州"} {
		if _, ok := Find(n, ""); !ok {
			t.Errorf("no city %s", n)
		}
	}
	if _, ok := Find("苏州市", "浙江省"); ok {
		t.Error("苏州 found in 浙江")
	}
}
