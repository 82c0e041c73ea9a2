package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"

	"sgz"
	"sgz/locale"
	"sgz/store"
)

// hashParams: argon2id with OWASP's 19 MiB, two passes, one lane.
var hashParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// MinPassword is the shortest password accepted, in characters.
const MinPassword = 10

// ErrBadLogin is a wrong name or password (which one is not said).
var ErrBadLogin = locale.Errorf("auth.badlogin")

// Wall is t's Beijing wall clock as a zone-less value: TIMESTAMP columns hold
// Beijing wall time (store/migrations/001_core.sql).
func Wall(t time.Time) time.Time {
	b := t.In(sgz.Beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), b.Second(), b.Nanosecond(), time.UTC).Truncate(time.Microsecond)
}

// NewUser describes an account to create.
type NewUser struct {
	Name       string
	Password   string // "" with Source oidc: no local password
	Roles      []Role
	Districts  []string
	MustChange bool
	Source     string // local (default) | oidc
}

// CheckName: a login name is 1–64 printable characters without spaces.
func CheckName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 || strings.ContainsAny(name, " \t\r\n/\\\"'<>&") {
		return locale.Errorf("auth.badname", name)
	}
	return nil
}

// CheckPassword is the password policy: at least MinPassword characters,
// not the login name.
func CheckPassword(name, pw string) error {
	if utf8.RuneCountInString(pw) < MinPassword {
		return locale.Errorf("auth.shortpw", MinPassword)
	}
	if strings.EqualFold(strings.TrimSpace(pw), name) {
		return locale.Errorf("auth.namepw")
	}
	return nil
}

// RandomPassword is a fresh initial password (16 characters).
func RandomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// AddUser creates an account.
func AddUser(ctx context.Context, db *store.DB, nu NewUser, now time.Time) (*User, error) {
	if err := CheckName(nu.Name); err != nil {
		return nil, err
	}
	if nu.Source == "" {
		nu.Source = "local"
	}
	if len(nu.Roles) == 0 {
		return nil, locale.Errorf("auth.norole")
	}
	if slices.Contains(nu.Roles, Clerk) && len(nu.Districts) == 0 {
		return nil, locale.Errorf("auth.clerknodistrict")
	}
	var hash any
	if nu.Source == "local" {
		if err := CheckPassword(nu.Name, nu.Password); err != nil {
			return nil, err
		}
		h, err := argon2id.CreateHash(nu.Password, hashParams)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	if u, err := FindUser(ctx, db, nu.Name); err != nil {
		return nil, err
	} else if u != nil {
		return nil, locale.Errorf("auth.exists", nu.Name)
	}
	var id int64
	err := db.Write(ctx, func(w *store.Writer) error {
		w.Accounts() // accounts and tokens: not in the analysts' views, but replicas show them
		if err := w.QueryRow(`SELECT nextval('user_id_seq')`, nil, &id); err != nil {
			return err
		}
		if err := w.Exec(`INSERT INTO users VALUES (?, ?, ?, ?, false, ?, ?)`, id, nu.Name, hash, nu.MustChange, nu.Source, Wall(now)); err != nil {
			return err
		}
		return setRoles(w, id, nu.Roles, nu.Districts)
	})
	if err != nil {
		return nil, err
	}
	return UserByID(ctx, db, id)
}

func setRoles(w *store.Writer, id int64, roles []Role, districts []string) error {
	if err := w.Exec(`DELETE FROM user_roles WHERE user_id = ?`, id); err != nil {
		return err
	}
	if err := w.Exec(`DELETE FROM user_districts WHERE user_id = ?`, id); err != nil {
		return err
	}
	seen := map[Role]bool{}
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if err := w.Exec(`INSERT INTO user_roles VALUES (?, ?)`, id, string(r)); err != nil {
			return err
		}
	}
	if !slices.Contains(roles, Clerk) {
		return nil
	}
	for _, d := range slices.Compact(slices.Sorted(slices.Values(districts))) {
		if err := w.Exec(`INSERT INTO user_districts VALUES (?, ?)`, id, d); err != nil {
			return err
		}
	}
	return nil
}

// SetRoles replaces a user's roles and districts.
func SetRoles(ctx context.Context, db *store.DB, name string, roles []Role, districts []string) error {
	u, err := FindUser(ctx, db, name)
	if err != nil {
		return err
	}
	if u == nil {
		return locale.Errorf("auth.nouser", name)
	}
	if len(roles) == 0 {
		return locale.Errorf("auth.norole")
	}
	if slices.Contains(roles, Clerk) && len(districts) == 0 {
		return locale.Errorf("auth.clerknodistrict")
	}
	return db.Write(ctx, func(w *store.Writer) error { w.Accounts(); return setRoles(w, u.ID, roles, districts) })
}

const userCols = `u.user_id, u.name, u.must_change, u.disabled, u.source,
	coalesce((SELECT string_agg(role, ',' ORDER BY role) FROM user_roles r WHERE r.user_id = u.user_id), ''),
	coalesce((SELECT string_agg(district_code, ',' ORDER BY district_code) FROM user_districts d WHERE d.user_id = u.user_id), '')`

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	var roles, districts string
	if err := sc.Scan(&u.ID, &u.Name, &u.MustChange, &u.Disabled, &u.Source, &roles, &districts); err != nil {
		return nil, err
	}
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, Role(r))
		}
	}
	slices.SortFunc(u.Roles, func(a, b Role) int { return slices.Index(AllRoles, a) - slices.Index(AllRoles, b) })
	if districts != "" {
		u.Districts = strings.Split(districts, ",")
	}
	return &u, nil
}

func oneUser(ctx context.Context, db *store.DB, where string, arg any) (*User, error) {
	u, err := scanUser(db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users u WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return u, err
}

// FindUser is the account called name (nil when none).
func FindUser(ctx context.Context, db *store.DB, name string) (*User, error) {
	return oneUser(ctx, db, `u.name = ?`, name)
}

// UserByID is the account with that id (nil when none).
func UserByID(ctx context.Context, db *store.DB, id int64) (*User, error) {
	return oneUser(ctx, db, `u.user_id = ?`, id)
}

// ListUsers lists every account by name.
func ListUsers(ctx context.Context, db *store.DB) ([]*User, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+userCols+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// HasAdmin reports whether an enabled admin account exists.
func HasAdmin(ctx context.Context, db *store.DB) (bool, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM users u JOIN user_roles r USING (user_id)
		WHERE r.role = 'admin' AND NOT u.disabled`).Scan(&n)
	return n > 0, err
}

// dummyHash makes a login with an unknown name cost as much as a wrong password.
var dummyHash, _ = argon2id.CreateHash("sgz-no-such-user", hashParams)

// Authenticate checks a name and password: the user, or ErrBadLogin.
func Authenticate(ctx context.Context, db *store.DB, name, pw string) (*User, error) {
	var hash sql.NullString
	var disabled bool
	err := db.QueryRowContext(ctx, `SELECT password_hash, disabled FROM users WHERE name = ?`, name).Scan(&hash, &disabled)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !hash.Valid) {
		argon2id.ComparePasswordAndHash(pw, dummyHash)
		return nil, ErrBadLogin
	}
	if err != nil {
		return nil, err
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash.String)
	if err != nil || !ok || disabled {
		return nil, ErrBadLogin
	}
	return FindUser(ctx, db, name)
}

// SetPassword sets a user's password; mustChange makes it an initial one.
// Every session of the user ends.
func SetPassword(ctx context.Context, db *store.DB, name, pw string, mustChange bool) error {
	if err := CheckPassword(name, pw); err != nil {
		return err
	}
	u, err := FindUser(ctx, db, name)
	if err != nil {
		return err
	}
	if u == nil {
		return locale.Errorf("auth.nouser", name)
	}
	h, err := argon2id.CreateHash(pw, hashParams)
	if err != nil {
		return err
	}
	return db.Write(ctx, func(w *store.Writer) error {
		w.Accounts() // accounts and tokens: not in the analysts' views, but replicas show them
		if err := w.Exec(`UPDATE users SET password_hash = ?, must_change = ? WHERE user_id = ?`, h, mustChange, u.ID); err != nil {
			return err
		}
		return w.Exec(`DELETE FROM sessions WHERE user_id = ?`, u.ID)
	})
}

// SetDisabled disables (or enables) an account; disabling ends its sessions.
func SetDisabled(ctx context.Context, db *store.DB, name string, disabled bool) error {
	u, err := FindUser(ctx, db, name)
	if err != nil {
		return err
	}
	if u == nil {
		return locale.Errorf("auth.nouser", name)
	}
	return db.Write(ctx, func(w *store.Writer) error {
		w.Accounts() // accounts and tokens: not in the analysts' views, but replicas show them
		if err := w.Exec(`UPDATE users SET disabled = ? WHERE user_id = ?`, disabled, u.ID); err != nil {
			return err
		}
		if disabled {
			return w.Exec(`DELETE FROM sessions WHERE user_id = ?`, u.ID)
		}
		return nil
	})
}
