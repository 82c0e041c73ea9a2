package dashboard

// The numbers behind the pages come from package metrics (the same code as
// `sgz indicators` and `sgz assess`); this file only caches them. Every cached
// result is dropped whenever a return is accepted or sent back
// (Server.Invalidate), so a number is never stale. Only the server writes to
// the database while it runs (DuckDB lets one process hold the file).
//
// The reference date (?as_of=, default today: metrics.Config.Ref) decides
// which quarters are due; it travels in the request's context (withRef, set
// by Server.span with the period) and is part of every cache key.

import (
	"context"
	"strconv"
	"sync"
	"time"

	"sgz"
	"sgz/metrics"
	"sgz/registry"
	"sgz/store"
)

type calc struct {
	db   *store.DB
	cfg  *metrics.Config
	regs *registry.Cache

	mu   sync.Mutex
	gen  int64
	memo map[string]*memoEntry

	rendered *pageCache // pages as sent (pagecache.go)
	heavy    chan struct{}
}

// heavySlots is how many of the numbers' computations (package metrics'
// queries: a level, a trend, an assessment, a headline, the forecasts) run
// at once. On the national database 32 viewers of 32 districts started 32
// headline computations together: DuckDB filled its memory limit and 3.7 GB
// of temporary files and every page failed with "Out of Memory". The rest
// wait for a slot (memoize: each key is still computed once).
const heavySlots = 2

// gated runs fn, one of package metrics' computations, in a heavy slot. It
// must not call memoize (a computation waiting for another while holding a
// slot could wait for ever).
func gated[T any](c *calc, fn func() (T, error)) (T, error) {
	c.heavy <- struct{}{}
	defer func() { <-c.heavy }()
	return fn()
}

const maxMemo = 5000

type memoEntry struct {
	done chan struct{}
	v    any
	err  error
}

func newCalc(db *store.DB, cfg *metrics.Config) *calc {
	return &calc{db: db, cfg: cfg, regs: registry.NewCache(db), memo: map[string]*memoEntry{}, rendered: newPageCache(maxCachedBytes), heavy: make(chan struct{}, heavySlots)}
}

type refKey struct{}

// withRef carries a reference instant (metrics.ParseAsOf) in ctx.
func withRef(ctx context.Context, ref time.Time) context.Context {
	return context.WithValue(ctx, refKey{}, ref)
}

// cfgAt is the rules at ctx's reference instant (today when none), and the
// cache key prefix that names it.
func (c *calc) cfgAt(ctx context.Context) (*metrics.Config, string) {
	ref, _ := ctx.Value(refKey{}).(time.Time)
	cfg := c.cfg.At(ref)
	return cfg, cfg.Ref().Format("20060102") + "|"
}

// invalidate drops every cached number.
func (c *calc) invalidate() {
	c.mu.Lock()
	c.gen++
	c.memo = map[string]*memoEntry{}
	c.mu.Unlock()
	c.rendered.clear()
}

// memoize computes fn once per key until the next invalidate; concurrent
// callers of the same key wait for the first one.
func memoize[T any](c *calc, key string, fn func() (T, error)) (T, error) {
	c.mu.Lock()
	e, ok := c.memo[key]
	if !ok {
		if len(c.memo) >= maxMemo { // bounded: odd periods requested in bulk start it afresh
			c.memo = map[string]*memoEntry{}
		}
		e = &memoEntry{done: make(chan struct{})}
		c.memo[key] = e
		gen := c.gen
		c.mu.Unlock()
		func() {
			defer close(e.done)
			defer func() {
				if p := recover(); p != nil {
					e.err = panicError{p}
				}
			}()
			e.v, e.err = fn()
		}()
		if e.err != nil {
			c.mu.Lock()
			if c.gen == gen && c.memo[key] == e {
				delete(c.memo, key) // errors are not cached
			}
			c.mu.Unlock()
		}
	} else {
		c.mu.Unlock()
		<-e.done
	}
	if e.err != nil {
		var zero T
		return zero, e.err
	}
	return e.v.(T), nil
}

// memoGen is memoize for what a page reads straight from the tables (the
// returns of a district or a span, a return's rows and review): once per key
// and database generation (store.DB.Generation, which every committed write
// but the logs' moves on: a rejected upload, a review, a registry load), so
// that it is never stale while the numbers' cache (memoize) is kept across
// writes that do not change them. Entries of older generations go with the
// next invalidate or when the memo is full.
func memoGen[T any](c *calc, key string, fn func() (T, error)) (T, error) {
	return memoize(c, "G"+strconv.FormatUint(c.db.Generation(), 10)+"|"+key, fn)
}

type panicError struct{ p any }

func (p panicError) Error() string { return "panic in computation" }

// unitRow is one unit's indicators for a span.
type unitRow struct {
	Code, Name, Parent string
	Level              sgz.Level
	AsOf               string
	Comp               metrics.Completeness
	// Vals is the unit's values, in the order of metrics.Indicators (read
	// one with Val or Lookup; do not write): a part of its table's Raw (no
	// copy) when they are one run there, as metrics.Compute returns them.
	// Each value is kept once: a map per unit copying Raw held about 116 MB
	// of the server's heap on the national database (docs/operations.md,
	// "Values kept once").
	Vals []metrics.Value
}

// indPos is each indicator's position in metrics.Indicators: where a unit's
// value of it is when the unit has every indicator (Val's first guess).
var indPos = func() map[string]int {
	m := map[string]int{}
	for i, ind := range metrics.Indicators {
		m[ind.ID] = i
	}
	return m
}()

// Lookup is the unit's value of indicator id, and whether it has one.
func (u *unitRow) Lookup(id string) (metrics.Value, bool) {
	if u == nil {
		return metrics.Value{}, false
	}
	if i, ok := indPos[id]; ok && i < len(u.Vals) && u.Vals[i].Indicator == id {
		return u.Vals[i], true
	}
	for i := range u.Vals {
		if u.Vals[i].Indicator == id {
			return u.Vals[i], true
		}
	}
	return metrics.Value{}, false
}

// Val is the unit's value of indicator id (the zero Value when it has none).
func (u *unitRow) Val(id string) metrics.Value {
	v, _ := u.Lookup(id)
	return v
}

func (u *unitRow) val(id string) *float64 {
	return u.Val(id).Value
}

// table is every unit of a level for a span, in code order.
type table struct {
	Span  sgz.Span
	Level sgz.Level
	Units []*unitRow
	by    map[string]*unitRow
	Raw   []metrics.Value
}

func (t *table) unit(code string) *unitRow { return t.by[code] }

// newTable groups vals by unit. A unit whose values are one run of vals (as
// metrics.Compute returns them: in unit code order) keeps that part of vals;
// one whose values are scattered gets a copy of them, so a value is shared
// with Raw or copied, never both for a run.
func newTable(span sgz.Span, level sgz.Level, vals []metrics.Value) *table {
	t := &table{Span: span, Level: level, by: map[string]*unitRow{}, Raw: vals}
	for i := 0; i < len(vals); {
		j := i + 1
		for j < len(vals) && vals[j].UnitCode == vals[i].UnitCode {
			j++
		}
		v := vals[i]
		if u := t.by[v.UnitCode]; u != nil { // a later run of a unit already seen: its values are copied
			u.Vals = append(u.Vals[:len(u.Vals):len(u.Vals)], vals[i:j]...)
		} else {
			u = &unitRow{Code: v.UnitCode, Name: v.UnitName, Parent: v.ParentCode, Level: v.Level, AsOf: v.AsOf,
				Comp: v.Completeness, Vals: vals[i:j:j]}
			t.by[v.UnitCode] = u
			t.Units = append(t.Units, u)
		}
		i = j
	}
	return t
}

// level computes every unit of a level for a span.
func (c *calc) level(ctx context.Context, span sgz.Span, l sgz.Level) (*table, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	cfg, ref := c.cfgAt(ctx)
	return memoize(c, ref+"L|"+span.String()+"|"+string(l), func() (*table, error) {
		vals, err := gated(c, func() ([]metrics.Value, error) { return metrics.Compute(ctx, c.db, span, l, cfg) })
		if err != nil {
			return nil, err
		}
		return newTable(span, l, vals), nil
	})
}

// top is the unit at the top of the registry: its one city, else its one
// province, else the country.
func (c *calc) top(ctx context.Context, span sgz.Span) (*unitRow, error) {
	l := metrics.Country
	if reg, err := c.regs.For(ctx, span.To); err == nil && reg != nil {
		if reg.CountOf(sgz.City) == 1 {
			l = sgz.City
		} else if reg.CountOf(sgz.Province) == 1 {
			l = sgz.Province
		}
	}
	t, err := c.level(ctx, span, l)
	if err != nil || len(t.Units) == 0 {
		return nil, err
	}
	return t.Units[0], nil
}

// towns is the towns of one district. The country's towns are computed
// once per span (one query, as before), but kept only as each district's
// values, packed (townsByDistrict); the table of one district is built when
// it is asked. Kept as a national table (c.level), they held about 200 MB of
// the server's heap on the national database, as values by district 46 MB
// a span, packed 20 MB (docs/operations.md, "Scale").
func (c *calc) towns(ctx context.Context, span sgz.Span, district string) (*table, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	_, ref := c.cfgAt(ctx)
	return memoize(c, ref+"T|"+span.String()+"|"+district, func() (*table, error) {
		by, err := c.townsByDistrict(ctx, span)
		if err != nil {
			return nil, err
		}
		return newTable(span, sgz.Town, by[district].unpack()), nil
	})
}

// townsByDistrict is every town's values of a span, by district (packed): a
// town counts in its parent's list and in that of its code's first six
// digits.
func (c *calc) townsByDistrict(ctx context.Context, span sgz.Span) (map[string]*packed, error) {
	cfg, ref := c.cfgAt(ctx)
	return memoize(c, ref+"TD|"+span.String(), func() (map[string]*packed, error) {
		vals, err := gated(c, func() ([]metrics.Value, error) { return metrics.Compute(ctx, c.db, span, sgz.Town, cfg) })
		if err != nil {
			return nil, err
		}
		// Values come in unit code order, so a district's towns are mostly
		// one run: a part of vals (no copy) until packed; a run's slice is
		// capped so that appending a later run (or a town counted in a
		// second district) copies rather than overwrites.
		by := map[string][]metrics.Value{}
		add := func(d string, run []metrics.Value) {
			if cur, ok := by[d]; ok {
				by[d] = append(cur, run...)
			} else {
				by[d] = run[:len(run):len(run)]
			}
		}
		for i := 0; i < len(vals); {
			j := i + 1
			for j < len(vals) && vals[j].ParentCode == vals[i].ParentCode {
				j++
			}
			add(vals[i].ParentCode, vals[i:j])
			for k := i; k < j; k++ {
				if v := vals[k]; len(v.UnitCode) == 9 && v.UnitCode[:6] != v.ParentCode {
					add(v.UnitCode[:6], vals[k:k+1])
				}
			}
			i = j
		}
		out := make(map[string]*packed, len(by))
		for d, vs := range by {
			out[d] = pack(vs)
		}
		return out, nil
	})
}

// trend is each quarter from..to of the given units (all of the level when none).
func (c *calc) trend(ctx context.Context, from, to sgz.Period, l sgz.Level, codes ...string) (map[string]map[string][]metrics.Value, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	cfg, ref := c.cfgAt(ctx)
	key := ref + "R|" + from.String() + "|" + to.String() + "|" + string(l)
	for _, x := range codes {
		key += "|" + x
	}
	return memoize(c, key, func() (map[string]map[string][]metrics.Value, error) {
		vals, err := gated(c, func() ([]metrics.Value, error) { return metrics.Trend(ctx, c.db, from, to, l, cfg, codes...) })
		if err != nil {
			return nil, err
		}
		out := map[string]map[string][]metrics.Value{}
		for _, v := range vals {
			m := out[v.UnitCode]
			if m == nil {
				m = map[string][]metrics.Value{}
				out[v.UnitCode] = m
			}
			m[v.Indicator] = append(m[v.Indicator], v)
		}
		return out, nil
	})
}

func (c *calc) assess(ctx context.Context, span sgz.Span) (*metrics.Assessment, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	cfg, ref := c.cfgAt(ctx)
	return memoize(c, ref+"A|"+span.String(), func() (*metrics.Assessment, error) {
		// A closed span: the assessment recorded when it was closed.
		return gated(c, func() (*metrics.Assessment, error) {
			a, _, err := metrics.Final(ctx, c.db, span, cfg)
			return a, err
		})
	})
}

func (c *calc) reporting(ctx context.Context, span sgz.Span) (*metrics.ReportingStatus, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	cfg, ref := c.cfgAt(ctx)
	return memoize(c, ref+"P|"+span.String(), func() (*metrics.ReportingStatus, error) {
		return gated(c, func() (*metrics.ReportingStatus, error) { return metrics.Reporting(ctx, c.db, span, cfg) })
	})
}

// scored lists the indicators that count, in display order.
func (c *calc) scored() []metrics.Indicator {
	var out []metrics.Indicator
	for _, ind := range metrics.Indicators {
		if c.cfg.Rule(ind.ID).Counts() {
			out = append(out, ind)
		}
	}
	return out
}

// periods lists the quarters that have any accepted return, oldest first.
func (c *calc) periods(ctx context.Context) ([]sgz.Period, error) {
	ctx = context.WithoutCancel(ctx) // shared by every waiter: one leaving must not fail the others
	return memoize(c, "periods", func() ([]sgz.Period, error) {
		rows, err := c.db.QueryContext(ctx, `SELECT DISTINCT period FROM returns WHERE status = 'accepted' AND period IS NOT NULL ORDER BY 1`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []sgz.Period
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				return nil, err
			}
			if p, err := sgz.ParsePeriod(s); err == nil {
				out = append(out, p)
			}
		}
		return out, rows.Err()
	})
}

func ptr(f float64) *float64 { return &f }
