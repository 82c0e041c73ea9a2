package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sgz/locale/keytest"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/gen"
	"sgz/ingest"
	"sgz/ingest/xlsx"
	"sgz/registry"
	"sgz/store"
)

// The fixture: the built-in Suzhou registry and generated returns of every
// district for four quarters, except fixtureLate, which has not sent 2026Q3.
var (
	fixturePeriods = []sgz.Period{sgz.MustPeriod("2025Q4"), sgz.MustPeriod("2026Q1"), sgz.MustPeriod("2026Q2"), sgz.MustPeriod("2026Q3")}
	fixtureLast    = sgz.MustPeriod("2026Q3")
	fixtureLate    = "320507" // 相城区: no 2026Q3 return in the fixture
)

const xssName = `</script><script>alert(1)</script>`

var (
	fixtureOnce sync.Once
	fixtureFile string
	fixtureErr  error
	fixtureDir  string
)

// workbook returns a generated valid return as bytes, edited by fns.
func workbook(t testing.TB, reg *registry.Registry, district string, p sgz.Period, fns ...func(f *excelize.File)) []byte {
	t.Helper()
	f, err := gen.Return(reg, district, p, gen.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, fn := range fns {
		fn(f)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// findCell finds the first cell of a sheet whose text is s.
func findCell(f *excelize.File, sheet, s string) (col, row int, ok bool) {
	rows, err := f.GetRows(sheet)
	if err != nil {
		return 0, 0, false
	}
	for r, cells := range rows {
		for c, v := range cells {
			if v == s {
				return c + 1, r + 1, true
			}
		}
	}
	return 0, 0, false
}

// setBelow / setRight write next to a header or key.
func setRight(f *excelize.File, sheet, key string, v any) {
	c, r, ok := findCell(f, sheet, key)
	if !ok {
		panic("no " + key + " in " + sheet)
	}
	ref, _ := excelize.CoordinatesToCellName(c+1, r)
	f.SetCellValue(sheet, ref, v)
}

func setBelow(f *excelize.File, sheet, header string, n int, v any) string {
	c, r, ok := findCell(f, sheet, header)
	if !ok {
		panic("no " + header + " in " + sheet)
	}
	ref, _ := excelize.CoordinatesToCellName(c, r+n)
	f.SetCellValue(sheet, ref, v)
	return ref
}

func ingestBytes(ctx context.Context, t testing.TB, db *store.DB, name string, data []byte, at time.Time) int64 {
	t.Helper()
	regs := registry.NewCache(db)
	res := ingest.Check(name, data, ingest.Options{Limits: xlsx.DefaultLimits(),
		Registry: func(p sgz.Period) (*registry.Registry, error) { return regs.For(ctx, p) }})
	id, ok, err := ingest.Record(ctx, db, res, "demo", at)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		for _, e := range res.Errors {
			t.Logf("%s %s", e.Where(), e.Msg.In("zh"))
		}
		t.Fatalf("fixture return %s rejected", name)
	}
	return id
}

// buildFixture writes the fixture database once per test run.
func buildFixture(t testing.TB) string {
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sgz-dashboard-")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureDir = dir
		fixtureFile = filepath.Join(dir, "fixture.duckdb")
		ctx := context.Background()
		db, err := store.Open(ctx, fixtureFile)
		if err != nil {
			fixtureErr = err
			return
		}
		defer db.Close()
		if _, err := registry.EnsureDefault(ctx, db); err != nil {
			fixtureErr = err
			return
		}
		reg := registry.Suzhou()
		for _, p := range fixturePeriods {
			for _, d := range reg.OfLevel(sgz.District) {
				if p == fixtureLast && d.Code == fixtureLate {
					continue
				}
				at := time.Date(p.Next().First().Year(), p.Next().First().Month(), 8, 10, 0, 0, 0, sgz.Beijing)
				data := workbook(t, reg, d.Code, p)
				ingestBytes(ctx, t, db, gen.FileName(d.Code, p), data, at)
			}
		}
		// A return whose names are an attempt at script injection (accepted with warnings).
		xss := workbook(t, reg, "320505", fixtureLast, func(f *excelize.File) {
			setRight(f, ingest.SheetInfo, "填报单位", xssName)
			setBelow(f, ingest.SheetStations, "运营机构", 1, xssName)
			setBelow(f, ingest.SheetStations, "乡镇(街道)名称", 1, xssName)
		})
		ingestBytes(ctx, t, db, "xss.xlsx", xss, time.Date(2026, 10, 9, 9, 0, 0, 0, sgz.Beijing))
		fixtureErr = addTestAccounts(ctx, db)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureFile
}

// openCopy opens a private copy of the fixture database.
func openCopy(t testing.TB) *store.DB {
	t.Helper()
	src := buildFixture(t)
	dst := filepath.Join(t.TempDir(), "db.duckdb")
	copyFile(t, src, dst)
	if _, err := os.Stat(src + ".wal"); err == nil {
		copyFile(t, src+".wal", dst+".wal")
	}
	db, err := store.Open(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newTestServer serves a private copy of the fixture (with its accounts,
// see loginAs) at a PublicURL of its own.
func newTestServer(t testing.TB, opt Options) (*httptest.Server, *Server, *store.DB) {
	t.Helper()
	db := openCopy(t)
	ts, s := startServer(t, db, opt)
	return ts, s, db
}

func copyFile(t testing.TB, src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	code := keytest.Run(m, keysElsewhere) // every message key produced (locale/keytest)
	stopBrowser()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

var _ = fmt.Sprint
