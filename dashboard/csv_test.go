package dashboard

import (
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"sgz/store"
)

const evilName = `=HYPERLINK("http://evil.example/","x")`

// The CSVs of the pages and the API neutralise a registry name that is a
// formula (interfaces.md, "CSV outputs").
func TestEveryPageCSVNeutralisesFormulas(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	err := db.Write(context.Background(), func(w *store.Writer) error {
		return w.Exec(`UPDATE registry_units SET name = ? WHERE code = '320505'`, evilName)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/assessment.csv?period=2026Q3",
		"/indicators.csv?period=2026Q3&level=district",
		"/api/v1/sql/query.csv?sql=" + url.QueryEscape("SELECT DISTINCT code, name FROM v_registry WHERE code = '320505'"),
	} {
		resp, body := fetch(t, ts.URL+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		seen := 0
		for _, r := range recs {
			for _, c := range r {
				if strings.Contains(c, "HYPERLINK") {
					seen++
					if c != "'"+evilName {
						t.Errorf("%s: cell %q", path, c)
					}
				}
			}
		}
		if seen == 0 {
			t.Errorf("%s: the name is not in the CSV", path)
		}
	}
}
