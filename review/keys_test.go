package review

import (
	"os"
	"testing"

	"sgz/locale/keytest"
)

// Every message key this package registers must be produced by one of its
// tests (see locale/keytest); keys only another package's tests can produce
// are listed here with the test that does.
var keysElsewhere = map[string]string{}

func TestMain(m *testing.M) { os.Exit(keytest.Run(m, keysElsewhere)) }
