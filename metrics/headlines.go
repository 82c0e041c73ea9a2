package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"sgz"
	"sgz/store"
)

// Headlines computes the headline figures of every unit of level l (sgz.City
// or sgz.District) over span in one pass: one Compute of the level and one
// set of queries grouped by unit, where HeadlineFor scans the returns once
// per unit. Each is the same Headline as HeadlineFor of its code gives
// (headlines_test.go compares them for every district and city). On the
// national database (2,978 districts, 8 quarters) one district's headline
// cost 1–3 s cold; every district's together costs about as much as a few.
// Units with nothing expected nor reported in the span are absent, as
// HeadlineFor of them fails.
func Headlines(ctx context.Context, db *store.DB, span sgz.Span, l sgz.Level, cfg *Config) (map[string]*Headline, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if l != sgz.City && l != sgz.District {
		return nil, fmt.Errorf("headlines: level %s: only city or district", l)
	}
	vals, err := compute(ctx, db, []sgz.Span{span}, []sgz.Level{l}, cfg, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]*Headline{}
	for _, v := range vals {
		h := out[v.UnitCode]
		if h == nil {
			h = &Headline{Period: span.String(), Projects: []ProjectDomain{}}
			out[v.UnitCode] = h
		}
		fillHeadline(h, v)
	}
	for _, h := range out {
		provinceShare(h, cfg)
	}
	if err := headlinesExtras(ctx, db, span, l, out, cfg, ""); err != nil {
		return nil, fmt.Errorf("headlines %s %s: %w", l, span, err)
	}
	return out, nil
}

// fillHeadline sets what h reads of one of its unit's indicator values.
func fillHeadline(h *Headline, v Value) {
	h.UnitCode, h.UnitName, h.Level, h.AsOf = v.UnitCode, v.UnitName, v.Level, v.AsOfLatest
	if h.AsOf == "" {
		h.AsOf = v.AsOf
	}
	h.DistrictsReported, h.DistrictsExpected = v.Completeness.DistrictsReported, v.Completeness.DistrictsExpected
	switch v.Indicator {
	case "station_coverage":
		h.StationsBuilt, h.TownsInScope, h.StationCoverage = v.Numerator, v.Denominator, v.Value
	case "room_coverage":
		h.RoomsBuilt, h.VillagesInScope, h.RoomCoverage = v.Numerator, v.Denominator, v.Value
	case "certified_total":
		h.CertifiedTotal = v.Value
	case "gov_funding":
		h.GovFunding = v.Value
	case "charity_funding":
		h.CharityFunding = v.Value
	case "training_participants":
		h.TrainingParticipants = v.Value
	}
}

func provinceShare(h *Headline, cfg *Config) {
	if p := cfg.ProvinceCertifiedTotal; p != nil && *p > 0 && h.CertifiedTotal != nil {
		share := *h.CertifiedTotal / *p
		h.CertifiedProvinceShare = &share
	}
}

// headlinesSQL selects the counted returns of the span's quarters of the
// districts in the registry at the span's end, each mapped to its unit
// (ucode: itself, or its city), and each district's latest one (the stocks).
const headlinesSQL = `
qv AS (
    SELECT x.q, max(v.from_period) AS ver
    FROM qs x JOIN registry_versions v ON v.from_period <= x.q
    GROUP BY x.q),
sel AS (
    SELECT code AS dcode, %UCODE% AS ucode FROM registry_units
    WHERE level = 'district' AND from_period = (SELECT ver FROM qv WHERE q = %LAST%) AND %UCODE% IS NOT NULL%ONLY%),
cr AS (
    SELECT c.return_id, c.district_code AS dcode, sel.ucode, c.period AS q, qv.ver
    FROM %COUNTED% c JOIN qv ON c.period = qv.q JOIN sel ON sel.dcode = c.district_code),
lat AS (
    SELECT * FROM cr QUALIFY q = max(q) OVER (PARTITION BY dcode))`

// headlinesExtras fills what out's headlines read beyond the indicators:
// for every unit of level l, or for the unit only (HeadlineFor) when set.
func headlinesExtras(ctx context.Context, db *store.DB, span sgz.Span, l sgz.Level, out map[string]*Headline, cfg *Config, only string) error {
	var vs []string
	for _, q := range span.Quarters() {
		vs = append(vs, "('"+q.String()+"')")
	}
	ucode := "code"
	if l == sgz.City {
		ucode = "city_code"
	}
	s := strings.ReplaceAll(headlinesSQL, "%UCODE%", ucode)
	restrict := ""
	if only != "" {
		restrict = " AND " + ucode + " = " + sqlString(only)
	}
	s = strings.ReplaceAll(s, "%ONLY%", restrict)
	s = strings.ReplaceAll(s, "%LAST%", sqlString(span.To.String()))
	s = strings.ReplaceAll(s, "%COUNTED%", cfg.countedReturns())
	with := "WITH qs(q) AS (VALUES " + strings.Join(vs, ", ") + ")," + s
	rows, err := db.QueryContext(ctx, with+`
SELECT b.ucode, b.n, coalesce(tf.n, 0)::DOUBLE, coalesce(vf.n, 0)::DOUBLE,
       w.organisations, w.org_staff, w.supervisors, w.assistant, w.intermediate, w.senior, tc.cost
FROM (SELECT ucode, count(*) AS n FROM lat GROUP BY ucode) b
LEFT JOIN (SELECT lat.ucode, count(*) AS n FROM lat
        JOIN stations s ON s.return_id = lat.return_id AND s.charity_fund
        JOIN registry_units u ON u.from_period = lat.ver AND u.level = 'town' AND u.code = s.town_code
                             AND u.district_code = lat.dcode AND u.in_scope
        GROUP BY 1) tf ON tf.ucode = b.ucode
LEFT JOIN (SELECT lat.ucode, count(*) AS n FROM lat
        JOIN rooms r ON r.return_id = lat.return_id AND r.charity_fund
        JOIN registry_units u ON u.from_period = lat.ver AND u.level = 'village' AND u.code = r.village_code
                             AND u.district_code = lat.dcode AND u.in_scope
        GROUP BY 1) vf ON vf.ucode = b.ucode
LEFT JOIN (SELECT lat.ucode, sum(organisations)::DOUBLE AS organisations, sum(org_staff)::DOUBLE AS org_staff,
             sum(supervisors)::DOUBLE AS supervisors, sum(assistant)::DOUBLE AS assistant,
             sum(intermediate)::DOUBLE AS intermediate, sum(senior)::DOUBLE AS senior
      FROM lat JOIN workforce w ON w.return_id = lat.return_id GROUP BY 1) w ON w.ucode = b.ucode
LEFT JOIN (SELECT cr.ucode, sum(t.cost)::DOUBLE AS cost FROM cr JOIN trainings t ON t.return_id = cr.return_id GROUP BY 1) tc
      ON tc.ucode = b.ucode`)
	if err != nil {
		return err
	}
	defer rows.Close()
	p := func(x sql.NullFloat64) *float64 {
		if !x.Valid {
			return nil
		}
		v := x.Float64
		return &v
	}
	for rows.Next() {
		var code string
		var n int
		var tf, vf, org, staff, sup, as, in, se, cost sql.NullFloat64
		if err := rows.Scan(&code, &n, &tf, &vf, &org, &staff, &sup, &as, &in, &se, &cost); err != nil {
			return err
		}
		h := out[code]
		if h == nil || n == 0 {
			continue
		}
		h.CharityFundTowns, h.CharityFundVillages = p(tf), p(vf)
		h.Organisations, h.OrgStaff, h.Supervisors = p(org), p(staff), p(sup)
		h.CertifiedAssistant, h.CertifiedIntermediate, h.CertifiedSenior = p(as), p(in), p(se)
		h.TrainingCost = p(cost)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	prows, err := db.QueryContext(ctx, with+`
SELECT lat.ucode, coalesce(p.field, ''), count(*), count(*) FILTER (WHERE p.demonstration), coalesce(sum(p.served), 0)::BIGINT
FROM lat JOIN projects p ON p.return_id = lat.return_id
GROUP BY 1, 2`)
	if err != nil {
		return err
	}
	defer prows.Close()
	for prows.Next() {
		var code string
		var d ProjectDomain
		if err := prows.Scan(&code, &d.Domain, &d.Projects, &d.Demonstration, &d.Served); err != nil {
			return err
		}
		h := out[code]
		if h == nil {
			continue
		}
		h.Projects = append(h.Projects, d)
		h.ProjectsTotal += d.Projects
		h.ProjectsDemonstration += d.Demonstration
		h.ProjectsServed += d.Served
	}
	if err := prows.Err(); err != nil {
		return err
	}
	for _, h := range out {
		sortProjects(h.Projects)
	}
	return nil
}

func sortProjects(ps []ProjectDomain) {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Projects != b.Projects {
			return a.Projects > b.Projects
		}
		return a.Domain < b.Domain
	})
}
