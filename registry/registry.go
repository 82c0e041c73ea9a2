// Package registry is the master registry of administrative units (区划名录):
// coverage is always measured against it, never against what a return lists.
// It parses the registry CSV, applies the default scope rule, and keeps
// versioned snapshots in the database so that a 区划调整 applies from a given
// period on while earlier periods keep their denominators.
package registry

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"sgz"
	"sgz/locale"
	"sgz/store"
	"sgz/value"
)

// BasePeriod marks the version that applies to every period before the first change.
const BasePeriod = "0000Q1"

//go:embed suzhou-2023.csv
var suzhouCSV []byte

// SuzhouSource names the built-in registry in the database.
const SuzhouSource = "内置：苏州市 2023 统计用区划代码"

// Unit is one administrative unit.
type Unit struct {
	Code       string
	Name       string
	Level      sgz.Level
	Parent     string
	InScope    bool
	Population int64 // 0 when unknown
	// Ancestors, resolved through Parent ("" when not in the registry); the
	// province and city are found with Registry.Above (they are rarely needed,
	// and a national snapshot holds 665,276 units).
	District, Town string
}

// Registry is one snapshot of the units, with lookups. Units are sorted by
// code and found by binary search; children are kept as index lists, so a
// national snapshot (665,276 units) costs little more than its units.
type Registry struct {
	From  string // period from which it applies ("0000Q1" for the base)
	Units []Unit // sorted by code
	kidAt []int32
	kids  []int32
	roots []int32
	// byLevel lists each level's units (indexes, in code order): a page
	// asks for the cities or districts on every request, and walking a
	// national snapshot's 665,276 units for them took 10 ms each time.
	byLevel map[sgz.Level][]int32
	// in: the districts within each district, city and province code
	// (DistrictsIn), built on first use.
	inOnce sync.Once
	in     map[string][]string
}

func (r *Registry) find(code string) int {
	i := sort.Search(len(r.Units), func(i int) bool { return r.Units[i].Code >= code })
	if i < len(r.Units) && r.Units[i].Code == code {
		return i
	}
	return -1
}

// Unit finds a unit by code.
func (r *Registry) Unit(code string) (*Unit, bool) {
	i := r.find(code)
	if i < 0 {
		return nil, false
	}
	return &r.Units[i], true
}

func (r *Registry) children(i int) []int32 { return r.kids[r.kidAt[i]:r.kidAt[i+1]] }

// Children lists the direct children of code, in code order.
func (r *Registry) Children(code string) []*Unit {
	i := r.find(code)
	if i < 0 {
		return nil
	}
	var out []*Unit
	for _, j := range r.children(i) {
		out = append(out, &r.Units[j])
	}
	return out
}

// Within lists the units of a level under a district (or any ancestor code), in code order.
func (r *Registry) Within(code string, level sgz.Level) []*Unit {
	i := r.find(code)
	if i < 0 {
		return nil
	}
	var out []*Unit
	var walk func(i int)
	walk = func(i int) {
		for _, j := range r.children(i) {
			u := &r.Units[j]
			if u.Level == level {
				out = append(out, u)
			}
			if u.Level != sgz.Village {
				walk(int(j))
			}
		}
	}
	walk(i)
	return out
}

// OfLevel lists every unit of a level, in code order.
func (r *Registry) OfLevel(level sgz.Level) []*Unit {
	idx := r.byLevel[level]
	if r.byLevel == nil { // not indexed
		for i := range r.Units {
			if r.Units[i].Level == level {
				idx = append(idx, int32(i))
			}
		}
	}
	out := make([]*Unit, len(idx))
	for k, i := range idx {
		out[k] = &r.Units[i]
	}
	return out
}

// CountOf is the number of units of a level (len(OfLevel(level)), without the list).
func (r *Registry) CountOf(level sgz.Level) int {
	if r.byLevel == nil {
		return len(r.OfLevel(level))
	}
	return len(r.byLevel[level])
}

// Len is the number of units.
func (r *Registry) Len() int { return len(r.Units) }

// DefaultInScope is the default scope rule: a town whose last three digits are
// 001-399 (街道/镇/乡, not development zones or farms), and a village under an
// in-scope town.
func DefaultInScope(code string, level sgz.Level, townInScope bool) bool {
	switch level {
	case sgz.Town:
		if len(code) != 9 {
			return false
		}
		n, err := strconv.Atoi(code[6:])
		return err == nil && n >= 1 && n <= 399
	case sgz.Village:
		return townInScope
	}
	return false
}

// index builds lookups and ancestors, and applies the default scope where the
// CSV left it open (scopeSet[i] false). Units must be sorted by code.
func (r *Registry) index(scopeSet []bool) {
	n := len(r.Units)
	parent := make([]int32, n)
	r.kidAt = make([]int32, n+1)
	r.roots = nil
	for i := range r.Units {
		parent[i] = -1
		if p := r.Units[i].Parent; p != "" {
			if j := r.find(p); j >= 0 {
				parent[i] = int32(j)
				r.kidAt[j+1]++
				r.Units[i].Parent = r.Units[j].Code // one string for all its children
				continue
			}
		}
		r.roots = append(r.roots, int32(i))
	}
	for i := 0; i < n; i++ {
		r.kidAt[i+1] += r.kidAt[i]
	}
	r.byLevel = map[sgz.Level][]int32{}
	for i := range r.Units {
		r.byLevel[r.Units[i].Level] = append(r.byLevel[r.Units[i].Level], int32(i))
	}
	r.kids = make([]int32, r.kidAt[n])
	next := append([]int32(nil), r.kidAt[:n]...)
	for i := range r.Units {
		if p := parent[i]; p >= 0 {
			r.kids[next[p]] = int32(i)
			next[p]++
		}
	}
	// Ancestors, top level first so that a parent is resolved before its
	// children whatever their codes.
	for _, level := range sgz.Levels {
		for i := range r.Units {
			u := &r.Units[i]
			if u.Level != level {
				continue
			}
			if parent[i] >= 0 {
				p := &r.Units[parent[i]]
				u.District, u.Town = p.District, p.Town
				switch p.Level {
				case sgz.District:
					u.District = p.Code
				case sgz.Town:
					u.Town = p.Code
				}
			} else if sgz.LevelOfCode(u.Parent) == sgz.District {
				// The parent is outside the file: keep its code as the ancestor
				// so that roll-ups still group correctly.
				u.District = u.Parent
			}
		}
	}
	if scopeSet == nil {
		return
	}
	// Default scope: towns first, then villages (which follow their town).
	for _, level := range []sgz.Level{sgz.Town, sgz.Village} {
		for i := range r.Units {
			u := &r.Units[i]
			if u.Level != level || scopeSet[i] {
				continue
			}
			townIn := false
			if t, ok := r.Unit(u.Town); ok {
				townIn = t.InScope
			}
			u.InScope = DefaultInScope(u.Code, u.Level, townIn)
		}
	}
}

// DistrictsIn is the set of district codes within unit (a district, city or
// province code), as the database's registry_at(p) finds them by code,
// city_code, province_code or parent_code (Save stores Above's answers
// there): the same set, without scanning every unit of the snapshot.
func (r *Registry) DistrictsIn(unit string) map[string]bool {
	r.inOnce.Do(func() {
		r.in = map[string][]string{}
		for _, d := range r.OfLevel(sgz.District) {
			seen := map[string]bool{}
			for _, u := range []string{d.Code, d.Parent, r.Above(d, sgz.City), r.Above(d, sgz.Province)} {
				if u != "" && !seen[u] {
					seen[u] = true
					r.in[u] = append(r.in[u], d.Code)
				}
			}
		}
	})
	out := map[string]bool{}
	for _, d := range r.in[unit] {
		out[d] = true
	}
	return out
}

// Above returns the code of u's ancestor at a level: found through the
// parents in the registry, or, when the chain leaves the registry (a
// city-only file whose city row is missing), read from the parent code's
// length and prefix. "" when there is none.
func (r *Registry) Above(u *Unit, level sgz.Level) string {
	for p := u.Parent; p != ""; {
		if q, ok := r.Unit(p); ok {
			if q.Level == level {
				return q.Code
			}
			p = q.Parent
			continue
		}
		if n := level.CodeLen(); n > 0 && len(p) >= n {
			return p[:n]
		}
		return ""
	}
	return ""
}

// Suzhou is the built-in registry (苏州市, NBS 2023 codes) with the default scope.
func Suzhou() *Registry {
	r, err := ParseCSV(bytes.NewReader(suzhouCSV), "suzhou-2023.csv")
	if err != nil {
		panic("built-in registry: " + err.Error())
	}
	return r
}

// ParseCSV reads a registry CSV (optionally gzip-compressed) with the columns
// code,name,level,parent_code and optionally in_scope and population, in any
// order. All problems are reported at once, each naming the file and line.
func ParseCSV(rd io.Reader, name string) (*Registry, error) {
	br := bufio.NewReaderSize(rd, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, locale.Errorf("registry.gzip", name, err)
		}
		defer gz.Close()
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	// Drop a UTF-8 byte order mark (Excel's "CSV UTF-8").
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, locale.Errorf("registry.empty", name)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"code", "name", "level", "parent_code"} {
		if _, ok := col[need]; !ok {
			return nil, locale.Errorf("registry.column", name, need)
		}
	}
	scopeCol, hasScope := col["in_scope"]
	popCol, hasPop := col["population"]
	get := func(rec []string, c int) string {
		if c < len(rec) {
			// A cell WriteCSV neutralised ('=…) reads back as it was.
			return value.CSVUncell(strings.TrimSpace(rec[c]))
		}
		return ""
	}
	r := &Registry{From: BasePeriod}
	var scopeSet []bool
	var problems []error
	seen := map[string]int{}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, locale.Errorf("registry.csv", name, line, err))
			if len(problems) > 50 {
				break
			}
			continue
		}
		u := Unit{
			Code:   get(rec, col["code"]),
			Name:   get(rec, col["name"]),
			Level:  sgz.Level(strings.ToLower(get(rec, col["level"]))),
			Parent: get(rec, col["parent_code"]),
		}
		bad := func(key string, args ...any) {
			problems = append(problems, locale.Errorf(key, append([]any{name, line}, args...)...))
		}
		switch {
		case !u.Level.Valid():
			bad("registry.level", u.Level)
		case len(u.Code) != u.Level.CodeLen() || !allDigits(u.Code):
			bad("registry.code", u.Code, u.Level.CodeLen())
		case u.Name == "":
			bad("registry.name", u.Code)
		case u.Parent != "" && (!allDigits(u.Parent) || len(u.Parent) >= len(u.Code)):
			bad("registry.parent", u.Parent, u.Code)
		}
		if prev, dup := seen[u.Code]; dup {
			bad("registry.duplicate", u.Code, prev)
		}
		seen[u.Code] = line
		set := false
		if hasScope {
			if s := get(rec, scopeCol); s != "" {
				v, err := value.YesNo(s)
				if err != nil {
					bad("registry.scope", s)
				}
				u.InScope, set = v, true
			}
		}
		if hasPop {
			if s := get(rec, popCol); s != "" {
				n, err := value.Int(s)
				if err != nil || n < 0 {
					bad("registry.population", s)
				}
				u.Population = n
			}
		}
		r.Units = append(r.Units, u)
		scopeSet = append(scopeSet, set)
		if len(problems) > 50 {
			break
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if len(r.Units) == 0 {
		return nil, locale.Errorf("registry.empty", name)
	}
	// scopeSet is aligned with Units before sorting; sort both together.
	idx := make([]int, len(r.Units))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.Units[idx[a]].Code < r.Units[idx[b]].Code })
	units := make([]Unit, len(idx))
	set := make([]bool, len(idx))
	for i, j := range idx {
		units[i], set[i] = r.Units[j], scopeSet[j]
	}
	r.Units = units
	// A parent is always of a higher level than its child: every code has its
	// level's length and a parent code is shorter (checked above).
	r.index(set)
	return r, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Save stores reg as the version in force from period from (BasePeriod for
// the base), replacing a version loaded earlier for the same period.
func Save(ctx context.Context, db *store.DB, reg *Registry, from string, source string) error {
	return db.Write(ctx, func(w *store.Writer) error {
		if err := w.Exec(`DELETE FROM registry_units WHERE from_period = ?`, from); err != nil {
			return err
		}
		if err := w.Exec(`DELETE FROM registry_versions WHERE from_period = ?`, from); err != nil {
			return err
		}
		if err := w.Exec(`INSERT INTO registry_versions VALUES (?, ?, ?, ?)`,
			from, time.Now().In(sgz.Beijing).Truncate(time.Second), source, len(reg.Units)); err != nil {
			return err
		}
		for i := range reg.Units {
			u := &reg.Units[i]
			var pop any
			if u.Population > 0 {
				pop = u.Population
			}
			if err := w.Append("registry_units", from, u.Code, u.Name, string(u.Level), nullable(u.Parent),
				u.InScope, pop, nullable(reg.Above(u, sgz.Province)), nullable(reg.Above(u, sgz.City)),
				nullable(u.District), nullable(u.Town)); err != nil {
				return err
			}
		}
		return nil
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Version describes one stored registry version.
type Version struct {
	From     string
	LoadedAt time.Time
	Source   string
	Units    int
}

// Versions lists the stored versions, oldest first.
func Versions(ctx context.Context, db *store.DB) ([]Version, error) {
	rows, err := db.QueryContext(ctx, `SELECT from_period, loaded_at, source, unit_count FROM registry_versions ORDER BY from_period`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.From, &v.LoadedAt, &v.Source, &v.Units); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VersionFor is the from_period of the version in force for p ("" if none).
func VersionFor(ctx context.Context, db *store.DB, p sgz.Period) (string, error) {
	var from *string
	err := db.QueryRowContext(ctx, `SELECT max(from_period) FROM registry_versions WHERE from_period <= ?`, p.String()).Scan(&from)
	if err != nil || from == nil {
		return "", err
	}
	return *from, nil
}

// Load reads the stored version whose from_period is from. Rows come back
// in the order they were saved (by code), so neither DuckDB nor Go sorts
// 665,276 units for the national registry; level and parent strings are
// shared rather than one per unit.
func Load(ctx context.Context, db *store.DB, from string) (*Registry, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM registry_units WHERE from_period = ?`, from).Scan(&n); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT code, name, level, coalesce(parent_code, ''), in_scope, coalesce(population, 0)
		FROM registry_units WHERE from_period = ?`, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r := &Registry{From: from, Units: make([]Unit, 0, n)}
	var lvl []byte
	for rows.Next() {
		var u Unit
		if err := rows.Scan(&u.Code, &u.Name, &lvl, &u.Parent, &u.InScope, &u.Population); err != nil {
			return nil, err
		}
		u.Level = internLevel(string(lvl))
		r.Units = append(r.Units, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !slices.IsSortedFunc(r.Units, func(a, b Unit) int { return strings.Compare(a.Code, b.Code) }) {
		slices.SortFunc(r.Units, func(a, b Unit) int { return strings.Compare(a.Code, b.Code) })
	}
	r.index(nil)
	return r, nil
}

func internLevel(s string) sgz.Level {
	for _, l := range sgz.Levels {
		if string(l) == s {
			return l
		}
	}
	return sgz.Level(s)
}

// EnsureDefault stores the built-in Suzhou registry as the base version when
// the database has none yet; it reports whether it did.
func EnsureDefault(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM registry_versions`).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	return true, Save(ctx, db, Suzhou(), BasePeriod, SuzhouSource)
}

// Cache keeps loaded snapshots in memory for a run (one per version). It
// does not see versions saved after it looked a period up: make a new one.
type Cache struct {
	db       *store.DB
	mu       sync.Mutex
	byID     map[string]*Registry
	byPeriod map[sgz.Period]*Registry
}

// NewCache makes a cache over db.
func NewCache(db *store.DB) *Cache {
	return &Cache{db: db, byID: map[string]*Registry{}, byPeriod: map[sgz.Period]*Registry{}}
}

// Reset forgets every snapshot (after a version was saved).
func (c *Cache) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byID, c.byPeriod = map[string]*Registry{}, map[sgz.Period]*Registry{}
}

// For returns the registry in force for period p, or nil when no version applies.
func (c *Cache) For(ctx context.Context, p sgz.Period) (*Registry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.byPeriod[p]; ok {
		return r, nil
	}
	from, err := VersionFor(ctx, c.db, p)
	if err != nil || from == "" {
		return nil, err
	}
	if r, ok := c.byID[from]; ok {
		c.byPeriod[p] = r
		return r, nil
	}
	r, err := Load(ctx, c.db, from)
	if err != nil {
		return nil, fmt.Errorf("load registry %s: %w", from, err)
	}
	c.byID[from] = r
	c.byPeriod[p] = r
	if len(r.Units) > 100_000 {
		// Loading a national registry leaves hundreds of MB of scanned rows
		// behind: give them back now rather than carry them through the run.
		debug.FreeOSMemory()
	}
	return r, nil
}

// WriteCSV writes reg in the format ParseCSV reads, with in_scope and
// population, so that an operator can edit the scope and load it back.
func WriteCSV(w io.Writer, reg *Registry) error {
	cw := value.NewCSVWriter(w) // formulas neutralised; ParseCSV undoes it
	cw.Write([]string{"code", "name", "level", "parent_code", "in_scope", "population"})
	for _, u := range reg.Units {
		pop := ""
		if u.Population > 0 {
			pop = strconv.FormatInt(u.Population, 10)
		}
		scope := "否"
		if u.InScope {
			scope = "是"
		}
		if err := cw.Write([]string{u.Code, u.Name, string(u.Level), u.Parent, scope, pop}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
