package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"sgz"
	"sgz/store"
)

// Return statuses of a district for a quarter.
const (
	OnTime   = "on_time"   // a return counts now and the first accepted one arrived by the due date
	Late     = "late"      // a return counts now, but the first accepted one arrived after the due date
	SentBack = "sent_back" // returns were accepted but the newest was sent back; none counts now
	Missing  = "missing"   // no accepted return, and the due date has passed
	NotDue   = "not_due"   // no return counts yet, and the due date has not passed (not expected)
)

// ReportRow is one district and quarter.
type ReportRow struct {
	DistrictCode  string     `json:"district_code"`
	DistrictName  string     `json:"district_name"`
	CityCode      string     `json:"city_code"` // in the registry of the quarter
	Period        string     `json:"period"`
	DueDay        string     `json:"due_day"` // last day to send, "2026-10-15" (inclusive, Beijing time)
	Status        string     `json:"status"`
	Expected      bool       `json:"expected"`       // due by the reference date, or reported already
	FirstReceived *time.Time `json:"first_received"` // first accepted return that counts for timeliness
	Accepted      int        `json:"accepted"`       // accepted returns on record
	// The return that counts now (nil/empty when none).
	ReturnID   *int64     `json:"return_id"`
	FileName   string     `json:"file_name"`
	ReceivedAt *time.Time `json:"received_at"`
	SHA256     string     `json:"sha256"`
	DaysLate   int        `json:"days_late"` // whole days after the due day (late only)
}

// ReportSummary counts district-quarters of a group (a quarter, a district, or all).
type ReportSummary struct {
	Code     string `json:"code"` // quarter ("2026Q3"), district code, or the span for the total
	Name     string `json:"name"` // district name (districts only)
	Expected int    `json:"expected"`
	Reported int    `json:"reported"` // a return counts now (on time or late)
	OnTime   int    `json:"on_time"`
	Late     int    `json:"late"`
	SentBack int    `json:"sent_back"`
	Missing  int    `json:"missing"`
	NotDue   int    `json:"not_due"` // not yet due and not reported: in no denominator
	// Completeness = Reported / Expected; Timeliness = OnTime / Expected (the
	// reporting_rate indicator); nil when nothing is expected.
	Completeness *float64 `json:"completeness"`
	Timeliness   *float64 `json:"timeliness"`
}

// ReportingStatus is the reporting page: every district-quarter of the span
// (districts of the registry in force for each quarter), and the counts per
// quarter, per district and for the whole registry.
type ReportingStatus struct {
	Period    string          `json:"period"`
	AsOf      string          `json:"as_of"`     // the reference date (Config.RefDay)
	NoData    bool            `json:"no_data"`   // no accepted return at all for the span's quarters
	Rows      []ReportRow     `json:"rows"`      // by quarter, then district code
	Quarters  []ReportSummary `json:"quarters"`  // per quarter
	Districts []ReportSummary `json:"districts"` // per district, by code
	Cities    []ReportSummary `json:"cities"`    // per city, by code
	Total     ReportSummary   `json:"total"`     // every district of the registry
}

// Reporting lists completeness and timeliness of the returns for a span.
//
// Expected (应报): a district-quarter whose due date has passed at the
// reference (cfg.Ref, --as-of), or that has a return already; before its
// due date a quarter with nothing counting is NotDue, in no denominator.
//
// On time (按时): a district-quarter is on time when a return counts for it now
// (current_returns) and the district's first accepted return for that quarter
// was received (Beijing wall time) before the end of the due day — the
// quarter's last day + cfg.DueDays. Corrections sent later do not make it
// late; a return sent back with no accepted replacement makes it not reported.
// With cfg.SentBackIsLate, returns that were sent back are ignored when
// finding the first one, so the correction must itself arrive in time.
func Reporting(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config) (*ReportingStatus, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	var qs []string
	dues := map[string]time.Time{}
	for _, p := range span.Quarters() {
		due := cfg.DueBy(p)
		dues[p.String()] = due
		qs = append(qs, fmt.Sprintf("('%s', TIMESTAMP '%s')", p, due.Format("2006-01-02 15:04:05")))
	}
	firstFilter := "TRUE"
	if cfg.SentBackIsLate {
		firstFilter = "sent_back_at IS NULL"
	}
	q := `WITH qs(q, due) AS (VALUES ` + strings.Join(qs, ", ") + `),
qv AS (
    SELECT x.q, max(v.from_period) AS ver
    FROM qs x JOIN registry_versions v ON v.from_period <= x.q GROUP BY x.q),
acc AS (
    SELECT district_code AS dcode, period AS q, count(*) AS n,
        min(received_at) FILTER (WHERE ` + firstFilter + `) AS first_at,
        bool_or(sent_back_at IS NOT NULL) AS any_sent_back
    FROM returns WHERE status = 'accepted' AND period IN (SELECT q FROM qs)
    GROUP BY ALL)
SELECT qs.q, u.code, u.name, coalesce(u.city_code, ''), coalesce(c3.name, u.city_code, ''), acc.first_at, coalesce(acc.n, 0), coalesce(acc.any_sent_back, false),
    c.return_id, c.file_name, c.received_at, c.sha256
FROM qs JOIN qv ON qv.q = qs.q
JOIN registry_units u ON u.from_period = qv.ver AND u.level = 'district'
LEFT JOIN ` + cfg.countedReturns() + ` c ON c.district_code = u.code AND c.period = qs.q
LEFT JOIN registry_units c3 ON c3.from_period = qv.ver AND c3.code = u.city_code AND c3.level = 'city' 
LEFT JOIN acc ON acc.dcode = u.code AND acc.q = qs.q
ORDER BY qs.q, u.code`
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("reporting: %w", err)
	}
	defer rows.Close()
	st := &ReportingStatus{Period: span.String(), AsOf: cfg.RefDay()}
	cityNames := map[string]string{}
	anyData := false
	for rows.Next() {
		var r ReportRow
		var first, recv sql.NullTime
		var sentBack bool
		var id sql.NullInt64
		var file, sha sql.NullString
		var cityName string
		if err := rows.Scan(&r.Period, &r.DistrictCode, &r.DistrictName, &r.CityCode, &cityName, &first, &r.Accepted, &sentBack,
			&id, &file, &recv, &sha); err != nil {
			return nil, err
		}
		due := dues[r.Period]
		r.DueDay = cfg.DueDay(mustQuarter(r.Period))
		if first.Valid {
			t := wall(first.Time)
			r.FirstReceived = &t
		}
		if id.Valid {
			x := id.Int64
			t := wall(recv.Time)
			r.ReturnID, r.FileName, r.ReceivedAt, r.SHA256 = &x, file.String, &t, sha.String
		}
		switch {
		case r.ReturnID != nil && r.FirstReceived != nil && r.FirstReceived.Before(due):
			r.Status = OnTime
		case r.ReturnID != nil:
			r.Status = Late
			ref := r.ReceivedAt
			if r.FirstReceived != nil {
				ref = r.FirstReceived
			}
			r.DaysLate = cfg.DaysLate(mustQuarter(r.Period), *ref)
		case !cfg.Due(mustQuarter(r.Period)):
			r.Status = NotDue
		case sentBack:
			r.Status = SentBack
		default:
			r.Status = Missing
		}
		r.Expected = r.Status != NotDue
		if r.Accepted > 0 {
			anyData = true
		}
		st.Rows = append(st.Rows, r)
		if r.CityCode != "" && cityNames[r.CityCode] == "" {
			cityNames[r.CityCode] = cityName
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	st.NoData = !anyData
	byQ := map[string]*ReportSummary{}
	byD := map[string]*ReportSummary{}
	for _, p := range span.Quarters() {
		st.Quarters = append(st.Quarters, ReportSummary{Code: p.String()})
	}
	for i := range st.Quarters {
		byQ[st.Quarters[i].Code] = &st.Quarters[i]
	}
	byC := map[string]*ReportSummary{}
	var dorder, corder []string
	st.Total.Code = span.String()
	for _, r := range st.Rows {
		d, ok := byD[r.DistrictCode]
		if !ok {
			d = &ReportSummary{Code: r.DistrictCode, Name: r.DistrictName}
			byD[r.DistrictCode] = d
			dorder = append(dorder, r.DistrictCode)
		}
		sums := []*ReportSummary{byQ[r.Period], d, &st.Total}
		if r.CityCode != "" {
			c, ok := byC[r.CityCode]
			if !ok {
				c = &ReportSummary{Code: r.CityCode, Name: cityNames[r.CityCode]}
				byC[r.CityCode] = c
				corder = append(corder, r.CityCode)
			}
			sums = append(sums, c)
		}
		for _, s := range sums {
			s.count(r.Status)
		}
	}
	sortStrings(dorder)
	sortStrings(corder)
	for _, c := range dorder {
		st.Districts = append(st.Districts, *byD[c])
	}
	for _, c := range corder {
		st.Cities = append(st.Cities, *byC[c])
	}
	for i := range st.Cities {
		st.Cities[i].finish()
	}
	for i := range st.Quarters {
		st.Quarters[i].finish()
	}
	for i := range st.Districts {
		st.Districts[i].finish()
	}
	st.Total.finish()
	return st, nil
}

func (s *ReportSummary) count(status string) {
	if status == NotDue {
		s.NotDue++
		return
	}
	s.Expected++
	switch status {
	case OnTime:
		s.OnTime++
		s.Reported++
	case Late:
		s.Late++
		s.Reported++
	case SentBack:
		s.SentBack++
	default:
		s.Missing++
	}
}

func (s *ReportSummary) finish() {
	if s.Expected == 0 {
		return
	}
	c := float64(s.Reported) / float64(s.Expected)
	t := float64(s.OnTime) / float64(s.Expected)
	s.Completeness, s.Timeliness = &c, &t
}

// wall reads a TIMESTAMP (stored as Beijing wall time, returned by the driver
// as UTC) as Beijing time.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), sgz.Beijing)
}

func mustQuarter(s string) sgz.Period {
	p, _ := sgz.ParsePeriod(s)
	return p
}
