package metrics

import (
	"context"
	"strings"
	"testing"

	"sgz"
	"sgz/locale"
)

// The rules-file errors TestConfigErrors does not reach.
func TestConfigErrorsYearAndMilestone(t *testing.T) {
	cases := []struct{ json, zh, en string }{
		{`{"plan_start_year": 1800}`, "字段 plan_start_year 不是有效年份（现为 1800）", "field plan_start_year is not a valid year (found 1800)"},
		{`{"milestones": [{"indicators": [], "year": 1, "target": 0.5}]}`, "字段 milestones[0].indicators 不能为空", "field milestones[0].indicators must not be empty"},
	}
	for _, c := range cases {
		_, err := ParseConfig(strings.NewReader(c.json), "rules.json")
		if err == nil {
			t.Errorf("%s: accepted", c.json)
			continue
		}
		if zh, en := sayAll(locale.ZH, err), sayAll(locale.EN, err); !strings.Contains(zh, "rules.json") || !strings.Contains(zh, c.zh) || !strings.Contains(en, c.en) {
			t.Errorf("%s:\n zh %s\n en %s", c.json, zh, en)
		}
	}
}

// A unit code that is not digits never reaches the SQL.
func TestTrendRefusesABadCode(t *testing.T) {
	db := fixture(t)
	p := sgz.MustPeriod("2026Q3")
	_, err := Trend(context.Background(), db, p, p, sgz.District, nil, "320501", "320502' OR 1=1 --")
	if err == nil {
		t.Fatal("a code with SQL in it accepted")
	}
	if got := locale.Say(locale.EN, err); got != `invalid unit code "320502' OR 1=1 --"` {
		t.Errorf("got %q", got)
	}
	if _, err := Trend(context.Background(), db, p, p, sgz.District, nil, "320501", "329999", CountryCode); err != nil {
		t.Errorf("valid codes refused: %v", err)
	}
}
