package registry

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sgz"
	"sgz/locale"
)

// keysOf lists the message keys of the user errors joined in err.
func keysOf(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		var ue *locale.Error
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		} else if errors.As(e, &ue) {
			out = append(out, ue.Key)
		}
	}
	walk(err)
	return out
}

const head = "code,name,level,parent_code\n32,江苏省,province,\n3205,苏州市,city,32\n320505,虎丘区,district,3205\n320505001,横塘街道,town,320505\n"

// A code one digit longer or shorter than its level's is refused, whatever
// the level: a 10-digit code is neither a town (9) nor a village (12).
func TestCodeLengthPerLevel(t *testing.T) {
	for _, level := range []sgz.Level{sgz.Province, sgz.City, sgz.District, sgz.Town, sgz.Village} {
		n := level.CodeLen()
		for _, length := range []int{n - 1, n + 1, 10} {
			if length == n {
				continue
			}
			code := strings.Repeat("3", length)
			csv := head + fmt.Sprintf("%s,某单位,%s,320505001\n", code, level)
			reg, err := ParseCSV(strings.NewReader(csv), "r.csv")
			if err == nil {
				t.Errorf("%s with a %d-digit code %s accepted (%d units)", level, length, code, reg.Len())
				continue
			}
			if k := keysOf(err); len(k) != 1 || k[0] != "registry.code" {
				t.Errorf("%s %s: keys %v, want [registry.code]", level, code, k)
			}
			want := fmt.Sprintf("r.csv 第 6 行：代码“%s”应为 %d 位数字", code, n)
			if got := locale.Say(locale.ZH, err); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		}
		// Letters in a code of the right length.
		code := strings.Repeat("3", n-1) + "x"
		if _, err := ParseCSV(strings.NewReader(head+code+",某单位,"+string(level)+",\n"), "r.csv"); err == nil {
			t.Errorf("%s code %q accepted", level, code)
		}
	}
	// The right lengths pass.
	ok := head + "320505001001,某村,village,320505001\n"
	if r, err := ParseCSV(strings.NewReader(ok), "r.csv"); err != nil || r.Len() != 5 {
		t.Fatalf("valid registry: %v", err)
	}
}

// Every other problem of a registry file, each with its own message naming
// the file and line.
func TestParseCSVProblems(t *testing.T) {
	var gz bytes.Buffer
	gz.Write([]byte{0x1f, 0x8b, 0x08}) // gzip magic, then a truncated header
	cases := []struct {
		name, text, key, zh string
	}{
		{"gzip", gz.String(), "registry.gzip", "r.csv：无法解压"},
		{"header only", "code,name,level,parent_code\n", "registry.empty", "r.csv：没有数据行"},
		{"empty file", "", "registry.empty", "r.csv：没有数据行"},
		{"missing column", "code,name,level\n32,江苏省,province\n", "registry.column", "缺少列 parent_code"},
		{"bare quote", head + "320505002,浒\"墅关,town,320505\n", "registry.csv", "r.csv 第 6 行：无法读取"},
		{"parent not digits", head + "320505002,浒墅关镇,town,3205x5\n", "registry.parent", "r.csv 第 6 行：上级代码“3205x5”不是 320505002 的上级"},
		{"parent longer", head + "320505002,浒墅关镇,town,320505001001\n", "registry.parent", "r.csv 第 6 行：上级代码"},
		{"no name", head + "320505002,,town,320505\n", "registry.name", "r.csv 第 6 行：代码 320505002 缺少名称"},
		{"bad level", head + "320505002,浒墅关镇,county,320505\n", "registry.level", "r.csv 第 6 行：级别“county”无效"},
		{"duplicate", head + "320505001,横塘街道,town,320505\n", "registry.duplicate", "r.csv 第 6 行：代码 320505001 重复（第 5 行已出现）"},
		{"bad scope", "code,name,level,parent_code,in_scope\n320505001,横塘街道,town,320505,也许\n", "registry.scope", "r.csv 第 2 行：in_scope“也许”"},
		{"negative population", "code,name,level,parent_code,population\n320505,虎丘区,district,3205,-5\n", "registry.population", "r.csv 第 2 行：population“-5”应为非负整数"},
		{"population text", "code,name,level,parent_code,population\n320505,虎丘区,district,3205,很多\n", "registry.population", "population“很多”"},
	}
	for _, c := range cases {
		reg, err := ParseCSV(strings.NewReader(c.text), "r.csv")
		if err == nil {
			t.Errorf("%s: accepted (%d units)", c.name, reg.Len())
			continue
		}
		if k := keysOf(err); len(k) != 1 || k[0] != c.key {
			t.Errorf("%s: keys %v, want [%s]", c.name, k, c.key)
		}
		if got := locale.Say(locale.ZH, err); !strings.Contains(got, c.zh) {
			t.Errorf("%s: %q lacks %q", c.name, got, c.zh)
		}
		if got := locale.Say(locale.EN, err); !strings.Contains(got, "r.csv") {
			t.Errorf("%s: English %q does not name the file", c.name, got)
		}
	}
	// A valid gzip-compressed registry is read.
	var ok bytes.Buffer
	w := gzip.NewWriter(&ok)
	w.Write([]byte(head))
	w.Close()
	if r, err := ParseCSV(&ok, "r.csv.gz"); err != nil || r.Len() != 4 {
		t.Fatalf("gzip registry: %v", err)
	}
}

// At most about 50 problems are listed, so a wrong file does not bury the
// first ones under thousands.
func TestParseCSVProblemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("code,name,level,parent_code\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&b, "%d,x,county,\n", 320500000+i)
	}
	_, err := ParseCSV(strings.NewReader(b.String()), "r.csv")
	if n := len(keysOf(err)); n != 51 {
		t.Errorf("%d problems listed, want 51 (the first past 50 stops the reading)", n)
	}
}

// Unreadable CSV lines are each reported, up to the same cap.
func TestCSVErrorsListedAndCapped(t *testing.T) {
	two := head + "320505002,浒\"墅关,town,320505\n320505003,通\"安,town,320505\n"
	_, err := ParseCSV(strings.NewReader(two), "r.csv")
	if k := keysOf(err); len(k) != 2 || k[0] != "registry.csv" || k[1] != "registry.csv" {
		t.Errorf("two bad lines: %v", k)
	}
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&b, "3205051%02d,浒\"墅,town,320505\n", i)
	}
	_, err = ParseCSV(strings.NewReader(b.String()), "r.csv")
	if n := len(keysOf(err)); n != 51 {
		t.Errorf("%d problems listed, want 51", n)
	}
}
