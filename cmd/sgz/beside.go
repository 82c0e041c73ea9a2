package main

// Commands beside a running server (docs/operations.md). DuckDB lets one
// process open a database file; while `sgz serve` holds it, every other
// command given the same --db is forwarded, whole, to the server over a
// Unix socket next to the database, and runs there in-process against the
// server's open database: the same code, so the same results. The server
// streams back standard output, standard error and the exit code.
//
// The hook is one place: the root command's PersistentPreRunE (forward).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"sgz/locale"
	"sgz/store"
)

// besideCommands are the top-level commands that are forwarded to a
// server holding their --db. The others either need no database (version,
// generate), are servers themselves (serve, demo, sql-worker), or must not
// run beside one (restore).
var besideCommands = map[string]bool{
	"ingest": true, "query": true, "indicators": true, "assess": true, "export": true, "template": true,
	"registry": true, "user": true, "token": true, "audit": true, "review": true, "period": true,
	"brief": true, "recheck": true, "backup": true,
}

// pathFlags are the flags naming files, resolved against the client's
// working directory when a command runs in the server ("-" is standard
// output and stays).
var pathFlags = map[string]bool{"output": true, "config": true, "parquet": true, "copy": true}

// pathArgsAnnotation marks a command whose arguments are paths.
const pathArgsAnnotation = "sgz.args-are-paths"

// besideSocket is the socket of the server holding dbPath: next to the
// database, or in the temporary directory when that path would be too long
// for a Unix socket (108 bytes).
func besideSocket(dbPath string) string {
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		abs = dbPath
	}
	// The file, whatever link names it (server and client may differ).
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	p := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".sgz.sock")
	if len(p) < 100 {
		return p
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), fmt.Sprintf("sgz-%x.sock", sum[:8]))
}

// besideRequest is what a client sends: the command line as typed, where
// it was typed, the database it means and, when the command reads it,
// standard input.
type besideRequest struct {
	Args  []string `json:"args"`
	Cwd   string   `json:"cwd"`
	DB    string   `json:"db"`
	Stdin []byte   `json:"stdin,omitempty"`
}

// Frames of the answer: a type byte, a big-endian uint32 length, the bytes.
const (
	frameStdout byte = 1
	frameStderr byte = 2
	frameExit   byte = 3
)

type frameWriter struct {
	mu  *sync.Mutex
	w   io.Writer
	typ byte
}

func (f frameWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var h [5]byte
	h[0] = f.typ
	binary.BigEndian.PutUint32(h[1:], uint32(len(p)))
	if _, err := f.w.Write(h[:]); err != nil {
		return 0, err
	}
	return f.w.Write(p)
}

// getwd is os.Getwd (a test stands for a client elsewhere).
var getwd = os.Getwd

// otherUID, when set, is the user the server says it runs as (a test
// stands for a client of another user).
var otherUID atomic.Int64

func serverUID() int {
	if u := otherUID.Load(); u != 0 {
		return int(u)
	}
	return os.Getuid()
}

// forward runs the command line in the server holding a.dbPath, when one
// answers on its socket: ok is false when there is none (run here).
func (a *app) forward(ctx context.Context) (code int, ok bool, err error) {
	if _, err := os.Stat(a.dbPath); err != nil {
		return 0, false, nil
	}
	conn, err := dialBeside(a.dbPath)
	if err != nil {
		return 0, false, nil // no server, or a stale socket: the lock decides
	}
	defer conn.Close()
	cwd, err := getwd()
	if err != nil {
		return 0, true, err
	}
	abs, _ := filepath.Abs(a.dbPath)
	req := besideRequest{Args: a.args, Cwd: cwd, DB: abs}
	for _, s := range a.args {
		if s == "--password-stdin" {
			// One line, as readPassword reads it (a terminal needs no Ctrl+D).
			line, err := bufio.NewReader(a.input()).ReadString('\n')
			if err != nil && err != io.EOF {
				return 0, true, err
			}
			req.Stdin = []byte(line)
			break
		}
		if s == "-" {
			if req.Stdin, err = io.ReadAll(a.input()); err != nil {
				return 0, true, err
			}
			break
		}
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return 0, true, locale.Errorf("beside.lost", err)
	}
	// The server stops the command when this process goes (Ctrl+C).
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	return a.readAnswer(conn)
}

// readAnswer copies the server's answer to a's outputs and returns the
// command's exit code.
func (a *app) readAnswer(conn net.Conn) (code int, ok bool, err error) {
	r := bufio.NewReader(conn)
	for {
		var h [5]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return 0, true, locale.Errorf("beside.lost", err)
		}
		n := binary.BigEndian.Uint32(h[1:])
		switch h[0] {
		case frameStdout, frameStderr:
			w := a.stdout
			if h[0] == frameStderr {
				w = a.stderr
			}
			if _, err := io.CopyN(w, r, int64(n)); err != nil {
				return 0, true, locale.Errorf("beside.lost", err)
			}
		case frameExit:
			var b [4]byte
			if n != 4 {
				return 0, true, locale.Errorf("beside.lost", "bad frame")
			}
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return 0, true, locale.Errorf("beside.lost", err)
			}
			return int(int32(binary.BigEndian.Uint32(b[:]))), true, nil
		default:
			return 0, true, locale.Errorf("beside.lost", "bad frame")
		}
	}
}

func (a *app) input() io.Reader {
	if a.stdin != nil {
		return a.stdin
	}
	return stdin
}

// resolvePaths makes the path flags and arguments of a command run in the
// server absolute against the client's working directory (the server runs
// as the same user on the same machine).
func (a *app) resolvePaths(cmd *cobra.Command, args []string) {
	cmd.Flags().Visit(func(f *pflag.Flag) {
		v := f.Value.String()
		if pathFlags[f.Name] && v != "" && v != "-" && !filepath.IsAbs(v) {
			abs := filepath.Join(a.cwd, v)
			a.given = append(a.given, [2]string{abs, v})
			f.Value.Set(abs)
		}
	})
	if cmd.Annotations[pathArgsAnnotation] == "" {
		return
	}
	// cobra hands RunE the same slice: rewrite it in place, and remember
	// how each was given so that outputs name files as the user did.
	for i, s := range args {
		if s != "-" && !filepath.IsAbs(s) {
			abs := filepath.Join(a.cwd, s)
			a.given = append(a.given, [2]string{abs, s})
			args[i] = abs
		}
	}
}

// shown is a path as the user gave it (relative when it was).
func (a *app) shown(p string) string {
	for _, g := range a.given {
		if p == g[0] {
			return g[1]
		}
		if rest, ok := strings.CutPrefix(p, g[0]+string(filepath.Separator)); ok {
			return filepath.Join(g[1], rest)
		}
	}
	return p
}

// unresolve writes what a command run in the server says with the paths
// as the user gave them.
type unresolve struct {
	a *app
	w io.Writer
}

func (u unresolve) Write(p []byte) (int, error) {
	if len(u.a.given) == 0 {
		return u.w.Write(p)
	}
	g := append([][2]string(nil), u.a.given...)
	sort.Slice(g, func(i, j int) bool { return len(g[i][0]) > len(g[j][0]) })
	s := string(p)
	for _, x := range g {
		s = strings.ReplaceAll(s, x[0], x[1])
	}
	if _, err := io.WriteString(u.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// path is p against the client's working directory in the server, p
// elsewhere (for default output names).
func (a *app) path(p string) string {
	if a.cwd == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(a.cwd, p)
}

// besideServer answers the commands of clients beside `sgz serve`.
type besideServer struct {
	ln         net.Listener
	path       string
	db         *store.DB
	invalidate func()
	wg         sync.WaitGroup
}

// listenBeside opens the socket next to db: a socket left by a server
// that died is removed; one that answers means another server.
func listenBeside(db *store.DB, invalidate func()) (*besideServer, error) {
	path := besideSocket(db.Path)
	if _, err := os.Lstat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, locale.Errorf("beside.busy", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, locale.Errorf("beside.listen", path, err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, locale.Errorf("beside.listen", path, err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, locale.Errorf("beside.listen", path, err)
	}
	return &besideServer{ln: ln, path: path, db: db, invalidate: invalidate}, nil
}

// startBeside answers the commands beside a server on db until ctx ends or
// stop is called; stop waits for the commands running.
func startBeside(ctx context.Context, db *store.DB, invalidate func()) (stop func(), err error) {
	bs, err := listenBeside(db, invalidate)
	if err != nil {
		return nil, err
	}
	bctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { bs.serve(bctx); close(done) }()
	return func() { cancel(); <-done }, nil
}

// serve answers until ctx ends; then it waits for the commands running.
func (b *besideServer) serve(ctx context.Context) {
	go func() { <-ctx.Done(); b.ln.Close() }()
	for {
		conn, err := b.ln.Accept()
		if err != nil {
			break
		}
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			defer conn.Close()
			b.handle(ctx, conn.(*net.UnixConn))
		}()
	}
	b.wg.Wait()
}

func (b *besideServer) handle(ctx context.Context, conn *net.UnixConn) {
	var mu sync.Mutex
	stdoutW := frameWriter{&mu, conn, frameStdout}
	stderrW := frameWriter{&mu, conn, frameStderr}
	exit := func(code int) {
		mu.Lock()
		defer mu.Unlock()
		var f [9]byte
		f[0] = frameExit
		binary.BigEndian.PutUint32(f[1:], 4)
		binary.BigEndian.PutUint32(f[5:], uint32(int32(code)))
		conn.Write(f[:])
	}
	// Only the user the server runs as (the socket is 0600 too).
	if uid, err := peerUID(conn); err != nil || uid != serverUID() {
		fmt.Fprintln(stderrW, locale.T(locale.ZH, "beside.refused"))
		exit(1)
		return
	}
	dec := json.NewDecoder(io.LimitReader(conn, 64<<20))
	var req besideRequest
	if err := dec.Decode(&req); err != nil {
		exit(1)
		return
	}
	lang := locale.ZH
	for i, s := range req.Args {
		if v, ok := strings.CutPrefix(s, "--lang="); ok {
			lang, _ = locale.Parse(v)
		} else if s == "--lang" && i+1 < len(req.Args) {
			lang, _ = locale.Parse(req.Args[i+1])
		}
	}
	if !sameFile(req.DB, b.db.Path) {
		fmt.Fprintln(stderrW, locale.T(lang, "cli.error")+locale.T(lang, "beside.otherdb", b.db.Path, req.DB))
		exit(1)
		return
	}
	if !filepath.IsAbs(req.Cwd) {
		exit(1)
		return
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The client going away (Ctrl+C) stops the command.
	go func() {
		io.Copy(io.Discard, io.MultiReader(dec.Buffered(), conn))
		cancel()
	}()
	before := b.db.Generation()
	a := &app{stdin: bytes.NewReader(req.Stdin), db: b.db, shared: true, cwd: req.Cwd}
	a.stdout, a.stderr = unresolve{a, stdoutW}, unresolve{a, stderrW}
	code := execute(cctx, a, req.Args)
	if b.db.Generation() != before && b.invalidate != nil {
		b.invalidate()
	}
	exit(code)
}

func peerUID(c *net.UnixConn) (int, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return -1, err
	}
	if cerr != nil {
		return -1, cerr
	}
	return int(cred.Uid), nil
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// besideCheck, in the server, refuses what must not run there.
func (a *app) besideCheck(cmd *cobra.Command) error {
	if !a.besideTop(cmd) {
		return locale.Errorf("beside.notallowed", cmd.CommandPath())
	}
	return nil
}

func init() {
	locale.Add(map[string]locale.Text{
		"beside.lost":       {"与正在运行的 sgz serve 的连接中断：%v", "lost the connection to the running sgz serve: %v"},
		"beside.busy":       {"另一个 sgz serve 正在使用 %s", "another sgz serve holds %s"},
		"beside.listen":     {"无法在 %s 上为本机命令开放接口：%v", "cannot open the socket for local commands at %s: %v"},
		"beside.refused":    {"只接受与服务同一用户的命令", "only commands of the user the server runs as are accepted"},
		"beside.otherdb":    {"该服务使用的数据库是 %s，不是 %s", "this server holds %s, not %s"},
		"beside.notallowed": {"sgz serve 运行时不能通过它执行 %s", "%s cannot run through a running sgz serve"},
	})
}

// besideTop: cmd is (under) a command forwarded to a server.
func (a *app) besideTop(cmd *cobra.Command) bool {
	top := cmd
	for top.HasParent() && top.Parent().HasParent() {
		top = top.Parent()
	}
	return top != cmd.Root() && besideCommands[top.Name()]
}

// dialBeside connects to the server holding dbPath.
func dialBeside(dbPath string) (net.Conn, error) {
	return net.DialTimeout("unix", besideSocket(dbPath), 2*time.Second)
}
