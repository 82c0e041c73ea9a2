package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// Score is one indicator's contribution to a district's total.
type Score struct {
	Indicator   string   `json:"indicator"`
	Value       *float64 `json:"value"`
	Target      float64  `json:"target"` // scaled to the span
	Weight      float64  `json:"weight"`
	Score       float64  `json:"score"`   // weight × min(1, value/target), rounded to 0.01; 0 when missing
	Missing     bool     `json:"missing"` // value missing: scored 0
	BelowTarget bool     `json:"below_target"`
}

// DistrictAssessment is one row of the assessment table.
type DistrictAssessment struct {
	UnitCode     string            `json:"unit_code"`
	UnitName     string            `json:"unit_name"`
	Period       string            `json:"period"`
	Values       []Value           `json:"values"` // every indicator, in Indicators order
	Scores       []Score           `json:"scores"` // the indicators that count, in Indicators order
	Total        float64           `json:"total"`
	Reported     bool              `json:"reported"` // a return counts for the span; only these are ranked
	Rank         int               `json:"rank"`     // ties share a rank: 1, 2, 2, 4; 0 when not reported
	Missing      []string          `json:"missing"`  // scored indicators with no value
	AsOf         string            `json:"as_of"`
	Completeness Completeness      `json:"completeness"`
	Milestones   []MilestoneStatus `json:"milestones"`
}

// Value returns the district's value of an indicator.
func (d *DistrictAssessment) Value(id string) (Value, bool) {
	for _, v := range d.Values {
		if v.Indicator == id {
			return v, true
		}
	}
	return Value{}, false
}

// ReturnUsed is a return an assessment (or an export) was computed from.
type ReturnUsed struct {
	DistrictCode string    `json:"district_code"`
	DistrictName string    `json:"district_name"`
	Period       string    `json:"period"`
	ReturnID     int64     `json:"return_id"`
	FileName     string    `json:"file_name"`
	ReceivedAt   time.Time `json:"received_at"` // Beijing time
	SHA256       string    `json:"sha256"`
	Review       string    `json:"review"` // pending | approved (review package): a pending one is marked 待审核
}

// Assessment is the assessment table of a span, with everything needed to
// trace it: the rules (and their hash) and the returns it rests on.
type Assessment struct {
	ID           int64                `json:"assessment_id"` // 0 until Record
	Span         sgz.Span             `json:"-"`
	Period       string               `json:"period"`
	AsOf         string               `json:"as_of"` // reference date: quarters due after it are not expected (Config.RefDay)
	MadeAt       time.Time            `json:"made_at"`
	Config       *Config              `json:"config"`
	ConfigSHA256 string               `json:"config_sha256"`
	Scored       []string             `json:"scored"`    // indicators that count, in Indicators order
	Districts    []DistrictAssessment `json:"districts"` // by rank, then code
	Parents      []Value              `json:"parents"`   // city (and province, country) values
	Returns      []ReturnUsed         `json:"returns"`
}

// Assess computes each district's values, scores, total and rank for a span.
func Assess(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config) (*Assessment, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	vals, err := ComputeLevels(ctx, db, span, []sgz.Level{Country, sgz.Province, sgz.City, sgz.District}, cfg)
	if err != nil {
		return nil, err
	}
	a := &Assessment{Span: span, Period: span.String(), AsOf: cfg.RefDay(), MadeAt: time.Now().In(sgz.Beijing).Truncate(time.Second),
		Config: cfg, ConfigSHA256: cfg.SHA256()}
	for _, ind := range Indicators {
		if cfg.Rule(ind.ID).Counts() {
			a.Scored = append(a.Scored, ind.ID)
		}
	}
	idx := map[string]int{}
	for _, v := range vals {
		if v.Level != sgz.District {
			a.Parents = append(a.Parents, v)
			continue
		}
		i, ok := idx[v.UnitCode]
		if !ok {
			i = len(a.Districts)
			idx[v.UnitCode] = i
			a.Districts = append(a.Districts, DistrictAssessment{UnitCode: v.UnitCode, UnitName: v.UnitName,
				Period: v.Period, AsOf: v.AsOf, Completeness: v.Completeness, Reported: v.Completeness.DistrictsReported > 0})
		}
		a.Districts[i].Values = append(a.Districts[i].Values, v)
	}
	for i := range a.Districts {
		d := &a.Districts[i]
		d.score(cfg, span, a.Scored)
		for _, v := range d.Values {
			if ms, ok := Progress(cfg, v, span.To); ok {
				d.Milestones = append(d.Milestones, ms)
			}
		}
	}
	rank(a.Districts)
	if a.Returns, err = returnsUsed(ctx, db, span, cfg); err != nil {
		return nil, err
	}
	return a, nil
}

func (d *DistrictAssessment) score(cfg *Config, span sgz.Span, scored []string) {
	total := 0.0
	for _, id := range scored {
		ind, _ := Lookup(id)
		r := cfg.Rule(id)
		target := ind.TargetFor(*r.Target, span)
		v, _ := d.Value(id)
		s := Score{Indicator: id, Value: v.Value, Target: target, Weight: r.Weight}
		if v.Value == nil {
			s.Missing = true
			d.Missing = append(d.Missing, id)
		} else {
			s.Score = round2(r.Weight * math.Min(1, *v.Value/target))
			s.BelowTarget = *v.Value < target
		}
		total += s.Score
		d.Scores = append(d.Scores, s)
	}
	d.Total = round2(total)
}

// ScoreOf returns the district's score for an indicator (ok false when it does not count).
func (d *DistrictAssessment) ScoreOf(id string) (Score, bool) {
	for _, s := range d.Scores {
		if s.Indicator == id {
			return s, true
		}
	}
	return Score{}, false
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// rank sorts the districts that reported by total (descending), then code,
// and gives ties the same rank (1, 2, 2, 4); the districts without a return
// that counts follow, by code, with rank 0 (unranked: their total is what
// the rules give, every indicator missing).
func rank(ds []DistrictAssessment) {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Reported != ds[j].Reported {
			return ds[i].Reported
		}
		if ds[i].Reported && ds[i].Total != ds[j].Total {
			return ds[i].Total > ds[j].Total
		}
		return ds[i].UnitCode < ds[j].UnitCode
	})
	for i := range ds {
		switch {
		case !ds[i].Reported:
			ds[i].Rank = 0
		case i > 0 && ds[i].Total == ds[i-1].Total:
			ds[i].Rank = ds[i-1].Rank
		default:
			ds[i].Rank = i + 1
		}
	}
}

// RankText is the district's rank as pages and exports show it: "3", or
// 未报送 (no return counts though one is due), or 未到期 (nothing due yet).
func (d DistrictAssessment) RankText(l locale.Lang) string {
	switch {
	case d.Reported:
		return strconv.Itoa(d.Rank)
	case d.Completeness.DistrictsExpected == 0:
		return locale.T(l, "metrics.rank.notdue")
	}
	return locale.T(l, "metrics.rank.none")
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.rank.none":   {"未报送", "not reported"},
		"metrics.rank.notdue": {"未到期", "not yet due"},
	})
}

// ReturnsUsed lists the returns that count under cfg (current ones; only the
// approved ones when pending returns do not count) of the span's quarters
// from the districts of the registry in force at the span's end — the returns
// every value of Compute and Assess for that span rests on — with their
// review status.
func ReturnsUsed(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config) ([]ReturnUsed, error) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	return returnsUsed(ctx, db, span, cfg)
}

func returnsUsed(ctx context.Context, db *store.DB, span sgz.Span, cfg *Config) ([]ReturnUsed, error) {
	rows, err := db.QueryContext(ctx, `
SELECT c.district_code, coalesce(u.name, c.district_name, ''), c.period, c.return_id, c.file_name, c.received_at, c.sha256,
    coalesce(s.review_status, '')
FROM `+cfg.countedReturns()+` c
JOIN q_return_review s USING (return_id)
JOIN registry_at(?) u ON u.code = c.district_code AND u.level = 'district'
WHERE c.period BETWEEN ? AND ?
ORDER BY c.district_code, c.period`, span.To.String(), span.From.String(), span.To.String())
	if err != nil {
		return nil, fmt.Errorf("returns used: %w", err)
	}
	defer rows.Close()
	var out []ReturnUsed
	for rows.Next() {
		var r ReturnUsed
		var t sql.NullTime
		if err := rows.Scan(&r.DistrictCode, &r.DistrictName, &r.Period, &r.ReturnID, &r.FileName, &t, &r.SHA256, &r.Review); err != nil {
			return nil, err
		}
		r.ReceivedAt = wall(t.Time)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Record stores the assessment with its rules and returns; it sets and returns a.ID.
func Record(ctx context.Context, db *store.DB, a *Assessment, madeBy string) (int64, error) {
	err := db.Write(ctx, func(w *store.Writer) error { return RecordIn(w, a, madeBy) })
	return a.ID, err
}

// RecordIn is Record inside a write transaction (closing a period records
// the assessment and the closing together).
func RecordIn(w *store.Writer, a *Assessment, madeBy string) error {
	var id int64
	if err := w.QueryRow(`SELECT nextval('metrics_assessment_seq')`, nil, &id); err != nil {
		return err
	}
	made := a.MadeAt.In(sgz.Beijing)
	wallMade := time.Date(made.Year(), made.Month(), made.Day(), made.Hour(), made.Minute(), made.Second(), 0, time.UTC)
	if err := w.Exec(`INSERT INTO metrics_assessments (assessment_id, made_at, span, span_from, span_to, config_json,
		config_sha256, made_by, as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, wallMade, a.Period,
		a.Span.From.String(), a.Span.To.String(), string(a.Config.JSON()), a.ConfigSHA256, madeBy, a.AsOf); err != nil {
		return err
	}
	for _, d := range a.Districts {
		for _, s := range d.Scores {
			var v any
			if s.Value != nil {
				v = *s.Value
			}
			if err := w.Append("metrics_assessment_scores", id, d.UnitCode, s.Indicator, v, s.Target, s.Weight, s.Score, s.Missing); err != nil {
				return err
			}
		}
		if err := w.Append("metrics_assessment_totals", id, d.UnitCode, d.UnitName, d.Total, int32(d.Rank),
			int32(d.Completeness.QuartersReported), int32(d.Completeness.QuartersExpected)); err != nil {
			return err
		}
	}
	for _, r := range a.Returns {
		if err := w.Append("metrics_assessment_returns", id, r.DistrictCode, r.Period, r.ReturnID, r.SHA256); err != nil {
			return err
		}
	}
	a.ID = id
	return nil
}

// Recorded is one assessment on record (metrics_assessments).
type Recorded struct {
	ID           int64     `json:"assessment_id"`
	MadeAt       time.Time `json:"made_at"` // Beijing time
	Period       string    `json:"period"`
	ConfigSHA256 string    `json:"config_sha256"`
	MadeBy       string    `json:"made_by"`
	AsOf         string    `json:"as_of"` // reference date ("" when recorded before it was kept)
	Districts    int       `json:"districts"`
}

// RecordedAssessments lists the assessments on record, newest first.
func RecordedAssessments(ctx context.Context, db *store.DB) ([]Recorded, error) {
	rows, err := db.QueryContext(ctx, `
SELECT a.assessment_id, a.made_at, a.span, a.config_sha256, a.made_by, coalesce(a.as_of, ''),
    (SELECT count(*) FROM metrics_assessment_totals t WHERE t.assessment_id = a.assessment_id)
FROM metrics_assessments a ORDER BY a.assessment_id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Recorded
	for rows.Next() {
		var r Recorded
		if err := rows.Scan(&r.ID, &r.MadeAt, &r.Period, &r.ConfigSHA256, &r.MadeBy, &r.AsOf, &r.Districts); err != nil {
			return nil, err
		}
		r.MadeAt = wall(r.MadeAt)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecordedConfig reads back the rules an assessment was made with (to make it
// again, or to show them); the hash is checked.
func RecordedConfig(ctx context.Context, db *store.DB, id int64) (*Config, error) {
	var js, sha string
	err := db.QueryRowContext(ctx, `SELECT config_json, config_sha256 FROM metrics_assessments WHERE assessment_id = ?`, id).Scan(&js, &sha)
	if err != nil {
		return nil, fmt.Errorf("assessment %d: %w", id, err)
	}
	cfg, err := ParseConfig(strings.NewReader(js), fmt.Sprintf("assessment %d", id))
	if err != nil {
		return nil, err
	}
	if cfg.SHA256() != sha {
		return nil, fmt.Errorf("assessment %d: recorded rules do not match their hash", id)
	}
	return cfg, nil
}
