// Package gen writes return workbooks (ingest.Sheets): the blank template a
// district clerk fills in, and deterministic filled returns for tests, the
// demo and the benchmarks. Every sheet, header, drop-down and comment comes
// from the tables in package ingest, so the contract lives in one place.
package gen

import (
	"time"

	"sgz"
	"sgz/registry"
)

// Options steer the generator of filled returns.
type Options struct {
	Seed int64
	// Start is the plan's start: about 35% of stations and rooms are built
	// then (fewer before, none three years before). Zero: DefaultStart.
	Start sgz.Period
	// Full is when station and room coverage reach 100%; a few districts
	// lag a few quarters behind. Zero (or not after Start): DefaultFull.
	Full sgz.Period
	// Messy writes every value in one of the variants the contract
	// tolerates (是/√/Y/1/TRUE, dates as text in every accepted form or as
	// date cells, codes as numbers, amounts as text with thousands
	// separators, headers with full-width brackets and spaces, columns in
	// another order, a 序号 column, title rows, blank and hidden rows, a total
	// row). A messy return reads to the same data as the clean one.
	Messy bool
}

// The default plan: 35% coverage in 2024Q1, 100% by 2026Q2.
var (
	DefaultStart = sgz.Period{Year: 2024, Quarter: 1}
	DefaultFull  = sgz.Period{Year: 2026, Quarter: 2}
)

func (o Options) norm() Options {
	if !o.Start.Valid() {
		o.Start = DefaultStart
	}
	if !o.Full.Valid() || o.Full.Index() <= o.Start.Index() {
		if o.Start == DefaultStart {
			o.Full = DefaultFull
		} else {
			o.Full = sgz.PeriodOfIndex(o.Start.Index() + 9)
		}
	}
	return o
}

// ---- deterministic hashing ----

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// codeNum reads a division code's digits as a number (no allocation).
func codeNum(code string) uint64 {
	var n uint64
	for i := 0; i < len(code); i++ {
		n = n*10 + uint64(code[i]-'0')
	}
	// Tell "320505" from "320505000": add the length.
	return n*16 + uint64(len(code))
}

// Salts: one per independent per-unit draw.
const (
	saltBuilt uint64 = iota + 1
	saltDay
	saltStandard
	saltCharity
	saltResident
	saltDrift
	saltCert
	saltOutCert
	saltOutreach
	saltOperation
	saltOperator
	saltLag
	saltRand
	saltScale
)

// hash draws a 64-bit number for (seed, code, salt, extra).
func hash(seed int64, code uint64, salt uint64, extra uint64) uint64 {
	return mix(mix(uint64(seed)^0x5851f42d4c957f2d) ^ mix(code+salt*0x2545f4914f6cdd1d) ^ extra*0x9e3779b97f4a7c15)
}

const million = 1_000_000

// ---- the district's schedule ----

// schedule is one district's plan in quarter indexes: coverage climbs from 0
// (start-12) to 35% (start) and 100% (full, which includes its lag).
type schedule struct {
	start, full int
}

func newSchedule(opt Options, district string) schedule {
	s := schedule{start: opt.Start.Index(), full: opt.Full.Index()}
	// About one district in four lags 2–6 quarters behind the plan.
	h := hash(opt.Seed, codeNum(district), saltLag, 0)
	if h%100 < 25 {
		s.full += 2 + int((h>>8)%5)
	}
	return s
}

// cov is the coverage in parts per million at quarter index i.
func (s schedule) cov(i int) int64 {
	switch {
	case i >= s.full:
		return million
	case i >= s.start:
		return 350_000 + 650_000*int64(i-s.start)/int64(s.full-s.start)
	case i > s.start-12:
		return 350_000 * int64(12-(s.start-i)) / 12
	}
	return 0
}

// standard is the share of units (ppm) whose station meets the standard once
// built: it lags coverage by three quarters and tops out at 90%.
func (s schedule) standard(i int) int64 { return s.cov(i-3) * 9 / 10 }

// charity is the share of units (ppm) with a community charity fund.
func (s schedule) charity(i int) int64 {
	from, to := s.start-4, s.full+4
	v := 50_000 + 700_000*int64(i-from)/int64(to-from)
	return min(max(v, 50_000), 750_000)
}

// unitState is what the generator says about one town or village at a period.
type unitState struct {
	built    bool
	builtQ   int       // quarter index when built
	builtOn  time.Time // UTC midnight
	standard bool
	charity  bool
}

// state works out a unit's state at quarter index i. A unit is built from
// the first quarter in which coverage exceeds its threshold, so it stays
// built and its date never moves.
func (s schedule) state(seed int64, code string, i int) unitState {
	c := codeNum(code)
	var st unitState
	th := int64(hash(seed, c, saltBuilt, 0) % million)
	st.charity = int64(hash(seed, c, saltCharity, 0)%million) < s.charity(i)
	if th >= s.cov(i) {
		return st
	}
	q := max(s.start-12, 0)
	for s.cov(q) <= th {
		q++
	}
	st.built, st.builtQ = true, q
	p := sgz.PeriodOfIndex(q)
	first := p.First()
	days := int(p.Last().Sub(first).Hours()/24+0.5) + 1
	d := first.AddDate(0, 0, int(hash(seed, c, saltDay, 0)%uint64(days)))
	st.builtOn = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	st.standard = int64(hash(seed, c, saltStandard, 0)%million) < s.standard(i)
	return st
}

// scope lists a district's in-scope towns and villages, in code order.
func scope(reg *registry.Registry, district string) (towns, villages []*registry.Unit) {
	for _, u := range reg.Within(district, sgz.Town) {
		if u.InScope {
			towns = append(towns, u)
		}
	}
	for _, u := range reg.Within(district, sgz.Village) {
		if u.InScope {
			villages = append(villages, u)
		}
	}
	return towns, villages
}
