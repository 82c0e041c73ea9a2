// Package needs finds the outside programs some tests drive (LibreOffice),
// skipping those tests with the package to install where the program is
// missing, and failing them under CI (CI=true), whose .ci/run installs them:
// a missing install must not pass as a skip there.
package needs

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Soffice is the path of LibreOffice's soffice. With writer, LibreOffice
// must also have Writer (to open .docx files), not only Calc.
func Soffice(t testing.TB, writer bool) string {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		missing(t, "soffice (LibreOffice) is not installed: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui")
		return ""
	}
	if writer {
		if real, err := filepath.EvalSymlinks(bin); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(real), "libswlo.so")); err != nil {
				missing(t, "LibreOffice has no Writer to open .docx: apt-get install libreoffice-writer-nogui")
			}
		}
	}
	return bin
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why + " (CI installs it in .ci/run)")
	}
	t.Skip(why + "; this second reader's check is skipped")
}
