package query

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"sgz/store"
)

const (
	docsFile  = "../docs/views.md"
	docsBegin = "<!-- views:begin (generated from the database comments: SGZ_UPDATE_DOCS=1 go test ./query -run TestViewsDocumented) -->\n"
	docsEnd   = "<!-- views:end -->"
)

// Every view in the database is documented in docs/views.md, with its
// columns and comments, and every documented view exists.
func TestViewsDocumented(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	views, err := Views(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.Comment == "" {
			t.Errorf("%s has no COMMENT ON VIEW", v.Name)
		}
		for _, c := range v.Columns {
			if c.Comment == "" {
				t.Errorf("%s.%s has no COMMENT ON COLUMN", v.Name, c.Name)
			}
		}
	}
	b, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, docsBegin), strings.Index(doc, docsEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no generated section between %q and %q", docsFile, docsBegin, docsEnd)
	}
	want := Markdown(views)
	if got := doc[i+len(docsBegin) : j]; got != want {
		if os.Getenv("SGZ_UPDATE_DOCS") != "" {
			doc = doc[:i+len(docsBegin)] + want + doc[j:]
			if err := os.WriteFile(docsFile, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("updated %s", docsFile)
		} else {
			t.Errorf("%s is out of date with the database's views: run SGZ_UPDATE_DOCS=1 go test ./query -run TestViewsDocumented", docsFile)
		}
	}
	exists := map[string]bool{}
	for _, v := range views {
		exists[v.Name] = true
		if !strings.Contains(doc, "### "+v.Name+"\n") {
			t.Errorf("%s is not documented", v.Name)
		}
	}
	for _, m := range regexp.MustCompile("(?m)^### (v_[a-z_]+)$|`(v_[a-z_]+)`").FindAllStringSubmatch(doc, -1) {
		name := m[1] + m[2]
		if strings.HasSuffix(name, "_") { // a prefix such as `v_` in prose
			continue
		}
		if !exists[name] {
			t.Errorf("%s documents %s, which does not exist", docsFile, name)
		}
	}
}
