package gen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/ingest"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
)

var suzhou = sync.OnceValue(registry.Suzhou)

func check(t testing.TB, name string, data []byte, reg *registry.Registry) *ingest.Result {
	t.Helper()
	return ingest.Check(name, data, ingest.Options{
		Registry: func(sgz.Period) (*registry.Registry, error) { return reg, nil },
		Limits:   xlsx.DefaultLimits(),
	})
}

func issues(list []ingest.Issue) string {
	var b strings.Builder
	for i, is := range list {
		if i == 20 {
			fmt.Fprintf(&b, "  … %d more\n", len(list)-i)
			break
		}
		fmt.Fprintf(&b, "  %s: %s\n", is.Where(), is.Msg.In(locale.ZH))
	}
	return b.String()
}

func fileBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func streamed(t testing.TB, reg *registry.Registry, d string, p sgz.Period, opt Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteReturn(&buf, reg, d, p, opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var suzhouDistricts = []string{"320505", "320506", "320507", "320508", "320509", "320576", "320581", "320582", "320583", "320585"}

// Generated returns pass the validator with no error, clean or messy,
// cell by cell or streamed.
func TestGeneratedReturnsAreValid(t *testing.T) {
	reg := suzhou()
	periods := []sgz.Period{sgz.MustPeriod("2023Q2"), sgz.MustPeriod("2024Q4"), sgz.MustPeriod("2026Q3")}
	for i, d := range suzhouDistricts {
		for j, p := range periods {
			for _, messy := range []bool{false, true} {
				opt := Options{Seed: int64(7 + i), Messy: messy}
				var data []byte
				if (i+j)%2 == 0 {
					data = streamed(t, reg, d, p, opt)
				} else {
					f, err := Return(reg, d, p, opt)
					if err != nil {
						t.Fatal(err)
					}
					data = fileBytes(t, f)
					f.Close()
				}
				res := check(t, fmt.Sprintf("%s-%s-messy=%v", d, p, messy), data, reg)
				if len(res.Errors) > 0 {
					t.Errorf("%s %s messy=%v: %d errors:\n%s", d, p, messy, len(res.Errors), issues(res.Errors))
				}
				if !messy && len(res.Warnings) > 0 {
					t.Errorf("%s %s clean: %d warnings:\n%s", d, p, len(res.Warnings), issues(res.Warnings))
				}
			}
		}
	}
}

// zeroRows clears the row numbers so that returns laid out differently
// compare equal.
func zeroRows(r *ingest.Return) *ingest.Return {
	c := *r
	c.Stations = append([]ingest.Station(nil), r.Stations...)
	for i := range c.Stations {
		c.Stations[i].Row = 0
	}
	c.Rooms = append([]ingest.Room(nil), r.Rooms...)
	for i := range c.Rooms {
		c.Rooms[i].Row = 0
	}
	c.Funds = append([]ingest.Fund(nil), r.Funds...)
	for i := range c.Funds {
		c.Funds[i].Row = 0
	}
	c.Trainings = append([]ingest.Training(nil), r.Trainings...)
	for i := range c.Trainings {
		c.Trainings[i].Row = 0
	}
	c.Projects = append([]ingest.Project(nil), r.Projects...)
	for i := range c.Projects {
		c.Projects[i].Row = 0
	}
	return &c
}

// A messy return reads to exactly the data of the clean one, and its
// warnings are only those its tolerated oddities call for.
func TestMessyReadsLikeClean(t *testing.T) {
	reg := suzhou()
	allowed := map[string]bool{"ingest.col.unknown": true, "ingest.sheet.unknown": true, "ingest.empty_as_no": true}
	for _, d := range []string{"320505", "320581", "320583"} {
		for _, p := range []sgz.Period{sgz.MustPeriod("2024Q2"), sgz.MustPeriod("2026Q4")} {
			opt := Options{Seed: 42}
			clean := check(t, "clean", streamed(t, reg, d, p, opt), reg)
			opt.Messy = true
			messy := check(t, "messy", streamed(t, reg, d, p, opt), reg)
			if len(clean.Errors)+len(messy.Errors) > 0 {
				t.Fatalf("%s %s: errors\n%s%s", d, p, issues(clean.Errors), issues(messy.Errors))
			}
			for _, w := range messy.Warnings {
				if !allowed[w.Msg.Key] {
					t.Errorf("%s %s messy: unexpected warning %s: %s", d, p, w.Where(), w.Msg.In(locale.ZH))
				}
			}
			a, b := zeroRows(clean.Return), zeroRows(messy.Return)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s %s: messy return reads differently:\nclean %+v\nmessy %+v", d, p, a, b)
			}
		}
	}
}

// rows reads every sheet's cells as excelize shows them.
func rows(t testing.TB, f *excelize.File) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, s := range f.GetSheetList() {
		r, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		out[s] = r
	}
	return out
}

func openBytes(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The same options give the same cells, cell by cell or streamed; another
// seed gives other cells.
func TestDeterministic(t *testing.T) {
	reg := suzhou()
	p := sgz.MustPeriod("2025Q3")
	for _, messy := range []bool{false, true} {
		opt := Options{Seed: 5, Messy: messy}
		f1, err := Return(reg, "320507", p, opt)
		if err != nil {
			t.Fatal(err)
		}
		f2, err := Return(reg, "320507", p, opt)
		if err != nil {
			t.Fatal(err)
		}
		a, b := rows(t, f1), rows(t, f2)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("messy=%v: two runs differ", messy)
		}
		s := rows(t, openBytes(t, streamed(t, reg, "320507", p, opt)))
		if !reflect.DeepEqual(a, s) {
			t.Errorf("messy=%v: streamed cells differ from Return's", messy)
		}
		// Saved and reopened, Return's file has the same cells.
		if r := rows(t, openBytes(t, fileBytes(t, f1))); !reflect.DeepEqual(a, r) {
			t.Errorf("messy=%v: reopened cells differ", messy)
		}
		opt.Seed = 6
		if o := rows(t, openBytes(t, streamed(t, reg, "320507", p, opt))); reflect.DeepEqual(a, o) {
			t.Errorf("messy=%v: seeds 5 and 6 give the same cells", messy)
		}
	}
}

// Coverage only grows: a unit once built stays built with the same date,
// on or before the period's end; standard and charity flags only grow too.
// At the plan's start about 35% are built, at Full nearly all.
func TestCoverageGrows(t *testing.T) {
	reg := suzhou()
	opt := Options{Seed: 11}.norm()
	type seen struct {
		on                time.Time
		standard, charity bool
	}
	for _, d := range suzhouDistricts {
		last := map[string]seen{}
		for i := opt.Start.Index() - 13; i <= opt.Full.Index()+8; i++ {
			p := sgz.PeriodOfIndex(i)
			w := newWriter(nil, reg, mustUnit(t, reg, d), p, opt, false)
			units := append(append([]*registry.Unit(nil), w.towns...), w.vills...)
			built := 0
			for _, u := range units {
				st := w.sch.state(opt.Seed, u.Code, i)
				prev, was := last[u.Code]
				switch {
				case was && !st.built:
					t.Fatalf("%s %s: %s built before, not now", d, p, u.Code)
				case was && !st.builtOn.Equal(prev.on):
					t.Fatalf("%s %s: %s build date moved from %v to %v", d, p, u.Code, prev.on, st.builtOn)
				case st.built && st.builtOn.Format("2006-01-02") > p.Last().Format("2006-01-02"):
					t.Fatalf("%s %s: %s built on %v, after the period", d, p, u.Code, st.builtOn)
				case was && (prev.standard && !st.standard || prev.charity && !st.charity):
					t.Fatalf("%s %s: %s lost a flag", d, p, u.Code)
				}
				if st.built {
					built++
					last[u.Code] = seen{st.builtOn, st.standard, st.charity}
				}
			}
			share := float64(built) / float64(len(units))
			switch {
			case i == opt.Start.Index()-13 && built != 0:
				t.Errorf("%s %s: %d built before the plan", d, p, built)
			case i == opt.Start.Index() && (share < 0.2 || share > 0.5):
				t.Errorf("%s %s (start): coverage %.2f, want about 0.35", d, p, share)
			case i == opt.Full.Index()+8 && built != len(units):
				t.Errorf("%s %s: coverage %.2f two years after Full", d, p, share)
			}
		}
	}
}

func mustUnit(t testing.TB, reg *registry.Registry, code string) *registry.Unit {
	u, ok := reg.Unit(code)
	if !ok {
		t.Fatal("no unit", code)
	}
	return u
}

// What the validator reads from a year of Suzhou returns is of Suzhou's
// magnitude, and the districts' coverage at Full is 100% but for a few.
func TestSuzhouMagnitudes(t *testing.T) {
	reg := suzhou()
	opt := Options{Seed: 1}
	var gov, charity, certified int64
	full, lagging := 0, 0
	for _, d := range suzhouDistricts {
		for q := 1; q <= 4; q++ {
			p := sgz.Period{Year: 2026, Quarter: q}
			res := check(t, d+p.String(), streamed(t, reg, d, p, opt), reg)
			if len(res.Errors) > 0 {
				t.Fatalf("%s %s:\n%s", d, p, issues(res.Errors))
			}
			r := res.Return
			for _, f := range r.Funds {
				switch f.Category {
				case ingest.FundGov:
					gov += f.Amount
				case ingest.FundCharity:
					charity += f.Amount
				}
			}
			for _, s := range r.Stations {
				if s.Built && (s.Resident < 1 || s.Resident > 6) {
					t.Errorf("%s %s %s: %d resident workers", d, p, s.Code, s.Resident)
				}
			}
			if q == 4 {
				certified += r.Workforce.CertifiedTotal
			}
			if p == DefaultFull {
				built := 0
				for _, s := range r.Stations {
					if s.Built {
						built++
					}
				}
				if built == len(r.Stations) {
					full++
				} else {
					lagging++
				}
			}
		}
	}
	t.Logf("2026: government purchase %.1f 万元, charity %.1f 万元; certified %d; at Full %d districts at 100%%, %d lagging",
		float64(gov)/1e4, float64(charity)/1e4, certified, full, lagging)
	if g := gov / 10000; g < 3800 || g > 5600 {
		t.Errorf("government purchase %d 万元 a year, want about 4,700", g)
	}
	if c := charity / 10000; c < 4100 || c > 6100 {
		t.Errorf("charity %d 万元 a year, want about 5,100", c)
	}
	if certified < 15000 || certified > 21000 {
		t.Errorf("certified social workers %d, want about 18,000", certified)
	}
	if full < 5 {
		t.Errorf("only %d of 10 districts have every station at Full", full)
	}
}

// The template lists the district's units, carries the contract's headers,
// comments and drop-downs, and fails validation only on the cells a clerk
// must fill.
func TestTemplate(t *testing.T) {
	reg := suzhou()
	p := sgz.MustPeriod("2026Q3")
	f, err := Template(reg, "320505", p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []string
	for _, s := range ingest.Sheets {
		want = append(want, s.Name)
	}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	towns, vills := scope(reg, "320505")
	if len(towns) != 5 || len(vills) != 53 {
		t.Fatalf("scope of 320505: %d towns, %d villages", len(towns), len(vills))
	}
	all := rows(t, f)
	for _, s := range ingest.Sheets {
		r := all[s.Name]
		if title := r[0][0]; title != "虎丘区 2026年第3季度 "+s.Name {
			t.Errorf("%s: title %q", s.Name, title)
		}
		if s.KeyValue {
			for i, c := range s.Columns {
				if r[2+i][0] != c.Header {
					t.Errorf("%s!A%d = %q, want %q", s.Name, 3+i, r[2+i][0], c.Header)
				}
			}
			continue
		}
		for i, c := range s.Columns {
			if r[1][i] != c.Header {
				t.Errorf("%s: header %d %q, want %q", s.Name, i, r[1][i], c.Header)
			}
		}
		panes, _ := f.GetPanes(s.Name)
		if !panes.Freeze || panes.YSplit != 2 {
			t.Errorf("%s: header not frozen: %+v", s.Name, panes)
		}
		dvs, _ := f.GetDataValidations(s.Name)
		lists := 0
		for _, dv := range dvs {
			if dv.Type == "list" {
				lists++
			}
		}
		wantLists := 0
		for _, c := range s.Columns {
			if c.Kind == ingest.YesNo || c.Kind == ingest.Choice {
				wantLists++
			}
		}
		if lists != wantLists {
			t.Errorf("%s: %d drop-downs, want %d", s.Name, lists, wantLists)
		}
		comments, _ := f.GetComments(s.Name)
		if len(comments) == 0 {
			t.Errorf("%s: no header comments", s.Name)
		}
	}
	info := all[ingest.SheetInfo]
	if info[2][1] != "虎丘区" || info[3][1] != "320505" || info[4][1] != "2026Q3" {
		t.Errorf("基本信息 prefilled as %q", info[2:5])
	}
	for i, u := range towns {
		if r := all[ingest.SheetStations][2+i]; len(r) != 2 || r[0] != u.Code || r[1] != u.Name {
			t.Errorf("station row %d: %q, want %s %s", 3+i, r, u.Code, u.Name)
		}
	}
	for i, u := range vills {
		if r := all[ingest.SheetRooms][2+i]; len(r) != 2 || r[0] != u.Code || r[1] != u.Name {
			t.Errorf("room row %d: %q, want %s %s", 3+i, r, u.Code, u.Name)
		}
	}
	// Codes are text cells in a text column; dates are formatted yyyy-mm-dd.
	if typ, _ := f.GetCellType(ingest.SheetRooms, "A3"); typ != excelize.CellTypeSharedString {
		t.Errorf("room code cell type %v, want a string", typ)
	}
	for _, c := range []struct{ sheet, cell, fmt string }{
		{ingest.SheetRooms, "A3", "@"}, {ingest.SheetStations, "A40", "@"}, {ingest.SheetStations, "D3", "yyyy-mm-dd"},
		{ingest.SheetTrainings, "B50", "yyyy-mm-dd"}, {ingest.SheetFunds, "A10", "@"},
	} {
		id, err := f.GetCellStyle(c.sheet, c.cell)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := f.GetStyle(id)
		got := ""
		if st != nil && st.CustomNumFmt != nil {
			got = *st.CustomNumFmt
		} else if st != nil && st.NumFmt == 49 {
			got = "@"
		}
		if got != c.fmt {
			t.Errorf("%s!%s: format %q, want %q", c.sheet, c.cell, got, c.fmt)
		}
	}
	// Validation: one "required" error per unit row (是否建成) and per
	// 人才队伍 value, nothing else.
	res := check(t, "template", fileBytes(t, f), reg)
	wantErr := map[string]bool{}
	for i := range towns {
		wantErr[fmt.Sprintf("%s!C%d", ingest.SheetStations, 3+i)] = true
	}
	for i := range vills {
		wantErr[fmt.Sprintf("%s!C%d", ingest.SheetRooms, 3+i)] = true
	}
	for i := range ingest.WorkforceSheet.Columns {
		wantErr[fmt.Sprintf("%s!B%d", ingest.SheetWorkforce, 3+i)] = true
	}
	if len(res.Errors) != len(wantErr) {
		t.Errorf("%d errors, want %d:\n%s", len(res.Errors), len(wantErr), issues(res.Errors))
	}
	for _, e := range res.Errors {
		if e.Msg.Key != "ingest.v.empty" || !wantErr[e.Where()] {
			t.Errorf("unexpected error %s: %s", e.Where(), e.Msg.In(locale.ZH))
		}
	}
	for _, w := range res.Warnings {
		if w.Msg.Key != "ingest.empty_as_no" {
			t.Errorf("unexpected warning %s: %s", w.Where(), w.Msg.In(locale.ZH))
		}
	}

	if _, err := Template(reg, "320500", p); err == nil {
		t.Error("an unknown district gave a template")
	} else if le, ok := err.(*locale.Error); !ok || le.Key != "gen.district" || !strings.Contains(le.In(locale.EN), "320500") {
		t.Errorf("unknown district: %v", err)
	}
	if _, err := Template(reg, "320505001", p); err == nil {
		t.Error("a town code gave a template")
	}
}

// fixtureErrors are the errors README.md lists for the ExcelJS fixture.
var fixtureErrors = []string{
	"乡镇街道社工站!C4 ingest.v.yesno",
	"乡镇街道社工站!G5 ingest.cert.exceeds",
	"乡镇街道社工站!D6 ingest.built.future",
	"村社区社工室!D10 ingest.v.date",
	"村社区社工室!A12 ingest.unit.other",
	"村社区社工室 ingest.unit.missing",
	"资金投入!C4 ingest.v.decimals",
	"培训!D4 ingest.v.positive",
	"人才队伍!B3 ingest.workforce.sum",
}

// Returns written by ExcelJS (testdata/fixtures) read as README.md says.
func TestFixtures(t *testing.T) {
	reg := suzhou()
	read := func(name string) *ingest.Result {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "fixtures", name))
		if err != nil {
			t.Fatal(err)
		}
		return check(t, name, data, reg)
	}
	var clean *ingest.Return
	for _, name := range []string{"320505-2026Q3-exceljs-clean.xlsx", "320505-2026Q3-exceljs-1904.xlsx"} {
		res := read(name)
		if len(res.Errors)+len(res.Warnings) > 0 {
			t.Errorf("%s:\n%s%s", name, issues(res.Errors), issues(res.Warnings))
			continue
		}
		r := res.Return
		if len(r.Stations) != 5 || len(r.Rooms) != 53 || len(r.Funds) != 6 || len(r.Trainings) != 3 || len(r.Projects) != 2 {
			t.Errorf("%s: read %d stations, %d rooms, %d funds, %d trainings, %d projects", name,
				len(r.Stations), len(r.Rooms), len(r.Funds), len(r.Trainings), len(r.Projects))
		}
		if got := r.Stations[0].BuiltOn.Format("2006-01-02"); got != "2022-03-10" {
			t.Errorf("%s: first station built %s, want 2022-03-10", name, got)
		}
		if r.Funds[1].Amount != 123456 {
			t.Errorf("%s: 资金投入 row 4 amount %d, want 123456 (12.3456 万元)", name, r.Funds[1].Amount)
		}
		if clean == nil {
			clean = zeroRows(r)
		} else if !reflect.DeepEqual(clean, zeroRows(r)) {
			t.Errorf("%s reads differently from the clean fixture", name)
		}
	}
	res := read("320505-2026Q3-exceljs-errors.xlsx")
	var got []string
	for _, e := range res.Errors {
		got = append(got, strings.TrimSpace(e.Where()+" "+e.Msg.Key))
	}
	sort.Strings(got)
	want := append([]string(nil), fixtureErrors...)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors fixture:\n got %q\nwant %q\n%s", got, want, issues(res.Errors))
	}
	if len(res.Warnings) > 0 {
		t.Errorf("errors fixture warnings:\n%s", issues(res.Warnings))
	}
}

// WriteSet writes every (district, period) once, named as FileName.
func TestWriteSet(t *testing.T) {
	reg := suzhou()
	dir := t.TempDir()
	periods := []sgz.Period{sgz.MustPeriod("2026Q2"), sgz.MustPeriod("2026Q3")}
	paths, err := WriteSet(dir, reg, []string{"320505", "320508"}, periods, Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"320505-2026Q2.xlsx", "320505-2026Q3.xlsx", "320508-2026Q2.xlsx", "320508-2026Q3.xlsx"}
	for i, p := range paths {
		if filepath.Base(p) != want[i] {
			t.Errorf("path %d: %s, want %s", i, p, want[i])
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if res := check(t, p, data, reg); len(res.Errors) > 0 {
			t.Errorf("%s:\n%s", p, issues(res.Errors))
		}
	}
	if _, err := WriteSet(dir, reg, []string{"999999"}, periods, Options{}); err == nil {
		t.Error("an unknown district was written")
	}
}

// BenchmarkWriteReturn streams the largest Suzhou return (常熟市, 356 rooms).
func BenchmarkWriteReturn(b *testing.B) {
	reg := suzhou()
	p := sgz.MustPeriod("2026Q3")
	var n int64
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteReturn(&buf, reg, "320581", p, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
		n = int64(buf.Len())
	}
	b.SetBytes(n)
}
