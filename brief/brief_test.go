package brief

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sgz/internal/needs"
	"sgz/locale/keytest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sgz"
	"sgz/demo"
	"sgz/locale"
	"sgz/metrics"
	"sgz/store"
)

var (
	demoOnce sync.Once
	demoFile string
	demoErr  error
)

// demoDB opens the demo database (built once per run: Suzhou 2025Q1–2026Q3,
// 太仓市 not reported in 2026Q3, 相城区 late, 姑苏区 sent back and resubmitted).
func demoDB(t *testing.T) *store.DB {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sgz-brief-")
		if err != nil {
			demoErr = err
			return
		}
		demoFile = filepath.Join(dir, "demo.duckdb")
		db, err := store.Open(context.Background(), demoFile)
		if err != nil {
			demoErr = err
			return
		}
		defer db.Close()
		_, demoErr = demo.Build(context.Background(), db, filepath.Join(dir, "files"), time.Date(2026, 11, 20, 10, 0, 0, 0, sgz.Beijing))
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	db, err := store.Open(context.Background(), demoFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMain(m *testing.M) {
	code := keytest.Run(m, nil) // every message key of the package produced by its tests
	if demoFile != "" {
		os.RemoveAll(filepath.Dir(demoFile))
	}
	os.Exit(code)
}

// documentText reads word/document.xml back: one string per paragraph, and
// the tables as rows of cell texts.
func documentText(t *testing.T, docx []byte) (paras []string, tables [][][]string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	for _, f := range z.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			body, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	if body == nil {
		t.Fatal("no word/document.xml")
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var cur strings.Builder
	var row []string
	var table [][]string
	depth := 0 // table nesting
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("document.xml: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "tbl":
				depth++
				table = nil
			case "tr":
				row = nil
			case "p":
				cur.Reset()
			}
		case xml.CharData:
			cur.Write(x)
		case xml.EndElement:
			switch x.Name.Local {
			case "p":
				if depth == 0 {
					paras = append(paras, cur.String())
				} else {
					row = append(row, cur.String())
				}
			case "tr":
				table = append(table, row)
			case "tbl":
				depth--
				tables = append(tables, table)
			}
		}
	}
	return paras, tables
}

var numRE = regexp.MustCompile(`[−+-]?[0-9][0-9,]*(\.[0-9]+)?`)

// firstNumber reads the first number of a cell ("93.8%" → 93.8, "1,102" → 1102).
func firstNumber(t *testing.T, s string) float64 {
	t.Helper()
	m := numRE.FindString(s)
	if m == "" {
		t.Fatalf("no number in %q", s)
	}
	m = strings.NewReplacer(",", "", "−", "-").Replace(m)
	v, err := strconv.ParseFloat(m, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func write(t *testing.T, db *store.DB, span string, asOf time.Time, lang locale.Lang) ([]byte, *Report) {
	t.Helper()
	var buf bytes.Buffer
	r, err := Write(context.Background(), db, Options{Span: mustSpan(span), AsOf: asOf, Lang: lang}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), r
}

func TestBriefNumbersAreTheHeadlineAPIs(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	asOf := time.Date(2026, 12, 1, 0, 0, 0, 0, sgz.Beijing)
	docx, r := write(t, db, "2026Q3", asOf, locale.ZH)
	paras, tables := documentText(t, docx)
	text := strings.Join(paras, "\n")
	for _, tb := range tables {
		for _, row := range tb {
			text += "\n" + strings.Join(row, "\t")
		}
	}
	if os.Getenv("SGZ_BRIEF_OUT") != "" {
		os.WriteFile(os.Getenv("SGZ_BRIEF_OUT"), docx, 0o644)
	}
	h, err := metrics.HeadlineFor(ctx, db, mustSpan("2026Q3"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "苏州市社会工作站建设工作简报") || !strings.Contains(text, "2026年第3期") || !strings.Contains(text, "2026年12月1日") {
		t.Errorf("title block: %s", text[:min(300, len(text))])
	}
	// The headline table: every figure's 本期 equals the API's value (rounded as written).
	hl := tables[0]
	if len(hl) != len(Figures)+1 || len(hl[0]) != 4 {
		t.Fatalf("headline table %d×%d: %v", len(hl), len(hl[0]), hl)
	}
	for i, f := range Figures {
		row := hl[i+1]
		want := HeadlineValue(h, f.Key)
		if want == nil {
			t.Fatalf("%s: the API has no value", f.Key)
		}
		got := firstNumber(t, row[1])
		w, tol := *want, 0.5
		switch f.Kind {
		case kRate:
			w, tol = w*100, 0.05
		case kWan:
			tol = 0.05
		}
		if d := got - w; d > tol || d < -tol {
			t.Errorf("%s: document %q, API %v", f.Key, row[1], *want)
		}
	}
	// Rates change in percentage points, counts as numbers and percentages.
	if !strings.Contains(hl[2][2], "个百分点") || strings.Contains(hl[1][2], "个百分点") {
		t.Errorf("comparison cells: %v / %v", hl[2], hl[1])
	}
	// Fair comparisons: 太仓市 did not report 2026Q3, so 9 districts compare.
	if r.Prev == nil || r.Prev.Districts != 9 || r.YoY == nil || r.YoY.Districts != 9 {
		t.Fatalf("same districts: prev %+v yoy %+v", r.Prev, r.YoY)
	}
	if !strings.Contains(text, "较上期按同口径比较：9 个区县") || !strings.Contains(text, "同比按同口径比较：9 个区县") {
		t.Errorf("no 同口径 note")
	}
	// The comparison equals the sums over those 9 districts, each quarter computed alone.
	prev, err := metrics.Compute(ctx, db, mustSpan("2026Q2"), sgz.District, nil)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := metrics.Compute(ctx, db, mustSpan("2026Q3"), sgz.District, nil)
	if err != nil {
		t.Fatal(err)
	}
	sumBuilt := func(vals []metrics.Value) (s float64) {
		for _, v := range vals {
			if v.Indicator == "station_coverage" && v.UnitCode != "320585" && v.Numerator != nil {
				s += *v.Numerator
			}
		}
		return s
	}
	d := sumBuilt(cur) - sumBuilt(prev)
	if got := firstNumber(t, hl[1][2]); got != d {
		t.Errorf("stations 较上期 %q, want %+v", hl[1][2], d)
	}
	// The people and money sentences carry the API's figures.
	for _, want := range []string{
		"持证社工 " + Count(*h.CertifiedTotal) + " 人，其中助理社会工作师 " + Count(*h.CertifiedAssistant) + " 人",
		"社会工作服务机构 " + Count(*h.Organisations) + " 家，全职员工 " + Count(*h.OrgStaff) + " 人；本土督导 " + Count(*h.Supervisors) + " 人",
		"设立社区慈善基金的乡镇（街道）" + Count(*h.CharityFundTowns) + " 个、村（社区）" + Count(*h.CharityFundVillages) + " 个",
		"培训经费 " + Wan(*h.TrainingCost) + " 万元",
		"在办服务项目 " + strconv.Itoa(h.ProjectsTotal) + " 个，其中示范项目 " + strconv.Itoa(h.ProjectsDemonstration) + " 个",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("document lacks %q", want)
		}
	}
	// The data note: 太仓市 not reported; 相城区 late.
	if !strings.Contains(text, "太仓市 2026年第3季度报表未报送（截止日 2026-10-15）") {
		t.Errorf("no 未报送 line for 太仓市:\n%s", text)
	}
	if !strings.Contains(text, "相城区 2026年第3季度报表逾期") {
		t.Errorf("no late line for 相城区")
	}
	if !strings.Contains(text, "未报送（不参与排名）：太仓市") {
		t.Errorf("太仓市 ranked")
	}
	// The at-risk table says 按当前进度 for every row, from metrics.AtRisk.
	if len(r.AtRisk) > 0 && !strings.Contains(text, "八、进度预警") {
		t.Errorf("no at-risk section")
	}
	for _, f := range r.AtRisk {
		if !strings.Contains(text, f.Text(locale.ZH)) {
			t.Errorf("at-risk %s %s not in the document", f.UnitName, f.Indicator)
		}
	}
	// In English too.
	en, _ := write(t, db, "2026Q3", asOf, locale.EN)
	ep, _ := documentText(t, en)
	if !strings.Contains(strings.Join(ep, "\n"), "Headline figures") {
		t.Errorf("english document: %v", ep[:3])
	}
}

func TestBriefYearToDateAndNotYetDue(t *testing.T) {
	db := demoDB(t)
	// The whole of 2026 asked on 2026-10-10: Q3 is not yet due (due 10-15),
	// the year runs to Q3 (年初至今) and is compared with 2025Q1–Q3.
	docx, r := write(t, db, "2026", time.Date(2026, 10, 10, 12, 0, 0, 0, sgz.Beijing), locale.ZH)
	paras, tables := documentText(t, docx)
	text := strings.Join(paras, "\n")
	if r.Effective.String() != "2026Q1-2026Q3" || r.Prev != nil || r.YoY == nil || r.YoY.Base.String() != "2025Q1-2025Q3" {
		t.Fatalf("effective %s prev %v yoy %+v", r.Effective, r.Prev, r.YoY)
	}
	if tables[0][0][1] != "2026年1—3季度（年初至今）" || len(tables[0][0]) != 3 {
		t.Errorf("header %v", tables[0][0])
	}
	if strings.Contains(text, "太仓市 2026年第3季度报表未报送") {
		t.Errorf("a quarter not yet due is listed as not reported")
	}
	if !strings.Contains(text, "同比按同口径比较：10 个区县") {
		t.Errorf("year to date: every district reported in some quarter of both: %s", text)
	}
}

func TestProblemsOfTheMessages(t *testing.T) {
	for _, p := range locale.Problems() {
		if strings.HasPrefix(p, "brief.") {
			t.Error(p)
		}
	}
}

// LibreOffice opens the document: converted to PDF, with the title inside.
func TestBriefOpensInLibreOffice(t *testing.T) {
	soffice := needs.Soffice(t, true)
	db := demoDB(t)
	docx, _ := write(t, db, "2026Q3", time.Date(2026, 12, 1, 0, 0, 0, 0, sgz.Beijing), locale.ZH)
	dir := t.TempDir()
	in := filepath.Join(dir, "简报.docx")
	if err := os.WriteFile(in, docx, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "lo"), "--headless",
		"--convert-to", "pdf", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	pdf, err := os.ReadFile(filepath.Join(dir, "简报.pdf"))
	if err != nil {
		t.Fatalf("no PDF: %v\n%s", err, out)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) || len(pdf) < 10000 {
		t.Errorf("PDF of %d bytes", len(pdf))
	}
	// Re-save as .docx through LibreOffice and read the figures back.
	cmd = exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "lo"), "--headless",
		"--convert-to", "txt:Text (encoded):UTF8", "--outdir", dir, in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice txt: %v\n%s", err, out)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "简报.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(txt), "苏州市社会工作站建设工作简报") || !strings.Contains(string(txt), "九、数据说明") {
		t.Errorf("LibreOffice read: %.300s", txt)
	}
}

func mustSpan(s string) sgz.Span {
	sp, err := sgz.ParseSpan(s)
	if err != nil {
		panic(err)
	}
	return sp
}

// A period with no return: every figure 无数据, nothing compared, ranked or at risk.
func TestBriefOfPeriodsWithoutReturns(t *testing.T) {
	db := demoDB(t)
	for _, c := range []struct{ span, head string }{
		{"2024", "2024年"},
		{"2024Q2-2024Q3", "2024年第2—3季度"},
		{"2023Q4-2024Q2", "2023年第4季度至2024年第2季度"},
	} {
		// Dated before any of its quarters is due: nobody is late yet.
		docx, r := write(t, db, c.span, time.Date(2024, 1, 2, 0, 0, 0, 0, sgz.Beijing), locale.ZH)
		paras, tables := documentText(t, docx)
		text := strings.Join(paras, "\n")
		if tables[0][0][1] != c.head {
			t.Errorf("%s: header %v", c.span, tables[0][0])
		}
		if r.Headline.DistrictsReported != 0 || tables[0][1][1] != "无数据" || tables[0][1][2] != "无可比数据" {
			t.Errorf("%s: %v", c.span, tables[0][1])
		}
		for _, want := range []string{"没有与本期均已报送的区县，无法同比", "本期没有区县报送，不作排名", "各区县报表中未填报服务项目",
			"近期没有报表数据，无法研判进度", "各区县报表均按时报送", "持证社工 无数据 人"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: no %q", c.span, want)
			}
		}
	}
	// A quarter: no previous quarter either.
	docx, _ := write(t, db, "2024Q3", time.Date(2024, 1, 2, 0, 0, 0, 0, sgz.Beijing), locale.ZH)
	paras, _ := documentText(t, docx)
	if text := strings.Join(paras, "\n"); !strings.Contains(text, "2024年第2季度没有与本期均已报送的区县，无法比较") {
		t.Errorf("no previous-quarter note: %s", text)
	}
}

// Every district on track: said so.
func TestBriefWhenNothingIsAtRisk(t *testing.T) {
	one, share := 1.0, 0.2213
	r := &Report{Span: mustSpan("2026Q3"), Effective: mustSpan("2026Q3"), AsOf: time.Date(2026, 12, 1, 0, 0, 0, 0, sgz.Beijing),
		Headline:  &metrics.Headline{UnitCode: "3205", UnitName: "苏州市", StationCoverage: &one, CertifiedProvinceShare: &share},
		Forecasts: []metrics.Forecast{{UnitName: "苏州市", Indicator: "station_coverage", Status: metrics.ForecastMet, Latest: &one, LatestAt: "2026Q3"}},
		Config:    metrics.DefaultConfig()}
	var buf bytes.Buffer
	if err := r.Document(locale.ZH).WriteDocx(&buf); err != nil {
		t.Fatal(err)
	}
	paras, tables := documentText(t, buf.Bytes())
	text := strings.Join(paras, "\n")
	if !strings.Contains(text, "按当前进度，各区县均可按期完成") || !strings.Contains(text, "苏州市持证社工占全省的 22.1%。") || tables[0][2][1] != "100.0%" {
		t.Errorf("%s\n%v", text, tables[0])
	}
}

// The briefing rounds as the pages do: half away from zero at the shown
// precision (metrics.Fixed), with thousands separators.
func TestBriefNumbersRoundLikeThePages(t *testing.T) {
	for got, want := range map[string]string{
		Pct(0.6625): "66.3%", Wan(1234.25): "1,234.3", Count(2.5): "3", Count(-1341): "-1,341", Wan(4700): "4,700.0",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
