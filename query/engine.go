package query

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"sgz/locale"
	"sgz/store"
)

// Error is a refused or failed query: a stable code for programs and a
// sentence for people in either language.
type Error struct {
	Code string // empty, too_long, multiple, not_select, forbidden_table, forbidden_function, sql, timeout, canceled, memory, internal
	Msg  locale.Msg
}

func (e *Error) Error() string { return e.Msg.In(locale.ZH) }

// In says the error in lang.
func (e *Error) In(lang locale.Lang) string { return e.Msg.In(lang) }

// AsError gives the *Error behind err, making one (code internal) when err is
// something else.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var ue *locale.Error
	if errors.As(err, &ue) {
		return &Error{Code: "internal", Msg: ue.Msg}
	}
	return &Error{Code: "internal", Msg: locale.M("query.sql", err.Error())}
}

// Column is a result column.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"` // DuckDB type, e.g. VARCHAR, BIGINT, DECIMAL(18,4), DATE
}

// Result is a query's answer, at most Limits.MaxRows rows.
type Result struct {
	Columns   []Column      `json:"columns"`
	Rows      [][]any       `json:"rows"` // JSON-ready values (see cell)
	Truncated bool          `json:"truncated"`
	RowCount  int           `json:"row_count"`
	Elapsed   time.Duration `json:"-"`
	ElapsedMS int64         `json:"elapsed_ms"`
	SQL       string        `json:"-"`
	Lang      locale.Lang   `json:"-"`
	Limits    Limits        `json:"-"`
}

// Engine runs analysts' queries on a locked-down database. It is safe for
// concurrent use; each query takes its own connection from the pool.
type Engine struct {
	db      *store.DB
	lim     Limits
	policy  policy
	sched   *scheduler  // Limits.Concurrent, PerUser, Queue
	pool    *workerPool // nil: queries run in this process
	history sync.Mutex  // one history write at a time
	lastRan time.Time   // the last history time written (under history)
	guards  guard       // allGuards, except in tests that try one alone
}

// guard is one of the independent defences every query passes (runOn).
// All are always on; each would refuse a writing statement by itself, and
// the tests switch all but one off to show it (guards_test.go).
type guard uint8

const (
	// DuckDB's parse tree: one SELECT over the v_* views and allowed
	// functions (check.go).
	guardParseTree guard = 1 << iota
	// The prepared statement: exactly one, of type SELECT.
	guardStatementType
	// Run inside a read-only transaction, always rolled back.
	guardReadOnly

	allGuards = guardParseTree | guardStatementType | guardReadOnly
)

// New makes an engine over db, which must have been through Lockdown.
func New(ctx context.Context, db *store.DB, lim Limits) (*Engine, error) {
	locked, err := isLocked(ctx, db)
	if err != nil {
		return nil, err
	}
	if !locked {
		return nil, locale.Errorf("query.unlocked")
	}
	lim = lim.withDefaults()
	e := &Engine{db: db, lim: lim, sched: newScheduler(lim.Concurrent, lim.PerUser, lim.Queue), guards: allGuards}
	if err := e.loadPolicy(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Setup locks db down and makes its engine: what `sgz serve` and `sgz query`
// call once after store.Open.
func Setup(ctx context.Context, db *store.DB, lim Limits) (*Engine, error) {
	if err := Lockdown(ctx, db, lim); err != nil {
		return nil, err
	}
	return New(ctx, db, lim)
}

// Limits are the engine's limits.
func (e *Engine) Limits() Limits { return e.lim }

type userKey struct{}

// WithUser says on whose behalf the queries run under ctx: queries of one
// user wait for each other (Limits.PerUser, Limits.Queue); users take turns.
func WithUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, userKey{}, user)
}

// UserOf is the user WithUser put in ctx ("" when none).
func UserOf(ctx context.Context) string {
	u, _ := ctx.Value(userKey{}).(string)
	return u
}

// DB is the database the engine reads.
func (e *Engine) DB() *store.DB { return e.db }

func (e *Engine) loadPolicy(ctx context.Context) error {
	p := policy{views: map[string]bool{}, relations: map[string]bool{}}
	if err := e.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&p.database); err != nil {
		return err
	}
	rows, err := e.db.QueryContext(ctx, `
		SELECT lower(view_name), database_name = current_database() AND schema_name = 'main'
		       AND starts_with(view_name, 'v_') FROM duckdb_views()
		UNION ALL SELECT lower(table_name), false FROM duckdb_tables()
		UNION ALL SELECT lower(sequence_name), false FROM duckdb_sequences()`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var view bool
		if err := rows.Scan(&name, &view); err != nil {
			return err
		}
		p.relations[name] = true
		if view {
			p.views[name] = true
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	e.policy = p
	return nil
}

// Run runs one read-only query and returns at most Limits.MaxRows rows.
func (e *Engine) Run(ctx context.Context, sqlText string, lang locale.Lang) (*Result, error) {
	res := &Result{SQL: sqlText, Lang: lang, Limits: e.lim}
	err := e.stream(ctx, sqlText, e.lim.MaxRows, true, func(cols []Column) error {
		res.Columns = cols
		return nil
	}, func(row []any) error {
		res.Rows = append(res.Rows, row)
		return nil
	}, res)
	if err != nil {
		return nil, err
	}
	if res.Rows == nil {
		res.Rows = [][]any{}
	}
	res.RowCount = len(res.Rows)
	return res, nil
}

// Stream runs one read-only query and hands its columns, then each row (at
// most maxRows, JSON-ready values) to the callbacks; a callback's error stops
// the query. info, when not nil, receives Truncated and Elapsed.
func (e *Engine) Stream(ctx context.Context, sqlText string, maxRows int,
	onColumns func([]Column) error, onRow func([]any) error, info *Result) error {
	return e.stream(ctx, sqlText, maxRows, false, onColumns, onRow, info)
}

// stream is Stream; accumulate says that the caller keeps every row (the
// result's size is then bounded by Limits.MaxResultBytes in worker mode).
func (e *Engine) stream(ctx context.Context, sqlText string, maxRows int, accumulate bool,
	onColumns func([]Column) error, onRow func([]any) error, info *Result) error {
	start := time.Now()
	text := strings.TrimSpace(sqlText)
	if text == "" {
		return &Error{Code: "empty", Msg: locale.M("query.empty")}
	}
	if len(text) > e.lim.MaxSQLBytes {
		return &Error{Code: "too_long", Msg: locale.M("query.toolong", len(text), e.lim.MaxSQLBytes)}
	}
	if maxRows <= 0 {
		maxRows = e.lim.MaxRows
	}
	ctx, cancel := context.WithTimeout(ctx, e.lim.Timeout)
	defer cancel()
	release, err := e.sched.acquire(ctx, UserOf(ctx))
	if err != nil {
		return e.classify(ctx, err)
	}
	defer release()
	truncated := false
	if e.pool != nil {
		truncated, err = e.pool.run(ctx, e, text, maxRows, accumulate, onColumns, onRow)
	} else {
		var conn *sql.Conn
		if conn, err = e.db.Conn(ctx); err != nil {
			return e.classify(ctx, err)
		}
		defer conn.Close()
		err = conn.Raw(func(dc any) error {
			var err error
			truncated, err = e.runOn(ctx, dc.(*duckdb.Conn), text, maxRows, onColumns, onRow)
			return err
		})
	}
	if err != nil {
		return e.classify(ctx, err)
	}
	if info != nil {
		info.Truncated = truncated
		info.Elapsed = time.Since(start)
		info.ElapsedMS = info.Elapsed.Milliseconds()
	}
	return nil
}

// runOn does the work on one driver connection.
func (e *Engine) runOn(ctx context.Context, c *duckdb.Conn, text string, maxRows int,
	onColumns func([]Column) error, onRow func([]any) error) (bool, error) {
	// 1. DuckDB's parser: one SELECT over allowed relations and functions.
	if err := e.analyseIf(ctx, c, text); err != nil {
		var qe *Error
		if errors.As(err, &qe) && qe.Code == "not_select" {
			// Name the statement (or count them) for the message. Prepare
			// of one statement binds it without running it.
			st, perr := prepareSelect(c, text, true)
			if st != nil {
				st.Close()
			}
			var pe *Error
			if errors.As(perr, &pe) && (pe.Code == "multiple" || pe.Code == "not_select") {
				return false, pe
			}
			return false, &Error{Code: "not_select", Msg: locale.M("query.notselect", leadingKeyword(text))}
		}
		return false, err
	}
	// 2. The driver: one statement (Prepare refuses more without running any),
	// of type SELECT.
	st, err := prepareSelect(c, text, e.guards&guardStatementType != 0)
	if err != nil {
		return false, err
	}
	// 3. The row limit inside the query, so that DuckDB stops early. When the
	// wrapped form does not prepare (a trailing comment or semicolon), run the
	// query as written and stop reading at the limit.
	inner := strings.TrimRight(text, "; \t\r\n")
	wrapped := "SELECT * FROM (\n" + inner + "\n) AS sgz_query LIMIT " + fmt.Sprint(maxRows+1)
	if e.analyse(ctx, c, wrapped) == nil {
		if ws, werr := prepareSelect(c, wrapped, true); werr == nil {
			st.Close()
			st = ws
		}
	}
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	// 4. A read-only transaction, always rolled back.
	begin := "BEGIN TRANSACTION READ ONLY"
	if e.guards&guardReadOnly == 0 {
		begin = "BEGIN TRANSACTION" // only in tests of the other guards
	}
	if _, err := c.ExecContext(ctx, begin, nil); err != nil {
		return false, errors.Join(err, driver.ErrBadConn)
	}
	truncated, runErr := readRows(ctx, st, maxRows, onColumns, onRow)
	st.Close()
	st = nil
	if _, err := c.ExecContext(context.Background(), "ROLLBACK", nil); err != nil {
		// A connection in an unknown state goes back to nobody.
		return truncated, errors.Join(runErr, err, driver.ErrBadConn)
	}
	return truncated, runErr
}

// analyseIf is analyse when the parse-tree guard is on.
func (e *Engine) analyseIf(ctx context.Context, c *duckdb.Conn, text string) error {
	if e.guards&guardParseTree == 0 {
		return nil
	}
	return e.analyse(ctx, c, text)
}

// analyse asks DuckDB to parse text and checks the tree.
func (e *Engine) analyse(ctx context.Context, c *duckdb.Conn, text string) error {
	rows, err := c.QueryContext(ctx, "SELECT json_serialize_sql($1::VARCHAR)::VARCHAR",
		[]driver.NamedValue{{Ordinal: 1, Value: text}})
	if err != nil {
		return err
	}
	vals := make([]driver.Value, 1)
	err = rows.Next(vals)
	rows.Close()
	if err != nil {
		return err
	}
	s, _ := vals[0].(string)
	return e.policy.checkAST(s)
}

// prepareSelect prepares exactly one statement and, when selectOnly, requires
// it to be a SELECT.
func prepareSelect(c *duckdb.Conn, text string, selectOnly bool) (*duckdb.Stmt, error) {
	ds, err := c.Prepare(text) // one statement only: refuses more, executes nothing
	if err != nil {
		if strings.Contains(err.Error(), "multi-statement") {
			return nil, &Error{Code: "multiple", Msg: locale.M("query.multiple", 2)}
		}
		return nil, err
	}
	st := ds.(*duckdb.Stmt)
	typ, err := st.StatementType()
	if err != nil {
		st.Close()
		return nil, err
	}
	if selectOnly && typ != duckdb.STATEMENT_TYPE_SELECT {
		st.Close()
		return nil, &Error{Code: "not_select", Msg: locale.M("query.notselect", stmtTypeName(typ))}
	}
	return st, nil
}

func readRows(ctx context.Context, st *duckdb.Stmt, maxRows int,
	onColumns func([]Column) error, onRow func([]any) error) (bool, error) {
	dr, err := st.QueryContext(ctx, nil)
	if err != nil {
		return false, err
	}
	defer dr.Close()
	names := dr.Columns()
	cols := make([]Column, len(names))
	typed, _ := dr.(driver.RowsColumnTypeDatabaseTypeName)
	for i, n := range names {
		cols[i] = Column{Name: n}
		if typed != nil {
			cols[i].Type = typed.ColumnTypeDatabaseTypeName(i)
		}
	}
	if err := onColumns(cols); err != nil {
		return false, err
	}
	vals := make([]driver.Value, len(names))
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		err := dr.Next(vals)
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if n == maxRows {
			return true, nil
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = cell(v, cols[i].Type)
		}
		if err := onRow(row); err != nil {
			return false, err
		}
		n++
	}
}

// classify turns a failure into an *Error.
func (e *Engine) classify(ctx context.Context, err error) error {
	var qe *Error
	if errors.As(err, &qe) {
		return qe
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: "timeout", Msg: locale.M("query.timeout", e.lim.Timeout)}
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Code: "canceled", Msg: locale.M("query.canceled")}
	}
	var de *duckdb.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdb.ErrorTypeOutOfMemory:
			return &Error{Code: "memory", Msg: locale.M("query.memory", e.lim.MemoryLimit, firstLine(de.Msg))}
		case duckdb.ErrorTypeInterrupt:
			return &Error{Code: "timeout", Msg: locale.M("query.timeout", e.lim.Timeout)}
		}
		return &Error{Code: "sql", Msg: locale.M("query.sql", strings.TrimSpace(de.Msg))}
	}
	msg := err.Error()
	if strings.Contains(msg, "Out of Memory") || strings.Contains(msg, "could not allocate") {
		return &Error{Code: "memory", Msg: locale.M("query.memory", e.lim.MemoryLimit, firstLine(msg))}
	}
	return &Error{Code: "sql", Msg: locale.M("query.sql", strings.TrimSpace(msg))}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func stmtTypeName(t duckdb.StmtType) string {
	switch t {
	case duckdb.STATEMENT_TYPE_INSERT:
		return "INSERT"
	case duckdb.STATEMENT_TYPE_UPDATE:
		return "UPDATE"
	case duckdb.STATEMENT_TYPE_DELETE:
		return "DELETE"
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		return "EXPLAIN"
	case duckdb.STATEMENT_TYPE_PREPARE:
		return "PREPARE"
	case duckdb.STATEMENT_TYPE_CREATE, duckdb.STATEMENT_TYPE_CREATE_FUNC:
		return "CREATE"
	case duckdb.STATEMENT_TYPE_EXECUTE:
		return "EXECUTE"
	case duckdb.STATEMENT_TYPE_ALTER:
		return "ALTER"
	case duckdb.STATEMENT_TYPE_TRANSACTION:
		return "TRANSACTION"
	case duckdb.STATEMENT_TYPE_COPY:
		return "COPY"
	case duckdb.STATEMENT_TYPE_ANALYZE:
		return "ANALYZE"
	case duckdb.STATEMENT_TYPE_VARIABLE_SET, duckdb.STATEMENT_TYPE_SET:
		return "SET"
	case duckdb.STATEMENT_TYPE_DROP:
		return "DROP"
	case duckdb.STATEMENT_TYPE_EXPORT:
		return "EXPORT"
	case duckdb.STATEMENT_TYPE_PRAGMA:
		return "PRAGMA"
	case duckdb.STATEMENT_TYPE_VACUUM:
		return "VACUUM"
	case duckdb.STATEMENT_TYPE_CALL:
		return "CALL"
	case duckdb.STATEMENT_TYPE_LOAD:
		return "LOAD"
	case duckdb.STATEMENT_TYPE_EXTENSION:
		return "INSTALL"
	case duckdb.STATEMENT_TYPE_ATTACH:
		return "ATTACH"
	case duckdb.STATEMENT_TYPE_DETACH:
		return "DETACH"
	}
	return fmt.Sprintf("#%d", int(t))
}

// leadingKeyword is the first word of text after comments, for messages only.
func leadingKeyword(text string) string {
	for {
		text = strings.TrimSpace(text)
		switch {
		case strings.HasPrefix(text, "--"):
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				return "?"
			}
			text = text[i+1:]
			continue
		case strings.HasPrefix(text, "/*"):
			i := strings.Index(text, "*/")
			if i < 0 {
				return "?"
			}
			text = text[i+2:]
			continue
		}
		break
	}
	end := strings.IndexFunc(text, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') })
	if end < 0 {
		end = len(text)
	}
	if end == 0 {
		return "?"
	}
	return strings.ToUpper(text[:end])
}
