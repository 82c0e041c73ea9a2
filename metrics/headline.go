package metrics

import (
	"context"
	"fmt"
	"strings"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// Headline is the programme's headline figures of a city or a district for a
// span, as a leader quotes them (interfaces.md, GET /api/v1/headline).
//
// Stocks are at each district's latest quarter with a return in the span;
// flows are summed over the span; nil (JSON null) where missing. The figures
// that are also indicators (stations, rooms, coverage, certified workers,
// money, training participants, completeness) are read from Compute, so they
// are the same numbers as the indicator pages; the others are read in
// headlineSQL under the same rules (the returns that count, the registry in
// force for each quarter, in-scope towns and villages only).
type Headline struct {
	UnitCode          string    `json:"unit_code"`
	UnitName          string    `json:"unit_name"`
	Level             sgz.Level `json:"level"`
	Period            string    `json:"period"`
	DistrictsReported int       `json:"districts_reported"`
	DistrictsExpected int       `json:"districts_expected"`
	AsOf              string    `json:"as_of,omitempty"` // latest quarter whose return was used

	StationsBuilt   *float64 `json:"stations_built"`
	TownsInScope    *float64 `json:"towns_in_scope"`
	StationCoverage *float64 `json:"station_coverage"`
	RoomsBuilt      *float64 `json:"rooms_built"`
	VillagesInScope *float64 `json:"villages_in_scope"`
	RoomCoverage    *float64 `json:"room_coverage"`
	// In-scope towns (stations sheet) and villages (rooms sheet) with a
	// community charity fund.
	CharityFundTowns    *float64 `json:"charity_fund_towns"`
	CharityFundVillages *float64 `json:"charity_fund_villages"`
	CertifiedTotal      *float64 `json:"certified_total"`
	// CertifiedProvinceShare: certified_total ÷ the province's total, when
	// the rules give it (province_certified_total); else null.
	CertifiedProvinceShare *float64 `json:"certified_province_share"`
	Organisations          *float64 `json:"organisations"`
	OrgStaff               *float64 `json:"org_staff"`
	Supervisors            *float64 `json:"supervisors"`
	// Flows, summed over the span (万元 where money).
	GovFunding           *float64 `json:"gov_funding"`
	CharityFunding       *float64 `json:"charity_funding"`
	TrainingParticipants *float64 `json:"training_participants"`
	TrainingCost         *float64 `json:"training_cost"`

	// 人才队伍 by level (其中助理社会工作师 / 社会工作师 / 高级社会工作师), stocks.
	CertifiedAssistant    *float64 `json:"certified_assistant"`
	CertifiedIntermediate *float64 `json:"certified_intermediate"`
	CertifiedSenior       *float64 `json:"certified_senior"`
	// 服务项目 by domain (服务领域) at each district's latest quarter with a
	// return (the projects it runs then); empty when none are listed.
	Projects              []ProjectDomain `json:"projects"`
	ProjectsTotal         int             `json:"projects_total"`
	ProjectsDemonstration int             `json:"projects_demonstration"`
	ProjectsServed        int64           `json:"projects_served"` // 服务人次 of all those projects
}

// ProjectDomain is one 服务领域 of the 服务项目 sheet.
type ProjectDomain struct {
	Domain        string `json:"domain"`        // 困境儿童, 老年人关爱, …; "" when not given
	Projects      int    `json:"projects"`      // projects listed
	Demonstration int    `json:"demonstration"` // of which 示范项目
	Served        int64  `json:"served"`        // 服务人次 of those projects in their quarter
}

// HeadlineFor computes the headline figures of unit (a city or a district
// code; "" for the registry's only city) over span.
func HeadlineFor(ctx context.Context, db *store.DB, span sgz.Span, unit string, cfg *Config) (*Headline, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	unit = strings.TrimSpace(unit)
	var vals []Value
	var err error
	if unit == "" {
		vals, err = compute(ctx, db, []sgz.Span{span}, []sgz.Level{sgz.City}, cfg, nil)
	} else {
		if !allDigits(unit) {
			return nil, locale.Errorf("metrics.code", unit)
		}
		vals, err = compute(ctx, db, []sgz.Span{span}, []sgz.Level{sgz.City, sgz.District}, cfg, []string{unit})
	}
	if err != nil {
		return nil, err
	}
	codes := map[string]bool{}
	for _, v := range vals {
		codes[v.UnitCode] = true
	}
	switch {
	case len(codes) == 0 && unit != "":
		return nil, locale.Errorf("metrics.headline.unit", unit)
	case len(codes) == 0:
		return nil, locale.Errorf("metrics.headline.nocity")
	case len(codes) > 1:
		return nil, locale.Errorf("metrics.headline.cities", len(codes))
	}
	h := &Headline{Period: span.String(), Projects: []ProjectDomain{}}
	for _, v := range vals {
		fillHeadline(h, v)
	}
	provinceShare(h, cfg)
	if err := headlinesExtras(ctx, db, span, h.Level, map[string]*Headline{h.UnitCode: h}, cfg, h.UnitCode); err != nil {
		return nil, fmt.Errorf("headline %s %s: %w", h.UnitCode, span, err)
	}
	return h, nil
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.headline.unit":   {"单位 %s 不是名录中的市或区县", "unit %s is not a city or district of the registry"},
		"metrics.headline.nocity": {"名录中没有市级单位，请指定单位代码", "the registry has no city: give a unit code"},
		"metrics.headline.cities": {"名录中有 %d 个市，请指定单位代码", "the registry holds %d cities: give a unit code"},
	})
}
