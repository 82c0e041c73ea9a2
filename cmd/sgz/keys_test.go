package main

import (
	"context"
	"os"
	"testing"

	"sgz/locale/keytest"
)

// Every message key this package registers must be produced by one of its
// tests (see locale/keytest); keys only another package's tests can produce
// are listed here with the test that does.
var keysElsewhere = map[string]string{}

// TestMain also lets this test binary stand for sgz when `sgz serve` starts
// its console workers (os.Executable() sql-worker).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "sql-worker" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(keytest.Run(m, keysElsewhere))
}
