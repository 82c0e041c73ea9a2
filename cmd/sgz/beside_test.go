package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sgz"
	"sgz/gen"
	"sgz/registry"
)

// startServe runs `sgz serve` on db in this process until the test ends;
// it returns the HTTP address once the server answers there and on its
// socket.
func startServe(t *testing.T, db string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errb syncBuf
	go func() { done <- run(ctx, []string{"--db", db, "serve", "--addr", addr}, &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if _, err := os.Stat(besideSocket(db)); err == nil {
			t.Errorf("the socket %s is left after the server stopped", besideSocket(db))
		}
	})
	deadline := time.Now().Add(time.Minute)
	for {
		if c, err := dialBeside(db); err == nil {
			c.Close()
			if strings.Contains(out.String(), "http://") {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never answered: %s %s", out.String(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func copyDB(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(src + ".wal"); err == nil {
		t.Fatalf("%s has a WAL after closing", src)
	}
}

// The commands of interfaces.md work beside a running `sgz serve` on the
// same --db and give what they give alone (on a copy of the database made
// before the server started); writes through the server show on its API.
func TestCommandsBesideARunningServer(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	db := filepath.Join(dir, "live.duckdb")
	alone := filepath.Join(dir, "alone.duckdb")
	q3 := []sgz.Period{sgz.MustPeriod("2026Q3")}
	if _, err := gen.WriteSet(filepath.Join(dir, "inA"), registry.Suzhou(), []string{"320505", "320506"}, q3, gen.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.WriteSet(filepath.Join(dir, "inB"), registry.Suzhou(), []string{"320507"}, q3, gen.Options{Seed: 4}); err != nil {
		t.Fatal(err)
	}
	if code, _, e := sgzRun(t, "--db", db, "ingest", "inA"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := sgzRunIn(t, "boss-password-2026\n", "--db", db, "user", "add", "boss", "--role", "admin", "--password-stdin"); code != 0 {
		t.Fatal(e)
	}
	copyDB(t, db, alone)

	addr := startServe(t, db)
	// While it serves, the file is held: a second process could not open it.
	// The commands go through the socket; on the copy they run alone.
	both := func(in string, args ...string) (string, string) {
		t.Helper()
		c1, o1, e1 := sgzRunIn(t, in, append([]string{"--db", "live.duckdb"}, args...)...)
		c2, o2, e2 := sgzRunIn(t, in, append([]string{"--db", "alone.duckdb"}, args...)...)
		if c1 != c2 || o1 != o2 {
			t.Errorf("%v: beside the server exit %d\n%s\n%s\nalone exit %d\n%s\n%s", args, c1, o1, e1, c2, o2, e2)
		}
		return o1, e1
	}
	// A token through the server, for its API.
	code, tok, e := sgzRun(t, "--db", db, "token", "create", "boss", "--expires", "1h")
	if code != 0 || strings.TrimSpace(tok) == "" {
		t.Fatalf("token create beside the server: %d %s", code, e)
	}
	api := func(path string) []map[string]any {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return out
	}
	reported := func() bool {
		for _, r := range api("/api/v1/assessment?period=2026Q3&as_of=2026-12-01") {
			if r["unit_code"] == "320507" {
				return r["reported"] == true
			}
		}
		t.Fatal("no 320507 in the assessment")
		return false
	}
	if reported() {
		t.Fatal("320507 reported before its ingest")
	}

	out, _ := both("", "ingest", "--json", "inB")
	if !strings.Contains(out, `"file": "inB/320507-2026Q3.xlsx"`) || !strings.Contains(out, `"accepted"`) {
		t.Errorf("ingest as given: %s", out)
	}
	if !reported() {
		t.Error("the ingest through the socket does not show on the server's API (cache not invalidated?)")
	}
	both("", "query", "--format", "csv", "SELECT district_code, period, count(*) AS n FROM v_stations GROUP BY ALL ORDER BY ALL")
	both("SELECT count(*) AS n FROM v_returns\n", "query", "--format", "csv", "-")
	if out, _ := both("", "indicators", "--period", "2026Q3", "--format", "json", "--as-of", "2026-12-01"); !strings.Contains(out, `"station_coverage"`) {
		t.Errorf("indicators: %s", out)
	}
	if out, _ := both("", "assess", "--period", "2026Q3", "--format", "json", "--no-record", "--as-of", "2026-12-01"); !strings.Contains(out, `"320507"`) {
		t.Errorf("assess: %s", out)
	}
	both("ana-password-2026\n", "user", "add", "ana", "--role", "analyst", "--password-stdin")
	both("", "user", "list")
	both("", "registry", "versions")
	both("", "recheck", "1")
	// audit verify: both trails hold; the server's has its own start too.
	for _, d := range []string{"live.duckdb", "alone.duckdb"} {
		if code, out, e := sgzRun(t, "--db", d, "audit", "verify"); code != 0 || out == "" {
			t.Errorf("audit verify %s: %d %s %s", d, code, out, e)
		}
	}
	// The CLI actions made through the server are on its trail as CLI actions.
	if code, out, _ := sgzRun(t, "--db", db, "audit", "--format", "json"); code != 0 || !regexp.MustCompile(`"actor": "cli"[^}]*"action": "user.add"[^}]*"object": "ana"`).MatchString(out) {
		t.Errorf("audit beside the server:\n%s", out)
	}
	// Files land where the user is, named as the user named them.
	both("", "template", "--district", "320505", "--period", "2026Q4", "-o", "tpl.xlsx")
	if st, err := os.Stat(filepath.Join(dir, "tpl.xlsx")); err != nil || st.Size() == 0 {
		t.Error("no template")
	}
	// A client in another directory than the server's: its relative paths
	// are its own.
	other := t.TempDir()
	getwd = func() (string, error) { return other, nil }
	defer func() { getwd = os.Getwd }()
	if code, out, e := sgzRun(t, "--db", db, "template", "--district", "320505", "--period", "2026Q4", "-o", "mine.xlsx"); code != 0 || !strings.Contains(out, "mine.xlsx") || strings.Contains(out, other) {
		t.Errorf("template elsewhere: %d %s %s", code, out, e)
	}
	if _, err := os.Stat(filepath.Join(other, "mine.xlsx")); err != nil {
		t.Error("the template of a client elsewhere is not in its directory")
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.xlsx")); err == nil {
		t.Error("the template went to the server's directory")
	}
	getwd = os.Getwd
	// export through the server (on a snapshot: its own instance reaches no files).
	if code, _, e := sgzRun(t, "--db", db, "export", "--parquet", "pq"); code != 0 {
		t.Errorf("export beside the server: %s", e)
	} else if m, _ := filepath.Glob(filepath.Join(dir, "pq", "*", "period=2026Q3", "*.parquet")); len(m) == 0 {
		t.Error("no parquet files")
	}
	// Errors come back in the client's language with the exit code.
	code, _, e = sgzRun(t, "--db", db, "--lang", "en", "query", "DELETE FROM stations")
	if code == 0 || !strings.HasPrefix(e, "error: ") {
		t.Errorf("refused query beside the server: %d %q", code, e)
	}
	// serve and demo do not run through the server; a second serve is refused.
	if code, out, e := sgzRun(t, "--db", db, "--lang", "en", "serve", "--addr", "127.0.0.1:0"); code == 0 || out != "" || !strings.Contains(e, "another sgz serve holds "+db) {
		t.Errorf("second serve: %d %s %s", code, out, e)
	} else {
		t.Logf("second serve: %s", e)
	}
}

// The server refuses what must not run through it, and a command line for
// another database.
func TestBesideRefusals(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	startServe(t, db)
	ask := func(req besideRequest) (int, string) {
		t.Helper()
		c, err := dialBeside(db)
		if err != nil {
			t.Fatal(err)
		}
		json.NewEncoder(c).Encode(req)
		var out, errb bytes.Buffer
		a := &app{stdout: &out, stderr: &errb}
		code, ok, err := a.readAnswer(c)
		if !ok || err != nil {
			t.Fatal(err)
		}
		return code, errb.String()
	}
	if code, e := ask(besideRequest{Args: []string{"--db", db, "serve"}, Cwd: dir, DB: db}); code == 0 || !strings.Contains(e, "不能通过它执行 sgz serve") {
		t.Errorf("serve through the socket: %d %s", code, e)
	}
	if code, e := ask(besideRequest{Args: []string{"--lang", "en", "--db", db, "restore", "x"}, Cwd: dir, DB: db}); code == 0 || !strings.Contains(e, "sgz restore cannot run through a running sgz serve") {
		t.Errorf("restore through the socket: %d %s", code, e)
	}
	other := filepath.Join(dir, "other.duckdb")
	os.WriteFile(other, nil, 0o600)
	if code, e := ask(besideRequest{Args: []string{"--lang", "en", "--db", other, "query", "SELECT 1"}, Cwd: dir, DB: other}); code == 0 || !strings.Contains(e, "this server holds "+db+", not "+other) {
		t.Errorf("another database: %d %s", code, e)
	}
	if code, e := ask(besideRequest{Args: []string{"--db", db, "query", "SELECT 1"}, Cwd: dir, DB: other}); code == 0 || !strings.Contains(e, "该服务使用的数据库是") {
		t.Errorf("another database: %d %s", code, e)
	}
	// A client of another user (the socket is 0600 too) is refused.
	otherUID.Store(int64(os.Getuid() + 1))
	code, e := ask(besideRequest{Args: []string{"--db", db, "query", "SELECT 1"}, Cwd: dir, DB: db})
	otherUID.Store(0)
	if code == 0 || !strings.Contains(e, "只接受与服务同一用户的命令") {
		t.Errorf("another user: %d %s", code, e)
	}
	// restore refuses while the server holds the database.
	if code, _, e := sgzRun(t, "--db", db, "restore", "--force", other); code == 0 || !strings.Contains(e, "先停止服务") {
		t.Errorf("restore while serving: %d %s", code, e)
	}
}

// A socket left by a server that died is removed at the next start.
func TestBesideStaleSocket(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	ln, err := net.Listen("unix", besideSocket(db))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, nobody answers
	// Without a server the commands run here.
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatalf("beside a stale socket: %s", e)
	}
	startServe(t, db)
	st, err := os.Stat(besideSocket(db))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("socket mode: %v %v", st, err)
	}
	if code, out, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 || out == "" {
		t.Errorf("through the new server: %d %s", code, e)
	}
	// A link to the database finds the same server.
	link := filepath.Join(t.TempDir(), "link.duckdb")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	if besideSocket(link) != besideSocket(db) {
		t.Errorf("socket by a link %s, by the file %s", besideSocket(link), besideSocket(db))
	}
	if code, out, e := sgzRun(t, "--db", link, "registry", "versions"); code != 0 || out == "" {
		t.Errorf("through a link: %d %s", code, e)
	}
}

// A server that goes away mid-command, and a socket path that cannot be
// made, are said plainly.
func TestBesideLostAndUnlistenable(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	ln, err := net.Listen("unix", besideSocket(db))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close() // dies before answering
		}
	}()
	code, _, e := sgzRun(t, "--db", db, "registry", "versions")
	if code == 0 || !strings.Contains(e, "与正在运行的 sgz serve 的连接中断") {
		t.Errorf("lost server: %d %s", code, e)
	}
	ln.Close()
	// Something that is not a socket where the socket goes.
	os.Remove(besideSocket(db))
	os.MkdirAll(filepath.Join(besideSocket(db), "x"), 0o700)
	var out, errb syncBuf
	code = run(context.Background(), []string{"--db", db, "--lang", "en", "serve", "--addr", "127.0.0.1:0"}, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "cannot open the socket for local commands at "+besideSocket(db)) || out.String() != "" {
		t.Errorf("unlistenable socket: %d %q %q", code, out.String(), errb.String())
	}
}
