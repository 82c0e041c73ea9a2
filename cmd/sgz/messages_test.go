package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sgz/locale"
)

// phrase is the longest fixed part of a message's Chinese sentence: what
// the output must contain when the message was printed.
func phrase(t *testing.T, key string) string {
	t.Helper()
	tx, ok := locale.Lookup(key)
	if !ok {
		t.Fatalf("no message %s", key)
	}
	best := ""
	for _, part := range regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`).Split(tx[0], -1) {
		if p := strings.TrimSpace(part); len(p) > len(best) {
			best = p
		}
	}
	return best
}

// untilSaid is a stdout that cancels the run once it has printed say.
type untilSaid struct {
	bytes.Buffer
	say    string
	cancel func()
}

func (u *untilSaid) Write(p []byte) (int, error) {
	n, err := u.Buffer.Write(p)
	if strings.Contains(u.String(), u.say) {
		u.cancel()
	}
	return n, err
}

// sgzServe runs a serving command until it says it serves, then stops it
// (a hang guard of two minutes: the demo builds its database first).
func sgzServe(t *testing.T, say string, args ...string) (code int, stdout, stderr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := &untilSaid{say: say, cancel: cancel}
	var errb bytes.Buffer
	code = run(ctx, args, out, &errb)
	if ctx.Err() == context.DeadlineExceeded {
		t.Errorf("sgz %s did not say %q in two minutes", strings.Join(args, " "), say)
	}
	return code, out.String(), errb.String()
}

// Every message of the commands, each from the command line a user would
// type: the exit code and the sentence printed.
func TestCommandMessages(t *testing.T) {
	dir, db := ingested(t, []string{"320505"}, []string{"2026Q3"}, 1)
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)
	regCSV := filepath.Join(dir, "reg.csv")
	os.WriteFile(regCSV, []byte("code,name,level,parent_code\n3205,苏州市,city,\n320505,虎丘区,district,3205\n320505001,横塘街道,town,320505\n"), 0o644)
	nowhere := filepath.Join(dir, "no", "such", "dir", "x")
	cases := []struct {
		key  string
		ok   bool // exit 0
		args []string
	}{
		{"template.need", false, []string{"template"}},
		{"template.need", false, []string{"template", "--district", "320505"}},
		{"template.period", false, []string{"template", "--district", "320505", "--period", "2026Q9"}},
		{"template.district", false, []string{"template", "--district", "999999", "--period", "2026Q3"}},
		{"template.write", false, []string{"template", "--district", "320505", "--period", "2026Q3", "-o", nowhere + ".xlsx"}},
		{"template.written", true, []string{"template", "--district", "320505", "--period", "2026Q3", "-o", filepath.Join(dir, "t.xlsx")}},
		{"generate.flag", false, []string{"generate", "--periods", "soon", "-o", filepath.Join(dir, "g")}},
		{"generate.flag", false, []string{"generate", "--periods", "2026Q3", "--start", "x", "-o", filepath.Join(dir, "g")}},
		{"generate.district", false, []string{"generate", "--periods", "2026Q3", "--districts", "999999", "-o", filepath.Join(dir, "g")}},
		{"generate.none", false, []string{"generate", "--periods", "2026Q3", "--districts", ",", "-o", filepath.Join(dir, "g")}},
		{"generate.done", true, []string{"generate", "--periods", "2026Q3", "--districts", "320505", "-o", filepath.Join(dir, "g")}},
		{"ingest.nofiles", false, []string{"ingest", filepath.Join(dir, "empty")}},
		{"metrics.cli.noperiod", false, []string{"indicators"}},
		{"metrics.cli.format", false, []string{"indicators", "--period", "2026Q3", "--format", "pdf"}},
		{"metrics.cli.xlsxout", false, []string{"indicators", "--period", "2026Q3", "--format", "xlsx"}},
		{"metrics.cli.config", false, []string{"indicators", "--period", "2026Q3", "--config", filepath.Join(dir, "absent.json")}},
		{"metrics.cli.level", false, []string{"indicators", "--period", "2026Q3", "--level", "galaxy"}},
		{"metrics.cli.write", false, []string{"indicators", "--period", "2026Q3", "-o", nowhere + ".csv"}},
		{"metrics.cli.wrote", true, []string{"indicators", "--period", "2026Q3", "-o", filepath.Join(dir, "i.csv")}},
		{"metrics.cli.nounits", true, []string{"indicators", "--period", "2026Q3", "--level", "province"}},
		{"metrics.cli.assessed0", true, []string{"assess", "--period", "2026Q3", "--no-record", "-o", filepath.Join(dir, "a.xlsx")}},
		{"registry.loaded", true, []string{"registry", "load", regCSV}},
		{"registry.base", true, []string{"registry", "versions"}},
		{"serve.geojson", false, []string{"serve", "--geojson", filepath.Join(dir, "absent.geojson")}},
		{"export.copy", true, []string{"export", "--copy", filepath.Join(dir, "copy.duckdb")}},
		{"query.rows", true, []string{"query", "SELECT 1 AS one"}},
		{"query.truncated", true, []string{"query", "--max-rows", "2", "SELECT * FROM range(5)"}},
		{"demo.exists", false, []string{"demo", "--build-only"}}, // --db names an existing file
	}
	// A database whose only registry applies from 2026Q3 on has none for 2026Q1.
	db2 := filepath.Join(dir, "later.duckdb")
	if code, _, errOut := sgzRun(t, "--db", db2, "registry", "load", "--from", "2026Q3", regCSV); code != 0 {
		t.Fatal(errOut)
	}
	code, _, errOut := sgzRun(t, "--db", db2, "template", "--district", "320505", "--period", "2026Q1", "-o", filepath.Join(dir, "t1.xlsx"))
	if code == 0 || !strings.Contains(errOut, phrase(t, "template.noregistry")) {
		t.Errorf("template without a registry: exit %d: %s", code, errOut)
	}
	for _, c := range cases {
		code, out, errOut := sgzRun(t, append([]string{"--db", db}, c.args...)...)
		want := phrase(t, c.key)
		if (code == 0) != c.ok || !strings.Contains(out+errOut, want) {
			t.Errorf("sgz %s: exit %d, want %s saying %q\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), code,
				map[bool]string{true: "0", false: "non-zero"}[c.ok], want, out, errOut)
		}
	}
}

// serve and demo say where they serve (and stop when told). The demo builds
// its whole database first.
func TestServeAndDemoSayWhereTheyServe(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, errOut := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := sgzServe(t, phrase(t, "serve.serving"), "--db", db, "serve", "--addr", "127.0.0.1:0")
	if code != 0 || !strings.Contains(out, phrase(t, "serve.serving")) {
		t.Errorf("serve: exit %d\n%s\n%s", code, out, errOut)
	}
	if testing.Short() {
		return
	}
	code, out, errOut = sgzServe(t, phrase(t, "serve.serving"), "--db", filepath.Join(dir, "demo.duckdb"), "demo", "--addr", "127.0.0.1:0")
	if code != 0 || !strings.Contains(out, phrase(t, "demo.built")) || !strings.Contains(out, phrase(t, "serve.serving")) {
		t.Errorf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
}
