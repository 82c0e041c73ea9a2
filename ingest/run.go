package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"sgz"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
	"sgz/review"
	"sgz/store"
)

// Outcome is what happened to one file of a run.
type Outcome struct {
	File     string
	Status   string // accepted | rejected | unchanged (identical to the return that counts: nothing stored)
	ReturnID int64  // 0 when the attempt could not be recorded
	District string
	Period   string
	Errors   []Issue
	Warnings []Issue
}

// RunOptions configure a run.
type RunOptions struct {
	Workers      int // parsers in parallel (default: one per core)
	Source       string
	Limits       xlsx.Limits
	OnlyDistrict string
	// Progress, when set, is called after each file is recorded.
	Progress func(done, total int)
	// Committed, when set, is called with each file's outcome, in the order
	// given, as soon as it is committed (so that after an interruption the
	// output shows what is stored).
	Committed func(Outcome)
	// Now gives receipt times (default time.Now in Beijing).
	Now func() time.Time
}

// Expand turns files and folders into the list of workbooks to ingest:
// folders are walked recursively for *.xlsx (Excel's ~$ lock files skipped).
// A path that does not exist is an error naming it.
func Expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, locale.Errorf("ingest.path", p)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if !d.IsDir() && strings.EqualFold(filepath.Ext(name), ".xlsx") && !strings.HasPrefix(name, "~$") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, locale.Errorf("ingest.walk", p, err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// ReadFile reads a file within the size limit. A file over the limit is not
// read at all: its Result carries the size error.
func ReadFile(path string, lim xlsx.Limits) ([]byte, *Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, locale.Errorf("ingest.path", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if lim.MaxFileSize > 0 && st.Size() > lim.MaxFileSize {
		res := &Result{File: path, Size: st.Size()}
		res.Errors = append(res.Errors, Issue{Severity: Error, Msg: locale.M("ingest.file.toolarge", mib(st.Size()), mib(lim.MaxFileSize))})
		return nil, res, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileSize+1))
	if err != nil {
		return nil, nil, locale.Errorf("ingest.read", path, err)
	}
	return data, nil, nil
}

// Run checks files in parallel (one parser per core) and records them with a
// single writer, in the order given, so that when two files are for the same
// district and period the later one supersedes the earlier. It returns one
// outcome per file; a database error stops the run.
func Run(ctx context.Context, db *store.DB, files []string, opt RunOptions) ([]Outcome, error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if opt.Limits == (xlsx.Limits{}) {
		opt.Limits = xlsx.DefaultLimits()
	}
	if opt.Source == "" {
		opt.Source = "cli"
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return time.Now().In(sgz.Beijing) }
	}
	if _, err := registry.EnsureDefault(ctx, db); err != nil {
		return nil, err
	}
	// Closed periods and approved (locked) returns take no new return.
	locks, err := review.LoadLocks(ctx, db)
	if err != nil {
		return nil, err
	}
	regs := registry.NewCache(db)
	checkOpt := Options{
		Limits:       opt.Limits,
		OnlyDistrict: opt.OnlyDistrict,
		Registry:     func(p sgz.Period) (*registry.Registry, error) { return regs.For(ctx, p) },
	}

	type job struct {
		i   int
		res *Result
		err error // the file could not be read at all (not an attempt)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Files between reading and recording are held in memory: at most
	// `window` of them and at most budgetBytes of file content.
	window := 32 * opt.Workers
	tokens := make(chan struct{}, window)
	budget := newBudget(budgetBytes)
	sizes := make([]int64, len(files))
	next := make(chan int)
	done := make(chan job, window)
	go func() {
		defer close(next)
		for i := range files {
			if st, err := os.Stat(files[i]); err == nil && st.Size() <= opt.Limits.MaxFileSize {
				sizes[i] = st.Size()
			}
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if !budget.take(ctx, sizes[i]) {
				return
			}
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				data, res, err := ReadFile(files[i], opt.Limits)
				if err == nil && res == nil {
					res = Check(files[i], data, checkOpt)
				}
				select {
				case done <- job{i, res, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	outcomes := make([]Outcome, len(files))
	pending := map[int]job{}
	written := 0
	var runErr error
	// record writes the consecutive results that are ready as one batch
	// (one commit); should the batch fail, each file is tried on its own so
	// that one bad write cannot take others with it.
	record := func(batch []job) {
		var results []*Result
		refused := map[int]*locale.Error{}
		for _, j := range batch {
			if j.err != nil {
				continue
			}
			if r := j.res.Return; r != nil && r.Period.Valid() && r.District != "" {
				var le *locale.Error
				if err := locks.Check(r.District, r.Period); errors.As(err, &le) {
					refused[j.i] = le
					continue
				}
			}
			results = append(results, j.res)
		}
		var ids []int64
		if runErr == nil && len(results) > 0 {
			var err error
			ids, err = RecordBatch(ctx, db, results, opt.Source, opt.Now())
			if err != nil {
				ids = make([]int64, len(results))
				for k, r := range results {
					got, err := RecordBatch(ctx, db, []*Result{r}, opt.Source, opt.Now())
					if err != nil {
						runErr = fmt.Errorf("%s: %w", r.File, err)
						cancel()
						break
					}
					ids[k] = got[0]
				}
			}
		}
		k := 0
		for _, j := range batch {
			o := &outcomes[j.i]
			o.File = files[j.i]
			o.Status = "rejected"
			if j.err != nil {
				o.Errors = []Issue{{Severity: Error, Msg: locale.M("ingest.file.open", locale.Say(locale.ZH, j.err))}}
				if ue := (*locale.Error)(nil); errors.As(j.err, &ue) {
					o.Errors[0].Msg = ue.Msg
				}
				continue
			}
			if le := refused[j.i]; le != nil {
				// Not recorded: the period is closed or its return approved.
				o.Errors = []Issue{{Severity: Error, Msg: le.Msg}}
				if r := j.res.Return; r != nil {
					o.District, o.Period = r.District, r.Period.String()
				}
				continue
			}
			if len(ids) > k {
				o.ReturnID = ids[k]
				switch {
				case ids[k] > 0 && j.res.Unchanged != 0:
					o.Status = "unchanged"
				case ids[k] > 0 && j.res.OK():
					o.Status = "accepted"
				}
			}
			k++
			o.Errors, o.Warnings = j.res.Errors, j.res.Warnings
			if r := j.res.Return; r != nil {
				o.District = r.District
				if r.Period.Valid() {
					o.Period = r.Period.String()
				}
			}
		}
	}
	for j := range done {
		pending[j.i] = j
		// Take every result already waiting, so that a batch holds all that
		// is ready rather than one file per commit.
	drain:
		for {
			select {
			case j, ok := <-done:
				if !ok {
					break drain
				}
				pending[j.i] = j
			default:
				break drain
			}
		}
		var batch []job
		for {
			j, ok := pending[written+len(batch)]
			if !ok {
				break
			}
			delete(pending, j.i)
			batch = append(batch, j)
		}
		if len(batch) == 0 {
			continue
		}
		record(batch)
		for _, j := range batch {
			budget.give(sizes[j.i])
			<-tokens
		}
		if opt.Committed != nil && runErr == nil {
			for _, j := range batch {
				opt.Committed(outcomes[j.i])
			}
		}
		written += len(batch)
		if opt.Progress != nil {
			opt.Progress(written, len(files))
		}
	}
	if runErr != nil {
		return outcomes[:written], runErr
	}
	return outcomes, ctx.Err()
}

// budgetBytes bounds the file content held in memory between reading and
// recording, whatever the number of files.
const budgetBytes = 256 << 20

// budget is a counting semaphore over bytes. A single item larger than the
// whole budget still passes when nothing else is held.
type budget struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int64
	max  int64
}

func newBudget(n int64) *budget {
	b := &budget{free: n, max: n}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *budget) take(ctx context.Context, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.free < n && b.free < b.max && ctx.Err() == nil {
		b.cond.Wait()
	}
	b.free -= n
	return ctx.Err() == nil
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.free += n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// PreviouslyBuilt lists the towns and villages that the district's current
// return for period p reported as built (empty when there is none).
func PreviouslyBuilt(ctx context.Context, db *store.DB, district string, p sgz.Period) (map[string]bool, error) {
	// The current return, found without the current_returns view (whose
	// window runs over every return): this runs once per file ingested.
	var id int64
	var sentBack *time.Time
	err := db.QueryRowContext(ctx, `SELECT return_id, sent_back_at FROM returns
		WHERE status = 'accepted' AND district_code = ? AND period = ?
		ORDER BY received_at DESC, return_id DESC LIMIT 1`, district, p.String()).Scan(&id, &sentBack)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sentBack != nil) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `
		SELECT town_code FROM stations WHERE return_id = ? AND built
		UNION ALL
		SELECT village_code FROM rooms WHERE return_id = ? AND built`, id, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		out[code] = true
	}
	return out, rows.Err()
}

// Recheck reads a recorded attempt's original bytes and checks them again
// with today's rules and registry, changing nothing: after a rule change an
// evaluator can see what a stored return would now give.
// regs is shared across calls so that several returns load the registry once.
func Recheck(ctx context.Context, db *store.DB, regs *registry.Cache, returnID int64, lim xlsx.Limits) (*Result, error) {
	var name string
	var data []byte
	err := db.QueryRowContext(ctx, `SELECT r.file_name, f.content FROM returns r JOIN return_files f USING (sha256)
		WHERE r.return_id = ?`, returnID).Scan(&name, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, locale.Errorf("ingest.recheck.none", returnID)
	}
	if err != nil {
		return nil, err
	}
	if lim == (xlsx.Limits{}) {
		lim = xlsx.DefaultLimits()
	}
	return Check(name, data, Options{Limits: lim,
		Registry: func(p sgz.Period) (*registry.Registry, error) { return regs.For(ctx, p) }}), nil
}
