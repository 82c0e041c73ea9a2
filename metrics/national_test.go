package metrics

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sgz"
	"sgz/store"
)

// TestNationalHeadlines measures, on the national database of
// scripts/scale-years.sh (SGZ_NATIONAL_DB=path of a COPY of it: it is opened
// read-only), the headlines of SGZ_NATIONAL_N (64) districts spread over the
// country computed one unit at a time (HeadlineFor, as the district pages did)
// against every district's in one pass (Headlines), with Compute of the
// district level as the same-run reference, and checks that both give the
// same figures. Skipped without the variable: figures in docs/operations.md.
func TestNationalHeadlines(t *testing.T) {
	path := os.Getenv("SGZ_NATIONAL_DB")
	if path == "" {
		t.Skip("needs the eight-quarter national database (1.3 GB, about an hour to build with scripts/scale-years.sh), too big for the suite; set SGZ_NATIONAL_DB=/tmp/sgz-years/national.duckdb to run it")
	}
	n := 64
	if s := os.Getenv("SGZ_NATIONAL_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	spans := []string{"2026Q3", "2026"}
	if s := os.Getenv("SGZ_NATIONAL_SPANS"); s != "" {
		spans = strings.Split(s, ",")
	}
	for _, s := range spans {
		span := mustSpan(s)
		t0 := time.Now()
		vals, err := Compute(ctx, db, span, sgz.District, nil)
		if err != nil {
			t.Fatal(err)
		}
		ref := time.Since(t0)
		var all []string
		seen := map[string]bool{}
		for _, v := range vals {
			if !seen[v.UnitCode] {
				seen[v.UnitCode] = true
				all = append(all, v.UnitCode)
			}
		}
		var codes []string
		for i := 0; i < len(all) && len(codes) < n; i += max(1, len(all)/max(1, n)) {
			codes = append(codes, all[i])
		}
		t0 = time.Now()
		per := map[string]*Headline{}
		var slowest time.Duration
		for _, c := range codes {
			t1 := time.Now()
			h, err := HeadlineFor(ctx, db, span, c, nil)
			if err != nil {
				t.Fatal(err)
			}
			slowest = max(slowest, time.Since(t1))
			per[c] = h
		}
		perUnit := time.Since(t0)
		t0 = time.Now()
		one, err := Headlines(ctx, db, span, sgz.District, nil)
		if err != nil {
			t.Fatal(err)
		}
		onePass := time.Since(t0)
		t0 = time.Now()
		cities, err := Headlines(ctx, db, span, sgz.City, nil)
		if err != nil {
			t.Fatal(err)
		}
		cityPass := time.Since(t0)
		for c, want := range per {
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(one[c])
			if string(wj) != string(gj) {
				t.Errorf("%s %s:\n per unit: %s\n one pass: %s", s, c, wj, gj)
			}
		}
		// A few cities (prefectures) one at a time against the one pass.
		k := 0
		var cityOne time.Duration
		for c := range cities {
			if k == 4 {
				break
			}
			k++
			t1 := time.Now()
			want, err := HeadlineFor(ctx, db, span, c, nil)
			if err != nil {
				t.Fatal(err)
			}
			cityOne += time.Since(t1)
			wj, _ := json.Marshal(want)
			gj, _ := json.Marshal(cities[c])
			if string(wj) != string(gj) {
				t.Errorf("%s city %s:\n per unit: %s\n one pass: %s", s, c, wj, gj)
			}
		}
		t.Logf("%s: reference Compute(district level, %d districts) %.2f s; HeadlineFor × %d districts %.1f s (%.2f s each, slowest %.2f s); "+
			"Headlines of all %d districts %.2f s; Headlines of all %d cities %.2f s (HeadlineFor of one city %.2f s)",
			s, len(all), ref.Seconds(), len(codes), perUnit.Seconds(), perUnit.Seconds()/float64(len(codes)), slowest.Seconds(),
			len(one), onePass.Seconds(), len(cities), cityPass.Seconds(), cityOne.Seconds()/float64(max(1, k)))
	}
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM") {
				t.Log(l)
			}
		}
	}
}
