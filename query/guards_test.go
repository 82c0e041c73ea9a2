package query

import (
	"context"
	"strings"
	"testing"

	"sgz/locale"
)

// Statements that change the database and that DuckDB runs inside a
// transaction: with every guard off they run (and are rolled back), so each
// refusal below is the work of the one guard left on.
var writes = []string{
	"DELETE FROM stations",
	"INSERT INTO stations SELECT * FROM stations",
	"UPDATE returns SET status = 'rejected'",
	"CREATE TABLE sgz_x (a INT)",
	"CREATE VIEW v_x AS SELECT 1",
	"DROP VIEW v_stations",
}

// Each guard of the engine refuses every writing statement on its own.
func TestEachGuardAlone(t *testing.T) {
	db, e := locked(t, Limits{})
	ctx := context.Background()
	before := fingerprint(t, db)
	run := func(g guard, q string) error {
		e.guards = g
		defer func() { e.guards = allGuards }()
		_, err := e.Run(ctx, q, locale.EN)
		return err
	}
	for _, q := range writes {
		if err := run(0, q); err != nil {
			t.Fatalf("with no guard %q fails by itself (%v): the test would prove nothing", q, err)
		}
	}
	guards := []struct {
		name  string
		g     guard
		codes []string // the error codes it answers with
		says  string   // in the English message
	}{
		{"parse tree", guardParseTree, []string{"not_select", "forbidden_table"}, ""},
		{"statement type", guardStatementType, []string{"not_select"}, "statement is refused"},
		{"read-only transaction", guardReadOnly, []string{"sql"}, "read-only"},
	}
	for _, gd := range guards {
		for _, q := range writes {
			err := run(gd.g, q)
			if err == nil {
				t.Errorf("%s alone lets %q run", gd.name, q)
				continue
			}
			qe := AsError(err)
			ok := false
			for _, c := range gd.codes {
				ok = ok || qe.Code == c
			}
			if !ok || !strings.Contains(qe.In(locale.EN), gd.says) {
				t.Errorf("%s alone, %q: code %s %q, want one of %v saying %q", gd.name, q, qe.Code, qe.In(locale.EN), gd.codes, gd.says)
			}
		}
	}
	// Reading a table that is not a v_* view: only the parse tree refuses it.
	if err := run(guardParseTree, "SELECT * FROM returns"); AsError(err).Code != "forbidden_table" {
		t.Errorf("parse tree alone, internal table: %v", err)
	}
	// Reading a file: the database's lockdown refuses it even with no guard.
	err := run(0, "SELECT * FROM read_text('/etc/hostname')")
	if err == nil || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("lockdown alone lets a file be read: %v", err)
	}
	if after := fingerprint(t, db); after != before {
		t.Errorf("the database changed:\n%s\n---\n%s", before, after)
	}
	if e.guards != allGuards {
		t.Fatal("guards not restored")
	}
}

// Every engine starts with every guard on.
func TestEngineHasEveryGuard(t *testing.T) {
	_, e := locked(t, Limits{})
	if e.guards != allGuards || allGuards != guardParseTree|guardStatementType|guardReadOnly {
		t.Fatalf("guards %b", e.guards)
	}
}

// The size limit of a query's text: exactly the limit runs, one byte more is
// refused before DuckDB sees it; blank text is "empty".
func TestQueryTextLimits(t *testing.T) {
	_, e := locked(t, Limits{MaxSQLBytes: 64})
	ctx := context.Background()
	pad := func(n int) string {
		q := "SELECT 1 AS x --"
		return q + strings.Repeat("-", n-len(q))
	}
	if res, err := e.Run(ctx, pad(64), locale.EN); err != nil || len(res.Rows) != 1 {
		t.Errorf("64 bytes: %v", err)
	}
	err := func() error { _, err := e.Run(ctx, pad(65), locale.EN); return err }()
	if qe := AsError(err); err == nil || qe.Code != "too_long" || qe.In(locale.EN) == "" {
		t.Errorf("65 bytes: %v", err)
	}
	for _, q := range []string{"", "  \n\t"} {
		if _, err := e.Run(ctx, q, locale.EN); AsError(err).Code != "empty" {
			t.Errorf("%q: %v", q, err)
		}
	}
}

// The row limit: exactly the limit is complete, one more is truncated.
func TestRowLimitEdge(t *testing.T) {
	_, e := locked(t, Limits{MaxRows: 3})
	ctx := context.Background()
	for _, c := range []struct {
		sql       string
		rows      int
		truncated bool
	}{
		{"SELECT * FROM range(3)", 3, false},
		{"SELECT * FROM range(4)", 3, true},
		{"SELECT * FROM range(4);", 3, true}, // a trailing semicolon
		{"SELECT * FROM range(0)", 0, false},
	} {
		res, err := e.Run(ctx, c.sql, locale.EN)
		if err != nil || len(res.Rows) != c.rows || res.Truncated != c.truncated || res.RowCount != c.rows {
			t.Errorf("%s: %v rows %d truncated %v", c.sql, err, len(res.Rows), res != nil && res.Truncated)
		}
	}
}

// A refused table is named as written, with its schema and database.
func TestRefusedTableIsNamedInFull(t *testing.T) {
	_, e := locked(t, Limits{})
	for q, name := range map[string]string{
		"SELECT * FROM returns":                   "returns",
		"SELECT * FROM main.returns":              "main.returns",
		"SELECT * FROM other.main.v_stations":     "other.main.v_stations",
		"SELECT * FROM information_schema.tables": "information_schema.tables",
	} {
		_, err := e.Run(context.Background(), q, locale.EN)
		want := name + " cannot be queried"
		if qe := AsError(err); qe.Code != "forbidden_table" || !strings.HasPrefix(qe.In(locale.EN), want) {
			t.Errorf("%s: %s %q, want %q…", q, qe.Code, qe.In(locale.EN), want)
		}
	}
}

// How a refused statement is named: by its type, not its first word, and
// several statements as several.
func TestRefusalNamesTheStatement(t *testing.T) {
	_, e := locked(t, Limits{})
	ctx := context.Background()
	_, err := e.Run(ctx, "DROP TABLE stations; SELECT 1", locale.EN)
	if qe := AsError(err); qe.Code != "multiple" {
		t.Errorf("two statements: %s %q", qe.Code, qe.In(locale.EN))
	}
	_, err = e.Run(ctx, "WITH x AS (SELECT 1) DELETE FROM stations", locale.EN)
	if qe := AsError(err); qe.Code != "not_select" || !strings.Contains(qe.In(locale.EN), "this DELETE statement") {
		t.Errorf("WITH … DELETE: %s %q", qe.Code, qe.In(locale.EN))
	}
}

// Stream with no row limit of its own uses the engine's.
func TestStreamDefaultRowLimit(t *testing.T) {
	_, e := locked(t, Limits{MaxRows: 3})
	var n int
	var info Result
	err := e.Stream(context.Background(), "SELECT * FROM range(10)", 0,
		func([]Column) error { return nil }, func([]any) error { n++; return nil }, &info)
	if err != nil || n != 3 || !info.Truncated {
		t.Errorf("rows %d truncated %v: %v", n, info.Truncated, err)
	}
}

// The words a refusal quotes: the statement's first keyword past comments,
// and the first line of DuckDB's message.
func TestMessageParts(t *testing.T) {
	for in, want := range map[string]string{
		"delete from x":                 "DELETE",
		"  -- note\n/* c */ Drop_it(1)": "DROP_IT",
		"az":                            "AZ",
		"ZA":                            "ZA",
		"a":                             "A",
		"z_A9":                          "Z_A",
		"VACUUM":                        "VACUUM",
		"9x":                            "?",
		"":                              "?",
		"-- only a comment":             "?",
		"/* open":                       "?",
		"@x":                            "?",
		"`x":                            "?",
		"{x":                            "?",
		"[x":                            "?",
	} {
		if got := leadingKeyword(in); got != want {
			t.Errorf("leadingKeyword(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"one": "one", " one\ntwo": "one", "\none": "one", "": ""} {
		if got := firstLine(in); got != want {
			t.Errorf("firstLine(%q) = %q, want %q", in, got, want)
		}
	}
}
