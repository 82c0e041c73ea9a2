package dashboard

// The 催报 reminder list: for a period, every district that has not reported
// though its return is due (or whose return was sent back for correction and
// not resubmitted), with its due date and the days late at the reference
// date — and, only for those who may read the district's returns
// (evaluators, admins, the district's own clerks: the same rule as the return
// page, Server.mayRead), 填报人 and 联系电话 from its latest return of any
// period.

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"sgz"
	"sgz/auth"
	"sgz/locale"
	"sgz/metrics"
	"sgz/value"
)

// reminderRow is one district and quarter to remind.
type reminderRow struct {
	DistrictCode, DistrictName string
	Period, DueDay             string
	Status, StatusText         string // metrics.Missing | metrics.SentBack
	DaysLate                   int
	Personal                   bool   // the viewer may see the district's reporter and phone
	Reporter, Phone            string // "" unless Personal
}

// reminderData is the list as pages show it.
type reminderData struct {
	Period   string
	AsOf     string // the reference date
	Rows     []reminderRow
	Personal bool // some row shows its reporter and phone
	Hidden   bool // some row's reporter and phone are not shown to the viewer
	CSV      bool // the viewer may download it
	Embedded bool // on another page (the reporting page): with its own heading
}

// mayReadDistrict is who may read a district's returns and their personal
// fields (填报人, 联系电话): evaluators, admins and the district's own clerks.
// The return pages (mayRead) and the reminder list ask it.
func mayReadDistrict(u *auth.User, district string) bool {
	return u.Has(auth.Evaluator, auth.Admin) || u.ClerkOf(district)
}

// latestDue is the latest quarter whose return is due at the reference date
// (the current period of the reminder list).
func latestDue(cfg *metrics.Config) sgz.Period {
	p := sgz.PeriodOf(cfg.Ref())
	for i := 0; i < 8 && !cfg.Due(p); i++ {
		p = p.Prev()
	}
	return p
}

// reminderList builds the list of sp for u.
func (s *Server) reminderList(ctx context.Context, l locale.Lang, u *auth.User, sp sgz.Span) (*reminderData, error) {
	st, err := s.calc.reporting(ctx, sp)
	if err != nil {
		return nil, err
	}
	cfg, _ := s.calc.cfgAt(ctx)
	ref := cfg.Ref()
	d := &reminderData{Period: sp.String(), AsOf: st.AsOf, CSV: may(u, "GET", "/reminders.csv")}
	var codes []string
	for _, r := range st.Rows {
		if r.Status != metrics.Missing && r.Status != metrics.SentBack {
			continue
		}
		p, err := sgz.ParsePeriod(r.Period)
		if err != nil {
			continue
		}
		row := reminderRow{DistrictCode: r.DistrictCode, DistrictName: r.DistrictName, Period: r.Period, DueDay: r.DueDay,
			Status: r.Status, StatusText: locale.T(l, "remind.status."+r.Status), Personal: mayReadDistrict(u, r.DistrictCode)}
		// Days after the due day at the reference date (the last instant of
		// the day it names): as of the 20th, a return due by the 15th is 5
		// days late — Config.DaysLate, the reporting and upload pages' count.
		row.DaysLate = cfg.DaysLate(p, ref.Add(-time.Nanosecond))
		if row.Personal {
			d.Personal = true
			codes = append(codes, r.DistrictCode)
		} else {
			d.Hidden = true
		}
		d.Rows = append(d.Rows, row)
	}
	if len(codes) > 0 {
		who, err := s.reporters(ctx, codes)
		if err != nil {
			return nil, err
		}
		for i := range d.Rows {
			if r := &d.Rows[i]; r.Personal {
				r.Reporter, r.Phone = who[r.DistrictCode][0], who[r.DistrictCode][1]
			}
		}
	}
	return d, nil
}

// reporters are the 填报人 and 联系电话 of each district's latest return (of
// any period) that gives them.
func (s *Server) reporters(ctx context.Context, codes []string) (map[string][2]string, error) {
	out := map[string][2]string{}
	args := make([]any, len(codes))
	ph := make([]byte, 0, 2*len(codes))
	for i, c := range codes {
		args[i] = c
		if i > 0 {
			ph = append(ph, ',')
		}
		ph = append(ph, '?')
	}
	rows, err := s.db.QueryContext(ctx, `SELECT district_code, coalesce(reporter, ''), coalesce(phone, '') FROM returns
		WHERE district_code IN (`+string(ph)+`) AND (coalesce(reporter, '') <> '' OR coalesce(phone, '') <> '')
		QUALIFY row_number() OVER (PARTITION BY district_code ORDER BY received_at DESC, return_id DESC) = 1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code, who, phone string
		if err := rows.Scan(&code, &who, &phone); err != nil {
			return nil, err
		}
		out[code] = [2]string{who, phone}
	}
	return out, rows.Err()
}

// reminderSpan is ?period= when given, else the latest quarter due.
func (s *Server) reminderSpan(c *gin.Context) (sgz.Span, bool) {
	sp, ok := s.span(c)
	if !ok || c.Query("period") != "" {
		return sp, ok
	}
	cfg, _ := s.calc.cfgAt(c.Request.Context())
	return sgz.QuarterSpan(latestDue(cfg)), true
}

// GET /reminders: the 催报 list of the current period (?period= another).
func (s *Server) reminders(c *gin.Context) {
	sp, ok := s.reminderSpan(c)
	if !ok {
		return
	}
	l := lang(c)
	d, err := s.reminderList(c.Request.Context(), l, user(c), sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	s.render(c, "reminders", "reporting", locale.T(l, "remind.title", sp.String()), sp, d, nil)
}

// GET /reminders.csv: the same list as CSV (UTF-8 with BOM, formula-safe);
// reporter and phone only where the page shows them.
func (s *Server) remindersCSV(c *gin.Context) {
	sp, ok := s.reminderSpan(c)
	if !ok {
		return
	}
	l := lang(c)
	d, err := s.reminderList(c.Request.Context(), l, user(c), sp)
	if err != nil {
		s.internal(c, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	T := func(k string) string { return locale.T(l, k) }
	w.Write(value.CSVRow([]string{T("col.code"), T("col.district"), T("col.period"), T("col.status"), T("remind.col.due"),
		T("remind.col.days"), T("remind.col.reporter"), T("remind.col.phone")}))
	for _, r := range d.Rows {
		w.Write(value.CSVRow([]string{r.DistrictCode, r.DistrictName, r.Period, r.StatusText, r.DueDay, strconv.Itoa(r.DaysLate),
			r.Reporter, r.Phone}))
	}
	w.Flush()
	attach(c, "reminders-"+sp.String()+".csv", "text/csv; charset=utf-8", buf.Bytes())
}
