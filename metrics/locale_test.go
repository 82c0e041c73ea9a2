package metrics

import (
	"regexp"
	"strings"
	"testing"

	"sgz/locale"
)

// Every metrics sentence exists in both languages with the same verbs.
func TestMessagesComplete(t *testing.T) {
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	n := 0
	for _, k := range locale.Keys() {
		if !strings.HasPrefix(k, "metrics.") {
			continue
		}
		n++
		tx, _ := locale.Lookup(k)
		if strings.Join(verb.FindAllString(tx[0], -1), " ") != strings.Join(verb.FindAllString(tx[1], -1), " ") {
			t.Errorf("%s: verbs differ", k)
		}
	}
	if n < 10 {
		t.Errorf("only %d metrics messages", n)
	}
}
