package dashboard

import (
	"context"
	"net/http"
	"testing"
	"time"

	"sgz/auth"
)

// X-Forwarded-For is believed from --trusted-proxy addresses only: the
// audit trail (and the per-address throttle) see the client behind the
// proxy, and a client cannot make itself someone else by sending the header.
func TestTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		proxies []string
		want    string
	}{
		{nil, "127.0.0.1"},
		{[]string{"10.9.0.0/16"}, "127.0.0.1"},
		{[]string{"127.0.0.1"}, "203.0.113.9"},
		{[]string{"127.0.0.0/8", "::1"}, "203.0.113.9"},
	} {
		ts, _, db := newTestServer(t, Options{NoWarm: true, TrustedProxies: c.proxies})
		_, tok, err := auth.CreateToken(context.Background(), db, roleAccount(auth.Admin), time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/indicators.csv?period=2026Q3", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// The entry is written once the answer is sent: wait for it.
		var remote string
		for i := 0; ; i++ {
			err := db.QueryRow(`SELECT remote FROM audit_log WHERE action = 'export' ORDER BY seq DESC LIMIT 1`).Scan(&remote)
			if err == nil {
				break
			}
			if i == 600 {
				t.Fatal(resp.StatusCode, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if remote != c.want {
			t.Errorf("trusted %v: the audit trail has %s, want %s", c.proxies, remote, c.want)
		}
	}
	if _, err := NewServer(openCopy(t), Options{NoWarm: true, TrustedProxies: []string{"nonsense"}}); err == nil || err.Error() != `--trusted-proxy "nonsense" 无效（应为 IP 地址或网段，如 10.0.0.5、10.0.0.0/24）` {
		t.Errorf("a bad proxy: %v", err)
	}
}
