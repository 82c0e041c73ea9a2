package gen

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/xuri/excelize/v2"

	"sgz"
	"sgz/locale"
	"sgz/registry"
)

func init() {
	locale.Add(map[string]locale.Text{
		"gen.district": {"区划代码 %s 不是区划名录中的区（县、县级市）", "%s is not a district (区/县/县级市) of the registry"},
		"gen.period":   {"报告期 %s 无效", "invalid period %s"},
	})
}

func district(reg *registry.Registry, code string) (*registry.Unit, error) {
	d, ok := reg.Unit(code)
	if !ok || d.Level != sgz.District {
		return nil, locale.Errorf("gen.district", code)
	}
	return d, nil
}

// Template is the blank return of a district for period p: every sheet of
// ingest.Sheets in order, each table under a title row with a frozen,
// commented header row and drop-downs over its data rows; the station and
// room sheets list every in-scope town and village (code and name), 基本信息
// has the district's name, code and the period, 人才队伍 its keys.
func Template(reg *registry.Registry, district string, p sgz.Period) (*excelize.File, error) {
	return build(reg, district, p, Options{}, true, false)
}

// Return is a filled, valid return of a district for period p, as an
// ordinary excelize File (readable and editable). The same arguments give
// the same cells every time.
func Return(reg *registry.Registry, district string, p sgz.Period, opt Options) (*excelize.File, error) {
	return build(reg, district, p, opt, false, false)
}

// WriteReturn writes what Return makes, through excelize's StreamWriter:
// the fast path for large sets.
func WriteReturn(w io.Writer, reg *registry.Registry, district string, p sgz.Period, opt Options) error {
	f, err := build(reg, district, p, opt, false, true)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Write(w)
}

func build(reg *registry.Registry, code string, p sgz.Period, opt Options, blank, stream bool) (*excelize.File, error) {
	d, err := district(reg, code)
	if err != nil {
		return nil, err
	}
	if !p.Valid() {
		return nil, locale.Errorf("gen.period", p.String())
	}
	b, err := newBook(stream)
	if err != nil {
		return nil, err
	}
	if err := newWriter(b, reg, d, p, opt, blank).write(); err != nil {
		b.f.Close()
		return nil, err
	}
	return b.f, nil
}

// FileName is the name WriteSet gives a return: "320505-2026Q3.xlsx".
func FileName(district string, p sgz.Period) string { return district + "-" + p.String() + ".xlsx" }

// WriteSet writes one return per district and period into dir (created if
// need be) as FileName, on all cores, and returns the paths in the order of
// districts, then periods.
func WriteSet(dir string, reg *registry.Registry, districts []string, periods []sgz.Period, opt Options) ([]string, error) {
	for _, c := range districts {
		if _, err := district(reg, c); err != nil {
			return nil, err
		}
	}
	for _, p := range periods {
		if !p.Valid() {
			return nil, locale.Errorf("gen.period", p.String())
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	type job struct {
		i        int
		district string
		p        sgz.Period
	}
	paths := make([]string, len(districts)*len(periods))
	jobs := make(chan job)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	workers := min(runtime.GOMAXPROCS(0), len(paths))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				path := filepath.Join(dir, FileName(j.district, j.p))
				err := writeFile(path, reg, j.district, j.p, opt)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				paths[j.i] = path
				mu.Unlock()
			}
		}()
	}
	i := 0
	for _, d := range districts {
		for _, p := range periods {
			mu.Lock()
			stop := firstErr != nil
			mu.Unlock()
			if stop {
				break
			}
			jobs <- job{i, d, p}
			i++
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return paths, nil
}

func writeFile(path string, reg *registry.Registry, district string, p sgz.Period, opt Options) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := WriteReturn(bw, reg, district, p, opt); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
