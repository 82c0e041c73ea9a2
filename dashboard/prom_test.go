package dashboard

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"sgz/auth"
	"sgz/registry"
)

// GET /metrics (admins): requests by route pattern and status with their
// latency histogram, uploads by result, in Prometheus' text format.
func TestPrometheusMetrics(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	admin := loginAs(t, ts.URL, roleAccount(auth.Admin))
	clerk := loginAs(t, ts.URL, roleAccount(auth.Clerk))
	leader := loginAs(t, ts.URL, roleAccount(auth.Leader))
	for i := 0; i < 3; i++ {
		do(t, leader.Client, "GET", ts.URL+"/api/v1/periods")
	}
	do(t, leader.Client, "GET", ts.URL+"/district/320505")
	upload := func(name string, data []byte) {
		t.Helper()
		var buf bytes.Buffer
		ct := multipartFile(&buf, name, data)
		req, _ := http.NewRequest("POST", ts.URL+"/upload?district="+clerkDistrict, &buf)
		req.Header.Set("Content-Type", ct)
		resp, err := clerk.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	upload("good.xlsx", workbook(t, registry.Suzhou(), clerkDistrict, fixtureLast))
	upload("bad.xlsx", []byte("code,name\n"))
	upload("again.xlsx", []byte("code,name\n"))

	if resp, _ := do(t, leader.Client, "GET", ts.URL+"/metrics"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a leader reads /metrics: %d", resp.StatusCode)
	}
	resp, b := do(t, admin.Client, "GET", ts.URL+"/metrics")
	body := string(b)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`sgz_http_requests_total{method="GET",route="/api/v1/periods",status="200"} 3`,
		`sgz_http_requests_total{method="GET",route="/district/:code",status="200"} 1`, // the pattern, not the path
		`sgz_http_requests_total{method="GET",route="/metrics",status="403"} 1`,
		`sgz_http_request_duration_seconds_count{method="GET",route="/api/v1/periods"} 3`,
		`sgz_http_request_duration_seconds_bucket{method="GET",route="/api/v1/periods",le="+Inf"} 3`,
		`sgz_uploads_total{result="rejected"} 2`,
		`sgz_upload_ingest_duration_seconds_count 3`,
		`go_goroutines `, `process_resident_memory_bytes `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if !regexp.MustCompile(`sgz_uploads_total\{result="(accepted|unchanged)"\} 1`).MatchString(body) {
		t.Errorf("the good upload is not counted:\n%s", grepLines(body, "sgz_uploads"))
	}
	if strings.Contains(body, "320505") {
		t.Error("a path with a code reached the metrics")
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
