package locale

import (
	"regexp"
	"strings"
	"testing"
)

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// Every sentence must exist in both languages with the same fmt verbs in the
// same order, so that neither language can show %!d(string=…) to a user.
func TestCatalogIsComplete(t *testing.T) {
	for _, k := range Keys() {
		tx, _ := Lookup(k)
		if strings.TrimSpace(tx[0]) == "" || strings.TrimSpace(tx[1]) == "" {
			t.Errorf("%s: missing a language", k)
		}
		zv, ev := verb.FindAllString(tx[0], -1), verb.FindAllString(tx[1], -1)
		if strings.Join(zv, " ") != strings.Join(ev, " ") {
			t.Errorf("%s: verbs differ: zh %v en %v", k, zv, ev)
		}
	}
}

func TestParseAndT(t *testing.T) {
	Add(map[string]Text{"test.hello": {"你好，%s", "hello, %s"}})
	if l, err := Parse("en"); err != nil || l != EN {
		t.Fatal(l, err)
	}
	if _, err := Parse("fr"); err == nil {
		t.Fatal("fr accepted")
	}
	if got := T(ZH, "test.hello", "苏州"); got != "你好，苏州" {
		t.Fatal(got)
	}
	if got := M("test.hello", "x").In(EN); got != "hello, x" {
		t.Fatal(got)
	}
	if got := Say(EN, Errorf("test.hello", "y")); got != "hello, y" {
		t.Fatal(got)
	}
}
