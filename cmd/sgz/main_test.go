package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/gen"
	"sgz/registry"
)

// sgzRun runs the command line in-process, as a user would.
func sgzRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestIngestJSONShapeAndExitCodes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	files, err := gen.WriteSet(filepath.Join(dir, "in"), registry.Suzhou(), []string{"320505", "320506"},
		[]sgz.Period{sgz.MustPeriod("2026Q3")}, gen.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := sgzRun(t, "--db", db, "ingest", "--json", filepath.Join(dir, "in"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(got) != len(files) {
		t.Fatalf("%d objects for %d files", len(got), len(files))
	}
	for _, o := range got {
		for _, k := range []string{"file", "status", "district", "period", "return_id", "errors", "warnings"} {
			if _, ok := o[k]; !ok {
				t.Errorf("object lacks %q: %v", k, o)
			}
		}
		if o["status"] != "accepted" || o["period"] != "2026Q3" || o["return_id"] == "" {
			t.Errorf("%v", o)
		}
		if errs, ok := o["errors"].([]any); !ok || len(errs) != 0 {
			t.Errorf("errors should be an empty array: %v", o["errors"])
		}
	}

	// A bad file: exit non-zero, errors with sheet and cell, in English on request.
	bad := filepath.Join(dir, "bad.xlsx")
	os.WriteFile(bad, []byte("code,name\n"), 0o644)
	code, out, _ = sgzRun(t, "--db", db, "--lang", "en", "ingest", "--json", bad)
	if code == 0 {
		t.Fatal("a rejected file exits 0")
	}
	got = nil
	json.Unmarshal([]byte(out), &got)
	if len(got) != 1 || got[0]["status"] != "rejected" {
		t.Fatalf("%s", out)
	}
	e := got[0]["errors"].([]any)[0].(map[string]any)
	if e["sheet"] != "" || e["cell"] != "" || !strings.Contains(e["message"].(string), "not a valid .xlsx") {
		t.Errorf("whole-file error %v", e)
	}
	// Text output in Chinese names the file and says rejected.
	code, out, _ = sgzRun(t, "--db", db, "ingest", bad)
	if code == 0 || !strings.Contains(out, "bad.xlsx") || !strings.Contains(out, "已拒收") || !strings.Contains(out, "不是有效的 .xlsx") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestUserErrorsNameTheFlagOrPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "ingest", filepath.Join(dir, "nope")}, "找不到文件或文件夹"},
		{[]string{"--db", db, "--lang", "en", "ingest", filepath.Join(dir, "nope")}, "no such file or folder"},
		{[]string{"--db", db, "ingest", "--max-size", "0", dir}, "--max-size"},
		{[]string{"--db", db, "--lang", "fr", "ingest", dir}, "unknown language"},
		{[]string{"--db", db, "registry", "load", filepath.Join(dir, "x.csv")}, "无法打开名录文件"},
		{[]string{"--db", db, "registry", "load", "--from", "2026Q9", filepath.Join(dir, "x.csv")}, "--from"},
		{[]string{"--db", filepath.Join(dir, "no", "such", "dir", "x.duckdb"), "registry", "versions"}, "无法打开数据库"},
	}
	for _, c := range cases {
		code, _, errOut := sgzRun(t, c.args...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errOut, c.want)
		}
	}
}
