package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const evilName = `=HYPERLINK("http://evil.example/","x")`

// checkCSV: the evil name appears in the CSV, always as text ('=…).
func checkCSV(t *testing.T, what, text string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	seen := 0
	for _, r := range recs {
		for _, c := range r {
			if strings.Contains(c, "HYPERLINK") {
				seen++
				if c != "'"+evilName {
					t.Errorf("%s: cell %q", what, c)
				}
			}
		}
	}
	if seen == 0 {
		t.Errorf("%s: the registry name is not in the output", what)
	}
}

// Every CSV of the command line neutralises a registry name that is a
// formula, and the registry export reads back as it was.
func TestEveryCLICSVNeutralisesFormulas(t *testing.T) {
	dir, db := ingested(t, []string{"320505", "320506"}, []string{"2026Q3"}, 3)
	scope := filepath.Join(dir, "scope.csv")
	if code, _, e := sgzRun(t, "--db", db, "registry", "export", "--period", "2026Q3", "-o", scope); code != 0 {
		t.Fatal(e)
	}
	b, err := os.ReadFile(scope)
	if err != nil {
		t.Fatal(err)
	}
	quoted := `"` + strings.ReplaceAll(evilName, `"`, `""`) + `"`
	edited := strings.Replace(string(b), "320505,虎丘区,", "320505,"+quoted+",", 1)
	if edited == string(b) {
		t.Fatal("虎丘区 not in the registry export")
	}
	if err := os.WriteFile(scope, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, e := sgzRun(t, "--db", db, "registry", "load", scope); code != 0 {
		t.Fatal(e)
	}

	// sgz registry export, and back: the name is the same after a round trip.
	if code, _, e := sgzRun(t, "--db", db, "registry", "export", "--period", "2026Q3", "-o", scope); code != 0 {
		t.Fatal(e)
	}
	b, _ = os.ReadFile(scope)
	checkCSV(t, "registry export", string(b))
	if code, _, e := sgzRun(t, "--db", db, "registry", "load", scope); code != 0 {
		t.Fatal(e)
	}
	_, out, _ := sgzRun(t, "--db", db, "query", "--format", "json", "SELECT DISTINCT name FROM v_registry WHERE code = '320505'")
	if !strings.Contains(out, `"=HYPERLINK(\"http://evil.example/\",\"x\")"`) || strings.Contains(out, `'=`) {
		t.Errorf("after the round trip: %s", out)
	}

	for _, args := range [][]string{
		{"indicators", "--period", "2026Q3", "--level", "district", "--format", "csv"},
		{"assess", "--period", "2026Q3", "--format", "csv"},
		{"query", "--format", "csv", "SELECT DISTINCT code, name FROM v_registry WHERE code = '320505'"},
	} {
		code, out, e := sgzRun(t, append([]string{"--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("%v: %s", args, e)
		}
		checkCSV(t, strings.Join(args[:1], " "), out)
	}
	// sgz query -o FILE.csv (with a byte-order mark).
	f := filepath.Join(dir, "q.csv")
	if code, _, e := sgzRun(t, "--db", db, "query", "--format", "csv", "-o", f, "SELECT name FROM v_registry WHERE code = '320505'"); code != 0 {
		t.Fatal(e)
	}
	b, _ = os.ReadFile(f)
	checkCSV(t, "query -o", string(b))
}
