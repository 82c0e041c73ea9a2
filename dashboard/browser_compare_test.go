package dashboard

import "testing"

// drawnTexts counts the texts drawn in a chart (axis labels, marker and
// area labels: ECharts' display list) that contain s.
const drawnTexts = `(function(id, s){var c=echarts.getInstanceByDom(document.getElementById(id));var n=0;
	c.getZr().storage.getDisplayList().forEach(function(e){var t=e.style&&e.style.text; if(t&&String(t).indexOf(s)>=0)n++;});return n})`

// The browser draws 未报送 where 相城区's bar would stand and under its name
// (the coverage chart), on the indicator page's bars, on the district's
// trend, and on the map — never a silent gap.
func TestBrowserDrawsUnreported(t *testing.T) {
	browser(t)
	ts, _, _ := newTestServer(t, Options{})
	tb := openTab(t, ts.URL)
	tb.visit("/?period=2026Q3&as_of=2026-12-01&lang=zh")
	if n := eval[int](tb, drawnTexts+`('chart-coverage', '未报送')`); n < 2 {
		t.Errorf("coverage chart: %d texts say 未报送, want the axis label and the marker", n)
	}
	if n := eval[int](tb, `echarts.getInstanceByDom(document.getElementById('chart-coverage')).getOption().series[0].markPoint.data.length`); n != 1 {
		t.Errorf("%d markers", n)
	}
	tb.visit("/indicator/station_coverage?period=2026Q3&as_of=2026-12-01")
	if n := eval[int](tb, drawnTexts+`('chart-bars', '未报送')`); n < 2 {
		t.Errorf("indicator bars: %d texts say 未报送", n)
	}
	tb.visit("/district/" + fixtureLate + "?period=2026Q3&as_of=2026-12-01")
	if n := eval[int](tb, drawnTexts+`('chart-trend', '未报送')`); n < 1 {
		t.Errorf("district trend: %d texts say 未报送", n)
	}
	tb.visit("/map?period=2026Q3&as_of=2026-12-01")
	tb.waitFor(`echarts.getMap && echarts.getMap('sgz-districts')`)
	// 相城区's area is labelled on two lines, its name and 未报送 (besides the subtitle naming it).
	tb.waitFor(`(` + drawnTexts + `('chart-map', '未报送')) >= 2`)
	if s := eval[string](tb, `echarts.getInstanceByDom(document.getElementById('chart-map')).getOption().geo[0].regions[0].label.formatter`); s != "相城区\n未报送" {
		t.Errorf("region label %q", s)
	}
	tb.clean("未报送 drawn")
}
