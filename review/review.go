// Package review is what an evaluator does with a return once it has passed
// validation, and with a period once its assessment is final:
//
//   - a return is 待审核 (pending) until an evaluator approves it (已审核:
//     then locked, no send-back or new upload without an administrator) or
//     sends it back (退回修改, with a reason the clerk sees); a send-back can be
//     restored (the return is pending again);
//   - an evaluator closes a period (考核归档): the assessment made at that
//     moment is recorded and is the one exported from then on, and nothing
//     touches the period (no upload, review action or rule change) unless an
//     administrator reopens it.
//
// Every action is an event in review_events (store/migrations/005_review.sql):
// who, when (Beijing time), why; never updated or deleted. Analysts read them
// in v_returns_history. The acting user is a plain name given by the caller.
// See docs/review.md.
package review

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// Review states of an accepted return.
const (
	Pending  = "pending"   // 待审核
	Approved = "approved"  // 已审核 (locked)
	SentBack = "sent_back" // 退回修改
)

// Actions, as recorded in review_events.action.
const (
	ActApprove  = "approve"
	ActSendBack = "sendback"
	ActRestore  = "restore"
	ActClose    = "close"
	ActReopen   = "reopen"
)

// MaxReason is the longest reason kept, in characters (longer ones are cut).
const MaxReason = 500

// Act is who does something, why and when.
type Act struct {
	By     string    // the acting user's name ("" until accounts exist)
	Admin  bool      // an administrator: may unlock an approved return and reopen a period
	Reason string    // why (required to send back)
	At     time.Time // when; zero means now
}

func (a Act) at() time.Time {
	t := a.At
	if t.IsZero() {
		t = time.Now()
	}
	return wall(t)
}

func (a Act) reason() string {
	r := strings.TrimSpace(a.Reason)
	if rs := []rune(r); len(rs) > MaxReason {
		r = string(rs[:MaxReason])
	}
	return r
}

// wall is t's Beijing wall clock as a zone-less value: TIMESTAMP columns hold
// Beijing wall time, and the driver would otherwise store the UTC instant.
func wall(t time.Time) time.Time {
	b := t.In(sgz.Beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), b.Second(), 0, time.UTC)
}

// beijing reads a stored wall time back as a Beijing instant.
func beijing(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), sgz.Beijing)
}

// Event is one row of the history.
type Event struct {
	ID           int64     `json:"event_id"`
	At           time.Time `json:"at"` // Beijing time
	Actor        string    `json:"actor"`
	Action       string    `json:"action"`
	ReturnID     int64     `json:"return_id,omitempty"`
	District     string    `json:"district_code,omitempty"`
	Period       string    `json:"period"`
	Before       string    `json:"status_before,omitempty"`
	After        string    `json:"status_after,omitempty"`
	Reason       string    `json:"reason"`
	AssessmentID int64     `json:"assessment_id,omitempty"`
}

// Approve marks the return that counts for its district and quarter as
// checked (已审核). It is then locked: only an administrator can send it back.
func Approve(ctx context.Context, db *store.DB, returnID int64, a Act) (*Event, error) {
	return act(ctx, db, returnID, ActApprove, a)
}

// SendBack sends the return back for correction (退回修改) with a reason: it
// stops counting until a newer return is accepted or it is restored.
func SendBack(ctx context.Context, db *store.DB, returnID int64, a Act) (*Event, error) {
	return act(ctx, db, returnID, ActSendBack, a)
}

// Restore undoes a send-back: the return counts again, pending review. The
// send-back stays in the history.
func Restore(ctx context.Context, db *store.DB, returnID int64, a Act) (*Event, error) {
	return act(ctx, db, returnID, ActRestore, a)
}

func act(ctx context.Context, db *store.DB, id int64, action string, a Act) (*Event, error) {
	reason := a.reason()
	if action == ActSendBack && reason == "" {
		return nil, locale.Errorf("review.reason.missing", id)
	}
	ev := &Event{At: beijing(a.at()), Actor: a.By, Action: action, ReturnID: id, Reason: reason}
	err := db.Write(ctx, func(w *store.Writer) error {
		var status, state string
		var newest bool
		err := w.QueryRow(`SELECT r.status, coalesce(r.district_code, ''), coalesce(r.period, ''), coalesce(s.review_status, ''),
			r.status = 'accepted' AND r.return_id = (SELECT x.return_id FROM returns x WHERE x.status = 'accepted'
				AND x.district_code = r.district_code AND x.period = r.period ORDER BY x.received_at DESC, x.return_id DESC LIMIT 1)
			FROM returns r JOIN q_return_review s USING (return_id) WHERE r.return_id = ?`, []any{id},
			&status, &ev.District, &ev.Period, &state, &newest)
		if err != nil {
			if strings.Contains(err.Error(), "no row") {
				return locale.Errorf("review.notfound", id)
			}
			return err
		}
		if status != "accepted" {
			return locale.Errorf("review.notaccepted", id)
		}
		if !newest {
			return locale.Errorf("review.superseded", id, ev.Period)
		}
		if p, err := sgz.ParsePeriod(ev.Period); err == nil {
			if err := checkOpen(w, p); err != nil {
				return err
			}
		}
		ev.Before = state
		switch {
		case action == ActApprove && state == Pending:
			ev.After = Approved
		case action == ActSendBack && (state == Pending || state == Approved && a.Admin):
			ev.After = SentBack
		case action == ActRestore && state == SentBack:
			ev.After = Pending
		case state == Approved:
			return locale.Errorf("review.locked", id)
		case state == SentBack:
			return locale.Errorf("review.is.sentback", id)
		default:
			return locale.Errorf("review.notsentback", id)
		}
		if err := w.QueryRow(`SELECT nextval('review_event_seq')`, nil, &ev.ID); err != nil {
			return err
		}
		if err := w.Exec(`INSERT INTO review_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			ev.ID, wall(ev.At), ev.Actor, action, id, ev.District, ev.Period, ev.Before, ev.After, reason); err != nil {
			return err
		}
		// returns.sent_back_* hold the state now (current_returns reads it).
		switch action {
		case ActSendBack:
			return w.Exec(`UPDATE returns SET sent_back_at = ?, sent_back_reason = ? WHERE return_id = ?`, wall(ev.At), reason, id)
		case ActRestore:
			return w.Exec(`UPDATE returns SET sent_back_at = NULL, sent_back_reason = NULL WHERE return_id = ?`, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// Status is a return's review state: "" for a rejected attempt or an unknown id.
func Status(ctx context.Context, db *store.DB, returnID int64) (string, error) {
	var s sql.NullString
	err := db.QueryRowContext(ctx, `SELECT review_status FROM q_return_review WHERE return_id = ?`, returnID).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return s.String, err
}

// History lists a return's events, oldest first.
func History(ctx context.Context, db *store.DB, returnID int64) ([]Event, error) {
	return events(ctx, db, `WHERE return_id = ?`, returnID)
}

// PeriodHistory lists the close and reopen events, oldest first.
func PeriodHistory(ctx context.Context, db *store.DB) ([]Event, error) {
	return events(ctx, db, `WHERE action IN ('close', 'reopen')`)
}

func events(ctx context.Context, db *store.DB, where string, args ...any) ([]Event, error) {
	rows, err := db.QueryContext(ctx, `SELECT event_id, acted_at, actor, action, coalesce(return_id, 0), coalesce(district_code, ''),
		period, coalesce(status_before, ''), coalesce(status_after, ''), reason, coalesce(assessment_id, 0)
		FROM review_events `+where+` ORDER BY event_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.ReturnID, &e.District, &e.Period, &e.Before, &e.After,
			&e.Reason, &e.AssessmentID); err != nil {
			return nil, err
		}
		e.At = beijing(e.At)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Closure is a closed span.
type Closure struct {
	Span         sgz.Span  `json:"-"`
	Period       string    `json:"period"` // the span as written: 2026Q3, 2026, 2026Q1-2026Q3
	At           time.Time `json:"closed_at"`
	By           string    `json:"closed_by"`
	Reason       string    `json:"reason"`
	AssessmentID int64     `json:"assessment_id"`
}

// Closed lists the spans closed now, by span.
func Closed(ctx context.Context, db *store.DB) ([]Closure, error) {
	rows, err := db.QueryContext(ctx, `SELECT span, closed_at, closed_by, reason, coalesce(assessment_id, 0) FROM q_closed_spans ORDER BY span`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Closure
	for rows.Next() {
		var c Closure
		if err := rows.Scan(&c.Period, &c.At, &c.By, &c.Reason, &c.AssessmentID); err != nil {
			return nil, err
		}
		c.At = beijing(c.At)
		if c.Span, err = sgz.ParseSpan(c.Period); err != nil {
			return nil, fmt.Errorf("closed span %q: %w", c.Period, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClosedSpan is the closure of exactly this span (nil when it is open).
func ClosedSpan(ctx context.Context, db *store.DB, span sgz.Span) (*Closure, error) {
	cs, err := Closed(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Span == span {
			return &c, nil
		}
	}
	return nil, nil
}

// ClosedFor is a closure covering quarter p (nil when none does).
func ClosedFor(ctx context.Context, db *store.DB, p sgz.Period) (*Closure, error) {
	cs, err := Closed(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if covers(c.Span, p) {
			return &c, nil
		}
	}
	return nil, nil
}

func covers(s sgz.Span, p sgz.Period) bool {
	return s.From.Index() <= p.Index() && p.Index() <= s.To.Index()
}

// closedError says that quarter p is closed, naming the closed span and when.
func closedError(p sgz.Period, c *Closure) error {
	return locale.Errorf("review.closed", p.String(), c.Period, c.At.Format("2006-01-02 15:04"))
}

// CheckOpen refuses a change to quarter p when a closed span covers it.
func CheckOpen(ctx context.Context, db *store.DB, p sgz.Period) error {
	c, err := ClosedFor(ctx, db, p)
	if err != nil || c == nil {
		return err
	}
	return closedError(p, c)
}

// checkOpen is CheckOpen inside a write.
func checkOpen(w *store.Writer, p sgz.Period) error {
	spans, err := w.Strings(`SELECT span FROM q_closed_spans`)
	if err != nil {
		return err
	}
	for _, s := range spans {
		sp, err := sgz.ParseSpan(s)
		if err == nil && covers(sp, p) {
			var at any
			if err := w.QueryRow(`SELECT closed_at FROM q_closed_spans WHERE span = ?`, []any{s}, &at); err != nil {
				return err
			}
			c := &Closure{Span: sp, Period: s}
			if t, ok := at.(time.Time); ok {
				c.At = beijing(t)
			}
			return closedError(p, c)
		}
	}
	return nil
}

// CheckUpload refuses a new return for a district and quarter when the
// quarter is closed, or when the return that counts for it is approved
// (locked: an administrator must send it back first).
func CheckUpload(ctx context.Context, db *store.DB, district string, p sgz.Period) error {
	l, err := LoadLocks(ctx, db)
	if err != nil {
		return err
	}
	return l.Check(district, p)
}

// Close closes a span. record runs inside the same transaction and records
// the assessment made for it (metrics_assessments), returning its id and the
// snapshot (JSON) every later export of the span is written from. Closing a
// span already closed is refused.
func Close(ctx context.Context, db *store.DB, span sgz.Span, a Act, record func(w *store.Writer) (int64, []byte, error)) (*Closure, error) {
	c := &Closure{Span: span, Period: span.String(), At: beijing(a.at()), By: a.By, Reason: a.reason()}
	err := db.Write(ctx, func(w *store.Writer) error {
		n, err := w.Int64s(`SELECT event_id FROM q_closed_spans WHERE span = ?`, c.Period)
		if err != nil {
			return err
		}
		if len(n) > 0 {
			return locale.Errorf("review.close.already", c.Period)
		}
		id, snap, err := record(w)
		if err != nil {
			return err
		}
		c.AssessmentID = id
		var ev int64
		if err := w.QueryRow(`SELECT nextval('review_event_seq')`, nil, &ev); err != nil {
			return err
		}
		if err := w.Exec(`INSERT INTO review_events VALUES (?, ?, ?, 'close', NULL, NULL, ?, NULL, NULL, ?, ?)`,
			ev, wall(c.At), c.By, c.Period, c.Reason, id); err != nil {
			return err
		}
		return w.Exec(`INSERT INTO review_closed_assessments VALUES (?, ?, ?)`, id, c.Period, string(snap))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Reopen reopens a closed span (administrators only): uploads, review actions
// and rule changes apply to it again. The closing stays in the history, and
// its recorded assessment stays on record.
func Reopen(ctx context.Context, db *store.DB, span sgz.Span, a Act) (*Event, error) {
	if !a.Admin {
		return nil, locale.Errorf("review.reopen.admin", span.String())
	}
	ev := &Event{At: beijing(a.at()), Actor: a.By, Action: ActReopen, Period: span.String(), Reason: a.reason()}
	err := db.Write(ctx, func(w *store.Writer) error {
		n, err := w.Int64s(`SELECT event_id FROM q_closed_spans WHERE span = ?`, ev.Period)
		if err != nil {
			return err
		}
		if len(n) == 0 {
			return locale.Errorf("review.reopen.notclosed", ev.Period)
		}
		if err := w.QueryRow(`SELECT nextval('review_event_seq')`, nil, &ev.ID); err != nil {
			return err
		}
		return w.Exec(`INSERT INTO review_events VALUES (?, ?, ?, 'reopen', NULL, NULL, ?, NULL, NULL, ?, NULL)`,
			ev.ID, wall(ev.At), ev.Actor, ev.Period, ev.Reason)
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// Snapshot is the assessment recorded when span was closed (nil when the span
// is not closed).
func Snapshot(ctx context.Context, db *store.DB, span sgz.Span) ([]byte, *Closure, error) {
	c, err := ClosedSpan(ctx, db, span)
	if err != nil || c == nil {
		return nil, nil, err
	}
	var snap string
	if err := db.QueryRowContext(ctx, `SELECT snapshot FROM review_closed_assessments WHERE assessment_id = ?`, c.AssessmentID).Scan(&snap); err != nil {
		return nil, nil, fmt.Errorf("closed %s: assessment %d: %w", c.Period, c.AssessmentID, err)
	}
	return []byte(snap), c, nil
}

// StateText names a review state in lang ("" for none).
func StateText(l locale.Lang, state string) string {
	switch state {
	case Pending, Approved, SentBack:
		return locale.T(l, "review.state."+state)
	}
	return ""
}

// ActionText names an action in lang.
func ActionText(l locale.Lang, action string) string {
	return locale.T(l, "review.action."+action)
}

func init() {
	locale.Add(map[string]locale.Text{
		"review.state.pending":    {"待审核", "pending review"},
		"review.state.approved":   {"已审核", "approved"},
		"review.state.sent_back":  {"退回修改", "sent back"},
		"review.action.approve":   {"审核通过", "approved"},
		"review.action.sendback":  {"退回修改", "sent back"},
		"review.action.restore":   {"恢复计入", "restored"},
		"review.action.close":     {"考核归档", "period closed"},
		"review.action.reopen":    {"重新开放", "period reopened"},
		"review.reason.missing":   {"退回报表 #%d 须填写退回原因", "sending return #%d back needs a reason"},
		"review.notfound":         {"没有编号为 %d 的报表", "there is no return #%d"},
		"review.notaccepted":      {"报表 #%d 未被接收（已拒收），无需审核", "return #%d was rejected: there is nothing to review"},
		"review.superseded":       {"报表 #%d 已被该区县 %s 更新的一份报表取代，只能审核当前那一份", "return #%d was replaced by a newer return of its district for %s: only the current one can be reviewed"},
		"review.locked":           {"报表 #%d 已审核并锁定：只有管理员可以退回", "return #%d is approved and locked: only an administrator can send it back"},
		"review.is.sentback":      {"报表 #%d 已退回修改：可以恢复，或等待区县重新报送", "return #%d is sent back: restore it, or wait for the district's new return"},
		"review.notsentback":      {"报表 #%d 没有被退回，无需恢复", "return #%d was not sent back: there is nothing to restore"},
		"review.closed":           {"%s 已考核归档（%s，归档于 %s）：不能再报送、审核或更改规则；如需更改请管理员重新开放", "%s is closed (%s, closed on %s): no upload, review or rule change; an administrator must reopen it first"},
		"review.upload.locked":    {"%s 的报表 #%d 已审核并锁定：不能再报送；如需更正请联系管理员退回", "%s: return #%d is approved and locked: no new upload; ask an administrator to send it back first"},
		"review.close.already":    {"%s 已经考核归档", "%s is already closed"},
		"review.reopen.admin":     {"只有管理员可以重新开放已归档的 %s", "only an administrator can reopen %s"},
		"review.reopen.notclosed": {"%s 没有考核归档，无需重新开放", "%s is not closed: there is nothing to reopen"},
	})
}

// Locks is what refuses uploads, loaded once for a run of many files: the
// closed spans and the (district, quarter) whose current return is approved.
type Locks struct {
	closed   []Closure
	approved map[string]int64 // district|period → return id
}

// LoadLocks reads the closed spans and the approved current returns.
func LoadLocks(ctx context.Context, db *store.DB) (*Locks, error) {
	cs, err := Closed(ctx, db)
	if err != nil {
		return nil, err
	}
	l := &Locks{closed: cs, approved: map[string]int64{}}
	rows, err := db.QueryContext(ctx, `SELECT c.district_code, c.period, c.return_id FROM current_returns c
		JOIN q_return_review s USING (return_id) WHERE s.review_status = 'approved'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d, p string
		var id int64
		if err := rows.Scan(&d, &p, &id); err != nil {
			return nil, err
		}
		l.approved[d+"|"+p] = id
	}
	return l, rows.Err()
}

// Check is CheckUpload against the loaded locks.
func (l *Locks) Check(district string, p sgz.Period) error {
	for i := range l.closed {
		if covers(l.closed[i].Span, p) {
			return closedError(p, &l.closed[i])
		}
	}
	if id, ok := l.approved[district+"|"+p.String()]; ok {
		return locale.Errorf("review.upload.locked", p.String(), id)
	}
	return nil
}
