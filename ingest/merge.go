package ingest

import (
	"slices"

	"sgz/ingest/xlsx"
)

// mrow is a row as the sheet shows it to a reader: the value of a merged
// range stands in every cell the range covers. spread[k] is the range
// Cells[k] was copied from (nil for a cell written in the file).
type mrow struct {
	xlsx.Row
	spread []*xlsx.Range
}

// eachRow streams a sheet's rows with merged ranges filled in (returns.md:
// "the value of a merged range belongs to every cell it covers"). The row
// passed to fn is only valid during the call.
func (c *checker) eachRow(sheet string, fn func(r mrow) error) error {
	var merges []xlsx.Range
	var top []*xlsx.Cell // the top-left value of each range, once its row has been read
	var cells []xlsx.Cell
	var spread []*xlsx.Range
	return c.wb.RowsAndMerges(sheet, func(m []xlsx.Range) {
		merges, top = m, make([]*xlsx.Cell, len(m))
	}, func(r xlsx.Row) error {
		if len(merges) == 0 {
			return fn(mrow{Row: r})
		}
		for i := range merges {
			m := &merges[i]
			if m.FromRow != r.Num {
				continue
			}
			for k := range r.Cells {
				if r.Cells[k].Col == m.FromCol {
					cell := r.Cells[k]
					top[i] = &cell
				}
			}
		}
		cells = append(cells[:0], r.Cells...)
		spread = spread[:0]
		for range cells {
			spread = append(spread, nil)
		}
		added := false
		for i := range merges {
			m := &merges[i]
			if top[i] == nil || r.Num < m.FromRow || r.Num > m.ToRow {
				continue
			}
			for col := m.FromCol; col <= m.ToCol; col++ {
				if col == m.FromCol && r.Num == m.FromRow {
					continue
				}
				if slices.ContainsFunc(r.Cells, func(x xlsx.Cell) bool { return x.Col == col }) {
					continue // a value written under the range (hidden by Excel): kept as written
				}
				cell := *top[i]
				cell.Col = col
				cells = append(cells, cell)
				spread = append(spread, m)
				added = true
			}
		}
		if !added {
			return fn(mrow{Row: r})
		}
		idx := make([]int, len(cells))
		for k := range idx {
			idx[k] = k
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cells[a].Col - cells[b].Col })
		sc := make([]xlsx.Cell, len(cells))
		sp := make([]*xlsx.Range, len(cells))
		for k, j := range idx {
			sc[k], sp[k] = cells[j], spread[j]
		}
		row := r
		row.Cells = sc
		return fn(mrow{Row: row, spread: sp})
	})
}

// spreadFrom returns the merged range cell k of r was copied from, or nil.
func (r mrow) spreadFrom(k int) *xlsx.Range {
	if r.spread == nil {
		return nil
	}
	return r.spread[k]
}
