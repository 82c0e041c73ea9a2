package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"sgz/locale"
	"sgz/store"
)

// Entry is one line of the audit trail: who, when (Beijing), from where,
// what, on what, with what result. Never personal data: no reporter, no
// phone, no file contents, no passwords.
type Entry struct {
	Seq    int64
	At     time.Time // Beijing wall time (zero: now)
	Actor  string    // user name; "cli" for the command line; "-" for an unknown login name
	Roles  string
	Remote string // client address, or "cli"
	Action string // login, logout, upload, sendback, restore, export, sql, user.add, token.create, registry.load …
	Object string // what it acted on: a return id, a route, a user name, a file
	Result string // ok | denied | failed | rejected
	Detail string
	Prev   string // the previous entry's hash
	Hash   string
}

// Result values.
const (
	OK       = "ok"
	Denied   = "denied"
	Failed   = "failed"
	Rejected = "rejected"
)

// recordMu chains one entry at a time within the process; the primary key on
// seq refuses a second writer that read the same tail.
var recordMu sync.Mutex

// afterTail, when a test sets it, runs between reading the trail's tail and
// appending to it: where a second writer (another process) could come in.
var afterTail func()

// Record appends e to the audit trail, chained to the last entry.
func Record(ctx context.Context, db *store.DB, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = Wall(e.At)
	if e.Result == "" {
		e.Result = OK
	}
	if e.Actor == "" {
		e.Actor = "-"
	}
	recordMu.Lock()
	defer recordMu.Unlock()
	var err error
	for try := 0; try < 3; try++ {
		err = db.Write(ctx, func(w *store.Writer) error {
			w.LogOnly() // accounts, sessions, tokens and the audit trail are not in the analysts' views
			var seq int64
			var prev string
			if err := w.QueryRow(`SELECT coalesce(max(seq), 0), coalesce(arg_max(hash, seq), '') FROM audit_log`, nil, &seq, &prev); err != nil {
				return err
			}
			if afterTail != nil {
				afterTail()
			}
			e.Seq, e.Prev = seq+1, prev
			e.Hash = e.chainHash()
			return w.Exec(`INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Seq, e.At, e.Actor, e.Roles, e.Remote, e.Action, e.Object, e.Result, e.Detail, e.Prev, e.Hash)
		})
		if err == nil || !strings.Contains(err.Error(), "onstraint") {
			break
		}
	}
	if err == nil {
		writeHead(db, e.Seq, e.Hash)
	}
	return err
}

// HeadFile is the witness of the trail's newest entry, kept beside the
// database file ("<db>.audit-head": its number and hash): the chain alone
// cannot tell that its newest entries were cut off, the witness can. A
// database in memory has none.
func HeadFile(db *store.DB) string {
	if db.Path == "" || db.Path == ":memory:" {
		return ""
	}
	return db.Path + ".audit-head"
}

// writeHead replaces the witness atomically (best effort: a failure leaves
// the older witness, which the chain still extends).
func writeHead(db *store.DB, seq int64, hash string) {
	f := HeadFile(db)
	if f == "" {
		return
	}
	tmp := f + ".part"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%d %s\n", seq, hash)), 0o600); err == nil {
		os.Rename(tmp, f)
	}
}

// ResetHead makes the witness name the trail's newest entry as it stands
// (after a restore, whose older trail is the one that now counts).
func ResetHead(ctx context.Context, db *store.DB) error {
	var seq int64
	var hash string
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0), coalesce(arg_max(hash, seq), '') FROM audit_log`).Scan(&seq, &hash); err != nil {
		return err
	}
	if seq == 0 {
		if f := HeadFile(db); f != "" {
			os.Remove(f)
		}
		return nil
	}
	writeHead(db, seq, hash)
	return nil
}

// chainHash covers every field and the previous hash.
func (e *Entry) chainHash() string {
	h := sha256.New()
	for _, f := range []string{e.Prev, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format("2006-01-02T15:04:05.000000"),
		e.Actor, e.Roles, e.Remote, e.Action, e.Object, e.Result, e.Detail} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Filter selects audit entries.
type Filter struct {
	Since, Until time.Time // Beijing wall times; zero: unbounded
	Actor        string
	Action       string // a prefix: "user" matches user.add, user.disable …
	Result       string
	Limit        int // 0: all
}

const auditCols = `seq, logged_at, actor, roles, remote, action, object, result, detail, prev_hash, hash`

func scanEntries(ctx context.Context, db *store.DB, q string, args ...any) ([]Entry, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Roles, &e.Remote, &e.Action, &e.Object, &e.Result, &e.Detail, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// List reads the audit trail, newest first.
func List(ctx context.Context, db *store.DB, f Filter) ([]Entry, error) {
	q := `SELECT ` + auditCols + ` FROM audit_log WHERE true`
	var args []any
	if !f.Since.IsZero() {
		q += ` AND logged_at >= ?`
		args = append(args, Wall(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND logged_at < ?`
		args = append(args, Wall(f.Until))
	}
	if f.Actor != "" {
		q += ` AND actor = ?`
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		q += ` AND (action = ? OR starts_with(action, ?))`
		args = append(args, f.Action, f.Action+".")
	}
	if f.Result != "" {
		q += ` AND result = ?`
		args = append(args, f.Result)
	}
	q += ` ORDER BY seq DESC`
	if f.Limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	return scanEntries(ctx, db, q, args...)
}

// Verify checks the whole chain: entries numbered 1…n without a gap, each
// hash matching its fields and the previous hash. It returns how many
// entries were checked, and a user error naming the first broken entry.
func Verify(ctx context.Context, db *store.DB) (int, error) {
	list, err := scanEntries(ctx, db, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	prev := ""
	for i, e := range list {
		want := int64(i + 1)
		switch {
		case e.Seq != want:
			return i, locale.Errorf("audit.gap", want)
		case e.Prev != prev:
			return i, locale.Errorf("audit.broken", e.Seq)
		}
		stored := e.Hash
		if e.chainHash() != stored {
			return i, locale.Errorf("audit.altered", e.Seq)
		}
		prev = stored
	}
	// The witness: the entry it names must still be there, with its hash.
	if f := HeadFile(db); f != "" {
		if b, err := os.ReadFile(f); err == nil {
			var seq int64
			var hash string
			if _, err := fmt.Sscanf(string(b), "%d %s", &seq, &hash); err == nil && seq > 0 {
				if seq > int64(len(list)) {
					return len(list), locale.Errorf("audit.truncated", seq, len(list))
				}
				if list[seq-1].Hash != hash {
					return len(list), locale.Errorf("audit.altered", seq)
				}
			}
		}
	}
	return len(list), nil
}
