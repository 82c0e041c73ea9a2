package ingest

// The clerk corpus in testdata/clerks (see ingest/corpus_test.go).
//go:generate go test -run TestClerkCorpusWrite -args -write-corpus
