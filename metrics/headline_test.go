package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sgz/locale"
)

// The headline figures of the oracle fixture, computed by hand (oracle_test.go
// has the same world): in 2026Q3 A's latest return is #4, B's #7, C's #10.
func TestHeadlineByHand(t *testing.T) {
	db := fixture(t)
	ctx := context.Background()
	h, err := HeadlineFor(ctx, db, mustSpan("2026Q3"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	// Towns with a fund: A 001, 002 (003 none, 400 out of scope); B 001, 002; C 001.
	// Villages with a fund: A 001001, 001002 (400001 out of scope); B 001001, 002001.
	if h.UnitCode != "3205" || h.DistrictsReported != 3 || h.DistrictsExpected != 3 ||
		f(h.CharityFundTowns) != 5 || f(h.CharityFundVillages) != 4 ||
		f(h.CertifiedTotal) != 70+25+6 || f(h.Organisations) != 0 || h.TrainingCost != nil {
		t.Errorf("%+v", h)
	}
	// Stations: A 2 of 3 towns, B 2 of 2, C 1 of 1 → 5 of 6.
	if f(h.StationsBuilt) != 5 || f(h.TownsInScope) != 6 || !approx(f(h.StationCoverage), 5.0/6) {
		t.Errorf("stations %v/%v = %v", f(h.StationsBuilt), f(h.TownsInScope), f(h.StationCoverage))
	}
	// B's 2026Q2 return was sent back and never replaced: nothing counts.
	b, err := HeadlineFor(ctx, db, mustSpan("2026Q2"), "320502", nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.DistrictsReported != 0 || b.DistrictsExpected != 1 || b.StationsBuilt != nil || b.CharityFundTowns != nil || b.Organisations != nil || len(b.Projects) != 0 {
		t.Errorf("B 2026Q2: %+v", b)
	}
	// Flows sum over the span: A's government money 10 (Q1) + 20 (Q2, the resubmission) + 30 (Q3).
	a, err := HeadlineFor(ctx, db, mustSpan("2026"), "320501", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f(a.GovFunding) != 60 || f(a.CharityFundTowns) != 2 || a.Level != "district" {
		t.Errorf("A 2026: gov %v towns %v level %s", f(a.GovFunding), f(a.CharityFundTowns), a.Level)
	}
}

func TestHeadlineNeedsAUnit(t *testing.T) {
	ctx := context.Background()
	var le *locale.Error
	if _, err := HeadlineFor(ctx, openDB(t), mustSpan("2026Q3"), "", nil); !errors.As(err, &le) || le.Key != "metrics.headline.nocity" {
		t.Errorf("empty registry: %v", err)
	}
	db := fixture(t)
	regUnit(t, db, "0000Q1", "320601", "另一区", false, 0)
	regUnit(t, db, "2026Q3", "320601", "另一区", false, 0)
	if _, err := HeadlineFor(ctx, db, mustSpan("2026Q3"), "", nil); !errors.As(err, &le) || le.Key != "metrics.headline.cities" {
		t.Errorf("two cities: %v", err)
	}
	if h, err := HeadlineFor(ctx, db, mustSpan("2026Q3"), "3206", nil); err != nil || h.DistrictsExpected != 1 || h.DistrictsReported != 0 {
		t.Errorf("the other city: %+v %v", h, err)
	}
	if _, err := HeadlineFor(ctx, db, mustSpan("2026Q3"), "999999", nil); !errors.As(err, &le) || le.Key != "metrics.headline.unit" {
		t.Errorf("unknown unit: %v", err)
	}
}

// With the province's total in the rules, the city's share of it.
func TestHeadlineProvinceShare(t *testing.T) {
	db := fixture(t)
	cfg, err := ParseConfig(strings.NewReader(`{"version": 1, "province_certified_total": 404}`), "rules.json")
	if err != nil {
		t.Fatal(err)
	}
	h, err := HeadlineFor(context.Background(), db, mustSpan("2026Q3"), "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if h.CertifiedProvinceShare == nil || !approx(*h.CertifiedProvinceShare, 101.0/404) {
		t.Errorf("share %v, want 101/404", h.CertifiedProvinceShare)
	}
	if h, _ := HeadlineFor(context.Background(), db, mustSpan("2026Q3"), "", nil); h.CertifiedProvinceShare != nil {
		t.Error("a share without the province's total")
	}
	_, err = ParseConfig(strings.NewReader(`{"version": 1, "province_certified_total": 0}`), "rules.json")
	if err == nil || !strings.Contains(locale.Say(locale.ZH, err), "字段 province_certified_total 必须 > 0") {
		t.Errorf("zero province total: %v", err)
	}
}
