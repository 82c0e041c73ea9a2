package dashboard

import (
	"context"
	"encoding/json"
	"testing"

	"sgz"
	"sgz/metrics"
)

// The district pages and GET /api/v1/headline?unit= read every district's
// (city's) headline of a span from one pass (metrics.Headlines). On this
// fixture (real returns: projects, workforce, trainings) each is exactly
// the headline computed for the unit alone (metrics.HeadlineFor), for every
// district and city of the registry, and none is there for a unit that has
// none.
func TestHeadlinesOnePassEqualPerUnit(t *testing.T) {
	_, _, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	n, projects := 0, 0
	for _, s := range []string{"2026Q2", "2026Q3", "2026", "2025Q4-2026Q3"} {
		span, err := sgz.ParseSpan(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []sgz.Level{sgz.District, sgz.City} {
			all, err := metrics.Headlines(ctx, db, span, l, nil)
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
			found := 0
			for _, c := range codes {
				want, err := metrics.HeadlineFor(ctx, db, span, c, nil)
				got := all[c]
				if err != nil {
					if got != nil {
						t.Errorf("%s %s: per unit %v, one pass %+v", s, c, err, got)
					}
					continue
				}
				found++
				wj, _ := json.Marshal(want)
				gj, _ := json.Marshal(got)
				if string(wj) != string(gj) {
					t.Errorf("%s %s:\n per unit: %s\n one pass: %s", s, c, wj, gj)
				}
				n++
				projects += want.ProjectsTotal
			}
			if found != len(all) {
				t.Errorf("%s %s: one pass has %d units, per unit %d", s, l, len(all), found)
			}
		}
	}
	if n < 40 || projects == 0 {
		t.Errorf("compared %d headlines with %d projects: the fixture is not what this test needs", n, projects)
	}
}
