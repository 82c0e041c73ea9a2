package query

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"testing"

	"sgz"
	"sgz/metrics"
)

// v_indicator_inputs gives the same numerators and denominators as the
// metrics package for a quarter (the indicator values come from metrics).
func TestIndicatorInputsMatchMetrics(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	// indicator → (numerator, denominator) expressions over v_indicator_inputs
	pairs := map[string][2]string{
		"station_coverage":       {"stations_built", "towns_in_scope"},
		"room_coverage":          {"rooms_built", "villages_in_scope"},
		"station_standard_rate":  {"stations_standard", "stations_built"},
		"resident_staffing_rate": {"stations_staffed", "stations_built"},
		"certified_share":        {"station_staff_cert", "station_staff"},
		"certified_total":        {"certified_social_workers", ""},
		"charity_fund_rate":      {"units_with_charity_fund", "towns_in_scope + villages_in_scope"},
		"gov_funding":            {"funds_government", ""},
		"charity_funding":        {"funds_charity", ""},
		"training_participants":  {"training_participants", ""},
		"training_hours":         {"training_person_hours", ""},
	}
	for _, period := range []string{"2026Q2", "2026Q3"} {
		vals, err := metrics.Compute(ctx, db, sgz.QuarterSpan(sgz.MustPeriod(period)), sgz.Level("district"), metrics.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, v := range vals {
			p, ok := pairs[v.Indicator]
			if !ok || v.Numerator == nil && v.Value == nil {
				continue
			}
			num := v.Numerator
			if num == nil {
				num = v.Value
			}
			var n, d *float64
			q := fmt.Sprintf("SELECT (%s)::DOUBLE, %s FROM v_indicator_inputs WHERE district_code = ? AND period = ?", p[0], "NULL::DOUBLE")
			if p[1] != "" {
				q = fmt.Sprintf("SELECT (%s)::DOUBLE, (%s)::DOUBLE FROM v_indicator_inputs WHERE district_code = ? AND period = ?", p[0], p[1])
			}
			err := db.QueryRowContext(ctx, q, v.UnitCode, period).Scan(&n, &d)
			if errors.Is(err, sql.ErrNoRows) {
				// metrics has a value, so the district has a current return
				t.Errorf("%s %s %s: metrics %v, no row in v_indicator_inputs", period, v.UnitCode, v.Indicator, *num)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			checked++
			if n == nil || math.Abs(*n-*num) > 1e-9 {
				t.Errorf("%s %s %s numerator: view %v, metrics %v", period, v.UnitCode, v.Indicator, deref(n), *num)
			}
			if p[1] != "" && v.Denominator != nil && (d == nil || math.Abs(*d-*v.Denominator) > 1e-9) {
				t.Errorf("%s %s %s denominator: view %v, metrics %v", period, v.UnitCode, v.Indicator, deref(d), *v.Denominator)
			}
		}
		if checked == 0 {
			t.Errorf("%s: nothing compared", period)
		}
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}
