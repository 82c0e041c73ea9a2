package main

import (
	"encoding/json"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionSaysGoAndDuckDB(t *testing.T) {
	code, out, e := sgzRun(t, "version")
	if code != 0 {
		t.Fatal(e)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || lines[0] != "sgz dev" || lines[2] != "Go "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH ||
		!regexp.MustCompile(`^DuckDB v\d+\.\d+\.\d+`).MatchString(lines[3]) {
		t.Errorf("%q", lines)
	}
	// A test binary carries no VCS stamp.
	if !strings.Contains(lines[1], "提交 未知") {
		t.Errorf("commit line %q", lines[1])
	}
	if _, out, _ := sgzRun(t, "--lang", "en", "version"); !strings.Contains(out, "commit unknown (not built from a git work tree)") {
		t.Errorf("en: %s", out)
	}
}

func TestBuildFactsFromVCSStamp(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "sgz", Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "3a8458b0c0ffee"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		{Key: "vcs.modified", Value: "true"}}}
	f := readBuildFacts(bi, true)
	if f.Version != "v1.4.0" || f.Commit != "3a8458b0c0ffee" || !f.Modified || f.Time != "2026-12-01T10:00:00Z" {
		t.Errorf("%+v", f)
	}
	var out strings.Builder
	(&app{stdout: &out, lang: "en"}).printVersion(readBuildFacts(bi, true), "v1.5.6")
	if !strings.Contains(out.String(), "commit 3a8458b0c0ffee (with uncommitted changes) 2026-12-01T10:00:00Z") {
		t.Errorf("%s", out.String())
	}
	bi.Main.Version = "(devel)"
	if f := readBuildFacts(bi, true); f.Version != "dev" {
		t.Errorf("devel build: %+v", f)
	}
	if f := readBuildFacts(nil, false); f.Version != "dev" || f.Commit != "" {
		t.Errorf("no build info: %+v", f)
	}
	out.Reset()
	(&app{stdout: &out}).printVersion(readBuildFacts(bi, true), "v1.5.6")
	if !strings.Contains(out.String(), "提交 3a8458b0c0ffee（含未提交的修改） 2026-12-01T10:00:00Z") {
		t.Errorf("%s", out.String())
	}
	defer func(v string) { version = v }(version)
	version = "2.0.1" // -ldflags "-X main.version=2.0.1"
	if f := readBuildFacts(bi, true); f.Version != "2.0.1" {
		t.Errorf("-X: %+v", f)
	}
}

func TestLogFormatJSON(t *testing.T) {
	db := t.TempDir() + "/none.duckdb"
	_, _, e := sgzRun(t, "--db", db, "--log-format", "json", "-v", "query", "SELECT 1")
	var lines int
	for _, l := range strings.Split(strings.TrimSpace(e), "\n") {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("not JSON: %q", l)
		}
		if m["msg"] == "command done" && m["command"] == "sgz query" && m["level"] == "DEBUG" {
			lines++
		}
	}
	if lines != 1 {
		t.Errorf("no JSON log line:\n%s", e)
	}
	if _, _, e := sgzRun(t, "--db", db, "-v", "query", "SELECT 1"); !strings.Contains(e, `level=DEBUG msg="command done" command="sgz query"`) {
		t.Errorf("text: %s", e)
	}
	if code, _, e := sgzRun(t, "--log-format", "xml", "version"); code == 0 || !strings.Contains(e, "--log-format") {
		t.Errorf("xml: %d %s", code, e)
	}
}
