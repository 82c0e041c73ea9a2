package dashboard

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/auth"
	"sgz/gen"
	"sgz/ingest"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
	"sgz/review"
)

// ---- clerk scope ----
//
// A clerk uploads for, and reads the returns of, only the districts their
// account is bound to (auth.User.Districts). A clerk of several districts
// picks one (?district=CODE, kept in the cookie sgz_district); the upload
// form posts to /upload?district=CODE. Every upload is checked with
// ingest.Options.OnlyDistrict.

// clerk is the district the request may upload for ("" when none); msg is an
// error to show (a district not the clerk's).
func (s *Server) clerk(c *gin.Context) (district, msg string) {
	u := user(c)
	if !u.Has(auth.Clerk) || len(u.Districts) == 0 {
		return "", ""
	}
	if q := strings.TrimSpace(c.Query("district")); q != "" {
		if !u.ClerkOf(q) {
			return "", "up.notyours"
		}
		if len(u.Districts) > 1 {
			s.setCookie(c, "sgz_district", q, "/", 30*24*3600, http.SameSiteLaxMode)
		}
		return q, ""
	}
	if len(u.Districts) == 1 {
		return u.Districts[0], ""
	}
	if v, err := c.Cookie("sgz_district"); err == nil && u.ClerkOf(v) {
		return v, ""
	}
	return "", ""
}

// mayRead: evaluators and admins read every return; a clerk only those of
// their districts (a rejected upload is filed under the uploader's district).
func (s *Server) mayRead(c *gin.Context, r *returnInfo) bool {
	return mayReadDistrict(user(c), r.District)
}

type issueRow struct {
	Severity, Where, Msg string
}

func (s *Server) issues(ctx context.Context, l locale.Lang, id int64) ([]issueRow, []issueRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT severity, sheet, cell, message_zh, message_en FROM return_issues WHERE return_id = ? ORDER BY seq LIMIT 5000`, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var errs, warns []issueRow
	for rows.Next() {
		var sev, sheet, cell, zh, en string
		if err := rows.Scan(&sev, &sheet, &cell, &zh, &en); err != nil {
			return nil, nil, err
		}
		msg := zh
		if l == locale.EN {
			msg = en
		}
		is := ingest.Issue{Sheet: sheet, Cell: cell}
		r := issueRow{Severity: sev, Where: is.Where(), Msg: msg}
		if sev == string(ingest.Error) {
			errs = append(errs, r)
		} else {
			warns = append(warns, r)
		}
	}
	return errs, warns, rows.Err()
}

type uploadData struct {
	District     string
	DistrictName string
	Districts    []*registry.Unit // open mode: the choice
	Open         bool
	Period       string
	Periods      []string
	MaxSize      string
	Result       *returnInfo
	Errors       []issueRow
	Warnings     []issueRow
	Mine         []returnInfo
	SentBack     []returnInfo // sent back and not yet replaced: the clerk must correct them
	Flash        string
	CSRF         string // the upload form posts it in its URL (the form is read later, under the size limit)
	Unchanged    bool   // the upload was identical to Result, the return that counts: nothing stored
	Markable     bool   // Result's file is a workbook: the marked workbook is offered
	Due          *uploadDue
	Sheets       []uploadSheet // step 2: the sheets to fill (ingest.Sheets)
}

// uploadDue is the period's due date and whether an upload now is on time
// (metrics.Config.DueDay, DaysLate, DaysLeft: the reporting page's rule).
type uploadDue struct {
	Period   string
	Day      string // last day to send, inclusive
	Today    string
	Late     int    // days late if uploaded now; 0: on time
	DaysLeft int    // whole days left before the due day ends
	First    string // the district's first accepted return of the period (received), "" when none
	FirstOK  bool   // that first return was on time
}

// uploadSheet is a sheet of the workbook, for the clerk's step 2.
type uploadSheet struct {
	Name     string
	Required bool
}

func (s *Server) uploadPage(c *gin.Context) {
	l := lang(c)
	ctx := c.Request.Context()
	district, msg := s.clerk(c)
	now := sgz.PeriodOf(s.opt.Now())
	u := user(c)
	d := &uploadData{District: district, Open: len(u.Districts) > 1, MaxSize: mib(s.opt.MaxUpload), CSRF: u.CSRF}
	if msg != "" {
		d.Flash = locale.T(l, msg)
	}
	if e := c.Query("error"); strings.HasPrefix(e, "up.") {
		limit := s.opt.MaxUpload
		if e == "up.notkept" {
			limit = s.opt.RejectedQuota
		}
		d.Flash = locale.T(l, e, mib(limit))
	}
	// The period a clerk reports is usually the last quarter.
	p := now.Prev()
	if q := c.Query("period"); q != "" {
		if sp, err := sgz.ParseSpan(q); err == nil {
			p = sp.To
		}
	}
	d.Period = p.String()
	for i := 0; i < 8; i++ {
		d.Periods = append(d.Periods, sgz.PeriodOfIndex(now.Index()-i).String())
	}
	reg, err := s.regs.For(ctx, now)
	if err != nil || reg == nil {
		s.internal(c, fmt.Errorf("no registry: %v", err))
		return
	}
	if d.Open {
		for _, code := range u.Districts {
			if x, ok := reg.Unit(code); ok {
				d.Districts = append(d.Districts, x)
			}
		}
	}
	if u, ok := reg.Unit(district); ok {
		d.DistrictName = u.Name
	}
	if p, err := sgz.ParsePeriod(c.Query("refused")); err == nil && district != "" {
		if err := review.CheckUpload(ctx, s.db, district, p); err != nil {
			d.Flash = locale.T(l, "up.refused", locale.Say(l, err))
		}
	}
	if id, err := strconv.ParseInt(c.Query("return"), 10, 64); err == nil {
		r, err := s.returnByID(ctx, id)
		if err != nil {
			s.internal(c, err)
			return
		}
		if r != nil && s.mayRead(c, r) {
			d.Result = r
			d.Unchanged = c.Query("unchanged") == "1" && r.Status == "accepted"
			if d.Markable, err = s.markable(ctx, id); err != nil {
				s.internal(c, err)
				return
			}
			if d.Errors, d.Warnings, err = s.issues(ctx, l, id); err != nil {
				s.internal(c, err)
				return
			}
		}
	}
	d.Due = s.dueNow(ctx, p)
	for _, sh := range ingest.Sheets {
		d.Sheets = append(d.Sheets, uploadSheet{Name: sh.Name, Required: sh.Required})
	}
	if district != "" {
		var qs []string
		for i := 0; i < 12; i++ {
			qs = append(qs, sgz.PeriodOfIndex(now.Index()-i).String())
		}
		if d.Mine, err = s.returnsOf(ctx, qs, district, 100); err != nil {
			s.internal(c, err)
			return
		}
		for _, r := range d.Mine {
			if r.Newest && r.SentBackAt != nil {
				d.SentBack = append(d.SentBack, r)
			}
			// The first accepted return of the period decides 按时 (Mine is newest first).
			if r.Period == d.Period && r.Status == "accepted" {
				t := r.Received // a TIMESTAMP: Beijing wall time, read as UTC
				d.Due.First = t.Format("2006-01-02 15:04")
				at := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), sgz.Beijing)
				d.Due.FirstOK = s.opt.Config.DaysLate(p, at) == 0
			}
		}
	}
	s.render(c, "upload", "upload", locale.T(l, "up.title"), sgz.Span{}, d, nil)
}

// dueNow is quarter p's due date and where an upload now stands against it
// (the server's clock, Options.Now).
func (s *Server) dueNow(ctx context.Context, p sgz.Period) *uploadDue {
	now := s.opt.Now().In(sgz.Beijing)
	cfg := s.opt.Config
	return &uploadDue{Period: p.String(), Day: cfg.DueDay(p), Today: now.Format("2006-01-02"),
		Late: cfg.DaysLate(p, now), DaysLeft: cfg.DaysLeft(p, now)}
}

func mib(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// POST /upload (multipart: file): check, record, and show the result.
func (s *Server) upload(c *gin.Context) {
	ctx := c.Request.Context()
	district, msg := s.clerk(c)
	if district == "" {
		if msg == "" {
			msg = "up.choose"
		}
		c.Redirect(http.StatusSeeOther, "/upload?error="+msg)
		return
	}
	back := "/upload?district=" + district + "&error="
	done, ok := s.admitUpload(c)
	if !ok {
		s.prom.upload(upLimited)
		return
	}
	defer done()
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.opt.MaxUpload+1<<20)
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.prom.upload(upTooLarge)
			c.Redirect(http.StatusSeeOther, back+"up.toolarge")
			return
		}
		s.prom.upload(upNoFile)
		c.Redirect(http.StatusSeeOther, back+"up.nofile")
		return
	}
	if fh.Size > s.opt.MaxUpload {
		s.prom.upload(upTooLarge)
		c.Redirect(http.StatusSeeOther, back+"up.toolarge")
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.prom.upload(upNoFile)
		c.Redirect(http.StatusSeeOther, back+"up.nofile")
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, s.opt.MaxUpload+1))
	f.Close()
	received := s.opt.Now() // received when the server has the file: not after checking, not after waiting for the lock
	if err != nil || int64(len(data)) > s.opt.MaxUpload {
		s.prom.upload(upTooLarge)
		c.Redirect(http.StatusSeeOther, back+"up.toolarge")
		return
	}
	name := cleanName(fh.Filename)
	lim := xlsx.DefaultLimits()
	lim.MaxFileSize = s.opt.MaxUpload
	checkStart := time.Now()
	res := ingest.Check(name, data, ingest.Options{Limits: lim, OnlyDistrict: district,
		Registry: func(p sgz.Period) (*registry.Registry, error) { return s.regs.For(ctx, p) }})
	// A rejected upload is filed under the uploader's district, whatever
	// district the workbook names (or none): the clerk sees it, the other
	// district's clerks do not.
	if !res.OK() {
		if res.Return == nil {
			res.Return = &ingest.Return{}
		}
		if res.Return.District != district {
			res.Return.District, res.Return.DistrictName = district, ""
		}
	}
	s.writes.Lock()
	// A closed period, or a return already approved (locked), takes no upload.
	if r := res.Return; r != nil && r.Period.Valid() {
		if err := review.CheckUpload(ctx, s.db, district, r.Period); err != nil {
			s.writes.Unlock()
			var le *locale.Error
			if errors.As(err, &le) {
				s.prom.upload(upRefused)
				s.log.Info("upload refused", "district", district, "period", r.Period.String(), "why", le.Key)
				c.Redirect(http.StatusSeeOther, "/upload?district="+district+"&refused="+r.Period.String())
				return
			}
			s.internal(c, err)
			return
		}
	}
	checked := time.Since(checkStart)
	dropped, err := s.keepWithinQuota(ctx, district, res)
	if err != nil {
		s.writes.Unlock()
		s.prom.upload(upError)
		s.internal(c, err)
		return
	}
	recordStart := time.Now()
	id, accepted, err := ingest.Record(ctx, s.db, res, "upload", received)
	s.prom.checks.Observe((checked + time.Since(recordStart)).Seconds())
	if err == nil && accepted {
		s.Invalidate()
	}
	s.writes.Unlock()
	if err != nil {
		s.prom.upload(upError)
		s.internal(c, err)
		return
	}
	// Never the contents, the reporter or the phone.
	s.log.Info("upload", "return_id", id, "district", district, "accepted", accepted, "unchanged", res.Unchanged != 0, "errors", len(res.Errors), "warnings", len(res.Warnings), "bytes", len(data), "bytes_kept", !dropped)
	result := auth.OK
	switch {
	case res.Unchanged != 0:
		result = "unchanged"
	case !accepted:
		result = auth.Rejected
	}
	s.prom.upload(map[string]string{auth.OK: upAccepted, "unchanged": upUnchanged, auth.Rejected: upRejected}[result])
	s.record(c, "upload", "return "+strconv.FormatInt(id, 10), result,
		fmt.Sprintf("district=%s errors=%d warnings=%d bytes=%d kept=%t", district, len(res.Errors), len(res.Warnings), len(data), !dropped))
	if res.Unchanged != 0 {
		// Identical to the return that counts: nothing stored, and the page
		// says so about that return.
		c.Redirect(http.StatusSeeOther, "/upload?district="+district+"&unchanged=1&return="+strconv.FormatInt(id, 10))
		return
	}
	to := "/upload?district=" + district + "&return=" + strconv.FormatInt(id, 10)
	if dropped {
		to += "&error=up.notkept"
	}
	c.Redirect(http.StatusSeeOther, to)
}

// cleanName keeps the base name of an uploaded file, printable, at most 120 runes.
func cleanName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, `\`, "/"))
	n = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, n)
	if r := []rune(n); len(r) > 120 {
		n = string(r[:120])
	}
	if n == "" || n == "." || n == "/" {
		n = "upload.xlsx"
	}
	return n
}

// GET /template.xlsx?district=CODE&period=P: the blank return (gen.Template).
func (s *Server) template(c *gin.Context) {
	ctx := c.Request.Context()
	u := user(c)
	district := c.Query("district")
	if district == "" {
		district, _ = s.clerk(c)
	}
	if !u.Has(auth.Evaluator, auth.Admin) && !u.ClerkOf(district) {
		s.fail(c, http.StatusForbidden, "dash.forbidden")
		return
	}
	p := sgz.PeriodOf(s.opt.Now()).Prev()
	if q := c.Query("period"); q != "" {
		sp, err := sgz.ParseSpan(q)
		if err != nil {
			s.fail(c, http.StatusBadRequest, "dash.badperiod", q)
			return
		}
		p = sp.To
	}
	reg, err := s.regs.For(ctx, p)
	if err != nil || reg == nil {
		s.internal(c, fmt.Errorf("no registry for %s: %v", p, err))
		return
	}
	if u, ok := reg.Unit(district); !ok || u.Level != sgz.District {
		s.fail(c, http.StatusNotFound, "dash.nodistrict", district)
		return
	}
	f, err := gen.Template(reg, district, p)
	if err != nil {
		s.internal(c, err)
		return
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		s.internal(c, err)
		return
	}
	attach(c, district+"-"+p.String()+"-template.xlsx", xlsxType, buf.Bytes())
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// returnFor loads the return of :id if the request may read it.
func (s *Server) returnFor(c *gin.Context) *returnInfo {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, http.StatusNotFound, "dash.noreturn", c.Param("id"))
		return nil
	}
	ctx := context.WithoutCancel(c.Request.Context()) // shared by every waiter
	r, err := memoGen(s.calc, "RB|"+strconv.FormatInt(id, 10), func() (*returnInfo, error) { return s.returnByID(ctx, id) })
	if err != nil {
		s.internal(c, err)
		return nil
	}
	if r == nil {
		s.fail(c, http.StatusNotFound, "dash.noreturn", c.Param("id"))
		return nil
	}
	if !s.mayRead(c, r) {
		s.fail(c, http.StatusForbidden, "dash.forbidden")
		return nil
	}
	return r
}

func (s *Server) fileBytes(ctx context.Context, sha string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT content FROM return_files WHERE sha256 = ?`, sha).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// GET /returns/:id/file: the bytes as received.
func (s *Server) returnFile(c *gin.Context) {
	r := s.returnFor(c)
	if r == nil {
		return
	}
	b, err := s.fileBytes(c.Request.Context(), r.SHA256)
	if err != nil {
		s.internal(c, err)
		return
	}
	if b == nil {
		// A rejected upload past the district's quota: hash and errors only.
		s.fail(c, http.StatusNotFound, "up.notkeptfile", r.ID)
		return
	}
	attach(c, asciiName(r.File, r.ID), "application/octet-stream", b)
}

func asciiName(n string, id int64) string {
	ok := n != ""
	for _, ch := range n {
		if ch > 126 || ch < 32 || ch == '"' || ch == '\\' {
			ok = false
		}
	}
	if ok {
		return n
	}
	return "return-" + strconv.FormatInt(id, 10) + ".xlsx"
}

// GET /returns/:id/marked.xlsx: the workbook as sent, whatever wrote it,
// every error and warning a comment on its cell and a row of the first
// sheet 校验结果 (gen.Mark).
func (s *Server) markedFile(c *gin.Context) {
	r := s.returnFor(c)
	if r == nil {
		return
	}
	ctx := c.Request.Context()
	l := lang(c)
	b, err := s.fileBytes(ctx, r.SHA256)
	if err != nil {
		s.internal(c, err)
		return
	}
	if b == nil {
		// A rejected upload past the district's quota: hash and errors only.
		s.fail(c, http.StatusNotFound, "up.notkeptfile", r.ID)
		return
	}
	list, err := s.markIssues(ctx, l, r.ID)
	if err != nil {
		s.internal(c, err)
		return
	}
	out, err := gen.Mark(b, list, l)
	if errors.Is(err, gen.ErrNotWorkbook) {
		// Not a workbook at all (the link is not offered): say so plainly.
		s.fail(c, http.StatusUnprocessableEntity, "up.nomark")
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	attach(c, "return-"+strconv.FormatInt(r.ID, 10)+"-marked.xlsx", xlsxType, out)
}

// markIssues lists a return's errors and warnings for gen.Mark.
func (s *Server) markIssues(ctx context.Context, l locale.Lang, id int64) ([]gen.MarkIssue, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT severity, sheet, cell, message_zh, message_en FROM return_issues WHERE return_id = ? ORDER BY seq LIMIT 5000`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gen.MarkIssue
	for rows.Next() {
		var sev, sheet, cell, zh, en string
		if err := rows.Scan(&sev, &sheet, &cell, &zh, &en); err != nil {
			return nil, err
		}
		msg := zh
		if l == locale.EN {
			msg = en
		}
		out = append(out, gen.MarkIssue{Error: sev == string(ingest.Error), Sheet: sheet, Cell: cell, Msg: msg})
	}
	return out, rows.Err()
}

// markable reports whether a return's file is a workbook that can be marked:
// its errors are not about the file itself (not a zip, .xls, encrypted …).
func (s *Server) markable(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM return_issues WHERE return_id = ? AND code LIKE 'ingest.file.%'`, id).Scan(&n)
	return n == 0, err
}

var _ = time.Now
