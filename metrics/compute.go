package metrics

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// Country is the level above provinces: one unit for the whole registry, shown
// only when the registry holds provinces.
const Country sgz.Level = "country"

// CountryCode names the country unit.
const CountryCode = "CN"

// OutputLevels are the levels Compute accepts, from the top down.
var OutputLevels = []sgz.Level{Country, sgz.Province, sgz.City, sgz.District, sgz.Town}

// ParseLevel reads a --level or ?level= value.
func ParseLevel(s string) (sgz.Level, error) {
	l := sgz.Level(strings.ToLower(strings.TrimSpace(s)))
	for _, x := range OutputLevels {
		if l == x {
			return l, nil
		}
	}
	return "", locale.Errorf("metrics.level", s)
}

// Completeness says how much of a unit's value rests on returns: a parent's
// value sums only the districts that reported ("9 of 10 districts reported").
// For a district (and its towns) DistrictsExpected is 1, or 0 when none of
// its quarters in the span is due yet (Config.Due) and it sent nothing.
type Completeness struct {
	DistrictsReported int `json:"districts_reported"` // with a current return in at least one quarter of the span
	DistrictsExpected int `json:"districts_expected"` // in the registry at the span's end, with a quarter expected
	QuartersReported  int `json:"quarters_reported"`  // district-quarters with a current return
	QuartersExpected  int `json:"quarters_expected"`  // district-quarters in the registry, due or reported
}

// Complete reports whether every expected district reported every quarter.
func (c Completeness) Complete() bool {
	return c.DistrictsReported == c.DistrictsExpected && c.QuartersReported == c.QuartersExpected
}

// Value is one indicator of one unit for one period. Value, Numerator and
// Denominator are nil when missing (no return, or a zero denominator);
// Numerator and Denominator are nil for indicators that are not ratios.
// The pointed-to numbers are shared between the values of a unit: read them,
// do not write through them.
type Value struct {
	UnitCode    string    `json:"unit_code"`
	UnitName    string    `json:"unit_name"`
	Level       sgz.Level `json:"level"`
	ParentCode  string    `json:"parent_code,omitempty"`
	Period      string    `json:"period"` // the span: "2026Q3", "2026", "2026Q1-2026Q3"
	Indicator   string    `json:"indicator"`
	Value       *float64  `json:"value"`
	Numerator   *float64  `json:"numerator"`
	Denominator *float64  `json:"denominator"`
	// AsOf is the quarter the unit's stock values are from: for a parent,
	// the earliest of its reporting districts' latest quarters, AsOfMixed
	// when they differ (AsOfLatest is the latest). "" when nothing reported.
	AsOf       string `json:"as_of,omitempty"`
	AsOfMixed  bool   `json:"as_of_mixed,omitempty"`
	AsOfLatest string `json:"as_of_latest,omitempty"`
	// Reported of Expected units contributed to this value: districts
	// (a district: 1/1 or 0/1), or district-quarters (PerQuarter) for a flow
	// over several quarters and for reporting_rate.
	Reported     int          `json:"reported"`
	Expected     int          `json:"expected"`
	PerQuarter   bool         `json:"per_quarter,omitempty"`
	Completeness Completeness `json:"completeness"`
}

// Whole reports whether every expected unit contributed (and something was expected).
func (v Value) Whole() bool { return v.Expected > 0 && v.Reported == v.Expected }

// Missing reports whether the value is missing.
func (v Value) Missing() bool { return v.Value == nil }

// Compute returns every indicator of every unit of a level for a span, in
// unit code order and, within a unit, in the order of Indicators.
func Compute(ctx context.Context, db *store.DB, span sgz.Span, level sgz.Level, cfg *Config) ([]Value, error) {
	return ComputeLevels(ctx, db, span, []sgz.Level{level}, cfg)
}

// ComputeLevels is Compute for several levels in one query (top level first).
func ComputeLevels(ctx context.Context, db *store.DB, span sgz.Span, levels []sgz.Level, cfg *Config) ([]Value, error) {
	return compute(ctx, db, []sgz.Span{span}, levels, cfg, nil)
}

// Trend returns the values of each quarter from..to (each quarter its own
// period), for the units given (all units of the level when none), ordered by
// unit, indicator, then quarter — one series per (unit, indicator).
func Trend(ctx context.Context, db *store.DB, from, to sgz.Period, level sgz.Level, cfg *Config, unitCodes ...string) ([]Value, error) {
	if to.Index() < from.Index() {
		return nil, locale.Errorf("metrics.range", from.String(), to.String())
	}
	var spans []sgz.Span
	for _, q := range (sgz.Span{From: from, To: to}).Quarters() {
		spans = append(spans, sgz.QuarterSpan(q))
	}
	vals, err := compute(ctx, db, spans, []sgz.Level{level}, cfg, unitCodes)
	if err != nil {
		return nil, err
	}
	// compute orders by span first; regroup into series.
	type key struct{ unit, ind string }
	order := map[key]int{}
	var keys []key
	series := map[key][]Value{}
	for _, v := range vals {
		k := key{v.UnitCode, v.Indicator}
		if _, ok := order[k]; !ok {
			order[k] = len(keys)
			keys = append(keys, k)
		}
		series[k] = append(series[k], v)
	}
	out := make([]Value, 0, len(vals))
	for _, k := range keys {
		out = append(out, series[k]...)
	}
	return out, nil
}

// factColumns are the numerators and denominators every unit row carries.
var factColumns = []string{"towns", "built", "standard", "staffed", "cert", "staff", "villages", "rooms",
	"fund_units", "funded", "certified", "certified_pop", "population", "gov", "charity", "tpart", "thours",
	"expected_q", "ontime"}

// townFacts are the facts a town has (the rest are district totals).
var townFacts = map[string]bool{"towns": true, "built": true, "standard": true, "staffed": true, "cert": true,
	"staff": true, "villages": true, "rooms": true, "fund_units": true, "funded": true, "gov": true, "charity": true}

func compute(ctx context.Context, db *store.DB, spans []sgz.Span, levels []sgz.Level, cfg *Config, codes []string) ([]Value, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	for _, l := range levels {
		if _, err := ParseLevel(string(l)); err != nil {
			return nil, err
		}
	}
	for _, c := range codes {
		if !allDigits(c) && c != CountryCode {
			return nil, locale.Errorf("metrics.code", c)
		}
	}
	q := buildSQL(spans, levels, cfg, codes)
	nf := len(factColumns)
	// Ratio indicators get a value column; a non-ratio's value is its
	// numerator column.
	var ratioIdx []int
	for i, ind := range Indicators {
		if ind.IsRatio {
			ratioIdx = append(ratioIdx, i)
		}
	}
	nn := nf + len(ratioIdx)
	col := map[string]int{}
	for i, c := range factColumns {
		col[c] = i
	}
	// Where each indicator's value, numerator and denominator are in a row's numbers.
	type slots struct{ v, n, d int }
	where := make([]slots, len(Indicators))
	r := 0
	for i, ind := range Indicators {
		if ind.IsRatio {
			where[i] = slots{nf + r, col[ind.Num], col[ind.Den]}
			r++
		} else {
			where[i] = slots{col[ind.Num], -1, -1}
		}
	}
	labels := make([]string, len(spans))
	multi := make([]bool, len(spans))
	for i, s := range spans {
		labels[i] = s.String()
		multi[i] = s.Len() > 1
	}
	// Rows are kept compact (the numbers of a row in one slab) and turned into
	// Values once, in order.
	type unitRow struct {
		sid, rank                int
		level                    sgz.Level
		code, name, parent, asOf string
		asOfMax                  string
		comp                     Completeness
		nums                     []float64
		valid                    []bool
	}
	var units []unitRow
	total := 0
	perLevel := map[sgz.Level]int{}
	err := queryRaw(ctx, db, q, func(v []driver.Value) error {
		lv := sgz.Level(str(v[1]))
		u := unitRow{sid: num64(v[0]), rank: levelRank(lv), level: lv, code: str(v[2]), name: str(v[3]), parent: str(v[4]),
			comp: Completeness{num64(v[6]), num64(v[5]), num64(v[8]), num64(v[7])}, asOf: str(v[9]), asOfMax: str(v[10]),
			nums: make([]float64, nn), valid: make([]bool, nn)}
		for i := range nn {
			u.nums[i], u.valid[i] = v[11+i].(float64)
		}
		n, ok := perLevel[lv]
		if !ok {
			for _, ind := range Indicators {
				if ind.AppliesTo(lv) {
					n++
				}
			}
			perLevel[lv] = n
		}
		total += n
		units = append(units, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compute indicators: %w", err)
	}
	// Order: span, level from the top, unit code (sorting here is cheaper
	// than ORDER BY over the wide rows).
	sort.Slice(units, func(i, j int) bool {
		a, b := &units[i], &units[j]
		if a.sid != b.sid {
			return a.sid < b.sid
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.code < b.code
	})
	out := make([]Value, 0, total)
	for k := range units {
		u := &units[k]
		ptr := func(i int) *float64 {
			if i < 0 || !u.valid[i] {
				return nil
			}
			return &u.nums[i]
		}
		for i, ind := range Indicators {
			if !ind.AppliesTo(u.level) {
				continue
			}
			w := where[i]
			rep, exp, dq := u.comp.DistrictsReported, u.comp.DistrictsExpected, false
			if ind.Kind == ReportingKind || ind.Kind == Flow && multi[u.sid] {
				rep, exp, dq = u.comp.QuartersReported, u.comp.QuartersExpected, true
			}
			out = append(out, Value{UnitCode: u.code, UnitName: u.name, Level: u.level, ParentCode: u.parent,
				Period: labels[u.sid], Indicator: ind.ID, Value: ptr(w.v), Numerator: ptr(w.n), Denominator: ptr(w.d),
				AsOf: u.asOf, AsOfMixed: u.asOf != u.asOfMax, AsOfLatest: u.asOfMax, Reported: rep, Expected: exp,
				PerQuarter: dq, Completeness: u.comp})
		}
	}
	return out, nil
}

// queryRaw runs q on one connection and hands each row's driver values to fn,
// skipping database/sql's per-value conversions (a national run reads ~1.7
// million numbers).
func queryRaw(ctx context.Context, db *store.DB, q string, fn func([]driver.Value) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errors.New("driver connection cannot query")
		}
		rows, err := qc.QueryContext(ctx, q, nil)
		if err != nil {
			return err
		}
		defer rows.Close()
		vals := make([]driver.Value, len(rows.Columns()))
		for {
			err := rows.Next(vals)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := fn(vals); err != nil {
				return err
			}
		}
	})
}

// str and num64 read driver values (nil is "" and 0).
func str(v driver.Value) string {
	s, _ := v.(string)
	return s
}

func num64(v driver.Value) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int32:
		return int(x)
	case int16:
		return int(x)
	case int8:
		return int(x)
	case uint64:
		return int(x)
	case float64:
		return int(x)
	case *big.Int:
		return int(x.Int64())
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quartersSQL lists the quarters of each span with their due instants and
// whether that instant has passed at the reference (cfg.Ref):
// (sid, q, due, is_last, due_passed).
func quartersSQL(spans []sgz.Span, cfg *Config) string {
	var b strings.Builder
	b.WriteString("qs(sid, q, due, is_last, due_passed) AS (VALUES ")
	n := 0
	for sid, s := range spans {
		for _, p := range s.Quarters() {
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			fmt.Fprintf(&b, "(%d, '%s', TIMESTAMP '%s', %t, %t)", sid, p.String(),
				cfg.DueBy(p).Format("2006-01-02 15:04:05"), p == s.To, cfg.Due(p))
		}
	}
	b.WriteString(")")
	return b.String()
}

// baseSQL is everything up to the unit facts: current returns of the spans'
// quarters, the registry in force for each quarter (registry_at(q), joined by
// version so that quarters sharing a version share its rows), town facts and
// district facts per return, then per span.
const baseSQL = `
qv AS (
    SELECT x.q, max(v.from_period) AS ver
    FROM (SELECT DISTINCT q FROM qs) x JOIN registry_versions v ON v.from_period <= x.q
    GROUP BY x.q),
cr AS (
    SELECT c.return_id, c.district_code AS dcode, c.period AS q, qv.ver
    FROM %COUNTED% c JOIN qv ON c.period = qv.q),
treg AS (
    SELECT from_period AS ver, code AS tcode, district_code AS dcode, in_scope
    FROM registry_units WHERE level = 'town' AND from_period IN (SELECT ver FROM qv)),
vreg AS (
    SELECT from_period AS ver, code AS vcode, town_code AS tcode, district_code AS dcode
    FROM registry_units WHERE level = 'village' AND in_scope AND from_period IN (SELECT ver FROM qv)),
st AS (
    SELECT s.return_id, s.town_code AS tcode,
        s.built::INT AS built,
        (s.built AND s.standard)::INT AS standard,
        (s.built AND s.resident >= 3)::INT AS staffed,
        CASE WHEN s.built THEN s.resident_cert + s.outreach_cert ELSE 0 END AS cert,
        CASE WHEN s.built THEN s.resident + s.outreach ELSE 0 END AS staff,
        s.charity_fund::INT AS tfund
    FROM stations s WHERE s.return_id IN (SELECT return_id FROM cr)),
rm AS (
    -- every in-scope village of the registry, with its room row if listed
    SELECT cr.return_id, v.tcode, count(*) AS nv,
        count(*) FILTER (WHERE r.built) AS rooms,
        count(*) FILTER (WHERE r.charity_fund) AS vfund
    FROM cr JOIN vreg v ON v.ver = cr.ver AND v.dcode = cr.dcode
    LEFT JOIN rooms r ON r.return_id = cr.return_id AND r.village_code = v.vcode
    GROUP BY cr.return_id, v.tcode),
fm AS (
    SELECT cr.return_id, cr.ver, cr.dcode, f.unit_code,
        CASE WHEN f.category = '政府购买服务' THEN f.amount ELSE 0 END AS gov,
        CASE WHEN f.category IN ('社区慈善基金', '社会捐赠') THEN f.amount ELSE 0 END AS charity
    FROM cr JOIN funds f ON f.return_id = cr.return_id),
tfund AS (
    -- money at a town or at one of its villages (a village's code starts
    -- with its town's: NBS code structure), for towns of the district
    SELECT fm.return_id, t.tcode, sum(fm.gov) AS gov, sum(fm.charity) AS charity
    FROM fm JOIN treg t ON t.ver = fm.ver AND t.tcode = left(fm.unit_code, 9) AND t.dcode = fm.dcode
    WHERE length(fm.unit_code) IN (9, 12)
    GROUP BY ALL),
tf AS (
    SELECT cr.return_id, t.tcode,
        t.in_scope::INT AS towns,
        CASE WHEN t.in_scope THEN coalesce(st.built, 0) ELSE 0 END AS built,
        CASE WHEN t.in_scope THEN coalesce(st.standard, 0) ELSE 0 END AS standard,
        CASE WHEN t.in_scope THEN coalesce(st.staffed, 0) ELSE 0 END AS staffed,
        CASE WHEN t.in_scope THEN coalesce(st.cert, 0) ELSE 0 END AS cert,
        CASE WHEN t.in_scope THEN coalesce(st.staff, 0) ELSE 0 END AS staff,
        coalesce(rm.nv, 0) AS villages,
        coalesce(rm.rooms, 0) AS rooms,
        t.in_scope::INT + coalesce(rm.nv, 0) AS fund_units,
        CASE WHEN t.in_scope THEN coalesce(st.tfund, 0) ELSE 0 END + coalesce(rm.vfund, 0) AS funded,
        coalesce(tfund.gov, 0) AS gov,
        coalesce(tfund.charity, 0) AS charity
    FROM cr JOIN treg t ON t.ver = cr.ver AND t.dcode = cr.dcode
    LEFT JOIN st ON st.return_id = cr.return_id AND st.tcode = t.tcode
    LEFT JOIN rm ON rm.return_id = cr.return_id AND rm.tcode = t.tcode
    LEFT JOIN tfund ON tfund.return_id = cr.return_id AND tfund.tcode = t.tcode),
dq AS (
    SELECT cr.return_id, cr.q, cr.dcode,
        coalesce(t.towns, 0) AS towns, coalesce(t.built, 0) AS built, coalesce(t.standard, 0) AS standard,
        coalesce(t.staffed, 0) AS staffed, coalesce(t.cert, 0) AS cert, coalesce(t.staff, 0) AS staff,
        coalesce(t.villages, 0) AS villages, coalesce(t.rooms, 0) AS rooms,
        coalesce(t.fund_units, 0) AS fund_units, coalesce(t.funded, 0) AS funded,
        w.certified_total AS certified,
        CASE WHEN d.population > 0 THEN w.certified_total END AS certified_pop,
        CASE WHEN d.population > 0 THEN d.population END AS population,
        coalesce(df.gov, 0) AS gov, coalesce(df.charity, 0) AS charity,
        coalesce(tr.tpart, 0) AS tpart, coalesce(tr.thours, 0) AS thours
    FROM cr
    LEFT JOIN (SELECT return_id, sum(towns) AS towns, sum(built) AS built, sum(standard) AS standard,
                   sum(staffed) AS staffed, sum(cert) AS cert, sum(staff) AS staff, sum(villages) AS villages,
                   sum(rooms) AS rooms, sum(fund_units) AS fund_units, sum(funded) AS funded
               FROM tf GROUP BY return_id) t ON t.return_id = cr.return_id
    LEFT JOIN (SELECT return_id, sum(gov) AS gov, sum(charity) AS charity FROM fm GROUP BY return_id) df
        ON df.return_id = cr.return_id
    LEFT JOIN (SELECT return_id, sum(participants) AS tpart, sum(hours * participants) AS thours
               FROM trainings WHERE return_id IN (SELECT return_id FROM cr) GROUP BY return_id) tr
        ON tr.return_id = cr.return_id
    LEFT JOIN workforce w ON w.return_id = cr.return_id
    LEFT JOIN registry_units d ON d.from_period = cr.ver AND d.code = cr.dcode AND d.level = 'district'),
ds AS (
    SELECT qs.sid, dq.*, dq.q = max(dq.q) OVER (PARTITION BY qs.sid, dq.dcode) AS is_stock
    FROM qs JOIN dq ON dq.q = qs.q),
dv AS (
    SELECT sid, dcode, count(*) AS nq, max(q) AS as_of,
        sum(towns) FILTER (WHERE is_stock) AS towns, sum(built) FILTER (WHERE is_stock) AS built,
        sum(standard) FILTER (WHERE is_stock) AS standard, sum(staffed) FILTER (WHERE is_stock) AS staffed,
        sum(cert) FILTER (WHERE is_stock) AS cert, sum(staff) FILTER (WHERE is_stock) AS staff,
        sum(villages) FILTER (WHERE is_stock) AS villages, sum(rooms) FILTER (WHERE is_stock) AS rooms,
        sum(fund_units) FILTER (WHERE is_stock) AS fund_units, sum(funded) FILTER (WHERE is_stock) AS funded,
        sum(certified) FILTER (WHERE is_stock) AS certified,
        sum(certified_pop) FILTER (WHERE is_stock) AS certified_pop,
        sum(population) FILTER (WHERE is_stock) AS population,
        sum(gov) AS gov, sum(charity) AS charity, sum(tpart) AS tpart, sum(thours) AS thours
    FROM ds GROUP BY sid, dcode),
fa AS (
    SELECT district_code AS dcode, period AS q, min(received_at) AS first_at
    FROM returns
    WHERE status = 'accepted' AND period IN (SELECT q FROM qv) %SENTBACK%
    GROUP BY ALL),
rep AS (
    -- expected: due by the reference date, or reported already (a return
    -- sent before its due date counts, and is on time)
    SELECT qs.sid, u.code AS dcode,
        count(*) FILTER (WHERE qs.due_passed OR cr.return_id IS NOT NULL) AS expected_q,
        count(*) FILTER (WHERE cr.return_id IS NOT NULL AND fa.first_at < qs.due) AS ontime
    FROM qs JOIN qv ON qv.q = qs.q
    JOIN registry_units u ON u.from_period = qv.ver AND u.level = 'district'
    LEFT JOIN cr ON cr.dcode = u.code AND cr.q = qs.q
    LEFT JOIN fa ON fa.dcode = u.code AND fa.q = qs.q
    GROUP BY qs.sid, u.code),
rto AS (
    SELECT qs.sid, u.code, u.name, u.level, u.parent_code, u.province_code, u.city_code, u.district_code
    FROM qs JOIN qv ON qv.q = qs.q JOIN registry_units u ON u.from_period = qv.ver
    WHERE qs.is_last AND u.level IN (%RTOLEVELS%)),
dall AS (
    SELECT r.sid, r.code AS dcode, r.name, r.city_code, r.province_code, r.parent_code,
        dv.nq, dv.as_of, rep.expected_q, rep.ontime,
        dv.towns, dv.built, dv.standard, dv.staffed, dv.cert, dv.staff, dv.villages, dv.rooms,
        dv.fund_units, dv.funded, dv.certified, dv.certified_pop, dv.population,
        dv.gov, dv.charity, dv.tpart, dv.thours
    FROM rto r
    LEFT JOIN dv ON dv.sid = r.sid AND dv.dcode = r.code
    LEFT JOIN rep ON rep.sid = r.sid AND rep.dcode = r.code
    WHERE r.level = 'district')`

// sumFacts sums every fact column (for parents).
func sumFacts(prefix string) string {
	parts := make([]string, len(factColumns))
	for i, c := range factColumns {
		parts[i] = fmt.Sprintf("sum(%s%s) AS %s", prefix, c, c)
	}
	return strings.Join(parts, ", ")
}

func plainFacts(prefix string, only map[string]bool) string {
	parts := make([]string, len(factColumns))
	for i, c := range factColumns {
		if only != nil && !only[c] {
			parts[i] = "NULL AS " + c
		} else {
			parts[i] = prefix + c + " AS " + c
		}
	}
	return strings.Join(parts, ", ")
}

// levelSQL selects the rows of one level:
// sid, level, code, name, parent, d_exp, d_rep, q_exp, q_rep, as_of (the
// earliest stock quarter of the districts that reported), as_of_max, facts...
// d_exp counts the districts with at least one expected quarter
// (Config.Due), q_exp the expected district-quarters.
func levelSQL(l sgz.Level) string {
	common := "count(*) FILTER (WHERE coalesce(d.expected_q, 0) > 0) AS d_exp, count(d.nq) AS d_rep, " +
		"coalesce(sum(d.expected_q), 0) AS q_exp, coalesce(sum(d.nq), 0) AS q_rep, min(d.as_of) AS as_of, max(d.as_of) AS as_of_max, "
	switch l {
	case sgz.Town:
		return `SELECT r.sid, 'town' AS level, r.code, r.name, coalesce(r.parent_code, '') AS parent,
            (coalesce(d.expected_q, 0) > 0)::INT AS d_exp, (coalesce(d.nq, 0) > 0)::INT AS d_rep, coalesce(d.expected_q, 0) AS q_exp,
            coalesce(d.nq, 0) AS q_rep, d.as_of, d.as_of AS as_of_max, ` + plainFacts("tv.", townFacts) + `
        FROM rto r
        LEFT JOIN tv ON tv.sid = r.sid AND tv.tcode = r.code
        LEFT JOIN dall d ON d.sid = r.sid AND d.dcode = r.district_code
        WHERE r.level = 'town'`
	case sgz.District:
		return `SELECT d.sid, 'district' AS level, d.dcode AS code, d.name, coalesce(d.parent_code, '') AS parent,
            (coalesce(d.expected_q, 0) > 0)::INT AS d_exp, (d.nq IS NOT NULL)::INT AS d_rep, coalesce(d.expected_q, 0) AS q_exp,
            coalesce(d.nq, 0) AS q_rep, d.as_of, d.as_of AS as_of_max, ` + plainFacts("d.", nil) + `
        FROM dall d`
	case sgz.City:
		return `SELECT d.sid, 'city' AS level, d.city_code AS code, coalesce(any_value(r.name), d.city_code) AS name,
            coalesce(any_value(r.parent_code), '') AS parent, ` + common + sumFacts("d.") + `
        FROM dall d LEFT JOIN rto r ON r.sid = d.sid AND r.code = d.city_code AND r.level = 'city'
        WHERE d.city_code IS NOT NULL
        GROUP BY d.sid, d.city_code`
	case sgz.Province:
		return `SELECT d.sid, 'province' AS level, d.province_code AS code, any_value(r.name) AS name,
            '' AS parent, ` + common + sumFacts("d.") + `
        FROM dall d JOIN rto r ON r.sid = d.sid AND r.code = d.province_code AND r.level = 'province'
        GROUP BY d.sid, d.province_code`
	case Country:
		return `SELECT d.sid, 'country' AS level, '` + CountryCode + `' AS code, '全国' AS name,
            '' AS parent, ` + common + sumFacts("d.") + `
        FROM dall d
        WHERE EXISTS (SELECT 1 FROM rto r WHERE r.sid = d.sid AND r.level = 'province')
        GROUP BY d.sid`
	}
	panic("unknown level " + string(l))
}

const townSQL = `,
tv AS (
    SELECT ds.sid, tf.tcode,
        sum(tf.towns) FILTER (WHERE ds.is_stock) AS towns, sum(tf.built) FILTER (WHERE ds.is_stock) AS built,
        sum(tf.standard) FILTER (WHERE ds.is_stock) AS standard, sum(tf.staffed) FILTER (WHERE ds.is_stock) AS staffed,
        sum(tf.cert) FILTER (WHERE ds.is_stock) AS cert, sum(tf.staff) FILTER (WHERE ds.is_stock) AS staff,
        sum(tf.villages) FILTER (WHERE ds.is_stock) AS villages, sum(tf.rooms) FILTER (WHERE ds.is_stock) AS rooms,
        sum(tf.fund_units) FILTER (WHERE ds.is_stock) AS fund_units, sum(tf.funded) FILTER (WHERE ds.is_stock) AS funded,
        sum(tf.gov) AS gov, sum(tf.charity) AS charity
    FROM ds JOIN tf ON tf.return_id = ds.return_id
    GROUP BY ds.sid, tf.tcode)`

func levelRank(l sgz.Level) int {
	for i, x := range OutputLevels {
		if x == l {
			return i
		}
	}
	return len(OutputLevels)
}

func buildSQL(spans []sgz.Span, levels []sgz.Level, cfg *Config, codes []string) string {
	var b strings.Builder
	b.WriteString("WITH ")
	b.WriteString(quartersSQL(spans, cfg))
	b.WriteString(",")
	sentBack := ""
	if cfg.SentBackIsLate {
		sentBack = "AND sent_back_at IS NULL"
	}
	rtoLevels := []string{"'district'"}
	hasTown := false
	for _, l := range levels {
		switch l {
		case sgz.Town:
			hasTown = true
			rtoLevels = append(rtoLevels, "'town'")
		case sgz.City:
			rtoLevels = append(rtoLevels, "'city'")
		case sgz.Province, Country:
			rtoLevels = append(rtoLevels, "'province'")
		}
	}
	base := strings.Replace(baseSQL, "%SENTBACK%", sentBack, 1)
	base = strings.Replace(base, "%COUNTED%", cfg.countedReturns(), 1)
	base = strings.Replace(base, "%RTOLEVELS%", strings.Join(rtoLevels, ", "), 1)
	b.WriteString(base)
	if hasTown {
		b.WriteString(townSQL)
	}
	b.WriteString(",\nunits AS (")
	seen := map[sgz.Level]bool{}
	n := 0
	for _, l := range levels {
		if seen[l] {
			continue
		}
		seen[l] = true
		if n > 0 {
			b.WriteString("\n    UNION ALL\n")
		}
		n++
		b.WriteString(levelSQL(l))
	}
	b.WriteString(")\nSELECT sid::BIGINT, level, code, coalesce(name, code), parent, d_exp::BIGINT, d_rep::BIGINT, q_exp::BIGINT, q_rep::BIGINT, as_of, as_of_max")
	for _, c := range factColumns {
		fmt.Fprintf(&b, ", %s::DOUBLE", c)
	}
	// The value of each ratio: numerator ÷ denominator × scale, null when
	// either is missing or the denominator is zero. (A non-ratio's value is
	// its numerator column, already summed.)
	for _, ind := range Indicators {
		if ind.IsRatio {
			fmt.Fprintf(&b, ",\n    CASE WHEN %[2]s IS NULL OR %[2]s = 0 OR %[1]s IS NULL THEN NULL ELSE %[1]s::DOUBLE / %[2]s::DOUBLE * %[3]g END",
				ind.Num, ind.Den, ind.Scale)
		}
	}
	b.WriteString("\nFROM units")
	if len(codes) > 0 {
		q := make([]string, len(codes))
		for i, c := range codes {
			q[i] = sqlString(c)
		}
		b.WriteString("\nWHERE code IN (" + strings.Join(q, ", ") + ")")
	}
	return b.String()
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.level": {"层级 %q 无效（可用 city、district、town，名录含省级时另有 province、country）",
			"invalid level %q (use city, district or town; province and country when the registry holds provinces)"},
		"metrics.range": {"期间 %s 至 %s 无效：起始季度晚于结束季度", "invalid range %s to %s: it starts after it ends"},
		"metrics.code":  {"单位代码 %q 无效", "invalid unit code %q"},
	})
}
