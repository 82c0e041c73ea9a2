package ingest

import (
	"os"
	"testing"

	"sgz/locale/keytest"
)

// Every message key this package registers must be produced by one of its
// tests (see locale/keytest); keys only another package's tests can produce
// are listed here with the test that does.
var keysElsewhere = map[string]string{
	// Not producible by a test here (root ignores permissions, so no folder
	// below a readable one fails to list); Expand's error path for it.
	"ingest.walk": "no test: a folder that cannot be listed",
	// The fallback of fileError for an error ingest/xlsx does not classify;
	// every error xlsx returns today is an *xlsx.FileError.
	"ingest.file.unreadable": "no test: an unclassified xlsx error",
}

func TestMain(m *testing.M) { os.Exit(keytest.Run(m, keysElsewhere)) }
