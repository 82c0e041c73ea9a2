package dashboard

// Every message key this package registers must be produced by one of its
// tests (see locale/keytest, run from TestMain); keys only another package's
// tests can produce are listed here with the test that does.
var keysElsewhere = map[string]string{}
