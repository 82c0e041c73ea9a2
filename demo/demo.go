// Package demo builds the demonstration database that `sgz demo` serves: the
// built-in Suzhou registry and generated returns for every quarter from
// 2025Q1 to the last complete one, with the things an evaluator meets in real
// life — a district that has not reported yet, a rejected return followed by a
// late correction, a return sent back for correction, messy spreadsheets.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/auth"
	"sgz/gen"
	"sgz/ingest"
	"sgz/registry"
	"sgz/store"
)

// First is the first quarter of demo data.
var First = sgz.Period{Year: 2025, Quarter: 1}

// Summary says what Build did.
type Summary struct {
	Span     sgz.Span
	Files    int
	Accepted int
	Rejected int
}

// Special cases, each showing one part of the product.
const (
	notYetReported = "320585" // 太仓市: no return for the latest quarter yet
	rejectedFirst  = "320507" // 相城区: latest return rejected, corrected one day late
	sentBack       = "320508" // 姑苏区: a return sent back for correction, then resubmitted
	lateDistrict   = "320582" // 张家港市: late in the previous quarter
)

// messy districts fill their workbooks the way clerks really do.
var messy = map[string]bool{"320509": true, "320583": true}

// Build fills db (which should be empty) with the demo data, writing the
// generated workbooks under dir. now decides the last complete quarter.
func Build(ctx context.Context, db *store.DB, dir string, now time.Time) (Summary, error) {
	last := sgz.PeriodOf(now.In(sgz.Beijing)).Prev()
	if last.Index() < First.Index() {
		last = First
	}
	span := sgz.Span{From: First, To: last}
	sum := Summary{Span: span}
	if _, err := registry.EnsureDefault(ctx, db); err != nil {
		return sum, err
	}
	reg := registry.Suzhou()
	var clean, untidy []string
	for _, d := range reg.OfLevel(sgz.District) {
		if messy[d.Code] {
			untidy = append(untidy, d.Code)
		} else {
			clean = append(clean, d.Code)
		}
	}
	opt := gen.Options{Seed: 2026}
	files, err := gen.WriteSet(filepath.Join(dir, "clean"), reg, clean, span.Quarters(), opt)
	if err != nil {
		return sum, err
	}
	opt.Messy = true
	more, err := gen.WriteSet(filepath.Join(dir, "messy"), reg, untidy, span.Quarters(), opt)
	if err != nil {
		return sum, err
	}
	files = append(files, more...)

	// Order by period so that each quarter is recorded after the one before.
	byPeriod := map[string][]string{}
	for _, f := range files {
		base := filepath.Base(f)
		district, period := base[:6], base[7:13]
		if district == notYetReported && period == last.String() {
			continue
		}
		if district == rejectedFirst && period == last.String() {
			bad, err := spoil(f, filepath.Join(dir, "rejected", base))
			if err != nil {
				return sum, err
			}
			byPeriod[period] = append(byPeriod[period], bad)
		}
		byPeriod[period] = append(byPeriod[period], f)
		if district == sentBack && period == last.Prev().String() {
			// The resubmission: the same return filled in again on a later
			// day (identical bytes would be "unchanged", not stored again).
			again, err := refill(f, filepath.Join(dir, "resubmitted", base))
			if err != nil {
				return sum, err
			}
			byPeriod[period] = append(byPeriod[period], again)
		}
	}
	var ordered []string
	for _, p := range span.Quarters() {
		ordered = append(ordered, byPeriod[p.String()]...)
	}
	outcomes, err := ingest.Run(ctx, db, ordered, ingest.RunOptions{Source: "demo"})
	if err != nil {
		return sum, err
	}
	for _, o := range outcomes {
		sum.Files++
		if o.Status == "accepted" {
			sum.Accepted++
		} else {
			sum.Rejected++
		}
	}
	return sum, backdate(ctx, db, last)
}

// spoil writes a copy of a return with two mistakes clerks make: a station
// "under construction" (not yes/no) and half a social worker.
func spoil(src, dst string) (string, error) {
	f, err := excelize.OpenFile(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	rows, err := f.GetRows(ingest.SheetStations)
	if err != nil {
		return "", err
	}
	builtCol, staffCol, header := 0, 0, 0
	for i, r := range rows {
		for j, v := range r {
			switch v {
			case "是否建成社工站":
				builtCol, header = j+1, i+1
			case "驻站社工人数":
				staffCol = j + 1
			}
		}
		if header > 0 {
			break
		}
	}
	if header == 0 || builtCol == 0 || staffCol == 0 {
		return "", fmt.Errorf("demo: no station header in %s", src)
	}
	c1, _ := excelize.CoordinatesToCellName(builtCol, header+1)
	c2, _ := excelize.CoordinatesToCellName(staffCol, header+2)
	f.SetCellValue(ingest.SheetStations, c1, "在建")
	f.SetCellValue(ingest.SheetStations, c2, "3.5")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	return dst, f.SaveAs(dst)
}

// refill writes a copy of a return with a later 填报日期, as a clerk who
// resubmits it would.
func refill(src, dst string) (string, error) {
	f, err := excelize.OpenFile(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	rows, err := f.GetRows(ingest.SheetInfo)
	if err != nil {
		return "", err
	}
	found := false
	for i, r := range rows {
		for j, v := range r {
			if strings.TrimSpace(v) == "填报日期" {
				cell, _ := excelize.CoordinatesToCellName(j+2, i+1)
				f.SetCellValue(ingest.SheetInfo, cell, "2026-10-20")
				found = true
			}
		}
	}
	if !found {
		return "", fmt.Errorf("demo: no 填报日期 in %s", src)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	return dst, f.SaveAs(dst)
}

// backdate gives the demo returns plausible receipt times (the generator
// writes them all at once): a few days to two weeks after the quarter ends,
// with the late cases late, and marks one return as sent back.
func backdate(ctx context.Context, db *store.DB, last sgz.Period) error {
	return db.Write(ctx, func(w *store.Writer) error {
		// Quarter end + 2..13 days, at 9:00 + 0..8 h, by district and period.
		if err := w.Exec(`UPDATE returns SET received_at =
			make_timestamp(CAST(left(period, 4) AS BIGINT), 1, 1, 0, 0, 0)
			+ INTERVAL (3 * CAST(right(period, 1) AS INTEGER)) MONTH
			+ INTERVAL (2 + hash(district_code, period) % 12) DAY
			+ INTERVAL (9 + hash(period, district_code) % 9) HOUR
			+ INTERVAL (return_id % 60) MINUTE
			WHERE source = 'demo'`); err != nil {
			return err
		}
		// The late district: 25 days after the previous quarter ended.
		if err := w.Exec(`UPDATE returns SET received_at = received_at + INTERVAL 23 DAY
			WHERE district_code = ? AND period = ?`, lateDistrict, last.Prev().String()); err != nil {
			return err
		}
		// Rejected on day 13 after the quarter, corrected on day 17 (two days
		// after the due date).
		if err := w.Exec(`UPDATE returns SET received_at = CAST(? AS TIMESTAMP) + INTERVAL (CASE status WHEN 'rejected' THEN 12 ELSE 16 END) DAY
			+ INTERVAL 10 HOUR WHERE district_code = ? AND period = ?`,
			last.Next().First().Format("2006-01-02"), rejectedFirst, last.String()); err != nil {
			return err
		}
		// Sent back: the first of the two returns, resubmitted three days later.
		if err := w.Exec(`WITH two AS (SELECT return_id, row_number() OVER (ORDER BY return_id) AS n FROM returns
				WHERE district_code = ? AND period = ? AND status = 'accepted')
			UPDATE returns SET
				sent_back_at = CASE two.n WHEN 1 THEN returns.received_at + INTERVAL 2 DAY END,
				sent_back_reason = CASE two.n WHEN 1 THEN '运营机构名称与合同不一致，请核实后重报' END,
				received_at = CASE two.n WHEN 2 THEN returns.received_at + INTERVAL 3 DAY ELSE returns.received_at END
			FROM two WHERE returns.return_id = two.return_id`, sentBack, last.Prev().String()); err != nil {
			return err
		}
		// The review history (package review): the send-back, and the
		// returns of all but the last two quarters approved a month after
		// their receipt; the last two quarters are pending review.
		return w.Exec(`INSERT INTO review_events
			SELECT nextval('review_event_seq'), t, '演示评审员', action, return_id, district_code, period, before, after, reason, NULL
			FROM (
				SELECT sent_back_at AS t, 'sendback' AS action, return_id, district_code, period,
					'pending' AS before, 'sent_back' AS after, sent_back_reason AS reason
				FROM returns WHERE source = 'demo' AND sent_back_at IS NOT NULL
				UNION ALL
				SELECT received_at + INTERVAL 30 DAY, 'approve', return_id, district_code, period, 'pending', 'approved', ''
				FROM current_returns WHERE source = 'demo' AND period < ?
			) ORDER BY t, return_id`, last.Prev().String())
	})
}

// Account is a demo login.
type Account struct {
	Name, Password string
	Roles          []auth.Role
	Districts      []string
}

// Accounts creates one account per role in a demo database (the clerk
// reports for 相城区, whose latest return was rejected then corrected) with
// fresh random passwords, and returns them to be printed. They need no
// password change: a demo is not a deployment.
func Accounts(ctx context.Context, db *store.DB, now time.Time) ([]Account, error) {
	var out []Account
	for _, r := range auth.AllRoles {
		a := Account{Name: "demo-" + string(r), Password: auth.RandomPassword(), Roles: []auth.Role{r}}
		if r == auth.Clerk {
			a.Districts = []string{rejectedFirst}
		}
		if _, err := auth.AddUser(ctx, db, auth.NewUser{Name: a.Name, Password: a.Password, Roles: a.Roles, Districts: a.Districts}, now); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
