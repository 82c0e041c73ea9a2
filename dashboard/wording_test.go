package dashboard

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"sgz"
	"sgz/gen"
	"sgz/ingest"
	"sgz/locale"
	"sgz/metrics"
	"sgz/registry"
)

// Words a Chinese civil servant would not write, nor an English reader read
// (issue 10): a file name for the rules, "quarters left: 1", a unit that
// does not say what it counts, "(2d)" for days late, bare column names.
var badWording = []*regexp.Regexp{
	regexp.MustCompile(`indicators\.md`),
	regexp.MustCompile(`quarters left: |\b1 quarters\b|\b1 days\b`),
	regexp.MustCompile(`人/个`),
	regexp.MustCompile(`\(\d+d\)|\(%dd\)|\}\}d\)`),
}

func badWords(s string) []string {
	var out []string
	for _, re := range badWording {
		out = append(out, re.FindAllString(s, -1)...)
	}
	return out
}

// The sources of the wording: every message in both languages, every
// template, the units of the indicators and the default rules' name.
func TestWordingSources(t *testing.T) {
	for _, k := range locale.Keys() {
		tx, _ := locale.Lookup(k)
		if bad := badWords(tx[0] + "\n" + tx[1]); len(bad) > 0 {
			t.Errorf("message %s: %q", k, bad)
		}
	}
	err := fs.WalkDir(embedded, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(embedded, p)
		if bad := badWords(string(b)); len(bad) > 0 {
			t.Errorf("%s: %q", p, bad)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ind := range metrics.Indicators {
		if u := ind.UnitText(); len(badWords(u.Zh+u.En)) > 0 {
			t.Errorf("%s: unit %v", ind.ID, u)
		}
	}
	if c, _ := metrics.Lookup("certified_total"); c.UnitText().Zh != "人" {
		t.Errorf("certified_total in %q", c.UnitText().Zh)
	}
	if c, _ := metrics.Lookup("training_participants"); c.UnitText().Zh != "人次" {
		t.Errorf("training_participants in %q", c.UnitText().Zh)
	}
	if n := metrics.DefaultConfig().Name; len(badWords(n)) > 0 || !strings.Contains(n, "考核规则") {
		t.Errorf("default rules named %q", n)
	}
	for n, want := range map[int][2]string{1: {"逾期 1 天", "1 day late"}, 2: {"逾期 2 天", "2 days late"}} {
		if zh, en := lateText(locale.ZH, n), lateText(locale.EN, n); zh != want[0] || en != want[1] {
			t.Errorf("%d days late: %q %q", n, zh, en)
		}
	}
}

// The pages as served: the rules cited by name and hash, 名录未提供人口
// instead of a dash, days late in words, quarters in the singular, the
// return's columns under the contract's headers.
func TestWordingPages(t *testing.T) {
	ts, s, db := newTestServer(t, Options{NoWarm: true})
	// 相城区 sends its 2026Q3 return two days after the due day (10-15).
	reg := registry.Suzhou()
	ctx := context.Background()
	ingestBytes(ctx, t, db, gen.FileName(fixtureLate, fixtureLast), workbook(t, reg, fixtureLate, fixtureLast), time.Date(2026, 10, 17, 10, 0, 0, 0, sgz.Beijing))
	s.calc.invalidate()

	cite := "考核规则：默认考核规则（SHA-256 " + metrics.DefaultConfig().SHA256()[:12] + "…）"
	pages := []struct {
		path string
		want []string
	}{
		{"/assessment?period=2026Q3&lang=zh", []string{cite}},
		{"/indicator/station_coverage?period=2026Q3&lang=zh", []string{cite}},
		{"/indicator/certified_per_10k?period=2026Q3&lang=zh", []string{`<b id="top-value">名录未提供人口</b>`, `<td class="num" data-v="0">名录未提供人口`}},
		{"/indicator/certified_per_10k?period=2026Q3&lang=en", []string{"no population in the registry", "Rules: 默认考核规则 (SHA-256 "}},
		{"/indicators?period=2026Q3&lang=zh", []string{"名录未提供人口", "持证社工总数", ">存量（取期内最近有报表的季度）<br>人<", "<br>人次<"}},
		{"/district/320505?period=2026Q3&lang=zh", []string{"<td class=\"num\">名录未提供人口</td><td class=\"num\"></td><td class=\"num\">名录未提供人口</td>"}},
		{"/reporting?period=2026Q3&lang=zh", []string{"逾期 2 天"}},
		{"/reporting?period=2026Q3&lang=en", []string{"2 days late"}},
		{"/?period=2026Q3&lang=zh&as_of=2026-12-01", []string{"还剩 1 个季度"}},
		{"/?period=2026Q3&lang=en&as_of=2026-12-01", []string{"1 quarter left"}},
		{"/indicator/certified_total?period=2026Q3&lang=zh", []string{"单位: 人<"}},
	}
	for _, p := range pages {
		resp, b := fetch(t, ts.URL+p.path)
		page := string(b)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p.path, resp.StatusCode)
			continue
		}
		for _, w := range p.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: no %q", p.path, w)
			}
		}
		if bad := badWords(page); len(bad) > 0 {
			t.Errorf("%s: %q", p.path, bad)
		}
	}
	// The return page: the contract's headers, no stored column names.
	var id int64
	if err := db.QueryRow(`SELECT min(return_id) FROM returns WHERE status = 'accepted'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, b := fetch(t, fmt.Sprintf("%s/returns/%d?lang=zh", ts.URL, id))
	heads := regexp.MustCompile(`<th data-field="(\w+)">([^<]*)</th>`).FindAllStringSubmatch(string(b), -1)
	if len(heads) < 30 {
		t.Fatalf("return page: %d column headers", len(heads))
	}
	for _, h := range heads {
		if strings.ContainsAny(h[2], "abcdefghijklmnopqrstuvwxyz_") {
			t.Errorf("return page column %s shown as %q", h[1], h[2])
		}
	}
	for _, sh := range []*ingest.Sheet{&ingest.StationSheet, &ingest.WorkforceSheet} {
		for _, c := range sh.Columns {
			if !strings.Contains(string(b), `<th data-field="`+c.Field+`">`+c.Header+`</th>`) {
				t.Errorf("return page: no header %s for %s", c.Header, c.Field)
			}
		}
	}
	if !strings.Contains(string(b), `<th data-field="row_num">行号</th>`) {
		t.Error("return page: no 行号")
	}
	_, b = fetch(t, fmt.Sprintf("%s/returns/%d?lang=en", ts.URL, id))
	if !strings.Contains(string(b), `<th data-field="resident_cert">其中持证驻站社工 (resident_cert)</th>`) || !strings.Contains(string(b), `>Row</th>`) {
		t.Error("return page in English: the contract's header with the field")
	}
}
