package metrics

import (
	"time"

	"sgz"
)

// DueDay is the last day to send quarter p's return, as pages write it
// ("2026-10-15", inclusive, Beijing time): the day before DueBy.
func (c *Config) DueDay(p sgz.Period) string {
	return c.DueBy(p).AddDate(0, 0, -1).Format("2006-01-02")
}

// DaysLate is how many days after the due day a return of quarter p
// received at t is: 0 on time (before the end of the due day), 1 on the day
// after, … — the reporting page's count (ReportRow.DaysLate).
func (c *Config) DaysLate(p sgz.Period, t time.Time) int {
	due := c.DueBy(p)
	if t.Before(due) {
		return 0
	}
	return int(t.Sub(due)/(24*time.Hour)) + 1
}

// DaysLeft is how many days after t's day (Beijing) quarter p's due day
// is: 0 on the due day itself (or after), 1 the day before, ….
func (c *Config) DaysLeft(p sgz.Period, t time.Time) int {
	due := c.DueBy(p) // the start of the day after the due day
	if !t.Before(due) {
		return 0
	}
	y, m, d := t.In(sgz.Beijing).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, sgz.Beijing)
	return int(due.Sub(today)/(24*time.Hour)) - 1
}
