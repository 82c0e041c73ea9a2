package locale

import (
	"testing"
)

func TestCatalogIsComplete(t *testing.T) {
	for _, p := range Problems() {
		t.Error(p)
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

func TestFuncPackage(t *testing.T) {
	for fn, want := range map[string]string{
		"sgz/registry.init.0":          "sgz/registry",
		"sgz/registry_test.TestMain":   "sgz/registry",
		"main.init.0":                  "main",
		"sgz/cmd/sgz.(*app).T":         "sgz/cmd/sgz",
		"github.com/a/b.v2.Func":       "github.com/a/b",
		"sgz/locale/keytest.Run.func1": "sgz/locale/keytest",
	} {
		if got := funcPackage(fn); got != want {
			t.Errorf("funcPackage(%q) = %q, want %q", fn, got, want)
		}
	}
}
