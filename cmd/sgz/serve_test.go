package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sgz/auth"
	"sgz/store"
)

// `sgz serve` answers the console from worker processes: a query works, a
// memory bomb is stopped at --memory-limit and named, and the server goes on.
func TestServeConsoleRunsInWorkers(t *testing.T) {
	dir, db := ingested(t, []string{"320505"}, []string{"2026Q3"}, 3)
	// An analyst's API token (the console is the analysts').
	sdb, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.AddUser(context.Background(), sdb, auth.NewUser{Name: "ana", Password: "ana-password-2026", Roles: []auth.Role{auth.Analyst}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, token, err := auth.CreateToken(context.Background(), sdb, "ana", time.Hour, time.Now())
	sdb.Close()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		var out, errb strings.Builder
		done <- run(ctx, []string{"--db", db, "serve", "--addr", addr, "--memory-limit", "500MB"}, &out, &errb)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	defer stop()
	query := func(sql string) (int, map[string]any) {
		t.Helper()
		body := fmt.Sprintf(`{"sql": %q}`, sql)
		var resp *http.Response
		for i := 0; ; i++ {
			req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/sql/query", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err = http.DefaultClient.Do(req)
			if err == nil {
				break
			}
			if i == 300 {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // until it listens
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := query("SELECT count(*) AS n FROM v_returns"); code != 200 || fmt.Sprint(out["rows"]) != "[[1]]" {
		t.Fatalf("query: %d %v", code, out)
	}
	code, out := query("SELECT repeat('x', 1000000000) AS x")
	if code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(out["error"]), "500MB") {
		t.Errorf("bomb: %d %v", code, out)
	}
	if code, out := query("SELECT count(*) AS n FROM v_stations"); code != 200 {
		t.Errorf("after the bomb: %d %v", code, out)
	}
	// The snapshots live next to the database while serving.
	if snaps, _ := filepath.Glob(filepath.Join(dir, ".sgz-sql-snapshots-t.duckdb-*")); len(snaps) != 1 {
		t.Errorf("snapshot directories: %v", snaps)
	}
	stop()
	if snaps, _ := filepath.Glob(filepath.Join(dir, ".sgz-sql-snapshots-*")); len(snaps) != 0 {
		t.Errorf("left after the server stopped: %v", snaps)
	}
}
