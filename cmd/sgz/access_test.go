package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"sgz/store"
)

// sgzRunIn is sgzRun with standard input.
func sgzRunIn(t *testing.T, in string, args ...string) (int, string, string) {
	t.Helper()
	old := stdin
	stdin = strings.NewReader(in)
	defer func() { stdin = old }()
	return sgzRun(t, args...)
}

// TestUserTokenAuditCommands: accounts, tokens and the audit trail from
// the command line, and `sgz audit verify` failing once an entry in the
// database file is altered.
func TestUserTokenAuditCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	code, out, errOut := sgzRunIn(t, "a-long-secret-1\n", "--db", db, "user", "add", "boss", "--role", "admin", "--role", "evaluator", "--password-stdin")
	if code != 0 || !strings.Contains(out, "boss") || strings.Contains(out, "a-long-secret-1") {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	code, out, _ = sgzRun(t, "--db", db, "user", "add", "clerk1", "--role", "clerk", "--district", "320505")
	if code != 0 || !strings.Contains(out, "初始密码") {
		t.Fatalf("user add with a made password: %d %q", code, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "add", "c2", "--role", "clerk"}, "须指定所属区县"},
		{[]string{"user", "add", "c2", "--role", "clerk", "--district", "999999"}, "999999"},
		{[]string{"user", "add", "c3", "--role", "boss"}, "未知角色"},
		{[]string{"user", "add", "boss", "--role", "leader"}, "已存在"},
		{[]string{"user", "disable", "nobody"}, "没有用户 nobody"},
		{[]string{"token", "create", "boss", "--expires", "soon"}, "有效期"},
		{[]string{"token", "revoke", "42"}, "没有编号为 42"},
		{[]string{"audit", "--format", "xml"}, "--format"},
	} {
		code, _, e := sgzRunIn(t, "", append([]string{"--db", db}, c.args...)...)
		if code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %q, want an error naming %q", c.args, code, e, c.want)
		}
	}
	if code, _, e := sgzRunIn(t, "", "--db", db, "user", "add", "x1", "--role", "leader", "--password-stdin"); code == 0 || !strings.Contains(e, "标准输入") {
		t.Errorf("empty stdin: %d %q", code, e)
	}
	code, out, _ = sgzRun(t, "--db", db, "--lang", "en", "user", "list")
	if code != 0 || !strings.Contains(out, "boss") || !strings.Contains(out, "evaluator,admin") || !strings.Contains(out, "320505") {
		t.Errorf("user list: %q", out)
	}
	code, tok, errOut := sgzRun(t, "--db", db, "token", "create", "boss", "--expires", "30d")
	if code != 0 || !strings.HasPrefix(tok, "sgz_") || !strings.Contains(errOut, "令牌 1") {
		t.Fatalf("token create: %d %q %q", code, tok, errOut)
	}
	if code, out, _ := sgzRun(t, "--db", db, "token", "revoke", "1"); code != 0 || !strings.Contains(out, "1") {
		t.Errorf("token revoke: %d %q", code, out)
	}
	if code, out, _ := sgzRunIn(t, "another-secret-2\n", "--db", db, "user", "passwd", "clerk1", "--password-stdin"); code != 0 || !strings.Contains(out, "clerk1") {
		t.Errorf("user passwd: %d %q", code, out)
	}
	if code, _, _ := sgzRun(t, "--db", db, "user", "disable", "clerk1"); code != 0 {
		t.Error("user disable")
	}
	if _, out, _ := sgzRun(t, "--db", db, "user", "list"); !strings.Contains(out, "已停用") {
		t.Errorf("user list after disable: %q", out)
	}
	// The trail: JSON with who, when (Beijing), what.
	code, out, _ = sgzRun(t, "--db", db, "audit", "--format", "json", "--since", "2020-01-01")
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil {
		t.Fatalf("audit json: %d %q", code, out)
	}
	var actions []string
	for _, r := range rows {
		actions = append(actions, r["action"].(string))
		if !strings.HasSuffix(r["at"].(string), "+08:00") || r["actor"] != "cli" {
			t.Errorf("entry %v", r)
		}
	}
	if got := strings.Join(actions, " "); got != "user.add user.add export token.create token.revoke user.passwd user.disable" {
		t.Errorf("actions: %s", got)
	}
	// Reading commands are recorded too, after they ran, failed ones (the
	// refused --format xml, 3rd) as failed: the JSON listing above is the
	// 8th entry, with its flags (a CSV cell starting with "-" is
	// neutralised).
	code, out, _ = sgzRun(t, "--db", db, "audit")
	if code != 0 || !strings.HasPrefix(out, "seq,at,actor") || strings.Count(out, "\n") != 9 ||
		!strings.Contains(out, "export,audit,ok,'--format=json --since=2020-01-01") || !strings.Contains(out, "export,audit,failed,'--format=xml") {
		t.Errorf("audit csv: %q", out)
	}
	// A query from the command line: its SQL text, and a failed one as failed.
	if code, _, e := sgzRun(t, "--db", db, "query", "SELECT 42 AS answer"); code != 0 {
		t.Fatalf("query: %s", e)
	}
	if code, _, _ := sgzRun(t, "--db", db, "query", "SELECT * FROM no_such_view"); code == 0 {
		t.Fatal("a query of a missing view succeeded")
	}
	code, out, _ = sgzRun(t, "--db", db, "audit", "--format", "json", "--since", "2020-01-01")
	rows = nil
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 11 {
		t.Fatalf("audit after queries: %d %q", code, out)
	}
	if r := rows[9]; r["action"] != "sql" || r["object"] != "query" || r["result"] != "ok" || r["detail"] != "SELECT 42 AS answer" {
		t.Errorf("query entry %v", r)
	}
	if r := rows[10]; r["action"] != "sql" || r["result"] != "failed" || !strings.Contains(r["detail"].(string), "no_such_view") {
		t.Errorf("failed query entry %v", r)
	}
	if code, out, _ := sgzRun(t, "--db", db, "audit", "verify"); code != 0 || !strings.Contains(out, "12") {
		t.Errorf("verify an intact trail: %d %q", code, out)
	}
	// Alter an entry in the file.
	s, err := store.Open(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, _, e := sgzRun(t, "--db", db, "audit", "verify"); code == 0 || !strings.Contains(e, "第 3 条被改动") {
		t.Errorf("verify after tampering: %d %q", code, e)
	}
}

// TestServeRefusesUnsafeStarts: no admin, no listening beyond this
// machine; a wildcard address needs --public-url.
func TestServeRefusesUnsafeStarts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--addr", "192.0.2.1:8080"); code == 0 || !strings.Contains(e, "还没有管理员账号") {
		t.Errorf("serve on a LAN address without an admin: %d %q", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--addr", "0.0.0.0:8080"); code == 0 || !strings.Contains(e, "--public-url") {
		t.Errorf("serve on a wildcard address without --public-url: %d %q", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--addr", "0.0.0.0:8080", "--public-url", "ftp://x"); code == 0 || !strings.Contains(e, "--public-url") {
		t.Errorf("a bad --public-url: %d %q", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--addr", "127.0.0.1:99999"); code == 0 || !strings.Contains(e, "无法监听") {
		t.Errorf("an address that cannot be listened on: %d %q", code, e)
	}
}

// TestDemoAccounts: the demo prints one account per role.
func TestDemoAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds the whole demo database (7 quarters of returns); run without -short")
	}
	db := filepath.Join(t.TempDir(), "d.duckdb")
	code, out, e := sgzRun(t, "--db", db, "demo", "--build-only")
	if code != 0 {
		t.Fatalf("demo: %q", e)
	}
	for _, name := range []string{"demo-leader", "demo-evaluator", "demo-analyst", "demo-clerk", "demo-admin", "区县填报员 320507"} {
		if !strings.Contains(out, name) {
			t.Errorf("the demo does not print %s:\n%s", name, out)
		}
	}
	if code, _, e := sgzRun(t, "--db", filepath.Join(t.TempDir(), "e.duckdb"), "demo", "--addr", "192.0.2.1:8080"); code == 0 || !strings.Contains(e, "本机") {
		t.Errorf("demo on a LAN address: %d %q", code, e)
	}
}

func TestServeOIDCFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "o.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--oidc-issuer", "http://127.0.0.1:1"); code == 0 || !strings.Contains(e, "同时给出") {
		t.Errorf("issuer without client id: %d %q", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--oidc-issuer", "http://127.0.0.1:1", "--oidc-client-id", "x", "--oidc-client-secret-file", "/nonexistent"); code == 0 || !strings.Contains(e, "/nonexistent") {
		t.Errorf("missing secret file: %d %q", code, e)
	}
	if code, _, e := sgzRun(t, "--db", db, "serve", "--addr", "127.0.0.1:0", "--oidc-issuer", "http://127.0.0.1:1", "--oidc-client-id", "x"); code == 0 || !strings.Contains(e, "无法连接统一身份认证") {
		t.Errorf("unreachable provider: %d %q", code, e)
	}
}
