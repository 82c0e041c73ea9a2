package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"sgz"
	"sgz/metrics"
)

// newTable keeps each value once: a unit's values are a part of Raw (the
// same memory, no copy) when they are one run there, as metrics.Compute
// returns them, and each unit answers every indicator with the value Raw
// holds for it. Values in another order (a unit's values scattered) give
// the same answers.
func TestTableKeepsEachValueOnce(t *testing.T) {
	db := openCopy(t)
	for _, tc := range []struct {
		span  string
		level sgz.Level
	}{{"2026Q3", sgz.District}, {"2026", sgz.District}, {"2026Q3", sgz.City}, {"2026Q3", sgz.Town}} {
		sp := mustSpan(tc.span)
		vals, err := metrics.Compute(context.Background(), db, sp, tc.level, metrics.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) == 0 {
			t.Fatalf("%s %s: no values", tc.span, tc.level)
		}
		want := map[string]map[string]metrics.Value{} // the map per unit newTable used to copy into
		for _, v := range vals {
			if want[v.UnitCode] == nil {
				want[v.UnitCode] = map[string]metrics.Value{}
			}
			want[v.UnitCode][v.Indicator] = v
		}
		check := func(name string, tb *table) {
			t.Helper()
			if len(tb.Units) != len(want) {
				t.Fatalf("%s: %d units, want %d", name, len(tb.Units), len(want))
			}
			for code, m := range want {
				u := tb.unit(code)
				if u == nil {
					t.Fatalf("%s: no unit %s", name, code)
				}
				for _, ind := range metrics.Indicators {
					w, wok := m[ind.ID]
					g, gok := u.Lookup(ind.ID)
					if wok != gok || !reflect.DeepEqual(g, w) || !reflect.DeepEqual(u.Val(ind.ID), w) {
						t.Fatalf("%s: %s %s = %+v, %v; want %+v, %v", name, code, ind.ID, g, gok, w, wok)
					}
				}
				if _, ok := u.Lookup("no_such_indicator"); ok {
					t.Fatalf("%s: %s has an unknown indicator", name, code)
				}
			}
		}
		tb := newTable(sp, tc.level, vals)
		check(tc.span+" "+string(tc.level), tb)
		raw0 := uintptr(unsafe.Pointer(unsafe.SliceData(tb.Raw)))
		rawEnd := raw0 + uintptr(len(tb.Raw))*unsafe.Sizeof(metrics.Value{})
		for _, u := range tb.Units {
			p := uintptr(unsafe.Pointer(unsafe.SliceData(u.Vals)))
			if p < raw0 || p >= rawEnd {
				t.Fatalf("%s %s: unit %s's values are a copy, not a part of Raw", tc.span, tc.level, u.Code)
			}
		}
		// The same values with each unit's in two runs (its first
		// indicator moved to the end): same answers.
		var firsts, rest []metrics.Value
		for i, v := range vals {
			if i == 0 || vals[i-1].UnitCode != v.UnitCode {
				firsts = append(firsts, v)
			} else {
				rest = append(rest, v)
			}
		}
		scattered := append(rest, firsts...)
		check(tc.span+" "+string(tc.level)+" scattered", newTable(sp, tc.level, scattered))
		if got := (*unitRow)(nil).Val("station_coverage"); got.Value != nil || got.Indicator != "" {
			t.Fatalf("a nil unit's value: %+v", got)
		}
	}
}

// An API answer is kept gzip-compressed only (marshalJSON): a client that
// accepts gzip gets those bytes, one that does not gets the same JSON
// decompressed, with its length; both have the same ETag, and either
// revalidates to a 304.
func TestAPIBodyKeptCompressedServedBothWays(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{})
	cl := clientFor(t, ts.URL)
	for _, u := range []string{
		"/api/v1/indicators?period=2026Q3&level=district",
		"/api/v1/indicators?period=2026Q3&level=town",
		"/api/v1/assessment?period=2026Q3",
	} {
		get := func(enc, etag string) (*http.Response, []byte) {
			t.Helper()
			req, _ := http.NewRequest("GET", ts.URL+u, nil)
			req.Header.Set("Accept-Encoding", enc) // set: the transport does not decompress
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			return resp, b
		}
		zr, zb := get("gzip", "")
		pr, pb := get("identity", "")
		if zr.StatusCode != 200 || pr.StatusCode != 200 {
			t.Fatalf("%s: status %d, %d", u, zr.StatusCode, pr.StatusCode)
		}
		if zr.Header.Get("Content-Encoding") != "gzip" || pr.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s: encodings %q, %q", u, zr.Header.Get("Content-Encoding"), pr.Header.Get("Content-Encoding"))
		}
		gr, err := gzip.NewReader(bytes.NewReader(zb))
		if err != nil {
			t.Fatalf("%s: the gzip answer: %v", u, err)
		}
		unz, err := io.ReadAll(gr)
		if err != nil {
			t.Fatalf("%s: the gzip answer: %v", u, err)
		}
		if !bytes.Equal(unz, pb) || len(pb) < 100 || !json.Valid(pb) {
			t.Fatalf("%s: gzip answer (%d bytes) and plain answer (%d bytes) differ or are not JSON", u, len(unz), len(pb))
		}
		if cl := pr.Header.Get("Content-Length"); cl != strconv.Itoa(len(pb)) {
			t.Errorf("%s: plain Content-Length %q, %d bytes sent", u, cl, len(pb))
		}
		if !strings.HasPrefix(pr.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: plain Content-Type %q", u, pr.Header.Get("Content-Type"))
		}
		et := zr.Header.Get("ETag")
		if et == "" || et != pr.Header.Get("ETag") {
			t.Fatalf("%s: ETags %q, %q", u, et, pr.Header.Get("ETag"))
		}
		for _, enc := range []string{"gzip", "identity"} {
			if r, b := get(enc, et); r.StatusCode != http.StatusNotModified || len(b) != 0 {
				t.Errorf("%s (%s) with its ETag: %d, %d bytes", u, enc, r.StatusCode, len(b))
			}
		}
	}
}

// pack keeps values in less than half their memory and unpack gives them back
// equal field by field (numbers compared by value), for every level and
// span of the fixture; values whose shared fields change within a unit, and
// an empty list, round-trip too.
func TestPackedValuesRoundTrip(t *testing.T) {
	db := openCopy(t)
	for _, tc := range []struct {
		span  string
		level sgz.Level
	}{{"2026Q3", sgz.Town}, {"2026", sgz.Town}, {"2026Q3", sgz.District}, {"2026Q2-2026Q3", sgz.District}, {"2026Q3", sgz.City}} {
		vals, err := metrics.Compute(context.Background(), db, mustSpan(tc.span), tc.level, metrics.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) == 0 {
			t.Fatalf("%s %s: no values", tc.span, tc.level)
		}
		p := pack(vals)
		if got := p.unpack(); !reflect.DeepEqual(got, vals) {
			t.Fatalf("%s %s: unpacked values differ", tc.span, tc.level)
		}
		size := uintptr(len(p.units))*unsafe.Sizeof(packedUnit{}) + uintptr(len(vals))*unsafe.Sizeof(packedCell{})
		if full := uintptr(len(vals)) * unsafe.Sizeof(metrics.Value{}); size*2 > full {
			t.Errorf("%s %s: packed %d bytes, as values %d", tc.span, tc.level, size, full)
		}
		// A unit whose as-of quarter changes half-way, and a missing number.
		odd := append([]metrics.Value(nil), vals...)
		for i := len(odd) / 2; i < len(odd); i++ {
			odd[i].AsOf += "x"
		}
		odd[0].Numerator = nil
		if got := pack(odd).unpack(); !reflect.DeepEqual(got, odd) {
			t.Fatalf("%s %s: unpacked odd values differ", tc.span, tc.level)
		}
	}
	if got := pack(nil).unpack(); len(got) != 0 {
		t.Fatalf("nothing packed: %d values", len(got))
	}
	if got := (*packed)(nil).unpack(); got != nil {
		t.Fatalf("a district without towns: %d values", len(got))
	}
}
