package dashboard

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
	"sgz/review"
)

// returnInfo is one row of the returns table (never the reporter or phone).
type returnInfo struct {
	ID           int64
	File         string
	SHA256       string
	Size         int64
	Received     time.Time
	Status       string
	Source       string
	District     string
	DistrictName string // 填报单位 as written: untrusted text
	Period       string
	Errors       int
	Warnings     int
	SentBackAt   *time.Time
	SentBackWhy  string
	Review       string     // pending | approved | sent_back ("" when rejected): package review
	Current      bool       // the return that counts now
	Newest       bool       // the newest accepted of its district and period
	StatedBy     string     // how the receipt time was given (return_receipts), "" when stamped on arrival
	RecordedAt   *time.Time // when sgz recorded it, when the receipt time was stated
}

const returnCols = `r.return_id, r.file_name, r.sha256, r.size_bytes, r.received_at, r.status, r.source,
	coalesce(r.district_code, ''), coalesce(r.district_name, ''), coalesce(r.period, ''), r.error_count, r.warning_count,
	r.sent_back_at, coalesce(r.sent_back_reason, ''),
	coalesce((SELECT q.review_status FROM q_return_review q WHERE q.return_id = r.return_id), ''),
	r.return_id IN (SELECT return_id FROM current_returns),
	r.status = 'accepted' AND r.return_id = (SELECT x.return_id FROM returns x WHERE x.status = 'accepted'
		AND x.district_code = r.district_code AND x.period = r.period ORDER BY x.received_at DESC, x.return_id DESC LIMIT 1)`

func scanReturns(rows *sql.Rows) ([]returnInfo, error) {
	defer rows.Close()
	var out []returnInfo
	for rows.Next() {
		var r returnInfo
		var sb sql.NullTime
		var newest sql.NullBool
		if err := rows.Scan(&r.ID, &r.File, &r.SHA256, &r.Size, &r.Received, &r.Status, &r.Source, &r.District, &r.DistrictName,
			&r.Period, &r.Errors, &r.Warnings, &sb, &r.SentBackWhy, &r.Review, &r.Current, &newest); err != nil {
			return nil, err
		}
		if sb.Valid {
			t := sb.Time
			r.SentBackAt = &t
		}
		r.Newest = newest.Valid && newest.Bool
		out = append(out, r)
	}
	return out, rows.Err()
}

// returnsOf lists the returns of some quarters (and one district when set), newest first.
func (s *Server) returnsOf(ctx context.Context, quarters []string, district string, limit int) ([]returnInfo, error) {
	if len(quarters) == 0 {
		return nil, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(quarters)), ",")
	args := make([]any, 0, len(quarters)+2)
	for _, q := range quarters {
		args = append(args, q)
	}
	q := `SELECT ` + returnCols + ` FROM returns r WHERE r.period IN (` + ph + `)`
	if district != "" {
		q += ` AND r.district_code = ?`
		args = append(args, district)
	}
	q += ` ORDER BY r.received_at DESC, r.return_id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanReturns(rows)
}

// returnsBook is every return of the 8 quarters to a quarter, by district,
// read in one pass per database generation (50 ms for the national
// database's 23,824 returns, where each district's own queries took 30–50
// ms): what a district's page lists, and the return in use of each district
// and quarter with its receipt.
type returnsBook struct {
	quarters map[string]bool         // the quarters the book holds
	by       map[string][]returnInfo // district → its returns, newest first
	current  map[string]returnInfo   // "district|quarter" → the return in use (returnByID's fields)
}

func (s *Server) returnsBook(ctx context.Context, to sgz.Period) (*returnsBook, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	return memoGen(s.calc, "BK|"+to.String(), func() (*returnsBook, error) {
		b := &returnsBook{quarters: map[string]bool{}, by: map[string][]returnInfo{}, current: map[string]returnInfo{}}
		var qs []string
		for i := 0; i < 8; i++ {
			q := sgz.PeriodOfIndex(to.Index() - i).String()
			qs = append(qs, q)
			b.quarters[q] = true
		}
		all, err := s.returnsOf(ctx, qs, "", math.MaxInt32)
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			if r.District != "" {
				b.by[r.District] = append(b.by[r.District], r)
			}
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(qs)), ",")
		args := make([]any, len(qs))
		for i, q := range qs {
			args[i] = q
		}
		rows, err := s.db.QueryContext(ctx, `SELECT c.return_id, x.stated_by, x.recorded_at FROM current_returns c
			JOIN return_receipts x ON x.return_id = c.return_id WHERE c.period IN (`+ph+`)`, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		type receipt struct {
			by string
			at time.Time
		}
		receipts := map[int64]receipt{}
		for rows.Next() {
			var id int64
			var rc receipt
			if err := rows.Scan(&id, &rc.by, &rc.at); err != nil {
				return nil, err
			}
			receipts[id] = rc
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for _, r := range all {
			if !r.Current {
				continue
			}
			if rc, ok := receipts[r.ID]; ok {
				r.StatedBy, r.RecordedAt = rc.by, &rc.at
			}
			b.current[r.District+"|"+r.Period] = r
		}
		return b, nil
	})
}

func (s *Server) returnByID(ctx context.Context, id int64) (*returnInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+returnCols+` FROM returns r WHERE r.return_id = ?`, id)
	if err != nil {
		return nil, err
	}
	list, err := scanReturns(rows)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	r := &list[0]
	var rec time.Time
	err = s.db.QueryRowContext(ctx, `SELECT stated_by, recorded_at FROM return_receipts WHERE return_id = ?`, id).Scan(&r.StatedBy, &rec)
	if err == nil {
		r.RecordedAt = &rec
	} else if err != sql.ErrNoRows {
		return nil, err
	}
	return r, nil
}

// closedFor is review.ClosedFor once per database generation (memoGen).
func (s *Server) closedFor(ctx context.Context, p sgz.Period) (*review.Closure, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	return memoGen(s.calc, "CF|"+p.String(), func() (*review.Closure, error) {
		return review.ClosedFor(ctx, s.db, p)
	})
}

func quarterStrings(sp sgz.Span) []string {
	var out []string
	for _, q := range sp.Quarters() {
		out = append(out, q.String())
	}
	return out
}

type reportingData struct {
	Status    *metrics.ReportingStatus
	Reported  string // "29 / 40 个区县·季度" (metrics.CountText)
	NoData    string // said when the span has no return at all
	Returns   []returnInfo
	Evaluator bool
	Flash     string
	FlashBad  bool
	Closed    *review.Closure // a closed span covering the period shown
	Reminders *reminderData   // the 催报 list of the period shown (reminders.go)
}

// ReviewOf is the review state of a return listed (for the status table).
func (d *reportingData) ReviewOf(id *int64) string {
	if id == nil {
		return ""
	}
	for _, r := range d.Returns {
		if r.ID == *id {
			return r.Review
		}
	}
	return ""
}

func (s *Server) reporting(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	ctx := c.Request.Context()
	st, err := s.calc.reporting(ctx, sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	// The returns of the span and its closure, once per database generation
	// (memoGen): on the national database this list (2,000 of 2,978 returns
	// a quarter, with their review state) costs more than the page.
	nc := context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	list, err := memoGen(s.calc, "RL|"+sp.String(), func() ([]returnInfo, error) {
		return s.returnsOf(nc, quarterStrings(sp), "", 2000)
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	d := &reportingData{Status: st, Returns: list, Evaluator: s.isEvaluator(c),
		Reported: metrics.CountText(l, st.Total.Reported, st.Total.Expected, sp.Len() > 1)}
	if d.Closed, err = s.closedFor(ctx, sp.To); err != nil {
		s.internal(c, err)
		return
	}
	if d.Reminders, err = s.reminderList(ctx, l, user(c), sp); err != nil {
		s.internal(c, err)
		return
	}
	d.Reminders.Embedded = true
	if st.NoData {
		cfg, _ := s.calc.cfgAt(ctx)
		d.NoData = metrics.NoDataText(l, cfg.Due(sp.To))
	}
	if id, err := strconv.ParseInt(c.Query("done"), 10, 64); err == nil {
		d.Flash = locale.T(l, "rep.done."+c.Query("what"), id)
	}
	if e := c.Query("error"); e != "" {
		d.Flash, d.FlashBad = locale.T(l, e), true
	}
	s.render(c, "reporting", "reporting", locale.T(l, "rep.title"), sp, d, nil)
}

// isEvaluator: the request may send returns back (the permission table).
func (s *Server) isEvaluator(c *gin.Context) bool {
	return may(user(c), "POST", "/reporting/:id/sendback")
}

// GET /api/v1/reporting?period=P: metrics.ReportingStatus.
func (s *Server) apiReporting(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	_, ref := s.calc.cfgAt(c.Request.Context())
	out, err := memoize(s.calc, ref+"apiP|"+sp.String(), func() (*body, error) {
		st, err := s.calc.reporting(c.Request.Context(), sp)
		if err != nil {
			return nil, err
		}
		return marshalJSON(st)
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	serveJSON(c, out)
}

// beijingWall is t's Beijing wall clock as a zone-less value: TIMESTAMP
// columns hold Beijing wall time (store/migrations/001_core.sql), and the
// driver would otherwise store the UTC instant.
func beijingWall(t time.Time) time.Time {
	b := t.In(sgz.Beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), b.Second(), b.Nanosecond(), time.UTC)
}

// statusText names a reporting status.
func statusText(l locale.Lang, st string) string {
	switch st {
	case metrics.OnTime:
		return locale.T(l, "val.ontime")
	case metrics.Late:
		return locale.T(l, "val.late")
	case metrics.SentBack:
		return locale.T(l, "val.sentback")
	case metrics.NotDue:
		return locale.T(l, "val.notdue")
	}
	return locale.T(l, "val.notyet")
}
