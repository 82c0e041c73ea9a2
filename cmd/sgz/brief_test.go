package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBriefCommand(t *testing.T) {
	dir, db := ingested(t, []string{"320505", "320506"}, []string{"2026Q2", "2026Q3"}, 1)
	out := filepath.Join(dir, "简报.docx")
	code, stdout, e := sgzRun(t, "--db", db, "brief", "--period", "2026Q3", "--as-of", "2026-12-01", "-o", out)
	if code != 0 || !strings.Contains(stdout, "已写入 "+out+"：苏州市 2026Q3 工作简报（已报送 2/10 个区县") {
		t.Fatalf("brief: %d %s %s", code, stdout, e)
	}
	z, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var found bool
	for _, f := range z.File {
		found = found || f.Name == "word/document.xml"
	}
	if !found {
		t.Error("no word/document.xml")
	}
	code, stdout, _ = sgzRun(t, "--db", db, "--lang", "en", "brief", "--period", "2026Q3", "-o", filepath.Join(dir, "b.docx"))
	if code != 0 || !strings.Contains(stdout, "wrote ") || !strings.Contains(stdout, "2 of 10 districts reported") {
		t.Errorf("brief --lang en: %d %s", code, stdout)
	}
	// Mistakes name the flag and write nothing.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"brief", "--period", "2026Q3"}, "请用 -o 指定输出的 .docx 文件"},
		{[]string{"brief", "--period", "2026Q3", "--as-of", "12/01/2026", "-o", filepath.Join(dir, "x.docx")}, `--as-of "12/01/2026" 不是日期`},
		{[]string{"brief", "--period", "2026Q9", "-o", filepath.Join(dir, "x.docx")}, "2026Q9"},
	} {
		code, _, e := sgzRun(t, append([]string{"--db", db}, c.args...)...)
		if code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %s", c.args, code, e)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.docx")); err == nil {
		t.Error("a refused brief wrote a file")
	}
}
