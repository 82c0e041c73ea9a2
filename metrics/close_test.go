package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/locale"
	"sgz/review"
)

var actAt = time.Date(2026, 12, 1, 10, 0, 0, 0, sgz.Beijing)

// With "pending_counts": false a return still pending review stops counting:
// the district's values go missing and the returns sheet leaves it out;
// with the default it counts and is marked 待审核.
func TestPendingRule(t *testing.T) {
	ctx := context.Background()
	db := fixture(t)
	for _, id := range []int64{4, 10} { // A and C approved, B's return 7 pending
		if _, err := review.Approve(ctx, db, id, review.Act{By: "评审甲", At: actAt}); err != nil {
			t.Fatal(err)
		}
	}
	span := mustSpan("2026Q3")
	def, err := Assess(ctx, db, span, nil)
	if err != nil {
		t.Fatal(err)
	}
	strict, err := ParseConfig(strings.NewReader(`{"pending_counts": false}`), "strict.json")
	if err != nil {
		t.Fatal(err)
	}
	if strict.CountsPending() || !DefaultConfig().CountsPending() {
		t.Fatal("CountsPending")
	}
	st, err := Assess(ctx, db, span, strict)
	if err != nil {
		t.Fatal(err)
	}
	valueOf := func(a *Assessment, code, id string) *float64 {
		for _, d := range a.Districts {
			if d.UnitCode == code {
				v, _ := d.Value(id)
				return v.Value
			}
		}
		t.Fatalf("no district %s", code)
		return nil
	}
	if v := valueOf(def, "320502", "station_coverage"); v == nil || *v != 1 {
		t.Errorf("default: B station_coverage %v, want 1 (pending counts)", v)
	}
	if v := valueOf(st, "320502", "station_coverage"); v != nil {
		t.Errorf("pending_counts false: B station_coverage %v, want missing", *v)
	}
	if a, b := valueOf(def, "320501", "station_coverage"), valueOf(st, "320501", "station_coverage"); a == nil || b == nil || *a != *b {
		t.Errorf("approved A must count under both rules: %v %v", a, b)
	}
	states := func(a *Assessment) string {
		var s []string
		for _, r := range a.Returns {
			s = append(s, fmt.Sprintf("%d:%s", r.ReturnID, r.Review))
		}
		return strings.Join(s, " ")
	}
	if got := states(def); got != "4:approved 7:pending 10:approved" {
		t.Errorf("default returns %s", got)
	}
	if got := states(st); got != "4:approved 10:approved" {
		t.Errorf("strict returns %s", got)
	}
	// Reporting follows the same rule: B's quarter is not reported.
	rep, err := Reporting(ctx, db, span, strict)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rows {
		if r.DistrictCode == "320502" && r.ReturnID != nil {
			t.Errorf("strict reporting: B has return %d", *r.ReturnID)
		}
	}
	// The returns sheet marks the pending one; the rules sheet states the rule.
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, def); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(SheetReturns)
	if !strings.Contains(rows[0][0], "其中 1 份待审核") || rows[2][7] != "审核状态" {
		t.Errorf("returns sheet head %q %q", rows[0], rows[2])
	}
	marks := map[string]string{}
	for _, r := range rows[3:] {
		marks[r[3]] = r[7]
	}
	if marks["7"] != "待审核" || marks["4"] != "已审核" {
		t.Errorf("returns sheet marks %v", marks)
	}
	rules, _ := f.GetRows(SheetRules)
	if !strings.Contains(fmt.Sprint(rules), "待审核的报表照常计入") {
		t.Errorf("rules sheet does not state the pending rule")
	}
}

func xlsxRows(t *testing.T, a *Assessment) map[string][][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, a); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]string{}
	for _, sh := range f.GetSheetList() {
		out[sh], _ = f.GetRows(sh)
	}
	return out
}

// Closing records the assessment; every later export of the span is that
// one, whatever changes afterwards (registry names, rules), until an
// administrator reopens the span. Review actions and rule changes are refused
// meanwhile.
func TestCloseKeepsRecordedAssessment(t *testing.T) {
	ctx := context.Background()
	db := fixture(t)
	span := mustSpan("2026Q3")
	closed, c, err := Close(ctx, db, span, nil, review.Act{By: "评审甲", Reason: "年度考核定稿", At: actAt})
	if err != nil {
		t.Fatal(err)
	}
	if c.AssessmentID == 0 || c.AssessmentID != closed.ID || c.By != "评审甲" || c.Period != "2026Q3" {
		t.Fatalf("closure %+v (assessment %d)", c, closed.ID)
	}
	if _, _, err := Close(ctx, db, span, nil, review.Act{At: actAt}); err == nil || !strings.Contains(err.Error(), "已经考核归档") {
		t.Errorf("closing twice: %v", err)
	}
	wantJSON, _ := json.Marshal(AssessmentRows(closed))
	wantXLSX := xlsxRows(t, closed)

	// Later changes: a district renamed in the registry, other rules.
	mustExec(t, db, `UPDATE registry_units SET name = '新甲区' WHERE code = '320501'`)
	other := DefaultConfig()
	r := other.Indicators["station_coverage"]
	r.Weight = 40
	other.Indicators["station_coverage"] = r
	live, err := Assess(ctx, db, span, other)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(AssessmentRows(live)); string(got) == string(wantJSON) {
		t.Fatal("the later change does not change a live assessment: the test proves nothing")
	}
	final, fc, err := Final(ctx, db, span, other)
	if err != nil {
		t.Fatal(err)
	}
	if fc == nil || fc.AssessmentID != closed.ID || final.ID != closed.ID {
		t.Fatalf("final %d closure %+v", final.ID, fc)
	}
	if got, _ := json.Marshal(AssessmentRows(final)); string(got) != string(wantJSON) {
		t.Errorf("json export changed after closing:\n got %s\nwant %s", got, wantJSON)
	}
	if got := xlsxRows(t, final); fmt.Sprint(got) != fmt.Sprint(wantXLSX) {
		t.Errorf("xlsx export changed after closing")
	}
	// Rule change refused; the rules of the closing accepted.
	err = CheckRules(ctx, db, span, other)
	if err == nil || !strings.Contains(locale.Say(locale.ZH, err), "2026Q3 已于 2026-12-01 10:00 考核归档") {
		t.Errorf("rule change on a closed period: %v", err)
	}
	if err := CheckRules(ctx, db, span, nil); err != nil {
		t.Error(err)
	}
	if err := CheckRules(ctx, db, span, DefaultConfig()); err != nil {
		t.Errorf("the rules of the closing: %v", err)
	}
	if err := CheckRules(ctx, db, mustSpan("2026Q2"), other); err != nil {
		t.Errorf("open period: %v", err)
	}
	// Review refused inside the closed quarter.
	if _, err := review.Approve(ctx, db, 4, review.Act{At: actAt}); err == nil || !strings.Contains(locale.Say(locale.EN, err), "2026Q3 is closed") {
		t.Errorf("approve in a closed period: %v", err)
	}
	// Reopened by an administrator: live again.
	if _, err := review.Reopen(ctx, db, span, review.Act{By: "评审甲", At: actAt}); err == nil {
		t.Error("reopened by a non-administrator")
	}
	if _, err := review.Reopen(ctx, db, span, review.Act{By: "管理员", Admin: true, Reason: "更正", At: actAt}); err != nil {
		t.Fatal(err)
	}
	final, fc, err = Final(ctx, db, span, other)
	if err != nil || fc != nil {
		t.Fatalf("after reopen: %v %+v", err, fc)
	}
	if got, _ := json.Marshal(AssessmentRows(final)); string(got) == string(wantJSON) {
		t.Error("after reopen the export is still the closed one")
	}
	if err := CheckRules(ctx, db, span, other); err != nil {
		t.Errorf("after reopen: %v", err)
	}
	if _, err := review.Approve(ctx, db, 4, review.Act{At: actAt}); err != nil {
		t.Errorf("approve after reopen: %v", err)
	}
}
