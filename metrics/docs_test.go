package metrics

import (
	"os"
	"strings"
	"testing"
)

// docs/metrics.md lists every indicator and shows the default rules with their hash.
func TestDocsInSync(t *testing.T) {
	b, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, ind := range Indicators {
		if !strings.Contains(doc, "`"+ind.ID+"`") || !strings.Contains(doc, ind.Name.Zh) {
			t.Errorf("docs/metrics.md does not define %s", ind.ID)
		}
	}
	if !strings.Contains(doc, DefaultConfig().SHA256()) || !strings.Contains(doc, string(DefaultConfig().JSON())) {
		t.Error("docs/metrics.md does not show the current default rules and their SHA-256")
	}
}
