package dashboard

import (
	"net/http"
	"testing"
)

// Without an operator's GeoJSON the API serves the embedded map of the
// registry's city: Suzhou's 9 districts with their registry codes.
func TestEmbeddedCityMap(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct{ Code, Name string } `json:"properties"`
		} `json:"features"`
	}
	if code := getJSON(t, ts.URL+"/api/v1/geojson", &fc); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 9 {
		t.Fatalf("%s with %d features", fc.Type, len(fc.Features))
	}
	for _, f := range fc.Features {
		if len(f.Properties.Code) != 6 || f.Properties.Code[:4] != "3205" || f.Properties.Name == "苏州工业园区" {
			t.Errorf("feature %+v", f.Properties)
		}
	}
}

// The map page draws the districts' polygons and 苏州工业园区 as a marker.
func TestBrowserEmbeddedCityMap(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	tb := openTab(t, ts.URL)
	tb.visit("/map?lang=zh&period=2026Q3")
	tb.waitFor(`window.echarts && echarts.getMap && echarts.getMap('sgz-districts') && document.querySelectorAll('#chart-map canvas').length > 0`)
	if n := eval[int](tb, `echarts.getMap('sgz-districts').geoJSON.features.length`); n != 9 {
		t.Errorf("%d polygons registered, want 9", n)
	}
	// The geo component has its 9 regions coloured by the map series, and the marker series holds the zone.
	if n := eval[int](tb, `echarts.getInstanceByDom(document.getElementById('chart-map')).getModel().getComponent('geo').coordinateSystem.regions.length`); n != 9 {
		t.Errorf("%d regions drawn, want 9", n)
	}
	if s := eval[string](tb, `(function(){var o=echarts.getInstanceByDom(document.getElementById('chart-map')).getOption();
		return o.series.length > 1 ? o.series[1].data.map(function(d){return d.name}).join('|') : ''})()`); s == "" || s[:len("苏州工业园区")] != "苏州工业园区" {
		t.Errorf("markers %q", s)
	}
	tb.clean("embedded city map")
}
