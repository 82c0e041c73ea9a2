package metrics

import (
	"sort"
	"strings"

	"sgz/locale"
)

// The completeness sentences every page and export uses, made here once:
// "9 / 10 个区县；昆山市取 2026Q2", "29 / 40 个区县·季度", "未到期".

// CountText is "n / m 个区县" (perQuarter: "n / m 个区县·季度").
func CountText(l locale.Lang, n, m int, perQuarter bool) string {
	if perQuarter {
		return locale.T(l, "metrics.comp.quarters", n, m)
	}
	return locale.T(l, "metrics.comp.districts", n, m)
}

// CompletenessText says how much of v rests on returns: "9 / 10 个区县",
// and, for a stock of a parent whose districts' values are from different
// quarters, which districts lag ("；昆山市取 2026Q2"), taken from children
// (the district values of the same indicator and span; nil to leave out).
// When nothing is expected it says so: "未到期" (no quarter due yet).
func CompletenessText(l locale.Lang, v Value, children []Value) string {
	if v.Expected == 0 {
		return locale.T(l, "metrics.comp.notdue")
	}
	s := CountText(l, v.Reported, v.Expected, v.PerQuarter)
	if lag := Lagging(v, children); len(lag) > 0 {
		var parts []string
		for i, c := range lag {
			if i == 3 {
				parts = append(parts, locale.T(l, "metrics.comp.more", len(lag)))
				break
			}
			parts = append(parts, locale.T(l, "metrics.comp.lag", c.UnitName, c.AsOf))
		}
		s += locale.T(l, "metrics.comp.sep") + strings.Join(parts, locale.T(l, "metrics.comp.comma"))
	}
	return s
}

// Lagging lists the children of a stock value whose data are from an
// earlier quarter than the latest one used (v.AsOfLatest), by quarter then code.
func Lagging(v Value, children []Value) []Value {
	ind, _ := Lookup(v.Indicator)
	if ind.Kind != Stock || !v.AsOfMixed {
		return nil
	}
	var out []Value
	for _, c := range children {
		if c.Indicator == v.Indicator && c.AsOf != "" && c.AsOf < v.AsOfLatest {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].AsOf != out[j].AsOf {
			return out[i].AsOf < out[j].AsOf
		}
		return out[i].UnitCode < out[j].UnitCode
	})
	return out
}

// ReportedText is the completeness as a page's sentence: "已报送 9 / 10 个区县；…",
// or, when nothing contributed, that there is no data at all (and whether
// anything is due yet).
func ReportedText(l locale.Lang, v Value, children []Value) string {
	if v.Reported == 0 {
		return NoDataText(l, v.Expected > 0)
	}
	return locale.T(l, "metrics.reported", CompletenessText(l, v, children))
}

// NoDataText says that a span has no return at all (due: its last quarter is due).
func NoDataText(l locale.Lang, due bool) string {
	if due {
		return locale.T(l, "metrics.nodata")
	}
	return locale.T(l, "metrics.nodata.notdue")
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.comp.districts": {"%d / %d 个区县", "%d of %d districts"},
		"metrics.comp.quarters":  {"%d / %d 个区县·季度", "%d of %d district-quarters"},
		"metrics.comp.notdue":    {"未到期", "not yet due"},
		"metrics.comp.lag":       {"%s取 %s", "%s from %s"},
		"metrics.comp.more":      {"等 %d 个区县", "%d districts in all"},
		"metrics.comp.sep":       {"；", "; "},
		"metrics.comp.comma":     {"、", ", "},
		"metrics.reported":       {"已报送 %s", "reported: %s"},
		"metrics.nodata":         {"本期没有任何报表数据", "no return at all for this period"},
		"metrics.nodata.notdue":  {"本期没有任何报表数据（尚未到报送截止日）", "no return at all for this period (not yet due)"},
	})
}
