package dashboard

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"

	"sgz"
	"sgz/locale"
)

// districtReturnsAlone is how a district page read its returns before the
// book: each district's own queries. The book must give the same.
func districtReturnsAlone(t *testing.T, s *Server, l locale.Lang, sp sgz.Span, code, asOf string) *districtReturn {
	t.Helper()
	ctx := context.Background()
	d := &districtReturn{}
	if asOf != "" {
		var id int64
		err := s.db.QueryRowContext(ctx, `SELECT return_id FROM current_returns WHERE district_code = ? AND period = ?`, code, asOf).Scan(&id)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if id != 0 {
			if d.Return, err = s.returnByID(ctx, id); err != nil {
				t.Fatal(err)
			}
			if _, d.Warnings, err = s.issues(ctx, l, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	var err error
	if d.Towns, err = s.townRows(ctx, sp, code, d.Return); err != nil {
		t.Fatal(err)
	}
	var qs []string
	for i := 0; i < 8; i++ {
		qs = append(qs, sgz.PeriodOfIndex(sp.To.Index()-i).String())
	}
	if d.Returns, err = s.returnsOf(ctx, qs, code, 100); err != nil {
		t.Fatal(err)
	}
	return d
}

// A district page's returns, read for every district at once (returnsBook),
// are what each district's own queries read: the return in use with its
// stated receipt and its warnings, the towns, and the list of the last 8
// quarters, for every district and quarter of the fixture, in both
// languages, also for a quarter older than the book holds.
func TestReturnsBookAsEachDistrictAlone(t *testing.T) {
	_, s, db := newTestServer(t, Options{NoWarm: true})
	ctx := context.Background()
	// A stated receipt, and one warning, on a return in use that had none.
	var id int64
	if err := db.QueryRow(`SELECT c.return_id FROM current_returns c JOIN returns r ON r.return_id = c.return_id
		WHERE r.warning_count = 0 ORDER BY c.return_id DESC LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO return_receipts VALUES (?, 'cli --received-at', TIMESTAMP '2026-12-01 10:05:00')`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO return_issues VALUES (?, 1, 'warning', '基本信息', 'B3', 'test.warn', '测试提示', 'a test warning')`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE returns SET warning_count = 1 WHERE return_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	s.calc.invalidate()
	reg, err := s.regs.For(ctx, fixtureLast)
	if err != nil {
		t.Fatal(err)
	}
	var withReturn, withWarnings, withReceipt, older int
	for _, to := range []sgz.Period{fixtureLast, sgz.MustPeriod("2027Q4")} { // 2027Q4: 2025Q4 is older than its book
		sp := sgz.QuarterSpan(to)
		for _, l := range []locale.Lang{locale.ZH, locale.EN} {
			for _, u := range reg.OfLevel(sgz.District) {
				for _, asOf := range append([]string{""}, quarterStrings(sgz.Span{From: fixturePeriods[0], To: fixtureLast})...) {
					got, err := s.districtReturns(ctx, l, sp, u.Code, asOf)
					if err != nil {
						t.Fatal(err)
					}
					want := districtReturnsAlone(t, s, l, sp, u.Code, asOf)
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %s %s as of %q:\n book  %s\n alone %s", to, l, u.Code, asOf, show(got), show(want))
					}
					if got.Return != nil {
						withReturn++
						if len(got.Warnings) > 0 {
							withWarnings++
						}
						if got.Return.StatedBy != "" {
							withReceipt++
						}
						if to != fixtureLast && asOf == fixturePeriods[0].String() {
							older++
						}
					}
				}
			}
		}
	}
	if withReturn < 20 || withWarnings == 0 || withReceipt == 0 || older == 0 {
		t.Errorf("compared %d returns in use, %d with warnings, %d with a stated receipt, %d older than the book", withReturn, withWarnings, withReceipt, older)
	}
}

func show(d *districtReturn) string {
	s := fmt.Sprintf("%d returns, %d towns, %d warnings", len(d.Returns), len(d.Towns), len(d.Warnings))
	if d.Return != nil {
		s += fmt.Sprintf(", in use %+v", *d.Return)
	}
	return s
}
