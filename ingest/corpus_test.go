package ingest

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The clerk corpus (testdata/clerks): workbooks as clerks make them, each
// point of the revised contract and combinations, with the expected result
// in manifest.json: the same data (so the same indicators) as clean.xlsx, or
// the errors named by sheet and cell. TestClerkCorpus reads only the
// committed files; `go generate ./ingest` writes them again from the cases
// below.

var writeCorpus = flag.Bool("write-corpus", false, "rewrite testdata/clerks from clerkCases")

const corpusDir = "../testdata/clerks"

type corpusIssue struct {
	Sheet string `json:"sheet"`
	Cell  string `json:"cell"`
	Key   string `json:"key"`
}

type corpusEntry struct {
	File     string        `json:"file"`
	What     string        `json:"what"`
	Same     bool          `json:"same_as_clean"` // accepted, with the data of clean.xlsx
	Errors   []corpusIssue `json:"errors"`
	Warnings []corpusIssue `json:"warnings"`
}

type clerkCase struct {
	corpusEntry
	mutate []func(b *book)
}

// Variants as clerks make them (accepted, same data as the clean file).
func hintsAndNumbering(b *book) {
	rename(b, SheetInfo, "表1 基本信息")
	rename(b, SheetStations, "表2-乡镇街道社工站")
	rename(b, SheetRooms, "附表3：村社区社工室")
	s := b.sheet("表2-乡镇街道社工站")
	s.set("C2", "是否建成社工站（是/否）")
	s.set("F2", "驻站社工人数（人）")
	s.set("A2", "*乡镇（街道）代码（9位）")
	b.sheet(SheetTrainings).set("D2", "参训人次（人次）")
	b.sheet(SheetWorkforce).set("A4", "其中：社会工作师")
}

func coverSheet(b *book) {
	b.sheets = append([]*bsheet{{name: "封面", rows: [][]any{{"虎丘区社工站建设情况季报"}}}}, b.sheets...)
}

func twoLevelHeader(b *book) {
	s := b.sheet(SheetStations)
	if s == nil {
		return
	}
	h := s.rows[1]
	group, sub := make([]any, len(h)), make([]any, len(h))
	copy(group, h)
	group[5], group[6], group[7], group[8] = "驻站社工", nil, "外派社工", nil
	sub[5], sub[6], sub[7], sub[8] = "人数", "其中持证", "人数（人）", "其中持证"
	s.rows = append([][]any{s.rows[0], group, sub}, s.rows[2:]...)
	for _, m := range []string{"A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:G2", "H2:I2", "J2:J3", "K2:K3", "L2:L3"} {
		s.merges = append(s.merges, m)
	}
}

func mergedCharityFund(b *book) {
	s := b.sheet(SheetRooms)
	for r := 4; r <= 9; r++ {
		s.set("E"+itoa(r), nil)
	}
	s.merges = append(s.merges, "E3:E9")
}

func totalsAndFooters(b *book) {
	s := b.sheet(SheetFunds)
	s.rows = append(s.rows, []any{nil, nil, 162.6234, "全区合计："})
	b.sheet(SheetRooms).rows = append(b.sheet(SheetRooms).rows, nil, []any{"填表人：张三", nil, "审核人：李四"}, []any{"注：本表数据截至2026年9月30日"})
	b.sheet(SheetTrainings).rows = append(b.sheet(SheetTrainings).rows, []any{"小计", nil, 24, 52})
}

func printedForms(b *book) {
	b.sheet(SheetInfo).rows = [][]any{
		{"虎丘区社工站建设情况季报"},
		{"填报单位", "虎丘区", nil, "区划代码", "320505"},
		{"报告期", "2026Q3", "填报人", "张三"},
		{"联系电话", "0512-12345678", "填报日期", time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)},
	}
	b.sheet(SheetWorkforce).rows = [][]any{
		{"持证社工总数（人）", 300, "其中：助理社会工作师", 200},
		{"其中：社会工作师", 90, "其中：高级社会工作师", 10},
		{"社会工作服务机构数（家）", 12, "机构全职员工数（人）", 150},
		{"本土督导人数（人）", 8},
	}
}

func poiNumbers(b *book) {
	s := b.sheet(SheetRooms)
	for i, r := range s.rows {
		if r != nil && r[0] == "320505004200" {
			s.set("A"+itoa(i+1), rawNumber("3.205050042E+11"))
		}
	}
	b.sheet(SheetStations).set("F3", rawNumber("4.000000000000001"))
	b.sheet(SheetFunds).set("A3", 320505000000)
}

func repeatedHeader(b *book) {
	s := b.sheet(SheetRooms)
	rows := append([][]any{}, s.rows[:20]...)
	rows = append(rows, s.rows[1])
	s.rows = append(rows, s.rows[20:]...)
}

func clerkCases() []clerkCase {
	same := func(file, what string, warns []corpusIssue, fns ...func(*book)) clerkCase {
		return clerkCase{corpusEntry{File: file, What: what, Same: true, Warnings: warns}, fns}
	}
	bad := func(file, what string, errs, warns []corpusIssue, fns ...func(*book)) clerkCase {
		return clerkCase{corpusEntry{File: file, What: what, Errors: errs, Warnings: warns}, fns}
	}
	merged := corpusIssue{SheetRooms, "E3", "ingest.merged"}
	return []clerkCase{
		same("clean.xlsx", "a clean return", nil),
		same("hints-numbering.xlsx", "units and hints in header brackets, numbered sheets, 其中：, a * mark", nil, hintsAndNumbering),
		same("cover.xlsx", "a cover sheet 封面", []corpusIssue{{"封面", "", "ingest.sheet.unknown"}}, coverSheet),
		same("two-level-header.xlsx", "a group header merged over sub-headers", nil, twoLevelHeader),
		same("merged-yesno.xlsx", "是否设立社区慈善基金 merged over seven rows", []corpusIssue{merged}, mergedCharityFund),
		same("totals-footers.xlsx", "total rows (全区合计 after its sum, 小计) and footers", nil, totalsAndFooters),
		same("printed-forms.xlsx", "基本信息 and 人才队伍 with two pairs a row, 填报日期 a date", nil, printedForms),
		same("poi-numbers.xlsx", "codes as Apache POI writes numbers, a formula's 4.000000000000001, a 12-digit district code", nil, poiNumbers),
		same("repeated-header.xlsx", "a header row repeated (blocks pasted together)", []corpusIssue{{SheetRooms, "A21", "ingest.header.repeated"}}, repeatedHeader),
		// Accepted, the optional sheet as if absent (so no project rows).
		{corpusEntry{File: "blank-optional.xlsx", What: "the optional 服务项目 present but blank"}, []func(*book){func(b *book) { b.sheet(SheetProjects).rows = nil }}},
		same("everything.xlsx", "all of the above in one workbook", []corpusIssue{{"封面", "", "ingest.sheet.unknown"}, {SheetRooms, "A21", "ingest.header.repeated"}, merged},
			coverSheet, poiNumbers, twoLevelHeader, mergedCharityFund, totalsAndFooters, printedForms, repeatedHeader),
		bad("persons-not-person-times.xlsx", "参训人数 (persons) in place of 参训人次 (person-times)",
			[]corpusIssue{{SheetTrainings, "", "ingest.col.missing"}}, []corpusIssue{{SheetTrainings, "D2", "ingest.col.unknown"}},
			func(b *book) { b.sheet(SheetTrainings).set("D2", "参训人数") }),
		bad("yuan-not-wan.xlsx", "金额（元） in place of 金额(万元)",
			[]corpusIssue{{SheetFunds, "", "ingest.col.missing"}}, []corpusIssue{{SheetFunds, "C2", "ingest.col.unknown"}},
			func(b *book) { b.sheet(SheetFunds).set("C2", "金额（元）") }),
		bad("merged-empty-required.xlsx", "是否建成社工站 merged empty over two rows",
			[]corpusIssue{{SheetStations, "C3", "ingest.v.empty"}, {SheetStations, "C4", "ingest.v.empty"}}, nil,
			func(b *book) {
				s := b.sheet(SheetStations)
				s.set("C3", nil)
				s.set("C4", nil)
				s.merges = append(s.merges, "C3:C4")
			}),
		bad("pasted-code.xlsx", "a village code pasted from the screen as text 3.20505E+11",
			[]corpusIssue{{SheetRooms, "A3", "ingest.v.precision"}, {SheetRooms, "", "ingest.unit.missing"}}, nil,
			func(b *book) { b.sheet(SheetRooms).set("A3", "3.20505E+11") }),
		bad("two-training-sheets.xlsx", "培训 twice (表5 培训 and 培训)",
			[]corpusIssue{{"培训", "", "ingest.sheet.dup"}}, nil,
			func(b *book) {
				rename(b, SheetTrainings, "表5 培训")
				b.sheets = append(b.sheets, &bsheet{name: "培训", rows: b.sheet("表5 培训").rows})
			}),
		bad("printed-period-date.xlsx", "报告期 typed as a date, printed forms elsewhere",
			[]corpusIssue{{SheetInfo, "B3", "ingest.v.period"}}, nil,
			printedForms, func(b *book) { b.sheet(SheetInfo).set("B3", time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)) }),
	}
}

func TestClerkCorpusWrite(t *testing.T) {
	if !*writeCorpus {
		t.Skip("not a check: it rewrites the clerk corpus testdata/clerks that TestClerkCorpus reads; run go generate ./ingest (or -args -write-corpus) after changing the corpus on purpose")
	}
	os.MkdirAll(corpusDir, 0o755)
	var manifest []corpusEntry
	for _, c := range clerkCases() {
		b := goodBook(suzhou, testDistrict, testPeriod)
		for _, fn := range c.mutate {
			fn(b)
		}
		if err := os.WriteFile(filepath.Join(corpusDir, c.File), b.bytes(t), 0o644); err != nil {
			t.Fatal(err)
		}
		manifest = append(manifest, c.corpusEntry)
	}
	j, _ := json.MarshalIndent(manifest, "", "  ")
	if err := os.WriteFile(filepath.Join(corpusDir, "manifest.json"), append(j, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestClerkCorpus(t *testing.T) {
	j, err := os.ReadFile(filepath.Join(corpusDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest []corpusEntry
	if err := json.Unmarshal(j, &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) < 10 {
		t.Fatalf("%d workbooks in the corpus", len(manifest))
	}
	read := func(name string) *Result {
		b, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return Check(name, b, testOptions())
	}
	clean := read("clean.xlsx")
	if !clean.OK() || len(clean.Warnings) != 0 {
		t.Fatalf("clean.xlsx: %s %s", describe(clean.Errors), describe(clean.Warnings))
	}
	conv := func(list []corpusIssue) []issueWant {
		var out []issueWant
		for _, is := range list {
			out = append(out, issueWant{is.Sheet, is.Cell, is.Key})
		}
		return out
	}
	for _, e := range manifest {
		t.Run(e.File, func(t *testing.T) {
			res := read(e.File)
			expectIssues(t, res, conv(e.Errors), conv(e.Warnings))
			if e.Same {
				if d := sameData(res.Return, clean.Return); d != "" {
					t.Errorf("%s (%s) reads differently from clean.xlsx: %s", e.File, e.What, d)
				}
			}
		})
	}
}
