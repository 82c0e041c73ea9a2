package dashboard

import (
	"context"
	"strings"
	"testing"
	"time"

	"sgz/auth"
	"sgz/demo"
)

// TestBrowserDemoRolesSeeTheirNavigation: each demo account logs in through
// the login page and sees its role's navigation (the permission table's)
// and no other link; pages the role may not open answer 403.
func TestBrowserDemoRolesSeeTheirNavigation(t *testing.T) {
	browser(t)
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	accounts, err := demo.Accounts(context.Background(), db, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tb := openTab(t, ts.URL)
	for _, a := range accounts {
		u := &auth.User{Roles: a.Roles, Districts: a.Districts}
		tb.loginWith(a.Name, a.Password)
		if who := tb.text("#who"); who != a.Name {
			t.Errorf("%s: the page says %q is logged in", a.Name, who)
		}
		var want []string
		for _, n := range navFor(u) {
			want = append(want, n.Href)
		}
		got := eval[[]string](tb, `Array.from(document.querySelectorAll('#nav a')).map(a => a.getAttribute('href').split('?')[0])`)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: navigation %v, want %v", a.Name, got, want)
		}
		// Follow every link: each opens; a page of another role does not.
		for _, h := range want {
			tb.visit(h)
			if strings.Contains(tb.text("main"), "403") {
				t.Errorf("%s: %s refused", a.Name, h)
			}
		}
		for i := range routes {
			rt := &routes[i]
			if rt.Nav == "" || rt.allows(u) {
				continue
			}
			tb.run(chromedpNavigate(tb, rt.Path))
			if body := tb.text("body"); !strings.Contains(body, "403") {
				t.Errorf("%s opened %s: %.200q", a.Name, rt.Path, body)
			}
		}
		tb.allow("403 (Forbidden)")
		tb.clean(a.Name)
		// Log out with the button.
		tb.run(chromedpNavigate(tb, "/password"))
		tb.run(chromedpClick("#logout"))
		tb.waitFor(`location.pathname === "/login"`)
	}
}
