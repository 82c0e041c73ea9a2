package metrics

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// Q3 scores by hand (default config; quarter targets: fund_leverage 1 — a
// ratio is not divided by four — and training_hours_per_worker 6):
//
//	A: 25×2/3=16.67 + 20×0.75=15 + 15 + 10 + 10 (6/9 ≥ 0.6) + 5×4/7=2.86 + 5×0.2=1 + 10×(30/9)/6=5.56 = 76.09
//	B: 25 + 20 + 15 + 10 + 10×0.5/0.6=8.33 + 5×0.8=4 + 5×0.75=3.75 + 10×3/6=5 = 91.08
//	C: 25 + 0 (room missing) + 15 + 0 + 10 + 5 + 0 (leverage missing) + 10×5/6=8.33 = 63.33
func TestAssessQuarter(t *testing.T) {
	db := fixture(t)
	a, err := Assess(context.Background(), db, mustSpan("2026Q3"), nil)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		code  string
		total float64
		rank  int
	}
	var got []row
	for _, d := range a.Districts {
		got = append(got, row{d.UnitCode, d.Total, d.Rank})
	}
	want := []row{{"320502", 91.08, 1}, {"320501", 76.09, 2}, {"320503", 63.33, 3}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	c := a.Districts[2]
	if strings.Join(c.Missing, ",") != "room_coverage,fund_leverage" {
		t.Errorf("missing %v", c.Missing)
	}
	if s, _ := c.ScoreOf("room_coverage"); !s.Missing || s.Score != 0 {
		t.Errorf("missing score %+v", s)
	}
	if s, _ := a.Districts[1].ScoreOf("station_coverage"); s.Score != 16.67 || !s.BelowTarget || s.Target != 1 {
		t.Errorf("A station %+v", s)
	}
	if s, _ := a.Districts[1].ScoreOf("training_hours_per_worker"); s.Target != 6 || s.Score != 5.56 {
		t.Errorf("A hpw %+v", s)
	}
	if len(a.Scored) != 8 || a.ConfigSHA256 != DefaultConfig().SHA256() {
		t.Errorf("scored %v", a.Scored)
	}
	if len(a.Parents) != len(Indicators) || a.Parents[0].UnitCode != "3205" {
		t.Errorf("parents %d", len(a.Parents))
	}
	// Returns used: current returns of Q3 (4, 7, 10).
	var ids []int64
	for _, r := range a.Returns {
		ids = append(ids, r.ReturnID)
	}
	if fmt.Sprint(ids) != "[4 7 10]" || a.Returns[0].ReceivedAt.Format("2006-01-02 15:04 MST") != "2026-10-20 09:00 CST" ||
		a.Returns[0].SHA256 != fmt.Sprintf("%064x", 4) || a.Returns[0].DistrictName != "甲区" {
		t.Errorf("returns %+v", a.Returns)
	}
	// Milestones (plan from 2025): coverage due 2026Q4, standardisation 2027Q4.
	var ms []string
	for _, m := range a.Districts[1].Milestones {
		ms = append(ms, fmt.Sprintf("%s:%s:%d:%.4f", m.Indicator, m.Deadline, m.QuartersLeft, *m.Gap))
	}
	if strings.Join(ms, " ") != "station_coverage:2026Q4:1:0.3333 room_coverage:2026Q4:1:0.2500 station_standard_rate:2027Q4:5:0.0000" {
		t.Errorf("milestones %v", ms)
	}
	// Recorded with its rules.
	id, err := Record(context.Background(), db, a, "test")
	if err != nil || id != 1 {
		t.Fatal(id, err)
	}
	var sha, cfgJSON string
	var n, nr int
	if err := db.QueryRow(`SELECT config_sha256, config_json, (SELECT count(*) FROM metrics_assessment_scores WHERE assessment_id = 1),
		(SELECT count(*) FROM metrics_assessment_returns WHERE assessment_id = 1) FROM metrics_assessments WHERE assessment_id = 1`).Scan(&sha, &cfgJSON, &n, &nr); err != nil {
		t.Fatal(err)
	}
	if sha != a.ConfigSHA256 || n != 3*8 || nr != 3 {
		t.Errorf("recorded %s %d %d", sha, n, nr)
	}
	back, err := ParseConfig(strings.NewReader(cfgJSON), "db")
	if err != nil || back.SHA256() != sha {
		t.Errorf("recorded config does not read back: %v", err)
	}
	list, err := RecordedAssessments(context.Background(), db)
	if err != nil || len(list) != 1 || list[0].ID != 1 || list[0].Period != "2026Q3" || list[0].Districts != 3 ||
		list[0].MadeAt.Format("15:04:05") != a.MadeAt.Format("15:04:05") || list[0].MadeBy != "test" {
		t.Errorf("recorded %+v %v", list, err)
	}
	if c, err := RecordedConfig(context.Background(), db, 1); err != nil || c.SHA256() != a.ConfigSHA256 {
		t.Errorf("recorded config %v", err)
	}
}

// Ties share a rank: 1, 1, 3.
func TestAssessTies(t *testing.T) {
	db := fixture(t)
	cfg := DefaultConfig()
	one := 1.0
	cfg.Indicators = map[string]Rule{"station_coverage": {Target: &one, Weight: 100}}
	a, err := Assess(context.Background(), db, mustSpan("2026Q3"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range a.Districts {
		got = append(got, fmt.Sprintf("%s=%v#%d", d.UnitCode, d.Total, d.Rank))
	}
	if strings.Join(got, " ") != "320502=100#1 320503=100#1 320501=66.67#3" {
		t.Errorf("%v", got)
	}
	// A district with no return scores 0 everywhere, is marked missing and is not ranked.
	a, err = Assess(context.Background(), db, mustSpan("2026Q2"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	last := a.Districts[len(a.Districts)-1]
	if last.UnitCode != "320502" && last.UnitCode != "320503" || last.Total != 0 {
		t.Errorf("last %+v", last)
	}
	for _, d := range a.Districts {
		if d.UnitCode == "320502" && (len(d.Missing) != 1 || d.Rank != 0 || d.Reported) { // unranked: no return counts
			t.Errorf("B %+v", d)
		}
	}
}

// A yearly flow target is scaled to the span.
func TestTargetScaling(t *testing.T) {
	cfg := DefaultConfig()
	for span, want := range map[string]float64{"2026Q3": 6, "2026": 24, "2026Q1-2026Q2": 12} {
		if got, _ := cfg.Target("training_hours_per_worker", mustSpan(span)); got != want {
			t.Errorf("%s: %v", span, got)
		}
	}
	if got, _ := cfg.Target("station_coverage", mustSpan("2026Q3")); got != 1 {
		t.Error(got)
	}
	if _, ok := cfg.Target("gov_funding", mustSpan("2026")); ok {
		t.Error("gov_funding has no target")
	}
}

func TestReporting(t *testing.T) {
	db := fixture(t)
	st, err := Reporting(context.Background(), db, mustSpan("2026"), allDue())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range st.Rows {
		got = append(got, r.Period+" "+r.DistrictCode+" "+r.Status)
	}
	want := "2026Q1 320501 on_time|2026Q1 320502 on_time|2026Q1 320503 missing|" +
		"2026Q2 320501 on_time|2026Q2 320502 sent_back|2026Q2 320503 late|" +
		"2026Q3 320501 late|2026Q3 320502 on_time|2026Q3 320503 on_time|" +
		"2026Q4 320501 missing|2026Q4 320502 missing|2026Q4 320503 missing"
	if strings.Join(got, "|") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	r := st.Rows[7] // B Q3
	if r.DueDay != "2026-10-15" || *r.ReturnID != 7 || r.Accepted != 1 {
		t.Errorf("B Q3 %+v", r)
	}
	if r := st.Rows[6]; r.DaysLate != 5 || *r.ReturnID != 4 {
		t.Errorf("A Q3 days late %d", r.DaysLate)
	}
	if r := st.Rows[5]; r.DaysLate != 1 {
		t.Errorf("C Q2 days late %d", r.DaysLate)
	}
	if r := st.Rows[3]; *r.ReturnID != 3 || r.FirstReceived.Format("01-02 15:04") != "07-14 18:00" || r.Accepted != 2 {
		t.Errorf("A Q2 %+v", r)
	}
	tot := st.Total
	if tot.Expected != 12 || tot.OnTime != 5 || tot.Late != 2 || tot.SentBack != 1 || tot.Missing != 4 || tot.Reported != 7 ||
		*tot.Timeliness != 5.0/12 {
		t.Errorf("total %+v", tot)
	}
	if q := st.Quarters[2]; q.Code != "2026Q3" || q.OnTime != 2 || q.Late != 1 || *q.Completeness != 1 {
		t.Errorf("Q3 %+v", q)
	}
	if len(st.Cities) != 1 || st.Cities[0].Code != "3205" || st.Cities[0].Name != "苏州市" || st.Cities[0].OnTime != 5 || st.Cities[0].Expected != 12 {
		t.Errorf("cities %+v", st.Cities)
	}
	if d := st.Districts[1]; d.Code != "320502" || d.OnTime != 2 || d.SentBack != 1 || d.Name != "乙区" {
		t.Errorf("B %+v", d)
	}
	// The timeliness equals the reporting_rate indicator.
	vals, _ := Compute(context.Background(), db, mustSpan("2026"), sgz.City, allDue())
	if v := index(vals)["3205/reporting_rate"]; *v.Value != *tot.Timeliness {
		t.Errorf("reporting_rate %v", *v.Value)
	}
	cfg := DefaultConfig()
	cfg.DueDays = 20 // A's Q3 (10-20) is now on time
	st, _ = Reporting(context.Background(), db, mustSpan("2026Q3"), cfg)
	if st.Rows[0].Status != OnTime || st.Rows[0].DueDay != "2026-10-20" {
		t.Errorf("due 20: %+v", st.Rows[0])
	}
}

func TestMilestones(t *testing.T) {
	cfg := DefaultConfig() // plan 2025: coverage by 2026Q4, standard by 2027Q4
	v := 0.9
	cases := []struct {
		ind, p, deadline string
		left             int
		overdue          bool
	}{
		{"station_coverage", "2025Q1", "2026Q4", 7, false},
		{"station_coverage", "2026Q4", "2026Q4", 0, false},
		{"station_coverage", "2027Q2", "2026Q4", -2, true},
		{"station_standard_rate", "2026Q3", "2027Q4", 5, false},
	}
	for _, c := range cases {
		s, ok := Progress(cfg, Value{Indicator: c.ind, Value: &v}, sgz.MustPeriod(c.p))
		if !ok || s.Deadline != c.deadline || s.QuartersLeft != c.left || s.Overdue != c.overdue || *s.Gap < 0.0999 || *s.Gap > 0.1001 {
			t.Errorf("%+v: %+v", c, s)
		}
	}
	if _, ok := Progress(cfg, Value{Indicator: "gov_funding"}, sgz.MustPeriod("2026Q1")); ok {
		t.Error("gov_funding has no milestone")
	}
	s, _ := Progress(cfg, Value{Indicator: "room_coverage"}, sgz.MustPeriod("2026Q1"))
	if s.Gap != nil || s.Met || s.Milestone != "两年全覆盖" {
		t.Errorf("missing value %+v", s)
	}
	cfg.PlanStartYear = 2026
	if m, _ := MilestoneAt(cfg, "room_coverage", sgz.MustPeriod("2026Q1")); m.Deadline(cfg.PlanStartYear).String() != "2027Q4" {
		t.Error("plan start year ignored")
	}
}

func TestConfigDefaultRoundTrip(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate("default"); err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, r := range def.Indicators {
		total += r.Weight
	}
	if total != 100 {
		t.Errorf("default weights sum to %v", total)
	}
	back, err := ParseConfig(strings.NewReader(string(def.JSON())), "x")
	if err != nil || back.SHA256() != def.SHA256() {
		t.Fatal(err)
	}
	// A file with only some top-level fields keeps the defaults for the rest.
	c, err := ParseConfig(strings.NewReader(`{"due_days_after_quarter_end": 20}`), "x")
	if err != nil || c.DueDays != 20 || len(c.Indicators) != len(Indicators) || len(c.Milestones) != 2 || c.PlanStartYear != 2025 {
		t.Fatalf("%+v %v", c, err)
	}
	if c.SHA256() == def.SHA256() {
		t.Error("hash ignores a change")
	}
	path := filepath.Join(t.TempDir(), "rules.json")
	os.WriteFile(path, []byte(`{"plan_start_year": 2026, "indicators": {"station_coverage": {"target": 0.9, "weight": 60}, "room_coverage": {"target": 1, "weight": 40, "scored": false}}}`), 0o644)
	c, err = LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Rule("station_coverage").Counts() || c.Rule("room_coverage").Counts() || c.Rule("fund_leverage").Counts() {
		t.Error("counts")
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ json, zh, en string }{
		{`{"indicators": {"station_coverage": {"target": 1, "weight": -5}}}`, "indicators.station_coverage.weight 必须 ≥ 0", "field indicators.station_coverage.weight must be ≥ 0 (found -5)"},
		{`{"indicators": {"station_coverage": {"target": 0, "weight": 5}}}`, "indicators.station_coverage.target 必须 > 0", "field indicators.station_coverage.target must be > 0"},
		{`{"indicators": {"nope": {"target": 1, "weight": 5}}}`, "未知指标 \"nope\"", "field indicators.nope: unknown indicator \"nope\""},
		{`{"indicators": {"gov_funding": {"weight": 5}}}`, "indicators.gov_funding.target 缺失", "field indicators.gov_funding.target is missing"},
		{`{"weights": {}}`, "未知字段 weights", "unknown field weights"},
		{`{"plan_start_year": "2025"}`, "字段 plan_start_year 的类型不对", "field plan_start_year has the wrong type"},
		{"{\n  \"version\": 1,\n  \"due_days_after_quarter_end\": 15,,\n}", "第 3 行", "line 3"},
		{`{"due_days_after_quarter_end": -1}`, "due_days_after_quarter_end 应在 0 到 366 之间", "due_days_after_quarter_end must be between 0 and 366"},
		{`{"milestones": [{"indicators": ["station_coverage", "x"], "year": 0, "target": 1}]}`, "milestones[0].year", "milestones[0].indicators[1]: unknown indicator"},
		{`{"version": 2}`, "字段 version 应为 1", "field version must be 1"},
		{"  \n", "是空的", "is empty"},
		{`[1, 2]`, "应为一个 JSON 对象", "must hold one JSON object"},
	}
	for _, c := range cases {
		_, err := ParseConfig(strings.NewReader(c.json), "rules.json")
		if err == nil {
			t.Errorf("%s: accepted", c.json)
			continue
		}
		zh, en := sayAll(locale.ZH, err), sayAll(locale.EN, err)
		if !strings.Contains(zh, "rules.json") || !strings.Contains(zh, c.zh) || !strings.Contains(en, c.en) {
			t.Errorf("%s:\n zh %s\n en %s", c.json, zh, en)
		}
	}
	_, err := LoadConfig(filepath.Join(t.TempDir(), "absent.json"))
	if err == nil || !strings.Contains(sayAll(locale.EN, err), "absent.json") {
		t.Error(err)
	}
}

// sayAll renders every user error joined in err.
func sayAll(lang locale.Lang, err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, sayAll(lang, e))
		}
		return strings.Join(parts, "\n")
	}
	var ue *locale.Error
	if errors.As(err, &ue) {
		return ue.In(lang)
	}
	return err.Error()
}

// randomWorld fills db with a random registry and returns (fixed seed).
func randomWorld(t testing.TB, db *store.DB, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	ctx := context.Background()
	err := db.Write(ctx, func(w *store.Writer) error {
		if err := w.Exec(`INSERT INTO registry_versions VALUES ('0000Q1', TIMESTAMP '2026-01-01 00:00:00', 'rand', 0)`); err != nil {
			return err
		}
		add := func(code, level, parent, city, district, town string, in bool, pop int64) error {
			var p any
			if pop > 0 {
				p = pop
			}
			n := func(s string) any {
				if s == "" {
					return nil
				}
				return s
			}
			return w.Append("registry_units", "0000Q1", code, "U"+code, level, n(parent), in, p, nil, n(city), n(district), n(town))
		}
		if err := add("3205", "city", "", "", "", "", false, 0); err != nil {
			return err
		}
		type town struct {
			code     string
			villages []string
			in       bool
		}
		var rid int64
		for d := 1; d <= 12; d++ {
			dc := fmt.Sprintf("3205%02d", d)
			pop := int64(0)
			if rng.Intn(4) > 0 {
				pop = int64(50000 + rng.Intn(500000))
			}
			if err := add(dc, "district", "3205", "3205", "", "", false, pop); err != nil {
				return err
			}
			var towns []town
			for i := 1; i <= 3+rng.Intn(10); i++ {
				tc := fmt.Sprintf("%s%03d", dc, i*37%600+1)
				tw := town{code: tc, in: rng.Intn(6) > 0}
				if err := add(tc, "town", dc, "3205", dc, "", tw.in, 0); err != nil {
					return err
				}
				for j := 1; j <= rng.Intn(12); j++ {
					vc := fmt.Sprintf("%s%03d", tc, j)
					tw.villages = append(tw.villages, vc)
					if err := add(vc, "village", tc, "3205", dc, tc, tw.in && rng.Intn(10) > 0, 0); err != nil {
						return err
					}
				}
				towns = append(towns, tw)
			}
			for q := 1; q <= 4; q++ {
				if rng.Intn(5) == 0 {
					continue // no return this quarter
				}
				for attempt := 0; attempt <= rng.Intn(2); attempt++ {
					rid++
					recv := time.Date(2026, time.Month(3*q+1), 1+rng.Intn(25), 10, 0, 0, 0, time.UTC)
					var sentBack any
					if rng.Intn(8) == 0 {
						sentBack = recv.Add(48 * time.Hour)
					}
					if err := w.Append("returns", rid, "f.xlsx", fmt.Sprintf("%064d", rid), int64(1), recv, "accepted", "cli",
						dc, nil, fmt.Sprintf("2026Q%d", q), nil, nil, nil, int32(0), int32(0), sentBack, nil); err != nil {
						return err
					}
					row := int32(0)
					for _, tw := range towns {
						row++
						built := rng.Intn(3) > 0
						res, out := int32(rng.Intn(6)), int32(rng.Intn(4))
						if err := w.Append("stations", rid, row, tw.code, nil, built, nil, built && rng.Intn(2) == 0,
							res, int32(rng.Intn(int(res)+1)), out, int32(rng.Intn(int(out)+1)), nil, nil, rng.Intn(3) == 0); err != nil {
							return err
						}
						for _, vc := range tw.villages {
							row++
							if err := w.Append("rooms", rid, row, vc, nil, rng.Intn(2) == 0, nil, rng.Intn(4) == 0); err != nil {
								return err
							}
						}
						if len(tw.villages) > 0 && rng.Intn(2) == 0 {
							row++
							cats := []string{"政府购买服务", "社区慈善基金", "社会捐赠", "其他"}
							if err := w.Append("funds", rid, row, tw.villages[rng.Intn(len(tw.villages))], cats[rng.Intn(4)],
								store.Money(int64(rng.Intn(1000000))), nil); err != nil {
								return err
							}
						}
					}
					for i := 0; i < rng.Intn(3); i++ {
						row++
						if err := w.Append("funds", rid, row, dc, []string{"政府购买服务", "社会捐赠"}[rng.Intn(2)],
							store.Money(int64(rng.Intn(5000000))), nil); err != nil {
							return err
						}
						if err := w.Append("trainings", rid, row, "T", nil, float64(1+rng.Intn(16))/2, int32(1+rng.Intn(50)), nil, nil); err != nil {
							return err
						}
					}
					if err := w.Append("workforce", rid, int32(rng.Intn(300)), int32(0), int32(0), int32(0), int32(0), int32(0), int32(0)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Property: every city value equals the value recomputed in Go from the
// district numerators and denominators (non-ratios: the sum of the district
// values), and the town-level stock numerators and denominators add up to
// the district's.
func TestRollUpProperty(t *testing.T) {
	db := openDB(t)
	randomWorld(t, db, 42)
	var units int
	db.QueryRow(`SELECT count(*) FROM registry_units`).Scan(&units)
	if units < 200 {
		t.Fatalf("only %d units", units)
	}
	for _, span := range []string{"2026Q1", "2026Q3", "2026", "2026Q2-2026Q4"} {
		vals, err := ComputeLevels(context.Background(), db, mustSpan(span), []sgz.Level{sgz.City, sgz.District, sgz.Town}, nil)
		if err != nil {
			t.Fatal(err)
		}
		type acc struct {
			num, den, sum float64
			any           bool
		}
		dist := map[string]*acc{}
		townSum := map[string]*acc{}
		city := map[string]Value{}
		for _, v := range vals {
			ind, _ := Lookup(v.Indicator)
			if v.Level != sgz.Town || ind.Kind != Stock || v.Numerator == nil {
				continue
			}
			k := v.UnitCode[:6] + "/" + v.Indicator
			if townSum[k] == nil {
				townSum[k] = &acc{}
			}
			townSum[k].num += *v.Numerator
			townSum[k].den += *v.Denominator
		}
		townChecks := 0
		for _, v := range vals {
			switch v.Level {
			case sgz.City:
				city[v.Indicator] = v
			case sgz.District:
				a := dist[v.Indicator]
				if a == nil {
					a = &acc{}
					dist[v.Indicator] = a
				}
				if v.Numerator != nil {
					a.num += *v.Numerator
					a.den += *v.Denominator
					a.any = true
				} else if v.Value != nil {
					a.sum += *v.Value
					a.any = true
				}
				ind, _ := Lookup(v.Indicator)
				if ind.Kind == Stock && ind.TownLevel {
					k := v.UnitCode + "/" + v.Indicator
					ts := townSum[k]
					if ts == nil || v.Numerator == nil {
						continue
					}
					townChecks++
					if ts.num != *v.Numerator || ts.den != *v.Denominator {
						t.Errorf("%s %s: towns %v/%v, district %v/%v", span, k, ts.num, ts.den, *v.Numerator, *v.Denominator)
					}
				}
			}
		}
		checked := 0
		for _, ind := range Indicators {
			c, ok := city[ind.ID]
			a := dist[ind.ID]
			if !ok || a == nil {
				t.Fatalf("%s %s: no city or district values", span, ind.ID)
			}
			var want *float64
			switch {
			case !a.any:
			case ind.IsRatio && a.den != 0:
				x := a.num / a.den * ind.Scale
				want = &x
			case !ind.IsRatio:
				want = &a.sum
			}
			if (want == nil) != (c.Value == nil) || want != nil && !approx(*c.Value, *want) {
				t.Errorf("%s %s: city %v, recomputed %v", span, ind.ID, fmtp(c.Value), fmtp(want))
			}
			checked++
		}
		if townChecks < 20 {
			t.Errorf("%s: only %d town checks", span, townChecks)
		}
		if checked != len(Indicators) {
			t.Error("not every indicator checked")
		}
	}
}

func fmtp(p *float64) string {
	if p == nil {
		return "missing"
	}
	return fmt.Sprint(*p)
}

func TestMilestoneReport(t *testing.T) {
	db := fixture(t)
	// 2026Q2: B's Q2 was sent back, so its coverage comes from Q1.
	ms, err := MilestoneReport(context.Background(), db, sgz.MustPeriod("2026Q2"), sgz.District, nil, "320502")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, fmt.Sprintf("%s %s %s %s left %d gap %.4f", m.UnitCode, m.Indicator, m.AsOf, m.Deadline, m.QuartersLeft, *m.Gap))
	}
	want := "320502 station_coverage 2026Q1 2026Q4 left 2 gap 0.0000|320502 room_coverage 2026Q1 2026Q4 left 2 gap 0.3333|" +
		"320502 station_standard_rate 2026Q1 2027Q4 left 6 gap 0.5000"
	if strings.Join(got, "|") != want {
		t.Errorf("got\n%s", strings.Join(got, "|"))
	}
	all, err := MilestoneReport(context.Background(), db, sgz.MustPeriod("2026Q3"), sgz.City, nil)
	if err != nil || len(all) != 3 || all[0].UnitCode != "3205" || !approx(*all[0].Gap, 1.0/6) {
		t.Errorf("city %+v %v", all, err)
	}
}
