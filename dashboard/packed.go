package dashboard

import (
	"sgz/metrics"
)

// packed is a list of metrics.Value kept in about a quarter of the memory:
// what every value of a unit shares (its code, name, parent, period, as-of
// quarters, completeness) once per unit, and per value only its indicator,
// numbers and counts. A metrics.Value is 216 bytes and points to its
// numbers; the country's towns of a span took about 46 MB of the national
// server's heap as values, 20 MB packed (docs/operations.md, "Values kept
// once").
// unpack gives back the same values, equal field by field (the numbers in
// new variables).
type packed struct {
	units []packedUnit
	names []string // the indicators, by packedCell.ind
}

type packedUnit struct {
	head  metrics.Value // the unit's shared fields; the per-value fields zero
	cells []packedCell
}

type packedCell struct {
	v, n, d  float64
	rep, exp int
	ind      uint16 // in packed.names
	flags    uint8
}

const (
	hasV uint8 = 1 << iota
	hasN
	hasD
	perQuarter
)

// headOf is v without its per-value fields.
func headOf(v metrics.Value) metrics.Value {
	v.Indicator, v.Value, v.Numerator, v.Denominator = "", nil, nil, nil
	v.Reported, v.Expected, v.PerQuarter = 0, 0, false
	return v
}

func pack(vals []metrics.Value) *packed {
	p := &packed{}
	idx := map[string]uint16{}
	for i := 0; i < len(vals); {
		h := headOf(vals[i])
		j := i + 1
		for j < len(vals) && headOf(vals[j]) == h {
			j++
		}
		u := packedUnit{head: h, cells: make([]packedCell, j-i)}
		for k, v := range vals[i:j] {
			id, ok := idx[v.Indicator]
			if !ok {
				id = uint16(len(p.names))
				idx[v.Indicator] = id
				p.names = append(p.names, v.Indicator)
			}
			c := packedCell{rep: v.Reported, exp: v.Expected, ind: id}
			if v.Value != nil {
				c.v, c.flags = *v.Value, c.flags|hasV
			}
			if v.Numerator != nil {
				c.n, c.flags = *v.Numerator, c.flags|hasN
			}
			if v.Denominator != nil {
				c.d, c.flags = *v.Denominator, c.flags|hasD
			}
			if v.PerQuarter {
				c.flags |= perQuarter
			}
			u.cells[k] = c
		}
		p.units = append(p.units, u)
		i = j
	}
	return p
}

func (p *packed) unpack() []metrics.Value {
	if p == nil {
		return nil
	}
	n := 0
	for _, u := range p.units {
		n += len(u.cells)
	}
	out := make([]metrics.Value, 0, n)
	nums := make([]float64, 0, 3*n) // one allocation for the numbers
	num := func(f float64) *float64 {
		nums = append(nums, f)
		return &nums[len(nums)-1]
	}
	for _, u := range p.units {
		for _, c := range u.cells {
			v := u.head
			v.Indicator, v.Reported, v.Expected, v.PerQuarter = p.names[c.ind], c.rep, c.exp, c.flags&perQuarter != 0
			if c.flags&hasV != 0 {
				v.Value = num(c.v)
			}
			if c.flags&hasN != 0 {
				v.Numerator = num(c.n)
			}
			if c.flags&hasD != 0 {
				v.Denominator = num(c.d)
			}
			out = append(out, v)
		}
	}
	return out
}
