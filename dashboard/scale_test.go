package dashboard

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sgz/ingest"
	"sgz/registry"
	"sgz/review"
)

// The district page, the reporting page and a return's page read the returns
// once per database generation (memoGen), not on every request: a write that
// does not drop the numbers' cache (a rejected return, a review made beside
// the server) must still show on the next request.
func TestReturnPagesFollowEveryWrite(t *testing.T) {
	ts, _, db := newTestServer(t, Options{})
	ctx := context.Background()
	const district = "320505" // 虎丘区: returns in the fixture
	page := func(path string) string {
		t.Helper()
		resp, b := fetch(t, ts.URL+path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	distURL := "/district/" + district + "?period=" + fixtureLast.String()
	repURL := "/reporting?period=" + fixtureLast.String()
	// Twice each: the second answer comes from the cache.
	for range 2 {
		page(distURL)
		page(repURL)
	}

	// A rejected return, recorded straight into the database as `sgz ingest`
	// alone would (no Server.Invalidate).
	bad := workbook(t, registry.Suzhou(), district, fixtureLast, func(f *excelize.File) {
		setBelow(f, ingest.SheetStations, "驻站社工人数", 1, "三个")
	})
	name := filepath.Join(t.TempDir(), "虎丘区-2026Q3-拒收样例.xlsx")
	if err := os.WriteFile(name, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := ingest.Run(ctx, db, []string{name}, ingest.RunOptions{Source: "cli"})
	if err != nil || len(out) != 1 || out[0].Status != "rejected" {
		t.Fatalf("the bad return: %+v, %v", out, err)
	}
	if b := page(distURL); !strings.Contains(b, "拒收样例") {
		t.Error("the district page does not list the rejected return recorded after it was first shown")
	}
	if b := page(repURL); !strings.Contains(b, "拒收样例") {
		t.Error("the reporting page does not list the rejected return recorded after it was first shown")
	}

	// A review made beside the server shows on the return's page at once.
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = ? AND period = ?`, district, fixtureLast.String()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	retURL := "/returns/" + strconv.FormatInt(id, 10)
	before := page(retURL)
	page(retURL)
	if _, err := review.SendBack(ctx, db, id, review.Act{By: "scale-test", Reason: "请核对驻站社工人数（测试）"}); err != nil {
		t.Fatal(err)
	}
	after := page(retURL)
	if strings.Contains(before, "请核对驻站社工人数（测试）") || !strings.Contains(after, "请核对驻站社工人数（测试）") {
		t.Error("the return's page does not show a send-back made after it was first shown")
	}
}
