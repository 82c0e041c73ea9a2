package query

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"sgz/locale"
	"sgz/store"
)

// Workers run the console's queries in child processes, each under a
// memory limit the kernel enforces (RLIMIT_DATA) over a read-only
// snapshot of the database: a query that needs too much memory kills its own
// process, not the server (DuckDB's memory_limit does not bound every
// allocation: docs/sql.md).
type Workers struct {
	// Command starts a worker: a program that runs WorkerMain (default: this
	// executable with the hidden subcommand sql-worker).
	Command []string
	// Env is added to the worker's environment (tests).
	Env []string
}

// workerPool is the server's side of the workers.
type workerPool struct {
	argv []string
	env  []string
	mem  int64 // RLIMIT_DATA of one worker, bytes
	db   *store.DB
	dir  string // snapshots

	mu     sync.Mutex
	snap   *snapshot
	seq    int
	spare  *started // a worker started ahead of need
	closed bool
}

type snapshot struct {
	path  string
	gen   uint64
	refs  int
	stale bool
}

// NewIsolated makes an engine whose queries run in worker processes (see
// Workers) over snapshots of db, which needs no lockdown: analysts' SQL never
// runs in this process. Close removes the snapshots. An in-memory db has no
// file to snapshot: its engine is Setup's, in process.
func NewIsolated(ctx context.Context, db *store.DB, lim Limits, w Workers) (*Engine, error) {
	if db.Path == "" || db.Path == ":memory:" {
		// Nothing to snapshot: queries run in this process, locked down.
		return Setup(ctx, db, lim)
	}
	lim = lim.withDefaults()
	mem, ok := parseSize(lim.MemoryLimit)
	if !ok {
		return nil, locale.Errorf("query.badsize", "memory-limit", lim.MemoryLimit)
	}
	if !validSize(lim.TempLimit) {
		return nil, locale.Errorf("query.badsize", "temp-limit", lim.TempLimit)
	}
	if len(w.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		w.Command = []string{exe, "sql-worker"}
	}
	// Snapshots live next to the database (not in a tmpfs /tmp, which is
	// memory). Those of an earlier server on the same file that did not
	// shut down are garbage: only one process can hold the file.
	prefix := filepath.Join(filepath.Dir(db.Path), ".sgz-sql-snapshots-"+filepath.Base(db.Path)+"-")
	if old, _ := filepath.Glob(prefix + "*"); len(old) > 0 {
		for _, o := range old {
			os.RemoveAll(o)
		}
	}
	dir, err := os.MkdirTemp(filepath.Dir(prefix), filepath.Base(prefix))
	if err != nil {
		return nil, err
	}
	e := &Engine{db: db, lim: lim, sched: newScheduler(lim.Concurrent, lim.PerUser, lim.Queue),
		pool: &workerPool{argv: w.Command, env: w.Env, mem: mem, db: db, dir: dir}}
	return e, nil
}

// Close removes what the engine keeps on disk (snapshots).
func (e *Engine) Close() error {
	if e.pool == nil {
		return nil
	}
	e.pool.close()
	return os.RemoveAll(e.pool.dir)
}

// acquire gives a snapshot holding every write so far.
func (p *workerPool) acquire(ctx context.Context) (*snapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.snap != nil && p.snap.gen == p.db.Generation() {
		p.snap.refs++
		return p.snap, nil
	}
	p.seq++
	path := filepath.Join(p.dir, fmt.Sprintf("snapshot-%d.duckdb", p.seq))
	gen, err := p.db.Snapshot(ctx, path)
	if err != nil {
		return nil, err
	}
	if old := p.snap; old != nil {
		old.stale = true
		if old.refs == 0 {
			removeSnapshot(old.path)
		}
	}
	p.snap = &snapshot{path: path, gen: gen, refs: 1}
	return p.snap, nil
}

func (p *workerPool) release(s *snapshot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.refs--
	if s.stale && s.refs == 0 {
		removeSnapshot(s.path)
	}
}

func removeSnapshot(path string) {
	os.Remove(path)
	os.Remove(path + ".wal")
	os.RemoveAll(path + ".tmp")
}

// started is a worker process waiting for its request on stdin.
type started struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *tailBuffer
}

func (p *workerPool) start() (*started, error) {
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Env = append(workerEnv(os.Environ()), p.env...)
	w := &started{cmd: cmd, stderr: &tailBuffer{max: 4 << 10}}
	cmd.Stderr = w.stderr
	cmd.WaitDelay = 2 * time.Second
	var err error
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if w.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return w, nil
}

// workerEnv keeps of the server's environment what a worker needs: not the
// secrets (session key, OIDC secret, clerk key) the server may have been given
// there.
func workerEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "PATH" || k == "HOME" || k == "TMPDIR" || k == "TZ" || k == "LANG" || strings.HasPrefix(k, "LC_"):
			out = append(out, kv)
		}
	}
	return out
}

// take gives a started worker: the spare one when there is one (a worker
// takes about 0.1 s to start, most of a small query's time), and starts the
// next spare in the background.
func (p *workerPool) take() (*started, error) {
	p.mu.Lock()
	w := p.spare
	p.spare = nil
	closed := p.closed
	p.mu.Unlock()
	if !closed {
		go func() {
			s, err := p.start()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.spare == nil && !p.closed {
				p.spare, s = s, nil
			}
			p.mu.Unlock()
			if s != nil {
				s.stdin.Close() // not needed: it ends on an empty request
				s.cmd.Wait()
			}
		}()
	}
	if w != nil {
		return w, nil
	}
	return p.start()
}

// close stops the spare worker.
func (p *workerPool) close() {
	p.mu.Lock()
	w := p.spare
	p.spare, p.closed = nil, true
	p.mu.Unlock()
	if w != nil {
		w.stdin.Close()
		w.cmd.Process.Kill()
		w.cmd.Wait()
	}
}

// workerRequest is what a worker reads on its standard input.
type workerRequest struct {
	SQL      string `json:"sql"`
	MaxRows  int    `json:"max_rows"`
	Snapshot string `json:"snapshot"`
	Limits   Limits `json:"limits"`
	Memory   int64  `json:"memory"` // RLIMIT_DATA, bytes
}

// workerLine is one line a worker writes on its standard output: the columns,
// then each row, then the end or an error.
type workerLine struct {
	Columns []Column       `json:"columns,omitempty"`
	Row     []any          `json:"row,omitempty"`
	End     *workerEnd     `json:"end,omitempty"`
	Error   *workerFailure `json:"error,omitempty"`
}

type workerEnd struct {
	Truncated bool `json:"truncated"`
}

type workerFailure struct {
	Code string `json:"code"`
	Key  string `json:"key"`
	Args []any  `json:"args"`
}

// run runs one query in a new worker and hands its answer to the callbacks.
// ctx carries the time limit.
func (p *workerPool) run(ctx context.Context, e *Engine, text string, maxRows int, accumulate bool,
	onColumns func([]Column) error, onRow func([]any) error) (bool, error) {
	snap, err := p.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer p.release(snap)
	req, err := json.Marshal(workerRequest{SQL: text, MaxRows: maxRows, Snapshot: snap.path, Limits: e.lim, Memory: p.mem})
	if err != nil {
		return false, err
	}
	w, err := p.take()
	if err != nil {
		return false, err
	}
	stop := context.AfterFunc(ctx, func() { w.cmd.Process.Kill() })
	defer stop()
	_, werr := w.stdin.Write(req)
	w.stdin.Close()
	truncated, readErr, done := p.read(w.stdout, e.lim.MaxResultBytes, accumulate, onColumns, onRow)
	if readErr != nil || !done || werr != nil {
		w.cmd.Process.Kill()
	}
	io.Copy(io.Discard, w.stdout)
	waitErr := w.cmd.Wait()
	stderr := w.stderr
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if readErr != nil {
		var qe *Error
		if errors.As(readErr, &qe) && qe.Code == "memory" {
			// DuckDB's own limit in the worker is half the configured one:
			// name the one the operator set.
			return false, &Error{Code: "memory", Msg: locale.M("query.workermemory", e.lim.MemoryLimit)}
		}
		return false, readErr
	}
	if done {
		return truncated, nil
	}
	// The worker died without a word: the kernel's limit, most likely.
	tail := stderr.String()
	var ee *exec.ExitError
	killed := errors.As(waitErr, &ee) && !ee.Exited()
	if killed || memoryTrouble(tail) {
		return false, &Error{Code: "memory", Msg: locale.M("query.workermemory", e.lim.MemoryLimit)}
	}
	status := "?"
	if waitErr != nil {
		status = waitErr.Error()
	}
	return false, &Error{Code: "internal", Msg: locale.M("query.workerfailed", status, firstLine(tail))}
}

// memoryTrouble says whether a dead worker's last words point to its memory
// limit: the Go runtime's or DuckDB's failed allocations, or a crash inside
// DuckDB after one (under the limit, the usual cause).
func memoryTrouble(stderr string) bool {
	for _, s := range []string{"out of memory", "Out of Memory", "bad_alloc", "cannot allocate memory",
		"SIGSEGV", "SIGABRT", "signal arrived during cgo execution"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// read reads a worker's lines. done is true when the worker said it was
// done (an end or an error line).
func (p *workerPool) read(r io.Reader, maxBytes int64, accumulate bool,
	onColumns func([]Column) error, onRow func([]any) error) (truncated bool, err error, done bool) {
	br := bufio.NewReaderSize(r, 64<<10)
	var total int64
	for {
		line, err := readLine(br, maxBytes)
		if err == io.EOF {
			return false, nil, false
		}
		if err != nil {
			return false, err, false
		}
		total += int64(len(line))
		if accumulate && total > maxBytes {
			return false, &Error{Code: "too_large", Msg: locale.M("query.toolarge", sizeText(maxBytes))}, false
		}
		var l workerLine
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&l); err != nil {
			return false, err, false
		}
		switch {
		case l.Error != nil:
			return false, l.Error.asError(), true
		case l.End != nil:
			return l.End.Truncated, nil, true
		case l.Columns != nil:
			if err := onColumns(l.Columns); err != nil {
				return false, err, false
			}
		default:
			if l.Row == nil {
				l.Row = []any{}
			}
			for i, v := range l.Row {
				l.Row[i] = fromJSON(v)
			}
			if err := onRow(l.Row); err != nil {
				return false, err, false
			}
		}
	}
}

// readLine reads one line of at most max bytes.
func readLine(br *bufio.Reader, max int64) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if int64(len(buf)+len(chunk)) > max {
			return nil, &Error{Code: "too_large", Msg: locale.M("query.toolarge", sizeText(max))}
		}
		buf = append(buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) > 0 {
			return buf, nil
		}
		return buf, err
	}
}

// fromJSON turns whole json.Numbers back into int64 (as a query in this
// process gives them); others stay exact json.Numbers.
func fromJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if !strings.ContainsAny(string(x), ".eE") {
			return x
		}
		if f, err := x.Float64(); err == nil && strconv.FormatFloat(f, 'g', -1, 64) == string(x) {
			return f
		}
		return x
	case []any:
		for i := range x {
			x[i] = fromJSON(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = fromJSON(x[k])
		}
	}
	return v
}

func (f *workerFailure) asError() *Error {
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = fromJSON(a)
	}
	if f.Key == "" {
		f.Key = "query.sql"
	}
	if _, ok := locale.Lookup(f.Key); !ok {
		return &Error{Code: "internal", Msg: locale.M("query.sql", fmt.Sprint(f.Args...))}
	}
	return &Error{Code: f.Code, Msg: locale.M(f.Key, args...)}
}

// tailBuffer keeps the first and the last max/2 bytes written to it (a Go
// crash says why in its first line, then dumps every goroutine).
type tailBuffer struct {
	mu         sync.Mutex
	max        int
	head, tail []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if room := t.max/2 - len(t.head); room > 0 {
		k := min(room, len(p))
		t.head = append(t.head, p[:k]...)
		p = p[k:]
	}
	t.tail = append(t.tail, p...)
	if len(t.tail) > t.max/2 {
		t.tail = append([]byte(nil), t.tail[len(t.tail)-t.max/2:]...)
	}
	return n, nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.head) + string(t.tail)
}

// WorkerMain is a worker's whole life: it reads one request on in, limits
// its own address space, opens the snapshot read-only, locks it down, runs
// the query with the same checks as in the server and writes the answer to
// out as JSON lines. It returns the process's exit code.
func WorkerMain(in io.Reader, out io.Writer) int {
	var req workerRequest
	if err := json.NewDecoder(io.LimitReader(in, 4<<20)).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "sql-worker: bad request:", err)
		return 2
	}
	// Before DuckDB allocates anything: the kernel refuses memory beyond this.
	// RLIMIT_DATA counts every private writable mapping (heap, mmap'd blocks,
	// Go's and DuckDB's allocations alike) but not address space merely
	// reserved: a worker reserves about 1.9 GB of it (Go's runtime, malloc
	// arenas) while using 70 MB, which makes RLIMIT_AS useless as a budget.
	if req.Memory > 0 {
		lim := &syscall.Rlimit{Cur: uint64(req.Memory), Max: uint64(req.Memory)}
		if err := syscall.Setrlimit(syscall.RLIMIT_DATA, lim); err != nil {
			fmt.Fprintln(os.Stderr, "sql-worker: setrlimit:", err)
			return 2
		}
	}
	// Leave the processor to the pages first.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10)
	bw := bufio.NewWriterSize(out, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	fail := func(err error) int {
		qe := AsError(err)
		if qe.Code == "internal" && strings.Contains(err.Error(), "Out of Memory") {
			qe = &Error{Code: "memory"}
		}
		args := qe.Msg.Args
		for i, a := range args {
			switch a.(type) {
			case string, int, int64, float64, bool:
			default:
				args[i] = fmt.Sprint(a)
			}
		}
		enc.Encode(workerLine{Error: &workerFailure{Code: qe.Code, Key: qe.Msg.Key, Args: args}})
		bw.Flush()
		return 0
	}
	ctx := context.Background()
	lim := req.Limits
	// DuckDB's own limit well below the kernel's, so that what DuckDB
	// manages fails with its own message first.
	if req.Memory > 0 {
		lim.MemoryLimit = fmt.Sprintf("%dMB", max(req.Memory/2>>20, 64))
	}
	lim.Threads = 1
	db, err := store.OpenReadOnly(ctx, req.Snapshot)
	if err != nil {
		return fail(err)
	}
	defer db.Close()
	e, err := Setup(ctx, db, lim)
	if err != nil {
		return fail(err)
	}
	info := &Result{}
	err = e.Stream(ctx, req.SQL, req.MaxRows, func(cols []Column) error {
		return enc.Encode(workerLine{Columns: cols})
	}, func(row []any) error {
		return enc.Encode(workerLine{Row: row})
	}, info)
	if err != nil {
		return fail(err)
	}
	enc.Encode(workerLine{End: &workerEnd{Truncated: info.Truncated}})
	if err := bw.Flush(); err != nil {
		return 1
	}
	return 0
}

// parseSize reads a DuckDB size such as 512MB or 1GB (decimal units, as
// DuckDB reads them; KiB, MiB, GiB binary) as bytes.
func parseSize(s string) (int64, bool) {
	if !validSize(s) {
		return 0, false
	}
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}[strings.ToUpper(strings.TrimSpace(s[i:]))]
	return int64(f * mult), true
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}
