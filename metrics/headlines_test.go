package metrics

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"sgz"
	"sgz/store"
)

// Headlines (one pass over every unit of a level) gives, for every district
// and city of the fixture, exactly HeadlineFor of that unit (one query per
// unit), and no headline where HeadlineFor has none.
func TestHeadlinesEqualHeadlineFor(t *testing.T) {
	db := fixture(t)
	cfg, err := ParseConfig(strings.NewReader(`{"version": 1, "province_certified_total": 404}`), "rules.json")
	if err != nil {
		t.Fatal(err)
	}
	n := CompareHeadlines(t, db, []string{"2026Q1", "2026Q2", "2026Q3", "2026Q4", "2026", "2025Q4-2026Q3"}, nil)
	n += CompareHeadlines(t, db, []string{"2026Q3", "2026"}, cfg)
	// A second city with a district that never reported.
	regUnit(t, db, "0000Q1", "320601", "另一区", false, 0)
	regUnit(t, db, "2026Q3", "320601", "另一区", false, 0)
	n += CompareHeadlines(t, db, []string{"2026Q3", "2026"}, nil)
	if n < 30 {
		t.Errorf("only %d headlines compared", n)
	}
}

// CompareHeadlines checks Headlines against HeadlineFor for every district
// and city code of the registry over each span, and returns how many
// headlines it compared. (Exported through the test binary only.)
func CompareHeadlines(t testing.TB, db *store.DB, spans []string, cfg *Config) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	for _, s := range spans {
		span := mustSpan(s)
		for _, l := range []sgz.Level{sgz.District, sgz.City} {
			all, err := Headlines(ctx, db, span, l, cfg)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := db.QueryContext(ctx, `SELECT DISTINCT code FROM registry_units WHERE level = ? ORDER BY 1`, string(l))
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					t.Fatal(err)
				}
				codes = append(codes, c)
			}
			rows.Close()
			for c := range all { // a city known only by its districts' city_code
				if !slices.Contains(codes, c) {
					codes = append(codes, c)
				}
			}
			seen := 0
			for _, c := range codes {
				want, err := HeadlineFor(ctx, db, span, c, cfg)
				got := all[c]
				if err != nil {
					if got != nil {
						t.Errorf("%s %s: HeadlineFor fails (%v), Headlines gives %+v", s, c, err, got)
					}
					continue
				}
				seen++
				wj, _ := json.Marshal(want)
				gj, _ := json.Marshal(got)
				if string(wj) != string(gj) {
					t.Errorf("%s %s:\n one unit:  %s\n one pass:  %s", s, c, wj, gj)
				}
				n++
			}
			if seen != len(all) {
				t.Errorf("%s %s: Headlines has %d units, HeadlineFor %d", s, l, len(all), seen)
			}
		}
	}
	return n
}
