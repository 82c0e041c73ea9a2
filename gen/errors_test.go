package gen

import (
	"testing"

	"sgz"
	"sgz/locale"
	"sgz/registry"
)

// An invalid quarter is refused by name, before anything is written.
func TestInvalidPeriod(t *testing.T) {
	reg := registry.Suzhou()
	bad := sgz.Period{Year: 2026, Quarter: 5}
	dir := t.TempDir()
	if paths, err := WriteSet(dir, reg, []string{"320505"}, []sgz.Period{bad}, Options{}); err == nil || len(paths) != 0 {
		t.Fatalf("WriteSet accepted quarter 5: %v", paths)
	} else if got := locale.Say(locale.EN, err); got != "invalid period "+bad.String() {
		t.Errorf("got %q", got)
	}
	if _, err := Return(reg, "320505", bad, Options{}); err == nil {
		t.Error("Return accepted quarter 5")
	}
}
