package ingest

import (
	"testing"
	"time"

	"sgz"
)

func TestGoodReturnIsAccepted(t *testing.T) {
	res := check(t, goodBook(suzhou, testDistrict, testPeriod))
	if !res.OK() {
		t.Fatalf("errors:\n%s", describe(res.Errors))
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings:\n%s", describe(res.Warnings))
	}
	r := res.Return
	if r.District != testDistrict || r.Period != testPeriod || r.Reporter != "张三" {
		t.Errorf("info read as %+v", r)
	}
	if len(r.Stations) != 5 {
		t.Errorf("%d stations, want the 5 in-scope towns", len(r.Stations))
	}
	villages := 0
	for _, u := range suzhou.Within(testDistrict, sgz.Village) {
		if u.InScope {
			villages++
		}
	}
	if len(r.Rooms) != villages || villages == 0 {
		t.Errorf("%d rooms, want %d", len(r.Rooms), villages)
	}
	s := r.Stations[0]
	if !s.Built || !s.Standard || s.Resident != 4 || s.ResidentCert != 3 || s.Outreach != 2 || s.OutreachCert != 1 ||
		s.Operation != "委托社会组织运营" || !s.CharityFund || !s.BuiltOn.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) || s.Row != 3 {
		t.Errorf("station read as %+v", s)
	}
	if r.Stations[1].Built || r.Stations[1].Resident != 0 {
		t.Errorf("unbuilt station read as %+v", r.Stations[1])
	}
	if len(r.Funds) != 3 || r.Funds[0].Amount != 1205000 || r.Funds[1].Amount != 301234 || r.Funds[1].Unit != "320505001" {
		t.Errorf("funds read as %+v", r.Funds)
	}
	if len(r.Trainings) != 2 || r.Trainings[0].Hours != 8 || r.Trainings[0].Participants != 40 || r.Trainings[0].Cost != 15000 ||
		r.Trainings[1].Cost != -1 || !r.Trainings[1].StartOn.Equal(time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("trainings read as %+v", r.Trainings)
	}
	if r.Workforce.CertifiedTotal != 300 || r.Workforce.Supervisors != 8 {
		t.Errorf("workforce read as %+v", r.Workforce)
	}
	if len(r.Projects) != 1 || r.Projects[0].Served != 320 || r.Projects[0].Demonstration == nil || !*r.Projects[0].Demonstration {
		t.Errorf("projects read as %+v", r.Projects)
	}
}

// Every rule of returns.md, broken once: the exact sheet, cell and message.
func TestEachRuleNamesSheetAndCell(t *testing.T) {
	type want struct{ sheet, cell, key string }
	cases := []struct {
		name   string
		mutate func(b *book)
		errs   []want
		warns  []want
	}{
		{"district code empty", func(b *book) { b.sheet(SheetInfo).set("B3", "") },
			[]want{{SheetInfo, "B3", "ingest.v.empty"}}, nil},
		{"district code is a town code", func(b *book) { b.sheet(SheetInfo).set("B3", "320505001") },
			[]want{{SheetInfo, "B3", "ingest.v.code"}}, nil},
		{"district code not in registry", func(b *book) { b.sheet(SheetInfo).set("B3", "320599") },
			[]want{{SheetInfo, "B3", "ingest.district.unknown"}}, nil},
		{"district key missing", func(b *book) { b.sheet(SheetInfo).set("A3", "别的") },
			[]want{{SheetInfo, "", "ingest.key.missing"}}, []want{{SheetInfo, "A3", "ingest.key.unknown"}}},
		// returns.md (revised): a key's value is the next non-empty cell to its right.
		{"workforce value is the next non-empty cell", func(b *book) { b.sheet(SheetWorkforce).set("B8", nil); b.sheet(SheetWorkforce).set("C8", "见附件") },
			[]want{{SheetWorkforce, "C8", "ingest.v.int"}}, nil},
		{"fund unit code of 5 digits", func(b *book) { b.sheet(SheetFunds).set("A3", "32050") },
			[]want{{SheetFunds, "A3", "ingest.v.code_any"}}, nil},
		{"period bad", func(b *book) { b.sheet(SheetInfo).set("B4", "2026Q5") },
			[]want{{SheetInfo, "B4", "ingest.v.period"}}, nil},
		{"district name differs", func(b *book) { b.sheet(SheetInfo).set("B2", "虎丘") },
			nil, []want{{SheetInfo, "B2", "ingest.district.name"}}},
		{"sheet missing", func(b *book) { b.drop(SheetTrainings) },
			[]want{{"", "", "ingest.sheet.missing"}}, nil},
		{"optional sheet missing is fine", func(b *book) { b.drop(SheetProjects) }, nil, nil},
		{"header not found", func(b *book) { b.sheet(SheetFunds).rows = [][]any{{"x"}, {"a", "b"}} },
			[]want{{SheetFunds, "", "ingest.sheet.header"}}, nil},
		{"required column missing", func(b *book) { b.sheet(SheetStations).set("C2", "别的列") },
			[]want{{SheetStations, "", "ingest.col.missing"}}, []want{{SheetStations, "C2", "ingest.col.unknown"}}},
		{"column twice", func(b *book) { b.sheet(SheetStations).set("M2", "是否建成社工站") },
			[]want{{SheetStations, "M2", "ingest.col.dup"}}, nil},
		{"town of another district", func(b *book) { b.sheet(SheetStations).set("A3", "320506001") },
			[]want{{SheetStations, "A3", "ingest.unit.other"}, {SheetStations, "", "ingest.unit.missing"}}, nil},
		{"town not in registry", func(b *book) { b.sheet(SheetStations).set("A3", "320505099") },
			[]want{{SheetStations, "A3", "ingest.unit.unknown"}, {SheetStations, "", "ingest.unit.missing"}}, nil},
		{"town code wrong length", func(b *book) { b.sheet(SheetStations).set("A3", "32050500") },
			[]want{{SheetStations, "A3", "ingest.v.code"}, {SheetStations, "", "ingest.unit.missing"}}, nil},
		{"town code empty", func(b *book) { b.sheet(SheetStations).set("A3", nil) },
			[]want{{SheetStations, "A3", "ingest.v.empty"}, {SheetStations, "", "ingest.unit.missing"}}, nil},
		{"12-digit town code ending 000 is the town", func(b *book) { b.sheet(SheetStations).set("A3", "320505001000") }, nil, nil},
		{"town listed twice", func(b *book) { b.sheet(SheetStations).set("A4", "320505001") },
			[]want{{SheetStations, "A4", "ingest.unit.dup"}, {SheetStations, "", "ingest.unit.missing"}}, nil},
		{"town missing", func(b *book) { s := b.sheet(SheetStations); s.rows = s.rows[:len(s.rows)-1] },
			[]want{{SheetStations, "", "ingest.unit.missing"}}, nil},
		{"out-of-scope town listed", func(b *book) {
			s := b.sheet(SheetStations)
			s.rows = append(s.rows, []any{"320505400", "浒墅关经开区（镇）", "否", nil, nil, nil, nil, nil, nil, nil, nil, "否"})
		}, nil, []want{{SheetStations, "A8", "ingest.unit.scope"}}},
		{"town name differs", func(b *book) { b.sheet(SheetStations).set("B3", "横塘镇") },
			nil, []want{{SheetStations, "B3", "ingest.unit.name"}}},
		{"built not yes/no", func(b *book) { b.sheet(SheetStations).set("C3", "在建") },
			[]want{{SheetStations, "C3", "ingest.v.yesno"}}, nil},
		{"built empty", func(b *book) { b.sheet(SheetStations).set("C3", " ") },
			[]want{{SheetStations, "C3", "ingest.v.empty"}}, nil},
		{"built date after the period", func(b *book) { b.sheet(SheetStations).set("D3", "2026-10-01") },
			[]want{{SheetStations, "D3", "ingest.built.future"}}, nil},
		{"built date on the period's last day", func(b *book) { b.sheet(SheetStations).set("D3", "2026年9月30日") }, nil, nil},
		{"built without a date", func(b *book) { b.sheet(SheetStations).set("D3", nil) },
			[]want{{SheetStations, "D3", "ingest.built.date_required"}}, nil},
		{"not built with a date", func(b *book) { b.sheet(SheetStations).set("D4", "2024-01-01") },
			[]want{{SheetStations, "D4", "ingest.built.notbuilt_date"}}, nil},
		{"date not a date", func(b *book) { b.sheet(SheetStations).set("D3", "去年五月") },
			[]want{{SheetStations, "D3", "ingest.v.date"}}, nil},
		{"date as a plain number", func(b *book) { b.sheet(SheetStations).set("D3", 45413) },
			[]want{{SheetStations, "D3", "ingest.v.date"}}, nil},
		{"standard empty when built", func(b *book) { b.sheet(SheetStations).set("E3", nil) },
			[]want{{SheetStations, "E3", "ingest.v.empty"}}, nil},
		{"standard when not built", func(b *book) { b.sheet(SheetStations).set("E4", "是") },
			[]want{{SheetStations, "E4", "ingest.standard.notbuilt"}}, nil},
		{"count with a fraction", func(b *book) { b.sheet(SheetStations).set("F3", 3.5) },
			[]want{{SheetStations, "F3", "ingest.v.notwhole"}}, nil},
		{"count negative", func(b *book) { b.sheet(SheetStations).set("F3", -1) },
			[]want{{SheetStations, "F3", "ingest.v.negative"}}, nil},
		{"count not a number", func(b *book) { b.sheet(SheetStations).set("H3", "两人") },
			[]want{{SheetStations, "H3", "ingest.v.int"}}, nil},
		{"count missing when built", func(b *book) { b.sheet(SheetStations).set("H3", nil) },
			[]want{{SheetStations, "H3", "ingest.count.required"}}, nil},
		{"certified above resident", func(b *book) { b.sheet(SheetStations).set("G3", 5) },
			[]want{{SheetStations, "G3", "ingest.cert.exceeds"}}, nil},
		{"certified above outreach", func(b *book) { b.sheet(SheetStations).set("I3", 3) },
			[]want{{SheetStations, "I3", "ingest.cert.exceeds"}}, nil},
		{"operation not a choice", func(b *book) { b.sheet(SheetStations).set("J3", "外包") },
			[]want{{SheetStations, "J3", "ingest.v.choice"}}, nil},
		{"workers at an unbuilt station", func(b *book) { b.sheet(SheetStations).set("F4", 2) },
			nil, []want{{SheetStations, "F4", "ingest.count.notbuilt"}}},
		{"charity fund empty", func(b *book) { b.sheet(SheetStations).set("L3", nil) },
			nil, []want{{SheetStations, "L3", "ingest.empty_as_no"}}},
		{"village of another district", func(b *book) { b.sheet(SheetRooms).set("A3", "320506001012") },
			[]want{{SheetRooms, "A3", "ingest.unit.other"}, {SheetRooms, "", "ingest.unit.missing"}}, nil},
		{"village code is a town code", func(b *book) { b.sheet(SheetRooms).set("A3", "320505001") },
			[]want{{SheetRooms, "A3", "ingest.v.code"}, {SheetRooms, "", "ingest.unit.missing"}}, nil},
		{"room built without date", func(b *book) { b.sheet(SheetRooms).set("D4", nil) },
			[]want{{SheetRooms, "D4", "ingest.built.date_required"}}, nil},
		{"room built not yes/no", func(b *book) { b.sheet(SheetRooms).set("C4", "建了") },
			[]want{{SheetRooms, "C4", "ingest.v.yesno"}}, nil},
		{"fund unit of another district", func(b *book) { b.sheet(SheetFunds).set("A3", "320506") },
			[]want{{SheetFunds, "A3", "ingest.fund.unit"}}, nil},
		{"fund category unknown", func(b *book) { b.sheet(SheetFunds).set("B3", "财政拨款") },
			[]want{{SheetFunds, "B3", "ingest.v.choice"}}, nil},
		{"fund category empty", func(b *book) { b.sheet(SheetFunds).set("B3", nil) },
			[]want{{SheetFunds, "B3", "ingest.v.empty"}}, nil},
		{"fund amount with 5 decimals", func(b *book) { b.sheet(SheetFunds).set("C3", "1.23456") },
			[]want{{SheetFunds, "C3", "ingest.v.decimals"}}, nil},
		{"fund amount negative", func(b *book) { b.sheet(SheetFunds).set("C3", -5) },
			[]want{{SheetFunds, "C3", "ingest.v.negative"}}, nil},
		{"fund amount text", func(b *book) { b.sheet(SheetFunds).set("C3", "十万") },
			[]want{{SheetFunds, "C3", "ingest.v.number"}}, nil},
		{"fund amount empty", func(b *book) { b.sheet(SheetFunds).set("C3", nil) },
			[]want{{SheetFunds, "C3", "ingest.v.empty"}}, nil},
		{"fund unit empty means the district", func(b *book) { b.sheet(SheetFunds).set("A3", nil) },
			nil, []want{{SheetFunds, "A3", "ingest.empty_as_no"}}},
		{"training name empty", func(b *book) { b.sheet(SheetTrainings).set("A3", nil) },
			[]want{{SheetTrainings, "A3", "ingest.v.empty"}}, nil},
		{"training hours zero", func(b *book) { b.sheet(SheetTrainings).set("C3", 0) },
			[]want{{SheetTrainings, "C3", "ingest.v.positive"}}, nil},
		{"training participants zero", func(b *book) { b.sheet(SheetTrainings).set("D3", 0) },
			[]want{{SheetTrainings, "D3", "ingest.v.positive"}}, nil},
		{"training category unknown", func(b *book) { b.sheet(SheetTrainings).set("E3", "讲座") },
			[]want{{SheetTrainings, "E3", "ingest.v.choice"}}, nil},
		{"training outside the period", func(b *book) { b.sheet(SheetTrainings).set("B3", "2026-05-01") },
			nil, []want{{SheetTrainings, "B3", "ingest.training.outside"}}},
		{"workforce grades do not add up", func(b *book) { b.sheet(SheetWorkforce).set("B3", 201) },
			[]want{{SheetWorkforce, "B2", "ingest.workforce.sum"}}, nil},
		{"workforce key missing", func(b *book) { s := b.sheet(SheetWorkforce); s.rows = s.rows[:len(s.rows)-1] },
			[]want{{SheetWorkforce, "", "ingest.key.missing"}}, nil},
		{"workforce value empty", func(b *book) { b.sheet(SheetWorkforce).set("B6", nil) },
			[]want{{SheetWorkforce, "B6", "ingest.v.empty"}}, nil},
		{"workforce not whole", func(b *book) { b.sheet(SheetWorkforce).set("B6", "12.5") },
			[]want{{SheetWorkforce, "B6", "ingest.v.notwhole"}}, nil},
		{"project town of another district", func(b *book) { b.sheet(SheetProjects).set("B3", "320506001") },
			[]want{{SheetProjects, "B3", "ingest.unit.other"}}, nil},
		{"project field unknown", func(b *book) { b.sheet(SheetProjects).set("C3", "教育") },
			[]want{{SheetProjects, "C3", "ingest.v.choice"}}, nil},
		{"project name empty", func(b *book) { b.sheet(SheetProjects).set("A3", nil) },
			[]want{{SheetProjects, "A3", "ingest.v.empty"}}, nil},
		{"unknown sheet ignored", func(b *book) { b.sheets = append(b.sheets, &bsheet{name: "填表说明", rows: [][]any{{"说明"}}}) },
			nil, []want{{"填表说明", "", "ingest.sheet.unknown"}}},
		{"total row ignored, checked", func(b *book) {
			s := b.sheet(SheetStations)
			s.rows = append(s.rows, []any{nil, "合计", nil, nil, nil, 99})
		}, nil, []want{{SheetStations, "F8", "ingest.total.mismatch"}}},
		{"matching total row is silent", func(b *book) {
			s := b.sheet(SheetStations)
			s.rows = append(s.rows, []any{"总 计", nil, nil, nil, nil, 12, 9, 6, 3})
		}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := goodBook(suzhou, testDistrict, testPeriod)
			tc.mutate(b)
			res := check(t, b)
			match := func(kind string, got []Issue, want []want) {
				if len(got) != len(want) {
					t.Errorf("%s: got %d, want %d:\n%s", kind, len(got), len(want), describe(got))
					return
				}
				for i, w := range want {
					g := got[i]
					if g.Sheet != w.sheet || g.Cell != w.cell || g.Msg.Key != w.key {
						t.Errorf("%s %d: got %s %s, want %s!%s %s", kind, i, g.Where(), g.Msg.Key, w.sheet, w.cell, w.key)
					}
				}
			}
			match("errors", res.Errors, tc.errs)
			match("warnings", res.Warnings, tc.warns)
			if len(tc.errs) > 0 && res.OK() {
				t.Error("accepted despite errors")
			}
		})
	}
}

// A key's value is the next non-empty cell to its right (returns.md,
// revised: printed forms hold several pairs on a row): with B5 empty, C5 is
// 填报人; with B5 filled, B5 is, and C5 is not read for it.
func TestKeyValueIsTheNextNonEmptyCell(t *testing.T) {
	b := goodBook(suzhou, testDistrict, testPeriod)
	b.sheet(SheetInfo).set("B5", nil)
	b.sheet(SheetInfo).set("C5", "张三")
	res := check(t, b)
	if !res.OK() {
		t.Fatalf("errors:\n%s", describe(res.Errors))
	}
	if res.Return.Reporter != "张三" {
		t.Errorf("reporter read as %q, want 张三 (the next non-empty cell)", res.Return.Reporter)
	}
	b.sheet(SheetInfo).set("B5", "李四")
	if res := check(t, b); res.Return == nil || res.Return.Reporter != "李四" {
		t.Errorf("reporter in B5 not read: %+v", res.Return)
	}
}
