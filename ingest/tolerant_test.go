package ingest

import (
	"testing"
	"time"
)

// Districts type values in many ways; every variant of returns.md must read
// to the same return as the plain one.
func TestTolerantReading(t *testing.T) {
	plain := check(t, goodBook(suzhou, testDistrict, testPeriod))
	if !plain.OK() {
		t.Fatal(describe(plain.Errors))
	}
	b := goodBook(suzhou, testDistrict, testPeriod)
	// Sheet names with spaces and full-width brackets.
	b.sheet(SheetStations).name = " 乡镇街道社工站　"
	// Several title rows and a blank row above the header; headers with
	// spaces, full-width brackets and the unit suffix in either style.
	st := b.sheet(" 乡镇街道社工站　")
	st.rows = append([][]any{{"附件2"}, {"苏州市虎丘区社工站建设情况统计表"}, nil}, st.rows[1:]...)
	st.set("A4", "乡镇（街道）代码")
	st.set("B4", " 乡镇 (街道)名称 ")
	st.set("F4", "驻站社工人数　")
	// Data now from row 5. Values as districts type them.
	st.set("A5", 320505001)                                   // a code stored as a number
	st.set("A6", "3.20505002E+08")                            // a code in scientific notation, all digits kept
	st.set("A7", " 320505003 ")                               // spaces
	st.set("C5", "√")                                         // yes
	st.set("C6", "×")                                         // no
	st.set("C7", "已建成")                                       // yes
	st.set("D5", "2024年5月1日")                                 // date text
	st.set("D7", "2024/5/1")                                  // date text
	st.set("E5", "Y")                                         // yes
	st.set("E7", "TRUE")                                      // yes
	st.set("F5", "４")                                         // full-width digit
	st.set("F7", "4.0")                                       // whole decimal
	st.set("L5", "1")                                         // yes
	st.set("L6", "n")                                         // no
	st.set("D9", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) // a date cell
	// A 序号 column in front would shift letters: add an extra unknown column at the end instead.
	st.set("M4", "备注")
	st.set("M5", "已验收")
	// Rooms: columns in another order (move 村(社区)名称 after 是否设立社区慈善基金).
	rm := b.sheet(SheetRooms)
	for i := 1; i < len(rm.rows); i++ {
		r := rm.rows[i]
		for len(r) < 5 {
			r = append(r, nil)
		}
		rm.rows[i] = []any{r[0], r[2], r[3], r[4], r[1]}
	}
	rm.set("C4", "2025.3.1")
	rm.set("C5", "2025-03")
	// Funds: header with the unit in full-width brackets and a space; amounts as text.
	fd := b.sheet(SheetFunds)
	fd.set("C2", "金额 （万元）")
	fd.set("C3", "120.5000")
	fd.set("A4", "320505001000") // a town as a 12-digit code is not allowed for funds: keep 9 digits
	fd.set("A4", "320505001")
	// Workforce and info: keys with spaces and a full-width colon.
	b.sheet(SheetWorkforce).set("A2", "持证社工总数：")
	b.sheet(SheetInfo).set("A4", " 报 告 期 ")
	b.sheet(SheetInfo).set("B4", "2026年第三季度")
	res := check(t, b)
	if !res.OK() {
		t.Fatalf("errors:\n%s", describe(res.Errors))
	}
	// The only warning is the unknown 备注 column.
	if len(res.Warnings) != 1 || res.Warnings[0].Msg.Key != "ingest.col.unknown" || res.Warnings[0].Cell != "M4" {
		t.Errorf("warnings:\n%s", describe(res.Warnings))
	}
	got, want := res.Return, plain.Return
	if len(got.Stations) != len(want.Stations) || len(got.Rooms) != len(want.Rooms) {
		t.Fatalf("read %d stations %d rooms, want %d %d", len(got.Stations), len(got.Rooms), len(want.Stations), len(want.Rooms))
	}
	for i := range got.Stations {
		g, w := got.Stations[i], want.Stations[i]
		g.Row, w.Row = 0, 0
		if g != w {
			t.Errorf("station %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	for i := range got.Rooms {
		g, w := got.Rooms[i], want.Rooms[i]
		g.Row, w.Row = 0, 0
		if g != w {
			t.Errorf("room %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if got.Funds[0].Amount != want.Funds[0].Amount || got.Period != want.Period {
		t.Errorf("funds %+v period %v", got.Funds[0], got.Period)
	}
}
