package xlsx

import (
	"bytes"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const benchRows, benchCols = 100_000, 8

var benchBook = sync.OnceValue(func() []byte {
	f := excelize.NewFile()
	defer f.Close()
	date, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	names := []string{"张家港市", "常熟市", "太仓市", "昆山市", "吴江区", "吴中区", "相城区", "姑苏区", "虎丘区", "工业园区"}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		panic(err)
	}
	sw.SetRow("A1", []any{"代码", "名称", "是否", "人数", "金额", "日期", "编号", "备注"})
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	row := make([]any, benchCols)
	for r := 2; r <= benchRows+1; r++ {
		row[0] = 320581001001 + r
		row[1] = names[r%len(names)] + "第" + strconv.Itoa(r%97) + "村"
		row[2] = []string{"是", "否"}[r%2]
		row[3] = r % 1000
		row[4] = float64(r) * 1.25
		row[5] = excelize.Cell{StyleID: date, Value: day.AddDate(0, 0, r%365)}
		row[6] = "A" + strconv.Itoa(r)
		row[7] = "备注 " + strconv.Itoa(r%13)
		if err := sw.SetRow("A"+strconv.Itoa(r), row); err != nil {
			panic(err)
		}
	}
	if err := sw.Flush(); err != nil {
		panic(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkRowsVsExcelize reads a generated 100,000-row x 8-column sheet
// (codes, names, yes/no text, numbers, dates with a date style) with this
// reader and with excelize's streaming Rows iterator.
func BenchmarkRowsVsExcelize(b *testing.B) {
	data := benchBook()
	want := (benchRows + 1) * benchCols
	b.Run("xlsx", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			wb, err := Open(data, DefaultLimits())
			if err != nil {
				b.Fatal(err)
			}
			cells, dates := 0, 0
			err = wb.Rows("Sheet1", func(r Row) error {
				cells += len(r.Cells)
				for _, c := range r.Cells {
					if c.DateFormat {
						dates++
					}
				}
				return nil
			})
			if err != nil || cells != want || dates != benchRows {
				b.Fatalf("err %v, %d cells, %d dates", err, cells, dates)
			}
		}
		b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
	})
	b.Run("excelize", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			f, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			cells := 0
			for rows.Next() {
				cols, err := rows.Columns(excelize.Options{RawCellValue: true})
				if err != nil {
					b.Fatal(err)
				}
				cells += len(cols)
			}
			rows.Close()
			f.Close()
			if cells != want {
				b.Fatalf("%d cells", cells)
			}
		}
		b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
	})
}
