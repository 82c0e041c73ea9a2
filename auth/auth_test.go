package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sgz/locale"
	"sgz/store"
)

func openDB(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func errKey(err error) string {
	var le *locale.Error
	if errors.As(err, &le) {
		return le.Key
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestAuditChain: the trail verifies; altering an entry in the database
// file, or removing one, is found by Verify.
func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.duckdb")
	db := openDB(t, path)
	for i, a := range []string{"login", "upload", "sendback", "export"} {
		if err := Record(ctx, db, Entry{Actor: "amy", Roles: "evaluator", Remote: "10.0.0.1", Action: a, Object: "return 7", Detail: string(rune('a' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := Verify(ctx, db); err != nil || n != 4 {
		t.Fatalf("intact trail: %d %v", n, err)
	}
	list, _ := List(ctx, db, Filter{Action: "upload"})
	if len(list) != 1 || list[0].Seq != 2 || list[0].Prev == "" {
		t.Fatalf("List: %+v", list)
	}
	db.Close()

	// Alter entry 2 in the file, as someone with the file would.
	db = openDB(t, path)
	if _, err := db.Exec(`UPDATE audit_log SET result = 'failed' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDB(t, path)
	if _, err := Verify(ctx, db); errKey(err) != "audit.altered" || err.(*locale.Error).Args[0] != int64(2) {
		t.Errorf("altered entry: %v", err)
	}
	// Altering it back and also fixing its hash breaks the next link.
	if _, err := db.Exec(`UPDATE audit_log SET hash = 'x' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, db); errKey(err) != "audit.altered" {
		t.Errorf("rehashed entry: %v", err)
	}
	db.Close()

	// Removing an entry.
	path2 := filepath.Join(t.TempDir(), "b.duckdb")
	db = openDB(t, path2)
	defer db.Close()
	for _, a := range []string{"login", "upload", "logout"} {
		Record(ctx, db, Entry{Actor: "bo", Action: a})
	}
	db.Exec(`DELETE FROM audit_log WHERE seq = 2`)
	if _, err := Verify(ctx, db); errKey(err) != "audit.gap" {
		t.Errorf("removed entry: %v", err)
	}
}

// TestSessionsExpire: a session ends after the idle timeout and after its
// lifetime however busy, and at once when the account is disabled.
func TestSessionsExpire(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	defer db.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	u, err := AddUser(ctx, db, NewUser{Name: "lee", Password: "a-long-password", Roles: []Role{Leader}}, now)
	if err != nil {
		t.Fatal(err)
	}
	s := &Sessions{DB: db, Idle: 30 * time.Minute, Lifetime: 2 * time.Hour, Now: clock}
	sec, err := s.Create(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Lookup(ctx, sec); got == nil || got.Name != "lee" || got.CSRF == "" {
		t.Fatalf("fresh session: %+v", got)
	}
	// Busy: a request every 20 minutes keeps it alive until the lifetime.
	for i := 0; i < 5; i++ {
		now = now.Add(20 * time.Minute)
		if got, _ := s.Lookup(ctx, sec); got == nil {
			t.Fatalf("busy session ended after %v", time.Duration(i+1)*20*time.Minute)
		}
	}
	now = now.Add(21 * time.Minute) // 2 h 1 min after login
	if got, _ := s.Lookup(ctx, sec); got != nil {
		t.Error("a session outlived its lifetime")
	}
	// Idle.
	sec, _ = s.Create(ctx, u.ID)
	now = now.Add(31 * time.Minute)
	if got, _ := s.Lookup(ctx, sec); got != nil {
		t.Error("an idle session survived")
	}
	// Disabled.
	sec, _ = s.Create(ctx, u.ID)
	if err := SetDisabled(ctx, db, "lee", true); err != nil {
		t.Fatal(err)
	}
	s.Forget()
	if got, _ := s.Lookup(ctx, sec); got != nil {
		t.Error("a disabled account's session survived")
	}
	if _, err := Authenticate(ctx, db, "lee", "a-long-password"); err != ErrBadLogin {
		t.Errorf("a disabled account logs in: %v", err)
	}
}

func TestUsersAndPasswords(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	defer db.Close()
	now := time.Now()
	for _, c := range []struct {
		nu   NewUser
		want string
	}{
		{NewUser{Name: "a b", Password: "a-long-password", Roles: []Role{Leader}}, "auth.badname"},
		{NewUser{Name: "amy", Password: "short", Roles: []Role{Leader}}, "auth.shortpw"},
		{NewUser{Name: "amy-long-name", Password: "AMY-LONG-NAME", Roles: []Role{Leader}}, "auth.namepw"},
		{NewUser{Name: "amy", Password: "a-long-password"}, "auth.norole"},
		{NewUser{Name: "amy", Password: "a-long-password", Roles: []Role{Clerk}}, "auth.clerknodistrict"},
	} {
		if _, err := AddUser(ctx, db, c.nu, now); errKey(err) != c.want {
			t.Errorf("%+v: %v, want %s", c.nu, err, c.want)
		}
	}
	u, err := AddUser(ctx, db, NewUser{Name: "amy", Password: "a-long-password", Roles: []Role{Clerk, Evaluator}, Districts: []string{"320505", "320506"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Has(Clerk) || !u.Has(Evaluator) || u.Has(Admin) || !u.ClerkOf("320506") || u.ClerkOf("320507") || u.RoleList() != "evaluator,clerk" {
		t.Errorf("user: %+v", u)
	}
	if _, err := AddUser(ctx, db, NewUser{Name: "amy", Password: "a-long-password", Roles: []Role{Leader}}, now); errKey(err) != "auth.exists" {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := Authenticate(ctx, db, "amy", "wrong-password"); err != ErrBadLogin {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := Authenticate(ctx, db, "nobody", "wrong-password"); err != ErrBadLogin {
		t.Errorf("unknown user: %v", err)
	}
	var hash string
	db.QueryRow(`SELECT password_hash FROM users WHERE name = 'amy'`).Scan(&hash)
	if len(hash) < 20 || hash[:10] != "$argon2id$" {
		t.Errorf("stored hash %q", hash)
	}
	if err := SetPassword(ctx, db, "amy", "another-long-one", true); err != nil {
		t.Fatal(err)
	}
	if u, err := Authenticate(ctx, db, "amy", "another-long-one"); err != nil || !u.MustChange {
		t.Errorf("after SetPassword: %+v %v", u, err)
	}
	if ok, _ := HasAdmin(ctx, db); ok {
		t.Error("an admin out of nowhere")
	}
	if err := SetRoles(ctx, db, "amy", []Role{Admin}, nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := HasAdmin(ctx, db); !ok {
		t.Error("no admin after SetRoles")
	}
	if _, err := ParseRole("boss"); errKey(err) != "auth.badrole" {
		t.Errorf("bad role: %v", err)
	}
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "12h": 12 * time.Hour} {
		if d, err := ParseTTL(in); err != nil || d != want {
			t.Errorf("ParseTTL(%s) = %v %v", in, d, err)
		}
	}
	if _, err := ParseTTL("soon"); errKey(err) != "auth.badttl" {
		t.Errorf("bad ttl: %v", err)
	}
	if _, _, err := CreateToken(ctx, db, "nobody", time.Hour, now); errKey(err) != "auth.nouser" {
		t.Errorf("token for nobody: %v", err)
	}
	if err := RevokeToken(ctx, db, 99, now); errKey(err) != "auth.notoken" {
		t.Errorf("revoke 99: %v", err)
	}
	SetDisabled(ctx, db, "amy", true)
	if _, _, err := CreateToken(ctx, db, "amy", time.Hour, now); errKey(err) != "auth.disabled" {
		t.Errorf("token for a disabled user: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	th := &Throttle{Now: func() time.Time { return now }}
	for i := 0; i < 4; i++ {
		th.Fail("amy")
	}
	if w := th.Wait("amy"); w != 0 {
		t.Fatalf("locked after 4 failures: %v", w)
	}
	th.Fail("amy")
	if w := th.Wait("amy"); w != 30*time.Second {
		t.Fatalf("after 5 failures: %v", w)
	}
	th.Fail("amy")
	if w := th.Wait("amy", "bo"); w != time.Minute {
		t.Fatalf("after 6 failures: %v", w)
	}
	for i := 0; i < 20; i++ {
		th.Fail("amy")
	}
	if w := th.Wait("amy"); w != 15*time.Minute {
		t.Fatalf("capped lockout: %v", w)
	}
	now = now.Add(16 * time.Minute)
	if w := th.Wait("amy"); w != 0 {
		t.Fatalf("lockout never ends: %v", w)
	}
	th.Succeed("amy")
	th.Fail("amy")
	if w := th.Wait("amy"); w != 0 {
		t.Fatalf("success did not clear: %v", w)
	}
}

// TestAuditRehashedEntry: an entry altered and given a correct hash of its
// new fields still breaks the link from the next entry.
func TestAuditRehashedEntry(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "")
	defer db.Close()
	for _, a := range []string{"login", "upload", "logout"} {
		Record(ctx, db, Entry{Actor: "cy", Action: a})
	}
	list, _ := List(ctx, db, Filter{Action: "upload"})
	e := list[0]
	e.Result = Failed
	e.Hash = e.chainHash()
	if _, err := db.Exec(`UPDATE audit_log SET result = ?, hash = ? WHERE seq = ?`, e.Result, e.Hash, e.Seq); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, db); errKey(err) != "audit.broken" || err.(*locale.Error).Args[0] != int64(3) {
		t.Errorf("rehashed entry 2: %v", err)
	}
}

func openBench() (*store.DB, error) { return store.Open(context.Background(), "") }

// What users read of this package: the role names in both languages, a
// wrong login refused in words that do not say which part was wrong.
func TestRoleNamesAndBadLogin(t *testing.T) {
	want := map[Role][2]string{Leader: {"领导", "leader"}, Evaluator: {"考核员", "evaluator"}, Analyst: {"分析员", "analyst"},
		Clerk: {"区县填报员", "clerk"}, Admin: {"管理员", "admin"}}
	for _, r := range AllRoles {
		zh, en := r.Name(locale.ZH), r.Name(locale.EN)
		if w, ok := want[r]; !ok || !strings.Contains(zh, w[0]) || !strings.Contains(strings.ToLower(en), w[1]) {
			t.Errorf("role %s: %q / %q", r, zh, en)
		}
	}
	db := openDB(t, filepath.Join(t.TempDir(), "a.duckdb"))
	if _, err := AddUser(context.Background(), db, NewUser{Name: "amy", Password: "a-long-password", Roles: []Role{Leader}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"amy", "wrong-password"}, {"nobody", "a-long-password"}} {
		_, err := Authenticate(context.Background(), db, c[0], c[1])
		var le *locale.Error
		if !errors.As(err, &le) || le.In(locale.ZH) != "用户名或密码错误" || le.In(locale.EN) != "wrong user name or password" {
			t.Errorf("login %s: %v", c[0], err)
		}
	}
}

// Cutting the newest entries off leaves a chain that holds together; the
// witness beside the database file tells. A rewritten newest entry (its
// hash recomputed) is told too.
func TestAuditTailCutOff(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.duckdb")
	db := openDB(t, path)
	for _, a := range []string{"login", "upload", "export"} {
		if err := Record(ctx, db, Entry{Actor: "amy", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := Verify(ctx, db); err != nil || n != 3 {
		t.Fatalf("intact: %d %v", n, err)
	}
	if _, err := db.Exec(`DELETE FROM audit_log WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	_, err := Verify(ctx, db)
	if errKey(err) != "audit.truncated" || !strings.Contains(err.(*locale.Error).In(locale.ZH), "曾有 3 条，现在只有 2 条") {
		t.Errorf("cut-off tail: %v", err)
	}
	// Put a different, well-chained entry 3 in its place: the witness's hash differs.
	list, _ := List(ctx, db, Filter{})
	e := Entry{Seq: 3, At: list[0].At, Actor: "amy", Action: "login", Result: OK, Prev: list[0].Hash}
	e.Hash = e.chainHash()
	if _, err := db.Exec(`INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.Actor, e.Roles, e.Remote, e.Action, e.Object, e.Result, e.Detail, e.Prev, e.Hash); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, db); errKey(err) != "audit.altered" {
		t.Errorf("a new entry 3 in place of the old: %v", err)
	}
	// After a restore the witness names the trail as it stands.
	if err := ResetHead(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n, err := Verify(ctx, db); err != nil || n != 3 {
		t.Errorf("after ResetHead: %d %v", n, err)
	}
}
