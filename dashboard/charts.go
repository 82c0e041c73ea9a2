package dashboard

import (
	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"sgz/locale"
	"sgz/metrics"
)

// Charts are built with go-echarts and handed to the page as their option
// object (chart.JSON()); they are never rendered by go-echarts' own templates.

func initOpts() charts.GlobalOpts {
	// Our own assets; go-echarts' default host is a public URL.
	return charts.WithInitializationOpts(opts.Initialization{AssetsHost: "/static/vendor/echarts/"})
}

func toolbox(l locale.Lang) charts.GlobalOpts {
	return charts.WithToolboxOpts(opts.Toolbox{Show: opts.Bool(true), Feature: &opts.ToolBoxFeature{
		SaveAsImage: &opts.ToolBoxFeatureSaveAsImage{Show: opts.Bool(true), Title: locale.T(l, "chart.save")},
	}})
}

// series is one named set of values (nil: missing).
type series struct {
	Name   string
	Values []*float64
}

// display scales a value for an axis (rates as percentages) and rounds it
// as the pages show it: half away from zero at displayDigits (66.25 → 66.3).
func display(id string, v *float64) any {
	if v == nil {
		return nil
	}
	ind, _ := metrics.Lookup(id)
	x := *v
	if ind.Unit == metrics.Rate {
		x *= 100
	}
	return metrics.Round(x, displayDigits(id))
}

func axisName(l locale.Lang, id string) string {
	ind, _ := metrics.Lookup(id)
	if ind.Unit == metrics.Rate {
		return "%"
	}
	return tx(l, ind.UnitText())
}

// barChart: values by unit, with the target as a line.
func barChart(l locale.Lang, title, id string, xs []string, ss []series, target *float64) map[string]any {
	return barChartGaps(l, title, id, xs, ss, target, nil)
}

// barChartGaps is barChart where gaps[i], when not "", says why unit i has
// no bar (未报送, 未到期): under its name on the axis, and as a labelled
// marker where its bar would stand — never a silent gap or a 0.
func barChartGaps(l locale.Lang, title, id string, xs []string, ss []series, target *float64, gaps []string) map[string]any {
	var marks []opts.MarkPointNameCoordItem
	if len(gaps) > 0 {
		xs = append([]string(nil), xs...)
		for i, why := range gaps {
			if why == "" || i >= len(xs) {
				continue
			}
			xs[i] = locale.T(l, "chart.gap", xs[i], why)
			marks = append(marks, opts.MarkPointNameCoordItem{Name: why, Coordinate: []any{xs[i], 0}, Value: why, Symbol: "pin", SymbolSize: 44,
				Label:     &opts.Label{Show: opts.Bool(true), Formatter: why, FontSize: 11},
				ItemStyle: &opts.ItemStyle{Color: "#8a939c"}})
		}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(initOpts(), toolbox(l),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(ss) > 1), Top: "bottom"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Rotate: rotate(len(xs)), Interval: "0"}}),
		charts.WithYAxisOpts(opts.YAxis{Name: axisName(l, id)}),
		charts.WithGridOpts(opts.Grid{Bottom: "22%", ContainLabel: opts.Bool(true)}),
	)
	bar.SetXAxis(xs)
	for i, s := range ss {
		data := make([]opts.BarData, len(s.Values))
		for j, v := range s.Values {
			data[j] = opts.BarData{Value: display(id, v)}
		}
		var so []charts.SeriesOpts
		if i == 0 && len(marks) > 0 {
			so = append(so, charts.WithMarkPointNameCoordItemOpts(marks...))
		}
		if i == 0 && target != nil {
			so = append(so, charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: locale.T(l, "chart.target"), YAxis: display(id, target)}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"}, Label: &opts.Label{Show: opts.Bool(true), Formatter: "{b} {c}"}}))
		}
		bar.AddSeries(s.Name, data, so...)
	}
	bar.Validate()
	return bar.JSON()
}

func rotate(n int) float64 {
	if n > 4 {
		return 35
	}
	return 0
}

// lineChart: values by quarter.
func lineChart(l locale.Lang, title, id string, xs []string, ss []series) map[string]any {
	line := charts.NewLine()
	line.SetGlobalOptions(initOpts(), toolbox(l),
		charts.WithTitleOpts(opts.Title{Title: title}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithYAxisOpts(opts.YAxis{Name: axisName(l, id)}),
		charts.WithGridOpts(opts.Grid{Bottom: "18%", ContainLabel: opts.Bool(true)}),
	)
	line.SetXAxis(xs)
	for _, s := range ss {
		data := make([]opts.LineData, len(s.Values))
		for j, v := range s.Values {
			data[j] = opts.LineData{Value: display(id, v)}
		}
		line.AddSeries(s.Name, data)
	}
	line.Validate()
	return line.JSON()
}
