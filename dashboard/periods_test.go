package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sgz/internal/needs"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Due means due on the reporting page and the API: with a fixed reference
// date, 2026Q4 (due 2027-01-15) is 未到期 before and 未报送 after; a span of
// several quarters counts district-quarters, and says so.
func TestReportingAsOf(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	status := regexp.MustCompile(`data-status="([a-z_]+)"`)
	count := func(body []byte) map[string]int {
		m := map[string]int{}
		for _, x := range status.FindAllSubmatch(body, -1) {
			m[string(x[1])]++
		}
		return m
	}
	_, before := fetch(t, ts.URL+"/reporting?period=2026&as_of=2026-12-02")
	summary := regexp.MustCompile(`(?s)id="reporting-summary">(.*?)</p>`)
	s := string(summary.FindSubmatch(before)[1])
	if !strings.Contains(s, "29 / 30 个区县·季度") || !strings.Contains(s, "未到期 10") || !strings.Contains(s, "未报送 1 ") ||
		!strings.Contains(s, "参考日期 2026-12-02") {
		t.Errorf("summary before the due date: %s", s)
	}
	if c := count(before); c["not_due"] != 10 || c["missing"] != 1 {
		t.Errorf("statuses before: %v", c)
	}
	if !strings.Contains(string(before), "<td>2026Q4</td>\n<td>未到期") {
		t.Error("a Q4 row does not say 未到期")
	}
	_, after := fetch(t, ts.URL+"/reporting?period=2026&as_of=2027-01-15")
	s = string(summary.FindSubmatch(after)[1])
	if !strings.Contains(s, "29 / 40 个区县·季度") || strings.Contains(s, "未到期") || !strings.Contains(s, "未报送 11 ") {
		t.Errorf("summary after the due date: %s", s)
	}
	if c := count(after); c["not_due"] != 0 || c["missing"] != 11 {
		t.Errorf("statuses after: %v", c)
	}
	// One quarter: districts, not district-quarters.
	_, q3 := fetch(t, ts.URL+"/reporting?period=2026Q3&as_of=2026-12-02")
	if s := string(summary.FindSubmatch(q3)[1]); !strings.Contains(s, "9 / 10 个区县 ") {
		t.Errorf("one quarter: %s", s)
	}
	// A quarter with no data: says so, and is not due yet.
	_, none := fetch(t, ts.URL+"/reporting?period=2027Q1&as_of=2026-12-02")
	if !strings.Contains(string(none), `id="reporting-nodata">本期没有任何报表数据（尚未到报送截止日）`) ||
		!strings.Contains(string(summary.FindSubmatch(none)[1]), "未到期") {
		t.Errorf("no data page: %s", summary.FindSubmatch(none)[1])
	}
	// The API: the same counts, and a bad date is a 400 naming it.
	resp, b := fetch(t, ts.URL+"/api/v1/reporting?period=2026&as_of=2026-12-02")
	var st struct {
		AsOf  string `json:"as_of"`
		Total struct {
			Expected, Reported, Missing int
			NotDue                      int `json:"not_due"`
		} `json:"total"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &st) != nil || st.AsOf != "2026-12-02" || st.Total.Expected != 30 ||
		st.Total.Reported != 29 || st.Total.NotDue != 10 || st.Total.Missing != 1 {
		t.Errorf("api %d %+v", resp.StatusCode, st)
	}
	resp, b = fetch(t, ts.URL+"/api/v1/reporting?period=2026&as_of=2026-02-30")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `as_of=\"2026-02-30\"`) {
		t.Errorf("bad as_of: %d %s", resp.StatusCode, b)
	}
}

// Completeness travels with every rolled-up value on the pages: in 2026
// (as of 2026-12-02, Q4 not yet due) 相城区 has no 2026Q3 return, so its
// stock is from 2026Q2 and the flows rest on 29 of 30 district-quarters.
func TestPagesCompleteness(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	q := "?period=2026&as_of=2026-12-02"
	_, ov := fetch(t, ts.URL+"/"+q)
	line := regexp.MustCompile(`(?s)id="completeness">(.*?)</p>`).FindSubmatch(ov)
	if line == nil || !strings.Contains(string(line[1]), "已报送 10 / 10 个区县；相城区取 2026Q2；流量 29 / 30 个区县·季度") ||
		!strings.Contains(string(line[1]), "注意") {
		t.Errorf("overview completeness: %s", line)
	}
	// A flow card says district-quarters; a stock card names the district that lags.
	cards := regexp.MustCompile(`(?s)data-indicator="([a-z_]+)".*?(?:<div class="comp">(.*?)</div>|<div class="delta">)`).FindAllSubmatch(ov, -1)
	comp := map[string]string{}
	for _, c := range cards {
		comp[string(c[1])] = string(c[2])
	}
	if comp["gov_funding"] != "29 / 30 个区县·季度" || comp["station_coverage"] != "10 / 10 个区县；相城区取 2026Q2" {
		t.Errorf("cards %q", comp)
	}
	_, ind := fetch(t, ts.URL+"/indicator/station_coverage"+q)
	if !strings.Contains(string(ind), `<span id="top-comp">已报送 10 / 10 个区县；相城区取 2026Q2</span>`) ||
		!strings.Contains(string(ind), `<small class="note asof">取 2026Q2</small>`) {
		t.Error("indicator page: no completeness or as-of")
	}
	_, list := fetch(t, ts.URL+"/indicators"+q)
	if !strings.Contains(string(list), `<small class="note comp">29 / 30 个区县·季度</small>`) {
		t.Error("indicator list: no completeness of the flows")
	}
	// One quarter, all reported but 相城区: districts, no district-quarters.
	_, ov3 := fetch(t, ts.URL+"/?period=2026Q3&as_of=2026-12-02")
	line = regexp.MustCompile(`(?s)id="completeness">(.*?)</p>`).FindSubmatch(ov3)
	if line == nil || !strings.Contains(string(line[1]), "已报送 9 / 10 个区县 ·") || strings.Contains(string(line[1]), "区县·季度") {
		t.Errorf("overview 2026Q3: %s", line)
	}
	// A quarter not yet due: 未到期, and the district page says so.
	_, ov4 := fetch(t, ts.URL+"/?period=2026Q4&as_of=2026-12-02")
	line = regexp.MustCompile(`(?s)id="completeness">(.*?)</p>`).FindSubmatch(ov4)
	if line == nil || string(line[1]) != "苏州市 · 本期没有任何报表数据（尚未到报送截止日）" {
		t.Errorf("overview 2026Q4: %s", line)
	}
	_, d4 := fetch(t, ts.URL+"/district/320505?period=2026Q4&as_of=2026-12-02")
	if !strings.Contains(string(d4), "本期尚未到报送截止日") {
		t.Error("district page, quarter not due: no 未到期 note")
	}
	_, d5 := fetch(t, ts.URL+"/district/320507?period=2026Q3&as_of=2026-12-02")
	if !strings.Contains(string(d5), "本期未报送") {
		t.Error("district page, missing return: no note")
	}
}

// Ranks only for those who reported: on a quarter with no data nobody is
// ranked (no "排名 1 · 总分 0.00"), and the API says reported: false.
func TestNoRankWithoutReturn(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	for asof, word := range map[string]string{"2026-12-02": "未到期", "2027-05-01": "未报送"} {
		q := "?period=2027Q1&as_of=" + asof
		_, ov := fetch(t, ts.URL+"/"+q)
		rank := regexp.MustCompile(`(?s)id="ranking">.*?</table>`).Find(ov)
		if strings.Count(string(rank), `class="unranked"><td>`+word+`</td>`) != 10 || strings.Contains(string(rank), "<td>1</td>") {
			t.Errorf("as of %s: overview ranking %s", asof, rank)
		}
		_, dp := fetch(t, ts.URL+"/district/320505"+q)
		if strings.Contains(string(dp), "排名 1") || !strings.Contains(string(dp), `<span class="warn" id="unranked">`+word+`</span>：不参与排名（按规则缺失指标得 0 分，总分 0.00）`) {
			t.Errorf("as of %s: district page ranks a district without a return", asof)
		}
		_, b := fetch(t, ts.URL+"/api/v1/assessment"+q)
		var rows []map[string]any
		if err := json.Unmarshal(b, &rows); err != nil || len(rows) != 10 {
			t.Fatalf("api %s", b)
		}
		for _, r := range rows {
			if r["reported"] != false || r["rank"] != nil {
				t.Errorf("api row %v", r)
			}
		}
	}
	// 2026Q3: 相城区 did not report: last, unranked, 未报送.
	_, as := fetch(t, ts.URL+"/assessment?period=2026Q3&as_of=2026-12-02")
	rows := regexp.MustCompile(`<tr class="(unranked)?"><td data-v="(\d+)">([^<]+)</td><td><a href="/district/(\d+)`).FindAllSubmatch(as, -1)
	if len(rows) != 10 || string(rows[9][4]) != "320507" || string(rows[9][3]) != "未报送" || string(rows[0][3]) != "1" {
		t.Errorf("assessment rows %q", rows)
	}
}

// One milestone text on every page: the overview's card and the district
// page say the same for the same state; never "剩 -1 个季度".
func TestMilestoneWording(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	card := regexp.MustCompile(`(?s)data-indicator="station_coverage".*?<div class="ms ms-([a-z]+)">(.*?)</div>`)
	row := regexp.MustCompile(`(?s)<td class="ms-([a-z]+)"><span class="[a-z]*">(.*?)</span>`)
	for _, c := range []struct{ period, state, words string }{
		{"2026Q3", "open", "剩 1 个季度"},
		{"2026", "due", "已到期，差 "},
		{"2026Q3-2027Q1", "overdue", "已逾期未达标，差 "},
	} {
		q := "?period=" + c.period + "&as_of=2027-05-01"
		_, ov := fetch(t, ts.URL+"/"+q)
		m := card.FindSubmatch(ov)
		if m == nil || string(m[1]) != c.state || !strings.Contains(string(m[2]), c.words) || !strings.Contains(string(m[2]), " 个百分点") {
			t.Errorf("%s: overview card %q", c.period, m)
		}
		_, dp := fetch(t, ts.URL+"/district/320505"+q)
		r := row.FindSubmatch(dp)
		if r == nil || string(r[1]) != c.state && string(r[1]) != "met" {
			t.Errorf("%s: district milestone %q", c.period, r)
		} else if string(r[1]) == c.state && !strings.Contains(string(r[2]), c.words) {
			t.Errorf("%s: district says %q", c.period, r[2])
		}
		if strings.Contains(string(ov)+string(dp), "剩 -") || strings.Contains(string(ov)+string(dp), "差 -") {
			t.Errorf("%s: negative quarters or gap", c.period)
		}
	}
}

// A receipt time given with --received-at is shown as such on the return's page.
func TestReturnPageStatedReceipt(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	var id int64
	if err := db.QueryRow(`SELECT max(return_id) FROM returns WHERE status = 'accepted'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO return_receipts VALUES (?, 'cli --received-at', TIMESTAMP '2026-12-01 10:05:00')`, id); err != nil {
		t.Fatal(err)
	}
	_, b := fetch(t, ts.URL+"/returns/"+strconv.FormatInt(id, 10))
	if !strings.Contains(string(b), "接收时间由导入时指定（cli --received-at），登记于 2026-12-01 10:05") {
		t.Errorf("return page does not say the receipt time was stated")
	}
	_, b = fetch(t, ts.URL+"/returns/"+strconv.FormatInt(id-1, 10))
	if strings.Contains(string(b), "接收时间由导入时指定") {
		t.Errorf("a return stamped on arrival is said to be stated")
	}
}

// One rounding rule: 53/80 = 0.6625 shows as 66.3% on the page, in the chart
// and in the exported workbook as LibreOffice (like Excel) displays it.
func TestRoundingHalfAway(t *testing.T) {
	ts, _, db := newTestServer(t, Options{NoWarm: true})
	var id int64
	if err := db.QueryRow(`SELECT return_id FROM current_returns WHERE district_code = '320505' AND period = '2026Q3'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// Every built station's workers: 0, except one with 40 + 40 of whom 40 + 13 certified.
	for _, q := range []string{
		`UPDATE stations SET resident = 0, resident_cert = 0, outreach = 0, outreach_cert = 0 WHERE return_id = ?`,
		`UPDATE stations SET resident = 40, resident_cert = 40, outreach = 40, outreach_cert = 13
		 WHERE return_id = ? AND row_num = (SELECT min(row_num) FROM stations WHERE return_id = ? AND built)`,
	} {
		args := []any{id}
		if strings.Count(q, "?") == 2 {
			args = append(args, id)
		}
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	_, page := fetch(t, ts.URL+"/district/320505?period=2026Q3&as_of=2026-12-02")
	row := regexp.MustCompile(`(?s)/indicator/certified_share[^>]*>[^<]*</a></td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>`).FindSubmatch(page)
	if row == nil || string(row[1]) != "66.3%" || string(row[2]) != "53 / 80" {
		t.Fatalf("district page certified_share %q", row)
	}
	chart := regexp.MustCompile(`id="chart-compare" data-option="([^"]*)"`).FindSubmatch(page)
	if chart == nil || !strings.Contains(string(chart[1]), "66.3") || strings.Contains(string(chart[1]), "66.25") {
		t.Errorf("chart does not show 66.3")
	}
	// The workbook: LibreOffice renders the cell through its 0.0% format.
	soffice := needs.Soffice(t, false)
	resp, b := fetch(t, ts.URL+"/indicators.xlsx?period=2026Q3&level=district&as_of=2026-12-02")
	if resp.StatusCode != 200 {
		t.Fatalf("export %d", resp.StatusCode)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ind.xlsx"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang is the failure
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,1", "--outdir", dir, filepath.Join(dir, "ind.xlsx"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	csvText, err := os.ReadFile(filepath.Join(dir, "ind-指标值.csv"))
	if err != nil {
		files, _ := os.ReadDir(dir)
		t.Fatalf("%v (%v)", err, files)
	}
	var line string
	for _, l := range strings.Split(string(csvText), "\n") {
		if strings.HasPrefix(l, "320505,") {
			line = l
		}
	}
	if !strings.Contains(line, ",66.3%,") || strings.Contains(line, "66.2%") {
		t.Errorf("workbook row as LibreOffice shows it: %s", line)
	}
}

// The assessment page says which district's values rest on less: 相城区's
// stock is from 2026Q2 and its flows from 2 of 3 quarters.
func TestAssessmentPageCompleteness(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	_, b := fetch(t, ts.URL+"/assessment?period=2026&as_of=2026-12-02")
	notes := regexp.MustCompile(`/district/(\d+)[^>]*>[^<]*</a> <small class="note comp">([^<]*)</small>`).FindAllSubmatch(b, -1)
	if len(notes) != 1 || string(notes[0][1]) != "320507" || string(notes[0][2]) != "取 2026Q2；2 / 3 个区县·季度" {
		t.Errorf("notes %q", notes)
	}
}

// A chart's quarter that rests on part of the area says so on its axis.
func TestTrendChartPartialQuarter(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	_, ov := fetch(t, ts.URL+"/?period=2026Q3&as_of=2026-12-02")
	chart := regexp.MustCompile(`id="chart-trend" data-option="([^"]*)"`).FindSubmatch(ov)
	if chart == nil || !strings.Contains(string(chart[1]), "2026Q3（9/10 区县）") || strings.Contains(string(chart[1]), "2026Q2（") {
		t.Errorf("trend chart labels: %.400s", chart)
	}
}

// The map's grey districts say 未到期 for a quarter not yet due, 未报送 after it
// (under the title, on the map and in their tooltips).
func TestMapNotDue(t *testing.T) {
	ts, _, _ := newTestServer(t, Options{NoWarm: true})
	_, before := fetch(t, ts.URL+"/map?period=2026Q4&as_of=2026-12-02")
	_, after := fetch(t, ts.URL+"/map?period=2026Q4&as_of=2027-02-01")
	// The embedded city map names its grey districts under the title, and
	// the functional zone drawn as a marker says it on its label.
	if !strings.Contains(string(before), `subtext&#34;:&#34;未到期：虎丘区、吴中区、相城区、姑苏区、吴江区、常熟市、张家港市、昆山市、太仓市&#34;`) ||
		!strings.Contains(string(before), `苏州工业园区\n未到期`) || strings.Contains(string(before), `缺报`) ||
		!strings.Contains(string(after), `subtext&#34;:&#34;未报送：虎丘区、`) || !strings.Contains(string(after), `苏州工业园区\n未报送`) ||
		!strings.Contains(string(after), `&#34;tooltip&#34;:{&#34;formatter&#34;:&#34;虎丘区：未报送&#34;}`) || strings.Contains(string(after), `缺报`) {
		i, j := max(0, strings.Index(string(before), "subtext")), max(0, strings.Index(string(after), "subtext"))
		t.Errorf("map before the due date: %.300s\nafter: %.300s", before[i:], after[j:])
	}
}
