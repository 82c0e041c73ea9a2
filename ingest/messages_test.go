package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sgz"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
)

// Messages that the rule table of check_test.go does not reach: each made by
// the smallest workbook or option that causes it, at its sheet and cell.
func TestRarerMessages(t *testing.T) {
	type want struct{ sheet, cell, key string }
	cases := []struct {
		name   string
		mutate func(b *book)
		opt    func(o *Options)
		errs   []want // expected among the errors
		warns  []want // expected among the warnings
	}{
		{name: "key given twice", mutate: func(b *book) { s := b.sheet(SheetInfo); s.rows = append(s.rows, []any{"填报人", "李四"}) },
			errs: []want{{SheetInfo, "A8", "ingest.key.dup"}}},
		{name: "sheet twice, once with a numbering prefix", mutate: func(b *book) {
			b.sheets = append(b.sheets, &bsheet{name: "表1 基本信息", rows: b.sheet(SheetInfo).rows})
		}, errs: []want{{"表1 基本信息", "", "ingest.sheet.dup"}}},
		{name: "built before 2000", mutate: func(b *book) { b.sheet(SheetStations).set("D3", "1999-12-31") },
			warns: []want{{SheetStations, "D3", "ingest.built.early"}}},
		{name: "over 100 workers at a station", mutate: func(b *book) { b.sheet(SheetStations).set("H3", 101) },
			warns: []want{{SheetStations, "H3", "ingest.warn.large"}}},
		{name: "over 1 亿 in one fund row", mutate: func(b *book) { b.sheet(SheetFunds).set("C3", "100000001") },
			warns: []want{{SheetFunds, "C3", "ingest.warn.large"}}},
		{name: "training over 500 hours", mutate: func(b *book) { b.sheet(SheetTrainings).set("C3", 501) },
			warns: []want{{SheetTrainings, "C3", "ingest.warn.large"}}},
		{name: "over 20000 certified workers", mutate: func(b *book) {
			s := b.sheet(SheetWorkforce)
			s.set("B2", 30000)
			s.set("B3", 29900)
		}, warns: []want{{SheetWorkforce, "B2", "ingest.warn.large"}}},
		{name: "code in scientific notation", mutate: func(b *book) { b.sheet(SheetStations).set("A3", "3.20505E+08") },
			errs: []want{{SheetStations, "A3", "ingest.v.precision"}}},
		{name: "count beyond 32 bits", mutate: func(b *book) { b.sheet(SheetStations).set("F3", 3000000000) },
			errs: []want{{SheetStations, "F3", "ingest.v.toolarge"}}},
		{name: "no registry", opt: func(o *Options) { o.Registry = nil },
			errs: []want{{"", "", "ingest.registry.none"}}},
		{name: "no registry for the period", opt: func(o *Options) {
			o.Registry = func(sgz.Period) (*registry.Registry, error) { return nil, nil }
		}, errs: []want{{"", "", "ingest.registry.none"}}},
		{name: "a bug of ours", opt: func(o *Options) {
			o.Registry = func(sgz.Period) (*registry.Registry, error) { panic("boom") }
		}, errs: []want{{"", "", "ingest.internal"}}},
		{name: "too many errors", opt: func(o *Options) { o.MaxIssues = 2 }, mutate: func(b *book) {
			s := b.sheet(SheetStations)
			s.set("C3", "x")
			s.set("C4", "x")
			s.set("C5", "x")
		}, errs: []want{{"", "", "ingest.too_many"}}},
		{name: "too many warnings", opt: func(o *Options) { o.MaxIssues = 1 }, mutate: func(b *book) {
			s := b.sheet(SheetStations)
			s.set("D3", "1999-01-01")
			s.set("H3", 101)
		}, warns: []want{{"", "", "ingest.too_many_warnings"}}},
		{name: "file over the size limit", opt: func(o *Options) { o.Limits.MaxFileSize = 1000 },
			errs: []want{{"", "", "ingest.file.toolarge"}}},
		{name: "part inflating over the limit", opt: func(o *Options) { o.Limits.MaxPartSize = 2000 },
			errs: []want{{"", "", "ingest.file.zipbomb"}}},
		{name: "sheet over the row limit", opt: func(o *Options) { o.Limits.MaxRows = 3 },
			errs: []want{{"*", "", "ingest.file.rows"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := goodBook(suzhou, testDistrict, testPeriod)
			if tc.mutate != nil {
				tc.mutate(b)
			}
			opt := testOptions()
			if tc.opt != nil {
				tc.opt(&opt)
			}
			res := Check("test.xlsx", b.bytes(t), opt)
			find := func(kind string, got []Issue, ws []want) {
				for _, w := range ws {
					found := false
					for _, g := range got {
						if g.Msg.Key == w.key && (w.sheet == "*" || g.Sheet == w.sheet) && g.Cell == w.cell {
							found = true
							if s := g.Msg.In(locale.EN); s == "" || strings.HasPrefix(s, w.key) {
								t.Errorf("%s: no English sentence: %q", w.key, s)
							}
						}
					}
					if !found {
						t.Errorf("%s: no %s %s!%s; got:\n%s", kind, w.key, w.sheet, w.cell, describe(got))
					}
				}
			}
			find("errors", res.Errors, tc.errs)
			find("warnings", res.Warnings, tc.warns)
			if len(tc.errs) > 0 && res.OK() {
				t.Error("accepted despite errors")
			}
			if len(tc.errs) == 0 && !res.OK() {
				t.Errorf("refused:\n%s", describe(res.Errors))
			}
		})
	}
}

// The errors of Run and Recheck that come from the files and folders given.
func TestRunFileMessages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// A folder given where a file is read: it opens but cannot be read.
	if _, _, err := ReadFile(dir, xlsx.DefaultLimits()); err == nil || err.(*locale.Error).Key != "ingest.read" {
		t.Errorf("reading a folder: %v", err)
	}
	// A file over the size limit is not read at all.
	big := filepath.Join(dir, "big.xlsx")
	if err := os.WriteFile(big, make([]byte, 5000), 0o644); err != nil {
		t.Fatal(err)
	}
	data, res, err := ReadFile(big, xlsx.Limits{MaxFileSize: 1000})
	if err != nil || data != nil || res == nil || len(res.Errors) != 1 || res.Errors[0].Msg.Key != "ingest.file.toolarge" {
		t.Errorf("oversized file: %v %v", res, err)
	}
	// Run: a name that cannot be opened is an outcome, not a failure.
	db := openDB(t)
	gone := filepath.Join(dir, "gone.xlsx")
	good := writeFile(t, dir, "sub/good.xlsx", goodBook(suzhou, testDistrict, testPeriod).bytes(t))
	if err := os.Chmod(good, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Run(ctx, db, []string{good, gone}, RunOptions{})
	if err == nil && len(out) == 2 {
		if out[1].Status != "rejected" || len(out[1].Errors) != 1 {
			t.Errorf("missing file: %+v", out[1])
		}
	}
	// Recheck of a return that was never recorded.
	if _, err := Recheck(ctx, db, registry.NewCache(db), 999, xlsx.Limits{}); err == nil || err.(*locale.Error).Key != "ingest.recheck.none" {
		t.Errorf("recheck of nothing: %v", err)
	}
}

// A registry stored in the database is taken as it is: a unit whose level
// does not fit where the return lists it (an operator's edit of
// registry_units) is an error at that cell, not a crash or a silent count.
func TestUnitOfAnotherLevel(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := registry.Save(ctx, db, suzhou, registry.BasePeriod, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE registry_units SET level = 'village' WHERE code = '320505001'`); err != nil {
		t.Fatal(err)
	}
	regs := registry.NewCache(db)
	opt := testOptions()
	opt.Registry = func(p sgz.Period) (*registry.Registry, error) { return regs.For(ctx, p) }
	res := Check("test.xlsx", goodBook(suzhou, testDistrict, testPeriod).bytes(t), opt)
	found := false
	for _, e := range res.Errors {
		if e.Msg.Key == "ingest.unit.level" && e.Sheet == SheetStations && e.Cell == "A3" {
			found = true
			if got := e.Msg.In(locale.ZH); !strings.Contains(got, "320505001") {
				t.Errorf("message %q does not name the code", got)
			}
		}
	}
	if !found || res.OK() {
		t.Errorf("no ingest.unit.level at %s!A3:\n%s", SheetStations, describe(res.Errors))
	}
}

// The exact edges of the rules that mean a wrong count or a missed error:
// the issue cap lists exactly MaxIssues then one summary; 20,000 certified
// workers is not yet "large"; a TRUE typed in a count or money cell is not
// a number.
func TestRuleEdges(t *testing.T) {
	b := goodBook(suzhou, testDistrict, testPeriod)
	s := b.sheet(SheetStations)
	s.set("C3", "x")
	s.set("C4", "x")
	s.set("C5", "x")
	opt := testOptions()
	opt.MaxIssues = 2
	res := Check("test.xlsx", b.bytes(t), opt)
	if n := len(res.Errors); n != 3 || res.Errors[2].Msg.Key != "ingest.too_many" || res.Errors[2].Msg.In(locale.EN) != "too many errors: the first 2 of 3 are listed" {
		t.Errorf("%d errors:\n%s", n, describe(res.Errors))
	}
	opt.MaxIssues = 3 // exactly as many as there are: no summary
	if res := Check("test.xlsx", b.bytes(t), opt); len(res.Errors) != 3 || res.Errors[2].Msg.Key == "ingest.too_many" {
		t.Errorf("at the cap:\n%s", describe(res.Errors))
	}

	b = goodBook(suzhou, testDistrict, testPeriod)
	w := b.sheet(SheetWorkforce)
	w.set("B2", 20000)
	w.set("B3", 19900)
	if res := check(t, b); !res.OK() || len(res.Warnings) != 0 {
		t.Errorf("20000 certified workers:\n%s\n%s", describe(res.Errors), describe(res.Warnings))
	}

	for _, c := range []struct{ sheet, cell, key string }{
		{SheetStations, "F3", "ingest.v.int"},
		{SheetFunds, "C3", "ingest.v.number"},
	} {
		b := goodBook(suzhou, testDistrict, testPeriod)
		b.sheet(c.sheet).set(c.cell, true)
		res := check(t, b)
		if len(res.Errors) == 0 || res.Errors[0].Cell != c.cell || res.Errors[0].Msg.Key != c.key {
			t.Errorf("TRUE in %s!%s:\n%s", c.sheet, c.cell, describe(res.Errors))
		}
	}
}

// The numbers inside messages, and a money cell stored as a binary number
// (0.1+0.2 is 0.30000000000000004 in the file) read as the 0.3 a clerk typed.
func TestNumbersInMessagesAndMoneyCells(t *testing.T) {
	if got := mib(3 << 20); got != "3.0 MB" {
		t.Errorf("mib: %q", got)
	}
	b := goodBook(suzhou, testDistrict, testPeriod)
	b.sheet(SheetWorkforce).set("B3", 201)
	res := check(t, b)
	if len(res.Errors) != 1 || res.Errors[0].Msg.In(locale.EN) != "the three grades add up to 301, but the certified total is 300" {
		t.Errorf("workforce sum:\n%s", describe(res.Errors))
	}
	b = goodBook(suzhou, testDistrict, testPeriod)
	tenth, fifth := 0.1, 0.2 // variables: Go would add the constants exactly
	b.sheet(SheetFunds).set("C3", tenth+fifth)
	res = check(t, b)
	if !res.OK() || res.Return.Funds[0].Amount != 3000 {
		t.Errorf("0.1+0.2 as a number:\n%s\n%+v", describe(res.Errors), res.Return)
	}
}
