package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every numeric flag of every command has a range (limit), so that none is
// accepted silently whatever its value.
func TestEveryNumericFlagHasARange(t *testing.T) {
	root := newRoot(&app{stdout: os.Stdout, stderr: os.Stderr})
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if numericTypes[f.Value.Type()] {
				n++
				if _, ok := f.Annotations[rangeAnnotation]; !ok {
					t.Errorf("%s --%s (%s) has no range", c.CommandPath(), f.Name, f.Value.Type())
				}
			}
		}
		c.LocalFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 10 {
		t.Errorf("only %d numeric flags found", n)
	}
}

func TestNumericFlagsOutOfRangeNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "--workers", "1000000", dir}, "参数 --workers 的值 1000000 超出范围：应在 0 到 64 之间"},
		{[]string{"--lang", "en", "ingest", "--workers", "-1", dir}, "--workers -1 is out of range: it must be from 0 to 64"},
		{[]string{"ingest", "--max-size", "0", dir}, "参数 --max-size 的值 0 超出范围：应大于 0 且不超过 1024"},
		{[]string{"--lang", "en", "ingest", "--max-size", "0", dir}, "--max-size 0 is out of range: it must be more than 0 and at most 1024"},
		{[]string{"ingest", "--max-rows", "-1", dir}, "--max-rows"},
		{[]string{"ingest", "--db-memory", "64", dir}, "参数 --db-memory 的值 64 超出范围：应在 128 到 1048576 之间"},
		{[]string{"--lang", "en", "ingest", "--db-memory", "10", dir}, "--db-memory 10 is out of range: it must be from 128 to 1048576"},
		{[]string{"query", "--timeout", "-1s", "SELECT 1"}, "参数 --timeout 的值 -1s 超出范围：应大于 0s 且不超过 1h0m0s"},
		{[]string{"query", "--timeout", "0s", "SELECT 1"}, "--timeout"},
		{[]string{"query", "--max-rows", "-1", "SELECT 1"}, "--max-rows"},
		{[]string{"query", "--threads", "100000", "SELECT 1"}, "--threads"},
		{[]string{"serve", "--timeout", "-1s"}, "--timeout"},
		{[]string{"serve", "--sql-workers", "0"}, "--sql-workers"},
		{[]string{"serve", "--upload-rate", "-5"}, "--upload-rate"},
		{[]string{"serve", "--max-upload", "0"}, "--max-upload"},
		{[]string{"serve", "--rejected-quota", "-1"}, "--rejected-quota"},
		{[]string{"serve", "--max-upload", "NaN"}, "--max-upload"},
		{[]string{"--lang", "en", "serve", "--db-memory", "10"}, "--db-memory 10 is out of range: it must be from 128 to 1048576"},
		{[]string{"serve", "--db-memory", "64"}, "--db-memory"},
		{[]string{"serve", "--go-memory", "-1"}, "--go-memory"},
	}
	for _, c := range cases {
		code, out, errOut := sgzRun(t, append([]string{"--db", db}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q, want %q", c.args, code, out, errOut, c.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused flag created the database")
	}
}

// An empty or blank query is an error, not the help with exit 0.
func TestQueryEmptyIsAnError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.duckdb")
	for _, args := range [][]string{{"query", ""}, {"query", "  \n"}, {"query"}} {
		code, out, e := sgzRun(t, append([]string{"--db", db}, args...)...)
		if code == 0 || !strings.Contains(e, "没有给出 SQL") || strings.Contains(out, "Usage") {
			t.Errorf("%q: exit %d %q %q", args, code, out, e)
		}
	}
	if code, _, e := sgzRun(t, "--db", db, "--lang", "en", "query", " "); code == 0 || !strings.Contains(e, "no SQL given") {
		t.Errorf("en: %d %q", code, e)
	}
}

// serve and demo print where they serve only once listening: a bad or
// busy --addr fails with nothing on standard output.
func TestServeBadAddressPrintsNothingFirst(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "serve", "--addr", "nonsense"}, "--addr"},
		{[]string{"--db", db, "serve", "--addr", busy.Addr().String()}, "无法监听 " + busy.Addr().String()},
		{[]string{"--db", db, "--lang", "en", "serve", "--addr", busy.Addr().String()}, "cannot listen on"},
		{[]string{"--db", filepath.Join(dir, "new.duckdb"), "demo", "--addr", busy.Addr().String()}, "无法监听"},
	}
	for _, c := range cases {
		code, out, e := sgzRun(t, c.args...)
		if code == 0 || out != "" || !strings.Contains(e, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, e)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.duckdb")); err == nil {
		t.Error("the demo built a database before finding its address busy")
	}
}

// The demo leaves nothing in the temporary directory: with --db and
// --build-only, and when stopped (the context main ends on Ctrl+C).
func TestDemoCleansUp(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds the whole demo database twice; run without -short")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	left := func() []string { m, _ := filepath.Glob(filepath.Join(tmp, "sgz-demo-*")); return m }
	db := filepath.Join(t.TempDir(), "demo.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "demo", "--build-only"); code != 0 {
		t.Fatal(e)
	}
	if _, err := os.Stat(db); err != nil {
		t.Error("--build-only --db left no database")
	}
	if l := left(); len(l) != 0 {
		t.Errorf("left behind: %v", l)
	}
	if code, _, e := sgzRun(t, "demo", "--build-only"); code == 0 || !strings.Contains(e, "--build-only 需要 --db") {
		t.Errorf("--build-only without --db: %d %s", code, e)
	}
	// Served, then stopped as by Ctrl+C.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int)
	var out, errb syncBuf
	go func() { done <- run(ctx, []string{"demo", "--addr", addr}, &out, &errb) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the demo never listened: %s", errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// It listens before it builds: wait for the build to be done.
	for !strings.Contains(errb.String()+out.String(), "http://") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if len(left()) != 1 {
		t.Errorf("while serving: %v", left())
	}
	// Commands beside the demo go through it.
	if m := regexp.MustCompile(`演示数据库 (\S+)：`).FindStringSubmatch(out.String()); m == nil {
		t.Errorf("no database path in %q", out.String())
	} else if code, qout, e := sgzRun(t, "--db", m[1], "query", "--format", "csv", "SELECT count(*) > 0 AS some FROM v_returns"); code != 0 || !strings.Contains(qout, "true") {
		t.Errorf("query beside the demo: %d %s %s", code, qout, e)
	}
	cancel()
	<-done
	if l := left(); len(l) != 0 {
		t.Errorf("left behind after stopping: %v", l)
	}
}

// syncBuf is an io.Writer a test may read while a goroutine writes it.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
