package dashboard

import (
	"encoding/json"
	"testing"
)

// The towns of one district (kept per district, calc.townsByDistrict) are
// exactly the country's towns of that district, row for row, for every
// district that has towns, and a district asked twice answers the same.
func TestAPITownsOfOneDistrictEqualTheCountrys(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{})
	var all []map[string]any
	if code := getJSON(t, ts.URL+"/api/v1/indicators?period=2026Q3&level=town", &all); code != 200 || len(all) == 0 {
		t.Fatalf("all towns: %d, %d rows", code, len(all))
	}
	want := map[string][]map[string]any{}
	for _, r := range all {
		code, _ := r["unit_code"].(string)
		if len(code) < 6 {
			t.Fatalf("town code %q", code)
		}
		want[code[:6]] = append(want[code[:6]], r)
	}
	if len(want) < 2 {
		t.Fatalf("the fixture's towns are in %d districts", len(want))
	}
	for d, rows := range want {
		for range 2 {
			var got []map[string]any
			if code := getJSON(t, ts.URL+"/api/v1/indicators?period=2026Q3&level=town&district="+d, &got); code != 200 {
				t.Fatalf("%s: status %d", d, code)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(rows)
			if string(g) != string(w) {
				t.Errorf("towns of %s: %d rows, want %d:\n%s\nwant\n%s", d, len(got), len(rows), g, w)
			}
		}
	}
}
