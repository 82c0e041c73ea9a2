package dashboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sgz/store"
)

// uploader is t-clerk2, the clerk of district 320505, logged in (redirects
// not followed).
func uploader(t *testing.T, ts *httptest.Server) *testClient {
	t.Helper()
	return loginAs(t, ts.URL, "t-clerk2")
}

// postFile uploads data and returns the status, the redirect and the body.
func postFile(t *testing.T, cl *testClient, ts *httptest.Server, name string, data []byte) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	ct := multipartFile(&buf, name, data)
	req, _ := http.NewRequest("POST", ts.URL+"/upload?district="+clerk2District, &buf)
	req.Header.Set("Content-Type", ct)
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func junk(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// stored counts the returns and the bytes kept in return_files.
func stored(t *testing.T, db *store.DB) (returns, files, bytes int64) {
	t.Helper()
	err := db.QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM returns),
		(SELECT count(*) FROM return_files), (SELECT coalesce(sum(octet_length(content)), 0)::BIGINT FROM return_files)`).
		Scan(&returns, &files, &bytes)
	if err != nil {
		t.Fatal(err)
	}
	return
}

// Rejected uploads keep their bytes only within the district's quota;
// beyond it, the attempt, its hash and its errors are kept, not the bytes.
func TestRejectedUploadsStayWithinTheQuota(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true, RejectedQuota: 1 << 20, UploadRate: 100})
	cl := uploader(t, ts)
	r0, f0, b0 := stored(t, db)
	// Two junk files of 400 KB fit in 1 MiB.
	for i := range 2 {
		code, loc, _ := postFile(t, cl, ts, "junk.xlsx", junk(t, 400<<10))
		if code != http.StatusSeeOther || strings.Contains(loc, "notkept") {
			t.Fatalf("junk %d: %d %s", i, code, loc)
		}
	}
	_, f1, b1 := stored(t, db)
	if f1 != f0+2 || b1 != b0+800<<10 {
		t.Fatalf("kept %d files, %d bytes; want 2, %d", f1-f0, b1-b0, 800<<10)
	}
	// Five more: over the quota, nothing more is kept but the attempts.
	var last string
	for i := range 5 {
		code, loc, _ := postFile(t, cl, ts, "junk.xlsx", junk(t, 400<<10))
		if code != http.StatusSeeOther || !strings.Contains(loc, "error=up.notkept") {
			t.Fatalf("junk over the quota %d: %d %s", i, code, loc)
		}
		last = loc
	}
	r2, f2, b2 := stored(t, db)
	if r2 != r0+7 || f2 != f1 || b2 != b1 {
		t.Errorf("after five junk uploads over the quota: %d returns, %d files, %d bytes added", r2-r0-2, f2-f1, b2-b1)
	}
	// Filed under the uploader's district, with their errors.
	var district string
	var errs int64
	err := db.QueryRowContext(context.Background(), `SELECT district_code, (SELECT count(*) FROM return_issues i WHERE i.return_id = r.return_id)
		FROM returns r ORDER BY return_id DESC LIMIT 1`).Scan(&district, &errs)
	if err != nil || district != "320505" || errs == 0 {
		t.Errorf("last junk: district %q, %d errors (%v)", district, errs, err)
	}
	// The clerk is told; the file itself is not to be had.
	resp, body := fetch(t, ts.URL+last)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "保存空间已满（上限 1 MB）") {
		t.Errorf("result page: %d %s", resp.StatusCode, body)
	}
	id := returnParam(last)
	resp, body = fetch(t, ts.URL+"/returns/"+id+"/file")
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "原件未保存") {
		t.Errorf("file of a return past the quota: %d %s", resp.StatusCode, body)
	}
	resp, body = fetch(t, ts.URL+"/returns/"+id+"/file?lang=en")
	if !strings.Contains(string(body), "the file itself was not kept") {
		t.Errorf("file of a return past the quota (en): %d %s", resp.StatusCode, body)
	}
}

func TestUploadRateLimit(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true, UploadRate: 2})
	cl := uploader(t, ts)
	for i := range 2 {
		if code, _, _ := postFile(t, cl, ts, "junk.xlsx", junk(t, 1000)); code != http.StatusSeeOther {
			t.Fatalf("upload %d: %d", i, code)
		}
	}
	r0, f0, b0 := stored(t, db)
	code, _, body := postFile(t, cl, ts, "junk.xlsx", junk(t, 1000))
	if code != http.StatusTooManyRequests || !strings.Contains(body, "上传过于频繁：每人每 1 分钟最多上传 2 次") {
		t.Errorf("third upload in a minute: %d %s", code, body)
	}
	if r, f, b := stored(t, db); r != r0 || f != f0 || b != b0 {
		t.Error("a refused upload was recorded")
	}
}

// While one upload of a user is being checked, another of theirs is refused.
func TestUploadOneAtATime(t *testing.T) {
	ts, s, db := newTestServer(t, Options{NoWarm: true})
	cl := uploader(t, ts)
	done, refused := s.uploads.start("t-clerk2") // the same user, mid-upload
	if refused != "" {
		t.Fatal(refused)
	}
	r0, _, _ := stored(t, db)
	code, _, body := postFile(t, cl, ts, "junk.xlsx", junk(t, 1000))
	if code != http.StatusTooManyRequests || !strings.Contains(body, "上一份报表还在检查中") {
		t.Errorf("second upload at once: %d %s", code, body)
	}
	done()
	if code, _, _ := postFile(t, cl, ts, "junk.xlsx", junk(t, 1000)); code != http.StatusSeeOther {
		t.Errorf("after the first: %d", code)
	}
	if r, _, _ := stored(t, db); r != r0+1 {
		t.Errorf("%d returns recorded, want 1", r-r0)
	}
}

func TestOversizedUploadRecordsNothing(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true, MaxUpload: 100 << 10})
	cl := uploader(t, ts)
	r0, f0, b0 := stored(t, db)
	for _, n := range []int{100<<10 + 1, 3 << 20} {
		code, loc, _ := postFile(t, cl, ts, "big.xlsx", junk(t, n))
		if code != http.StatusSeeOther || !strings.HasSuffix(loc, "error=up.toolarge") {
			t.Errorf("%d bytes: %d %s", n, code, loc)
		}
	}
	if r, f, b := stored(t, db); r != r0 || f != f0 || b != b0 {
		t.Errorf("an oversized upload was recorded: %d returns, %d files, %d bytes", r-r0, f-f0, b-b0)
	}
	resp, body := fetch(t, ts.URL+"/upload?error=up.toolarge")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "文件过大") {
		t.Errorf("message: %s", body)
	}
}

func TestUploadLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := newUploadLimiter(2, time.Minute, 1, func() time.Time { return now })
	done, refused := l.start("a")
	if refused != "" {
		t.Fatal(refused)
	}
	// One at a time per user; another user is not held up.
	if _, refused := l.start("a"); refused != "up.busy" {
		t.Errorf("second at once: %q", refused)
	}
	doneB, refused := l.start("b")
	if refused != "" {
		t.Errorf("another user: %q", refused)
	}
	doneB()
	done()
	done, refused = l.start("a")
	if refused != "" {
		t.Fatalf("second: %q", refused)
	}
	done()
	if _, refused := l.start("a"); refused != "up.ratelimit" {
		t.Errorf("third in a minute: %q", refused)
	}
	now = now.Add(61 * time.Second)
	if done, refused := l.start("a"); refused != "" {
		t.Errorf("a minute later: %q", refused)
	} else {
		done()
	}
}
