package keytest

import (
	"strings"
	"testing"

	"sgz/locale"
)

func init() {
	locale.Add(map[string]locale.Text{
		"keytest.made":    {"有", "made"},
		"keytest.notmade": {"无", "not made"},
	})
}

func TestMissing(t *testing.T) {
	locale.Record()
	locale.T(locale.EN, "keytest.made")
	pkg := "sgz/locale/keytest"
	msg := Missing(pkg, nil)
	if !strings.Contains(msg, "keytest.notmade") || strings.Contains(msg, "keytest.made ") ||
		!strings.Contains(msg, "locale/keytest/keytest_test.go") || !strings.Contains(msg, "Fix:") {
		t.Errorf("message:\n%s", msg)
	}
	if msg := Missing(pkg, map[string]string{"keytest.notmade": "other TestX"}); msg != "" {
		t.Errorf("allowed key still reported:\n%s", msg)
	}
	if msg := Missing(pkg, map[string]string{"keytest.notmade": "x", "keytest.typo": "y"}); !strings.Contains(msg, "keytest.typo") ||
		strings.Contains(msg, "keytest.notmade") {
		t.Errorf("stale allow-list entry:\n%s", msg)
	}
	if keys, _ := locale.KeysOf(pkg); len(keys) != 2 {
		t.Errorf("keys of %s: %v", pkg, keys)
	}
}
