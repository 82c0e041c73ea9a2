package dashboard

import (
	"context"
	"encoding/json"
	"html"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/geo"
	"sgz/locale"
	"sgz/metrics"
)

// geoKey finds which feature property names a district in an operator's
// GeoJSON: "code", "adcode" (matched against the district code) or "name".
func geoKey(geo []byte) string {
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if json.Unmarshal(geo, &fc) != nil || len(fc.Features) == 0 {
		return "name"
	}
	for _, k := range []string{"code", "adcode"} {
		if _, ok := fc.Features[0].Properties[k]; ok {
			return k
		}
	}
	return "name"
}

type mapData struct {
	Indicator string
	Choices   []indListRow
	Geo       bool
}

// cityMap is the embedded boundary map (package geo) of the registry's city
// in force now, its districts matched to the registry by name; nil when the
// registry has not exactly one city or the city is not in the asset.
func (s *Server) cityMap(ctx context.Context) *geo.Map {
	reg, err := s.regs.For(ctx, sgz.PeriodOf(s.opt.Now()))
	if err != nil || reg == nil {
		return nil
	}
	cities := reg.OfLevel(sgz.City)
	if len(cities) != 1 {
		return nil
	}
	c, ok := geo.Find(cities[0].Name, "")
	if !ok {
		return nil
	}
	var units []geo.Unit
	for _, d := range reg.OfLevel(sgz.District) {
		units = append(units, geo.Unit{Code: d.Code, Name: d.Name})
	}
	return geo.MapOf(c, units)
}

// GET /map?indicator=ID: districts coloured by an indicator, as tiles laid
// out from the registry, or on the operator's boundary map (--geojson).
func (s *Server) mapPage(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	id := c.DefaultQuery("indicator", "station_coverage")
	ind, found := metrics.Lookup(id)
	if !found || !ind.AppliesTo(sgz.District) {
		s.fail(c, http.StatusNotFound, "dash.noindicator", id)
		return
	}
	d := &mapData{Indicator: id}
	for _, x := range metrics.Indicators {
		if x.AppliesTo(sgz.District) {
			d.Choices = append(d.Choices, indListRow{ID: x.ID, Name: indName(l, x.ID)})
		}
	}
	opt, geoMap, err := s.mapChart(c, sp, id)
	if err != nil {
		s.internal(c, err)
		return
	}
	d.Geo = geoMap
	s.render(c, "map", "map", locale.T(l, "map.title", indName(l, id)), sp, d, map[string]any{"map": opt})
}

// mapChart is the ECharts option of the districts coloured by indicator id
// over sp: on the operator's boundary map (--geojson), else on the embedded
// map of the registry's city (package geo), else as tiles laid out from the
// registry. geoMap: the option draws the map "sgz-districts" (the page
// fetches /api/v1/geojson). The map page and the big screen draw it.
func (s *Server) mapChart(c *gin.Context, sp sgz.Span, id string) (option map[string]any, geoMap bool, err error) {
	l := lang(c)
	ind, _ := metrics.Lookup(id)
	geoMap = len(s.opt.GeoJSON) > 0
	var builtin *geo.Map // the embedded city map, when no operator GeoJSON is given
	if !geoMap {
		if builtin = s.cityMap(c.Request.Context()); builtin != nil {
			geoMap = true
		}
	}
	var dt *table
	if geoMap {
		dt, err = s.calc.level(c.Request.Context(), sp, sgz.District)
	} else {
		_, dt, err = s.chartLevel(c, sp, 400)
	}
	if err != nil {
		return nil, false, err
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, u := range dt.Units {
		if v := display(id, u.val(id)); v != nil {
			f := v.(float64)
			lo, hi = math.Min(lo, f), math.Max(hi, f)
		}
	}
	if ind.Unit == metrics.Rate {
		lo, hi = 0, 100
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi <= lo {
		hi = lo + 1
	}
	title := locale.T(l, "map.title", indName(l, id))
	visual := map[string]any{"min": lo, "max": hi, "calculable": true, "orient": "horizontal", "left": "center", "bottom": 10,
		"seriesIndex": 0, "inRange": map[string]any{"color": []string{"#f7d4cf", "#e8826f", "#b3261e"}}}
	charts := map[string]any{}
	if builtin != nil {
		// Districts on the embedded boundaries; units without a polygon
		// (functional zones) as labelled markers below the map.
		var data, markers, regions []map[string]any
		gaps := map[string][]string{}
		at := map[string]geo.Marker{}
		for _, m := range builtin.Markers {
			at[m.Code] = m
		}
		for _, u := range dt.Units {
			v := display(id, u.val(id))
			if m, ok := at[u.Code]; ok {
				color, shown := "#b3261e", inLang(l, fmtValue(id, u.val(id)))
				if v == nil {
					color, shown = "#c8cdd3", missingWhy(l, u)
				}
				markers = append(markers, map[string]any{"name": u.Name + "\n" + shown,
					"value": []any{m.Lon, m.Lat, v}, "href": "/district/" + u.Code, "itemStyle": map[string]any{"color": color}})
				continue
			}
			item := map[string]any{"name": u.Name, "value": v, "href": "/district/" + u.Code, "reported": u.Comp.DistrictsReported > 0}
			if v == nil {
				// Grey, and saying why on the map and in the tooltip (未报送, 未到期).
				why := missingWhy(l, u)
				gaps[why] = append(gaps[why], u.Name)
				item["why"] = why
				item["label"] = map[string]any{"show": true, "formatter": "{b}\n" + why}
				item["tooltip"] = map[string]any{"formatter": html.EscapeString(u.Name) + locale.T(l, "map.gapsep") + why}
				// The geo component draws the area and its label.
				regions = append(regions, map[string]any{"name": u.Name, "label": map[string]any{"show": true, "formatter": u.Name + "\n" + why},
					"itemStyle": map[string]any{"areaColor": "#c8cdd3"}})
			}
			data = append(data, item)
		}
		// The grey districts say why they are grey (缺报 or 未到期) under the title.
		var sub []string
		for _, why := range []string{locale.T(l, "val.notyet"), locale.T(l, "val.missing"), locale.T(l, "val.notdue")} {
			if names := gaps[why]; len(names) > 0 {
				sub = append(sub, why+locale.T(l, "map.gapsep")+strings.Join(names, locale.T(l, "map.namesep")))
			}
		}
		series := []any{map[string]any{"type": "map", "geoIndex": 0, "data": data}}
		if len(markers) > 0 {
			series = append(series, map[string]any{"type": "scatter", "coordinateSystem": "geo", "symbol": "pin", "symbolSize": 36,
				"label": map[string]any{"show": true, "position": "right", "formatter": "{b}"}, "data": markers})
		}
		charts["map"] = map[string]any{
			"title":     map[string]any{"text": title + " · " + locale.T(l, "map.geo"), "subtext": strings.Join(sub, "；")},
			"tooltip":   map[string]any{"trigger": "item"},
			"toolbox":   map[string]any{"feature": map[string]any{"saveAsImage": map[string]any{"title": locale.T(l, "chart.save")}}},
			"visualMap": visual,
			"geo": map[string]any{"map": "sgz-districts", "roam": true, "nameProperty": "name", "label": map[string]any{"show": true},
				"itemStyle": map[string]any{"areaColor": "#c8cdd3", "borderColor": "#fff"}, "regions": regions},
			"series": series,
		}
	} else if geoMap {
		key := geoKey(s.opt.GeoJSON)
		var data []map[string]any
		for _, u := range dt.Units {
			name := u.Name
			if key != "name" {
				name = u.Code
			}
			data = append(data, map[string]any{"name": name, "value": display(id, u.val(id)), "label": u.Name, "href": "/district/" + u.Code})
		}
		charts["map"] = map[string]any{
			"title":     map[string]any{"text": title + " · " + locale.T(l, "map.geo")},
			"tooltip":   map[string]any{"trigger": "item"},
			"toolbox":   map[string]any{"feature": map[string]any{"saveAsImage": map[string]any{"title": locale.T(l, "chart.save")}}},
			"visualMap": visual,
			"series": []any{map[string]any{"type": "map", "map": "sgz-districts", "nameProperty": key, "roam": true,
				"label": map[string]any{"show": true}, "data": data}},
		}
	} else {
		// Tiles: the districts in registry order, in a grid about 1.6 times wider than high.
		n := len(dt.Units)
		cols := int(math.Ceil(math.Sqrt(float64(n) * 1.6)))
		if cols < 1 {
			cols = 1
		}
		rows := (n + cols - 1) / cols
		var data, missing []map[string]any
		xs, ys := make([]string, cols), make([]string, rows)
		for i := range xs {
			xs[i] = ""
		}
		for i := range ys {
			ys[i] = ""
		}
		for i, u := range dt.Units {
			v := display(id, u.val(id))
			label := u.Name + "\n" + inLang(l, fmtValue(id, u.val(id)))
			if v == nil { // missing: a grey tile of its own series, outside the colour scale
				why := missingWhy(l, u)
				missing = append(missing, map[string]any{"name": u.Name + "\n" + why,
					"value": []any{i % cols, rows - 1 - i/cols, 0}, "href": hrefOf(u)})
				continue
			}
			data = append(data, map[string]any{"name": label, "value": []any{i % cols, rows - 1 - i/cols, v}, "href": hrefOf(u)})
		}
		charts["map"] = map[string]any{
			"title":     map[string]any{"text": title + " · " + locale.T(l, "map.tiles")},
			"tooltip":   map[string]any{"trigger": "item", "formatter": "{b}"},
			"toolbox":   map[string]any{"feature": map[string]any{"saveAsImage": map[string]any{"title": locale.T(l, "chart.save")}}},
			"grid":      map[string]any{"top": 50, "bottom": 70, "left": 10, "right": 10},
			"xAxis":     map[string]any{"type": "category", "data": xs, "show": false},
			"yAxis":     map[string]any{"type": "category", "data": ys, "show": false},
			"visualMap": visual,
			"series": []any{map[string]any{"type": "heatmap", "data": data,
				"label":     map[string]any{"show": n <= 120, "formatter": "{b}", "fontSize": 13},
				"itemStyle": map[string]any{"borderColor": "#fff", "borderWidth": 3},
			}, map[string]any{"type": "heatmap", "data": missing, "name": locale.T(l, "val.notyet"),
				"label":     map[string]any{"show": n <= 120, "formatter": "{b}", "fontSize": 13},
				"itemStyle": map[string]any{"color": "#c8cdd3", "borderColor": "#fff", "borderWidth": 3},
			}},
		}
	}
	option, _ = charts["map"].(map[string]any)
	return option, geoMap, nil
}

// hrefOf links a tile to its district page (none above districts).
func hrefOf(u *unitRow) string {
	if u.Level == sgz.District {
		return "/district/" + u.Code
	}
	return ""
}

// GET /api/v1/geojson: the operator's boundary map, else the embedded map
// of the registry's city (404 when neither).
func (s *Server) apiGeoJSON(c *gin.Context) {
	g := s.opt.GeoJSON
	if len(g) == 0 {
		if m := s.cityMap(c.Request.Context()); m != nil {
			g = m.GeoJSON
		}
	}
	if len(g) == 0 {
		s.fail(c, http.StatusNotFound, "dash.notfound")
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/geo+json", g)
}

// GET /sql: the console page; it calls /api/v1/sql/*.
func (s *Server) sqlPage(c *gin.Context) {
	l := lang(c)
	s.render(c, "sql", "sql", locale.T(l, "sql.title"), spanZero, s.opt.SQLEngine != nil, nil)
}

// missingWhy is why a district has no value on the map: 未报送 (due, no
// return counts), 未到期 (nothing due yet: not missing), or 缺报 (a return
// counts but the value is missing, e.g. a zero denominator).
func missingWhy(l locale.Lang, u *unitRow) string {
	if why := unreportedText(l, u); why != "" {
		return why
	}
	return locale.T(l, "val.missing")
}
