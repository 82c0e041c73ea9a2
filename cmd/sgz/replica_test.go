package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sgz/store"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// runUntil runs a command line in-process until the test ends.
func runUntil(t *testing.T, args ...string) *syncBuf {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errb syncBuf
	go func() { done <- run(ctx, args, &out, &errb) }()
	t.Cleanup(func() { cancel(); <-done })
	return &errb
}

func getBody(u, token string) (int, string) {
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sgz serve --publish on the writer, sgz serve --replica beside it: the
// replica serves the writer's snapshot and honours the writer's tokens.
func TestServePublishAndReplica(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.duckdb")
	pub := filepath.Join(dir, "pub")
	secret := filepath.Join(dir, "peer.secret")
	os.WriteFile(secret, []byte("a-secret-shared-by-the-servers-42\n"), 0o600)
	if code, _, e := sgzRun(t, "--db", db, "user", "add", "lead", "--role", "leader"); code != 0 {
		t.Fatal(e)
	}
	w := freeAddr(t)
	werr := runUntil(t, "--db", db, "serve", "--addr", w, "--publish", pub, "--publish-debounce", "0s", "--peer-secret-file", secret)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, body := getBody("http://"+w+"/healthz", "")
		if code == 200 && strings.Contains(body, `"published_generation":1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the writer never published: %d %s %s", code, body, werr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A token made beside the writer (through its socket).
	code, tok, e := sgzRun(t, "--db", db, "token", "create", "lead")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, "sgz_") {
		t.Fatalf("token create: %d %q %s", code, tok, e)
	}
	// Each snapshot the replica serves gets the server's memory limit
	// (--db-memory), not DuckDB's default, and is locked down.
	limits := make(chan [2]string, 4)
	serveLocked = func(sdb *store.DB) {
		var mem, lock string
		sdb.QueryRowContext(context.Background(), `SELECT current_setting('memory_limit')::VARCHAR,
			current_setting('lock_configuration')::VARCHAR`).Scan(&mem, &lock)
		select {
		case limits <- [2]string{mem, lock}:
		default:
		}
	}
	defer func() { serveLocked = nil }()
	r := freeAddr(t)
	rerr := runUntil(t, "serve", "--replica", pub, "--writer", "http://"+w, "--peer-secret-file", secret, "--addr", r,
		"--replica-poll", "100ms", "--db-memory", "150")
	var health struct {
		Status     string
		Replica    bool
		Generation uint64
	}
	for {
		code, body := getBody("http://"+r+"/healthz", "")
		if code == 200 && json.Unmarshal([]byte(body), &health) == nil && health.Replica && health.Generation >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never served: %d %s %s", code, body, rerr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case l := <-limits:
		// DuckDB shows 150 MB as 143.0 MiB.
		if !strings.HasPrefix(l[0], "143.0 MiB") || l[1] != "true" {
			t.Errorf("the replica's snapshot: memory_limit %q, lock_configuration %q", l[0], l[1])
		}
	default:
		t.Error("the replica served a snapshot it did not prepare")
	}
	if code, body := getBody("http://"+r+"/api/v1/periods", tok); code != 200 {
		t.Errorf("the writer's token on the replica: %d %s", code, body)
	}
	if code, body := getBody("http://"+r+"/api/v1/periods", "sgz_not-a-token"); code != 401 {
		t.Errorf("a bad token on the replica: %d %s", code, body)
	}
	// The token's revocation (beside the writer) reaches the replica
	// within the bound: the writer's cache (5 s) and the replica's (5 s).
	if code, _, e := sgzRun(t, "--db", db, "token", "revoke", "1"); code != 0 {
		t.Fatal(e)
	}
	revoked := time.Now()
	for {
		if code, _ := getBody("http://"+r+"/api/v1/periods", tok); code == 401 {
			break
		}
		if time.Since(revoked) > time.Minute {
			t.Fatal("a revoked token still works on the replica after a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d := time.Since(revoked); d > 11*time.Second {
		t.Logf("revocation took %s (a loaded machine)", d)
	}
}

func TestReplicaFlagsAndRefusals(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	good := filepath.Join(dir, "good.secret")
	os.WriteFile(good, []byte("0123456789abcdef0123\n"), 0o600)
	short := filepath.Join(dir, "short.secret")
	os.WriteFile(short, []byte("short\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o600)
	addr := freeAddr(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--publish-keep", "0"}, "参数 --publish-keep 的值 0 超出范围"},
		{[]string{"serve", "--publish-debounce", "61s"}, "--publish-debounce"},
		{[]string{"serve", "--replica-poll", "0s"}, "--replica-poll"},
		{[]string{"--lang", "en", "serve", "--peer-cache", "-1s"}, "--peer-cache -1s is out of range"},
		{[]string{"serve", "--replica", empty, "--publish", empty}, "--replica 与 --publish 不能同时给出"},
		{[]string{"serve", "--replica", empty}, "只读副本需要 --writer"},
		{[]string{"serve", "--replica", empty, "--writer", "http://127.0.0.1:1", "--peer-secret-file", short}, "太短"},
		{[]string{"serve", "--addr", addr, "--peer-secret-file", short}, "太短"},
		{[]string{"serve", "--replica", empty, "--writer", "http://127.0.0.1:1", "--peer-secret-file", good, "--addr", addr}, "中没有可用的快照"},
		{[]string{"serve", "--replica", empty, "--writer", "http://127.0.0.1:1", "--addr", addr}, "--peer-secret-file"},
		{[]string{"serve", "--addr", addr, "--publish", filepath.Join(notDir, "x")}, "无法在 " + filepath.Join(notDir, "x") + " 发布快照"},
	}
	for _, c := range cases {
		code, out, errOut := sgzRun(t, append([]string{"--db", db}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want %q", c.args, code, out, errOut, c.want)
		}
	}
}
