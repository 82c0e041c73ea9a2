package ingest

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"sgz/locale"
)

// issueWant is an expected error or warning: sheet, cell and message key.
type issueWant struct{ sheet, cell, key string }

// expectIssues compares a result's errors and warnings with the expected
// ones, in order.
func expectIssues(t *testing.T, res *Result, errs, warns []issueWant) {
	t.Helper()
	match := func(kind string, got []Issue, want []issueWant) {
		t.Helper()
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
	match("errors", res.Errors, errs)
	match("warnings", res.Warnings, warns)
	if len(errs) > 0 && res.OK() {
		t.Error("accepted despite errors")
	}
}

// sameData reports the first difference between the data two returns hold
// (row numbers aside): what the indicators are computed from.
func sameData(got, want *Return) string {
	if got == nil || want == nil {
		return "no return"
	}
	if got.District != want.District || got.Period != want.Period {
		return "district or period differ"
	}
	if len(got.Stations) != len(want.Stations) || len(got.Rooms) != len(want.Rooms) || len(got.Funds) != len(want.Funds) ||
		len(got.Trainings) != len(want.Trainings) || len(got.Projects) != len(want.Projects) {
		return "row counts differ"
	}
	for i := range got.Stations {
		g, w := got.Stations[i], want.Stations[i]
		g.Row, w.Row = 0, 0
		if g != w {
			return "station " + w.Code
		}
	}
	for i := range got.Rooms {
		g, w := got.Rooms[i], want.Rooms[i]
		g.Row, w.Row = 0, 0
		if g != w {
			return "room " + w.Code
		}
	}
	for i := range got.Funds {
		g, w := got.Funds[i], want.Funds[i]
		g.Row, w.Row = 0, 0
		if g != w {
			return "fund " + w.Category
		}
	}
	for i := range got.Trainings {
		g, w := got.Trainings[i], want.Trainings[i]
		g.Row, w.Row = 0, 0
		if g != w {
			return "training " + w.Name
		}
	}
	for i := range got.Projects {
		g, w := got.Projects[i], want.Projects[i]
		if g.Name != w.Name || g.Town != w.Town || g.Field != w.Field || g.Served != w.Served ||
			(g.Demonstration == nil) != (w.Demonstration == nil) || (g.Demonstration != nil && *g.Demonstration != *w.Demonstration) {
			return "project " + w.Name
		}
	}
	if got.Workforce != want.Workforce {
		return "workforce"
	}
	return ""
}

type contractCase struct {
	name   string
	mutate func(b *book)
	errs   []issueWant
	warns  []issueWant
	// same: when accepted, the data must equal the clean return's.
	same bool
}

func runContractCases(t *testing.T, cases []contractCase) {
	t.Helper()
	clean := check(t, goodBook(suzhou, testDistrict, testPeriod))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := goodBook(suzhou, testDistrict, testPeriod)
			tc.mutate(b)
			res := check(t, b)
			expectIssues(t, res, tc.errs, tc.warns)
			if tc.same && res.OK() {
				if d := sameData(res.Return, clean.Return); d != "" {
					t.Errorf("read differently from the clean return: %s", d)
				}
			}
		})
	}
}

func rename(b *book, from, to string) { b.sheet(from).name = to }

// returns.md, "Revised 2026-12-01": matching is by the contract's own names
// after normalisation, never by synonyms.
func TestContractNamesOnly(t *testing.T) {
	runContractCases(t, []contractCase{
		{"参训人数 is not 参训人次", func(b *book) { b.sheet(SheetTrainings).set("D2", "参训人数") },
			[]issueWant{{SheetTrainings, "", "ingest.col.missing"}}, []issueWant{{SheetTrainings, "D2", "ingest.col.unknown"}}, false},
		{"参训人数 beside 参训人次 is only an unknown column", func(b *book) {
			s := b.sheet(SheetTrainings)
			s.set("G2", "参训人数")
			s.set("G3", 12)
		}, nil, []issueWant{{SheetTrainings, "G2", "ingest.col.unknown"}}, true},
		{"金额（元） is not 金额(万元)", func(b *book) { b.sheet(SheetFunds).set("C2", "金额（元）") },
			[]issueWant{{SheetFunds, "", "ingest.col.missing"}}, []issueWant{{SheetFunds, "C2", "ingest.col.unknown"}}, false},
		{"金额 without its unit is not 金额(万元)", func(b *book) { b.sheet(SheetFunds).set("C2", "金额") },
			[]issueWant{{SheetFunds, "", "ingest.col.missing"}}, []issueWant{{SheetFunds, "C2", "ingest.col.unknown"}}, false},
		{"金额(万元) with a hint after its unit", func(b *book) { b.sheet(SheetFunds).set("C2", "金额（万元）（必填）") }, nil, nil, true},
		{"a cover sheet is ignored", func(b *book) {
			b.sheets = append([]*bsheet{{name: "封面", rows: [][]any{{"虎丘区社工站建设季报"}, {"填报单位", "虎丘区"}}}}, b.sheets...)
		}, nil, []issueWant{{"封面", "", "ingest.sheet.unknown"}}, true},
		{"extra sheets named like old aliases are one warning", func(b *book) {
			for _, n := range []string{"项目", "资金", "人才", "Sheet1"} {
				b.sheets = append(b.sheets, &bsheet{name: n, rows: [][]any{{"x", "y"}}})
			}
		}, nil, []issueWant{{"", "", "ingest.sheet.unknown"}}, true},
		{"extra columns named like old aliases", func(b *book) {
			b.sheet(SheetFunds).set("E2", "资金来源")
			b.sheet(SheetFunds).set("E3", "区财政")
			b.sheet(SheetTrainings).set("G2", "培训主题")
		}, nil, []issueWant{{SheetFunds, "E2", "ingest.col.unknown"}, {SheetTrainings, "G2", "ingest.col.unknown"}}, true},
		{"headers with units and hints in brackets", func(b *book) {
			s := b.sheet(SheetStations)
			s.set("C2", "是否建成社工站（是/否）")
			s.set("D2", "建成时间（年/月/日）")
			s.set("F2", "驻站社工人数（人）")
			s.set("G2", "*其中持证驻站社工(人)")
			s.set("A2", "乡镇（街道）代码（9位）")
			b.sheet(SheetRooms).set("A2", "*村(社区)代码（12位）")
			b.sheet(SheetTrainings).set("C2", "学时（小时）")
			b.sheet(SheetTrainings).set("D2", "参训人次（人次）")
		}, nil, nil, true},
		{"a header with a line break", func(b *book) { b.sheet(SheetStations).set("F2", "驻站社工\n人数") }, nil, nil, true},
		{"keys printed with 其中： and *", func(b *book) {
			w := b.sheet(SheetWorkforce)
			w.set("A4", "其中：社会工作师")
			w.set("A3", "其中:助理社会工作师")
			w.set("A2", "*持证社工总数（人）")
			b.sheet(SheetInfo).set("A3", "*区划代码（6位）")
		}, nil, nil, true},
		{"numbered sheets", func(b *book) {
			rename(b, SheetInfo, "表1 基本信息")
			rename(b, SheetStations, "表2-乡镇街道社工站")
			rename(b, SheetRooms, "附表3：村社区社工室")
			rename(b, SheetFunds, "4.资金投入")
			rename(b, SheetTrainings, "表5　培训")
		}, nil, nil, true},
		{"a sheet named like a contract sheet with more words is unknown", func(b *book) {
			b.sheets = append(b.sheets, &bsheet{name: "培训情况", rows: [][]any{{"培训名称", "学时"}}})
		}, nil, []issueWant{{"培训情况", "", "ingest.sheet.unknown"}}, true},
		{"two sheets with the same contract name", func(b *book) {
			b.sheets = append(b.sheets, &bsheet{name: "表9 培训", rows: b.sheet(SheetTrainings).rows})
		}, []issueWant{{"表9 培训", "", "ingest.sheet.dup"}}, nil, false},
	})
}

func TestNormalisation(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{"驻站社工人数（人）", "驻站社工人数"}, {"机构数(家)", "机构数"}, {"是否建成社工站（是/否）", "是否建成社工站"},
		{"其中：社会工作师", "其中社会工作师"}, {"*区划代码", "区划代码"}, {"乡镇（街道）代码（9位）", "乡镇(街道)代码"},
		{"金额(万元)", "金额(万元)"}, {"金额 （万元）", "金额(万元)"},
	} {
		if !matchName(norm(tc.got), norm(tc.want)) {
			t.Errorf("%q does not match %q", tc.got, tc.want)
		}
	}
	for _, tc := range []struct{ got, want string }{
		{"金额（元）", "金额(万元)"}, {"金额", "金额(万元)"}, {"参训人数", "参训人次"}, {"参训人数（人次）", "参训人次"}, {"资金来源", "资金类别"},
	} {
		if matchName(norm(tc.got), norm(tc.want)) {
			t.Errorf("%q matches %q", tc.got, tc.want)
		}
	}
	for in, want := range map[string]string{"表1 基本信息": "基本信息", "表1-基本信息": "基本信息", "附表2：培训": "培训", "1.培训": "培训", "培训": "培训", "表格": "表格", "12": "12"} {
		if got := sheetNorm(in); got != want {
			t.Errorf("sheetNorm(%q) = %q, want %q", in, got, want)
		}
	}
}

// returns.md (revised): total rows, footers, merged cells, two-level and
// repeated headers, printed key/value layouts, blank optional sheets.
func TestContractLayouts(t *testing.T) {
	runContractCases(t, []contractCase{
		{"total row with its sums before the label", func(b *book) {
			b.sheet(SheetStations).rows = append(b.sheet(SheetStations).rows, []any{nil, nil, nil, nil, nil, 12, 9, 6, 3, "合计"})
		}, nil, nil, true},
		{"total labelled 全区合计 in another column", func(b *book) {
			b.sheet(SheetStations).rows = append(b.sheet(SheetStations).rows, []any{nil, nil, nil, nil, nil, 99, nil, nil, nil, nil, " 全区合计："})
		}, nil, []issueWant{{SheetStations, "F8", "ingest.total.mismatch"}}, true},
		{"小计 and 汇总 rows", func(b *book) {
			s := b.sheet(SheetFunds)
			s.rows = append(s.rows, []any{"小计", nil, 132.5}, []any{nil, "汇总", 162.6234})
			b.sheet(SheetTrainings).rows = append(b.sheet(SheetTrainings).rows, []any{"总合计", nil, 24, 52})
		}, nil, nil, true},
		{"a row with a unit code and 合计 in a note is data", func(b *book) {
			s := b.sheet(SheetFunds)
			s.set("D3", "合计")
		}, nil, nil, false},
		{"footers", func(b *book) {
			s := b.sheet(SheetStations)
			s.rows = append(s.rows, nil, []any{"填表人：张三", nil, "审核人：李四", nil, "负责人：王五"}, []any{"注：本表数据截至2026年9月30日"})
			b.sheet(SheetRooms).rows = append(b.sheet(SheetRooms).rows, []any{"说明：未建成的填否"}, []any{"制表：区民政局"})
		}, nil, nil, true},
		{"a merged yes/no column belongs to every row", func(b *book) {
			s := b.sheet(SheetRooms)
			for r := 4; r <= 9; r++ {
				s.set("E"+itoa(r), nil)
			}
			s.merges = append(s.merges, "E3:E9")
		}, nil, []issueWant{{SheetRooms, "E3", "ingest.merged"}}, true},
		{"a merged required yes/no left empty is an error, never 否", func(b *book) {
			s := b.sheet(SheetStations)
			s.set("C3", nil)
			s.set("C4", nil)
			s.merges = append(s.merges, "C3:C4")
		}, []issueWant{{SheetStations, "C3", "ingest.v.empty"}, {SheetStations, "C4", "ingest.v.empty"}}, nil, false},
		{"two-level header", func(b *book) {
			s := b.sheet(SheetStations)
			h := s.rows[1]
			group := make([]any, len(h))
			sub := make([]any, len(h))
			copy(group, h)
			copy(sub, h)
			group[5], group[6], group[7], group[8] = "驻站社工", nil, "外派社工", nil
			sub[5], sub[6], sub[7], sub[8] = "人数", "其中持证", "人数", "其中持证"
			s.rows = append([][]any{s.rows[0], group, sub}, s.rows[2:]...)
			for _, m := range []string{"A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:G2", "H2:I2", "J2:J3", "K2:K3", "L2:L3"} {
				s.merges = append(s.merges, m)
			}
			for c := 0; c < len(h); c++ {
				if c < 5 || c > 8 {
					sub[c] = nil // merged down: written once
				}
			}
		}, nil, nil, true},
		{"a repeated header row", func(b *book) {
			s := b.sheet(SheetRooms)
			rows := append([][]any{}, s.rows[:20]...)
			rows = append(rows, s.rows[1])
			s.rows = append(rows, s.rows[20:]...)
		}, nil, []issueWant{{SheetRooms, "A21", "ingest.header.repeated"}}, true},
		{"two pairs per row in 基本信息", func(b *book) {
			b.sheet(SheetInfo).rows = [][]any{
				{"虎丘区社工站建设情况季报"},
				{"填报单位", "虎丘区", nil, "区划代码", "320505"},
				{"报告期", "2026Q3", "填报人", nil, "张三"},
				{"联系电话", "0512-12345678", "填报日期", "2026-10-08"},
			}
		}, nil, nil, true},
		{"workforce as a printed form", func(b *book) {
			b.sheet(SheetWorkforce).rows = [][]any{
				{"持证社工总数", 300, "其中：助理社会工作师", 200},
				{"其中：社会工作师", 90, "其中：高级社会工作师", 10},
				{"社会工作服务机构数（家）", 12, "机构全职员工数（人）", 150},
				{"本土督导人数（人）", 8},
				{"填表人：张三"},
			}
		}, nil, nil, true},
		{"a blank optional sheet is as if absent", func(b *book) { b.sheet(SheetProjects).rows = nil }, nil, nil, false},
		{"an optional sheet with only a title is as if absent", func(b *book) {
			s := b.sheet(SheetProjects)
			s.rows = [][]any{{"服务项目"}}
			s.merges = []string{"A1:E1"}
		}, nil, nil, false},
		{"a required sheet left blank is still an error", func(b *book) { b.sheet(SheetFunds).rows = nil },
			[]issueWant{{SheetFunds, "", "ingest.sheet.header"}}, nil, false},
	})
}

// returns.md (revised): number cells exact, formulas' cached values as
// Excel shows them, 12-digit codes for districts, dates in key/value sheets.
func TestContractValues(t *testing.T) {
	runContractCases(t, []contractCase{
		{"a number cell spelled 3.2058310001E+11 is exact", func(b *book) {
			// 320505004200 as Apache POI writes it: the trailing zeros dropped.
			s := b.sheet(SheetRooms)
			for i, r := range s.rows {
				if r != nil && r[0] == "320505004200" {
					s.set("A"+itoa(i+1), rawNumber("3.205050042E+11"))
					return
				}
			}
			panic("no 320505004200")
		}, nil, nil, true},
		{"text 3.20505E+11 has lost digits", func(b *book) { b.sheet(SheetRooms).set("A3", "3.20505E+11") },
			[]issueWant{{SheetRooms, "A3", "ingest.v.precision"}, {SheetRooms, "", "ingest.unit.missing"}}, nil, false},
		{"a formula's 7.000000000000001 is 7", func(b *book) {
			b.sheet(SheetStations).set("F3", rawNumber("4.000000000000001"))
			b.sheet(SheetWorkforce).set("B2", rawNumber("299.99999999999994"))
		}, nil, nil, true},
		{"a 12-digit code ending 000000 is the district", func(b *book) {
			b.sheet(SheetInfo).set("B3", "320505000000")
			b.sheet(SheetFunds).set("A3", 320505000000)
		}, nil, nil, true},
	})
}

// 填报日期 entered as a date is stored as the date shown; a date-typed 报告期
// is quoted as the date, not its serial number.
func TestKeyValueDates(t *testing.T) {
	b := goodBook(suzhou, testDistrict, testPeriod)
	b.sheet(SheetInfo).set("B7", time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC))
	res := check(t, b)
	if !res.OK() || res.Return.FilledOn != "2026-10-08" {
		t.Fatalf("填报日期 read as %q\n%s", res.Return.FilledOn, describe(res.Errors))
	}
	b.sheet(SheetInfo).set("B4", time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC))
	res = check(t, b)
	expectIssues(t, res, []issueWant{{SheetInfo, "B4", "ingest.v.period"}}, nil)
	if len(res.Errors) == 1 {
		if msg := res.Errors[0].Msg.In(locale.ZH); !strings.Contains(msg, "2026-09-30") {
			t.Errorf("message %q does not quote the date as shown", msg)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
