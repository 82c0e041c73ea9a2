package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sgz"

	"sgz/locale"
	"sgz/store"
)

// Record stores one checked file as a return attempt in one transaction: the
// attempt with its errors and warnings, the file's bytes (once per distinct
// content), and — only when it has no error — its rows. It returns the new
// return id and whether the return was accepted. A return whose bytes are
// identical to the one that counts for its district and period is not stored
// again: res.Unchanged and the returned id are that return's id.
func Record(ctx context.Context, db *store.DB, res *Result, source string, at time.Time) (int64, bool, error) {
	ids, err := RecordBatch(ctx, db, []*Result{res}, source, at)
	if err != nil {
		return 0, false, err
	}
	return ids[0], res.OK() && res.Unchanged == 0, nil
}

// RecordBatch records several checked files in one transaction, in order (so
// return ids ascend in the order given). Each file is still accepted or
// rejected on its own; the batch only shares the commit, which is most of
// the cost of a small write. If the transaction fails nothing is recorded.
func RecordBatch(ctx context.Context, db *store.DB, batch []*Result, source string, at time.Time) ([]int64, error) {
	// received_at is Beijing wall time (a TIMESTAMP without zone): hand the
	// driver the wall clock as a zone-less value, or it would store UTC.
	b := at.In(sgz.Beijing)
	at = time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), b.Second(), b.Nanosecond(), time.UTC)
	if err := warnRegressions(ctx, db, batch); err != nil {
		return nil, err
	}
	var ids []int64
	err := db.Write(ctx, func(w *store.Writer) error {
		var err error
		ids, err = w.Int64s(`SELECT nextval('return_id_seq') FROM range(?)`, len(batch))
		if err != nil {
			return err
		}
		if len(ids) != len(batch) {
			return fmt.Errorf("got %d return ids for %d files", len(ids), len(batch))
		}
		// Which contents are stored already (a resubmitted identical file).
		var shas []any
		var marks []string
		for _, res := range batch {
			if res.Data != nil {
				shas = append(shas, res.SHA256)
				marks = append(marks, "?")
			}
		}
		stored := map[string]bool{}
		if len(shas) > 0 {
			have, err := w.Strings(`SELECT sha256 FROM return_files WHERE sha256 IN (`+strings.Join(marks, ",")+`)`, shas...)
			if err != nil {
				return err
			}
			for _, h := range have {
				stored[h] = true
			}
		}
		// The returns that count now for the districts and periods of files
		// whose bytes are stored already: only those can be unchanged.
		var keys [][2]string
		for _, res := range batch {
			if res.OK() && stored[res.SHA256] {
				keys = append(keys, [2]string{res.Return.District, res.Return.Period.String()})
			}
		}
		current, err := currentReturns(w, keys)
		if err != nil {
			return err
		}
		for i, res := range batch {
			res.Unchanged = 0
			if !res.OK() {
				if err := recordOne(w, ids[i], res, source, at, stored); err != nil {
					return err
				}
				continue
			}
			k := [2]string{res.Return.District, res.Return.Period.String()}
			if cur, ok := current[k]; ok && cur.sha == res.SHA256 {
				res.Unchanged, ids[i] = cur.id, cur.id
				continue
			}
			current[k] = currentRet{res.SHA256, ids[i]} // later files of the batch compare with this one
			if err := recordOne(w, ids[i], res, source, at, stored); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

type currentRet struct {
	sha string
	id  int64
}

// currentReturns finds the return that counts (the newest accepted one,
// unless it was sent back) for each district and period, in one query.
func currentReturns(w *store.Writer, keys [][2]string) (map[[2]string]currentRet, error) {
	out := map[[2]string]currentRet{}
	if len(keys) == 0 {
		return out, nil
	}
	var args []any
	var marks []string
	for _, k := range keys {
		args = append(args, k[0], k[1])
		marks = append(marks, "(?, ?)")
	}
	got, err := w.Strings(`SELECT district_code || ' ' || period || ' ' || sha256 || ' ' || return_id::VARCHAR || ' ' || (sent_back_at IS NULL)::VARCHAR
		FROM returns WHERE status = 'accepted' AND (district_code, period) IN (`+strings.Join(marks, ", ")+`)
		ORDER BY received_at, return_id`, args...)
	if err != nil {
		return nil, err
	}
	for _, g := range got { // ascending: the last one per key counts
		f := strings.Fields(g)
		if len(f) != 5 {
			continue
		}
		k := [2]string{f[0], f[1]}
		if f[4] != "true" {
			delete(out, k)
			continue
		}
		id, _ := strconv.ParseInt(f[3], 10, 64)
		out[k] = currentRet{f[2], id}
	}
	return out, nil
}

// warnRegressions adds a warning for each town or village reported not
// built whose district's previous quarter had it built: in the database, or
// earlier in the same batch (files are recorded in the order given).
func warnRegressions(ctx context.Context, db *store.DB, batch []*Result) error {
	type key struct {
		district string
		period   sgz.Period
	}
	inBatch := map[key]map[string]bool{}
	for _, res := range batch {
		if !res.OK() {
			continue
		}
		r := res.Return
		prevKey := key{r.District, r.Period.Prev()}
		prev, ok := inBatch[prevKey]
		if !ok && len(res.notBuilt) > 0 {
			var err error
			if prev, err = PreviouslyBuilt(ctx, db, r.District, prevKey.period); err != nil {
				return err
			}
		}
		for _, u := range res.notBuilt {
			if prev[u.code] {
				res.Warnings = append(res.Warnings, Issue{Warning, u.sheet, u.cell,
					locale.M("ingest.built.regressed", prevKey.period.String())})
			}
		}
		res.notBuilt = nil // warned once, even if recorded again
		built := map[string]bool{}
		for _, s := range r.Stations {
			if s.Built {
				built[s.Code] = true
			}
		}
		for _, m := range r.Rooms {
			if m.Built {
				built[m.Code] = true
			}
		}
		inBatch[key{r.District, r.Period}] = built
	}
	return nil
}

func recordOne(w *store.Writer, id int64, res *Result, source string, at time.Time, stored map[string]bool) error {
	accepted := res.OK()
	status := "rejected"
	if accepted {
		status = "accepted"
	}
	var district, name, period, reporter, phone, filled any
	if r := res.Return; r != nil {
		district, name, reporter, phone, filled = null(r.District), null(r.DistrictName), null(r.Reporter), null(r.Phone), null(r.FilledOn)
		if r.Period.Valid() {
			period = r.Period.String()
		}
	}
	if err := w.Append("returns", id, baseName(res.File), res.SHA256, res.Size, at, status, source,
		district, name, period, reporter, phone, filled, int32(len(res.Errors)), int32(len(res.Warnings)), nil, nil); err != nil {
		return err
	}
	if res.Data != nil && !stored[res.SHA256] {
		if err := w.Append("return_files", res.SHA256, res.Data); err != nil {
			return err
		}
		stored[res.SHA256] = true
	}
	seq := int32(0)
	for _, list := range [][]Issue{res.Errors, res.Warnings} {
		for _, is := range list {
			seq++
			if err := w.Append("return_issues", id, seq, string(is.Severity), is.Sheet, is.Cell, is.Msg.Key,
				is.Msg.In(locale.ZH), is.Msg.In(locale.EN)); err != nil {
				return err
			}
		}
	}
	if !accepted {
		return nil
	}
	return appendRows(w, id, res.Return)
}

func appendRows(w *store.Writer, id int64, r *Return) error {
	for _, s := range r.Stations {
		if err := w.Append("stations", id, int32(s.Row), s.Code, null(s.Name), s.Built, date(s.BuiltOn), s.Standard,
			int32(s.Resident), int32(s.ResidentCert), int32(s.Outreach), int32(s.OutreachCert),
			null(s.Operation), null(s.Operator), s.CharityFund); err != nil {
			return err
		}
	}
	for _, m := range r.Rooms {
		if err := w.Append("rooms", id, int32(m.Row), m.Code, null(m.Name), m.Built, date(m.BuiltOn), m.CharityFund); err != nil {
			return err
		}
	}
	for _, f := range r.Funds {
		if err := w.Append("funds", id, int32(f.Row), f.Unit, f.Category, store.Money(f.Amount), null(f.Note)); err != nil {
			return err
		}
	}
	for _, t := range r.Trainings {
		var cost any
		if t.Cost >= 0 {
			cost = store.Money(t.Cost)
		}
		if err := w.Append("trainings", id, int32(t.Row), t.Name, date(t.StartOn), t.Hours, int32(t.Participants),
			null(t.Category), cost); err != nil {
			return err
		}
	}
	wf := r.Workforce
	if err := w.Append("workforce", id, int32(wf.CertifiedTotal), int32(wf.Assistant), int32(wf.Intermediate),
		int32(wf.Senior), int32(wf.Organisations), int32(wf.OrgStaff), int32(wf.Supervisors)); err != nil {
		return err
	}
	for _, p := range r.Projects {
		var served, demo any
		if p.Served >= 0 {
			served = int32(p.Served)
		}
		if p.Demonstration != nil {
			demo = *p.Demonstration
		}
		if err := w.Append("projects", id, int32(p.Row), p.Name, null(p.Town), null(p.Field), served, demo); err != nil {
			return err
		}
	}
	return nil
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func date(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}
