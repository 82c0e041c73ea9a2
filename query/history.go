package query

import (
	"context"
	"time"

	"sgz/store"
)

// HistoryEntry is one query a session ran.
type HistoryEntry struct {
	RanAt     time.Time `json:"ran_at"`
	SQL       string    `json:"sql"`
	OK        bool      `json:"ok"`
	Rows      int64     `json:"rows"`
	ElapsedMS int64     `json:"elapsed_ms"`
	Error     string    `json:"error,omitempty"`
}

// Record keeps a query in the session's history (query_history), dropping the
// oldest beyond Limits.HistoryLimit. An empty session records nothing. The
// application writes it, not the analyst's connection.
func (e *Engine) Record(ctx context.Context, session, sqlText string, res *Result, qerr error) error {
	if session == "" {
		return nil
	}
	var rows, ms int64
	var msg any
	if res != nil {
		rows, ms = int64(len(res.Rows)), res.ElapsedMS
	}
	if qerr != nil {
		msg = AsError(qerr).Error()
	}
	e.history.Lock()
	defer e.history.Unlock()
	// Times strictly increase (DuckDB keeps microseconds), so that "most
	// recent first" is well defined even for queries in the same microsecond
	// or a clock set back.
	at := time.Now().UTC().Truncate(time.Microsecond)
	if !at.After(e.lastRan) {
		at = e.lastRan.Add(time.Microsecond)
	}
	e.lastRan = at
	return e.db.Write(ctx, func(w *store.Writer) error {
		w.LogOnly()
		if err := w.Exec(`INSERT INTO query_history VALUES (?, ?, ?, ?, ?, ?, ?)`,
			session, at, sqlText, qerr == nil, rows, ms, msg); err != nil {
			return err
		}
		return w.Exec(`DELETE FROM query_history WHERE session = ? AND ran_at < (
			SELECT min(ran_at) FROM (SELECT ran_at FROM query_history WHERE session = ?
			                         ORDER BY ran_at DESC LIMIT ?))`, session, session, e.lim.HistoryLimit)
	})
}

// History lists a session's queries, most recent first.
func (e *Engine) History(ctx context.Context, session string) ([]HistoryEntry, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT ran_at, sql, ok, row_count, elapsed_ms, coalesce(error, '')
		FROM query_history WHERE session = ? ORDER BY ran_at DESC LIMIT ?`, session, e.lim.HistoryLimit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var h HistoryEntry
		if err := rows.Scan(&h.RanAt, &h.SQL, &h.OK, &h.Rows, &h.ElapsedMS, &h.Error); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
