// Package keytest checks that every user-facing message key a package
// registers (locale.Add in its messages file) is produced by at least one of
// its tests. Each package that registers keys runs its tests through Run:
//
//	func TestMain(m *testing.M) { os.Exit(keytest.Run(m, nil)) }
//
// While the tests run, locale notes every key given to locale.T or locale.M
// (a message formatted, or an error or issue made). After a full, passing
// run, Run fails listing the keys of the package that no test produced.
// A key that only another package can produce (a dashboard sentence that a
// command's test shows, say) goes into the package's allow-list with the
// test that produces it:
//
//	var elsewhere = map[string]string{
//		"serve.listen": "cmd/sgz TestServeFlags", // printed by the command, not the package
//	}
//
// The few keys that no test can produce (a folder that cannot be listed, as
// root) are listed the same way, the value saying "no test: " and why.
//
// The check is skipped when only some tests ran (-run, -skip, -short,
// -list) or when a test failed.
package keytest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sgz/locale"
)

// Run runs the tests of the calling package and then the key check; it
// returns the exit code for os.Exit. allow maps a key to the test of another
// package that produces it.
func Run(m *testing.M, allow map[string]string) int {
	pkg := locale.CallerPackage()
	locale.Record()
	code := m.Run()
	if code != 0 || partial() {
		return code
	}
	if msg := Missing(pkg, allow); msg != "" {
		fmt.Fprint(os.Stderr, msg)
		return 1
	}
	return 0
}

// partial reports whether the run was limited to some tests.
func partial() bool {
	for _, name := range []string{"test.run", "test.skip", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return true
		}
	}
	return testing.Short()
}

// Missing returns the failure message for the keys registered by pkg that
// were not produced and are not allowed, and for allow-list entries that
// name no key of pkg; "" when there are none.
func Missing(pkg string, allow map[string]string) string {
	keys, file := locale.KeysOf(pkg)
	own := map[string]bool{}
	var missing, stale []string
	for _, k := range keys {
		own[k] = true
		if _, ok := allow[k]; !ok && !locale.Produced(k) {
			missing = append(missing, fmt.Sprintf("  %-28s registered in %s", k, rel(file[k])))
		}
	}
	for k, by := range allow {
		if !own[k] {
			stale = append(stale, fmt.Sprintf("  %-28s (allow-listed as produced by %s)", k, by))
		}
	}
	if len(missing) == 0 && len(stale) == 0 {
		return ""
	}
	var b strings.Builder
	if len(missing) > 0 {
		fmt.Fprintf(&b, "\nFAIL: %d message key(s) of package %s are produced by none of its tests:\n%s\n",
			len(missing), pkg, strings.Join(missing, "\n"))
		fmt.Fprintf(&b, "Fix: add a test in this package that makes each message appear (cause the error, render the page,\n"+
			"format the sentence) and asserts on it. A key that only another package's test can produce goes into\n"+
			"the allow-list passed to keytest.Run in this package's TestMain, with that test's name.\n")
	}
	if len(stale) > 0 {
		fmt.Fprintf(&b, "\nFAIL: the key allow-list of package %s names keys the package does not register:\n%s\n"+
			"Fix: remove them from the allow-list (or correct their spelling).\n", pkg, strings.Join(stale, "\n"))
	}
	return b.String()
}

// rel shortens path to the module root (the folder holding go.mod).
func rel(path string) string {
	dir, err := os.Getwd()
	if err != nil {
		return path
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
				return r
			}
			return path
		}
		up := filepath.Dir(dir)
		if up == dir {
			return path
		}
		dir = up
	}
}
