package query

import (
	"os"
	"testing"

	"sgz/locale/keytest"
)

// Every message key this package registers must be produced by one of its
// tests (see locale/keytest); keys only another package's tests can produce
// are listed here with the test that does.
var keysElsewhere = map[string]string{
	// printed by `sgz query`, not by the package
	"query.rows":      "cmd/sgz TestCommandMessages",
	"query.truncated": "cmd/sgz TestCommandMessages",
}

// TestMain also lets the test binary stand for a console worker process
// (SGZ_TEST_SQL_WORKER=1, see testWorkers).
func TestMain(m *testing.M) {
	if os.Getenv("SGZ_TEST_SQL_WORKER") == "1" {
		os.Exit(WorkerMain(os.Stdin, os.Stdout))
	}
	os.Exit(keytest.Run(m, keysElsewhere))
}
