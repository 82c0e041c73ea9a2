package value

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://evil.example/","x")`: `'=HYPERLINK("http://evil.example/","x")`,
		"+cmd|' /C calc'!A0":                     "'+cmd|' /C calc'!A0",
		"-2+3":                                   "'-2+3",
		"@SUM(A1:A9)":                            "'@SUM(A1:A9)",
		"\t=1":                                   "'\t=1",
		"\r=1":                                   "'\r=1",
		"-":                                      "'-",
		"-.":                                     "'-.",
		"-1e":                                    "'-1e",
		"-Inf":                                   "'-Inf",
		"+86 138 0000 0000":                      "'+86 138 0000 0000",
		"-3.5":                                   "-3.5",
		"+2":                                     "+2",
		"-0.25e-3":                               "-0.25e-3",
		"-.5":                                    "-.5",
		"3.5":                                    "3.5",
		"苏州市":                                    "苏州市",
		"a=b":                                    "a=b",
		"'=already quoted":                       "'=already quoted",
		"":                                       "",
	} {
		got := CSVCell(in)
		if got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
		if back := CSVUncell(got); back != in && got != in {
			t.Errorf("CSVUncell(%q) = %q, want %q", got, back, in)
		}
	}
}

func TestCSVWriterNeutralisesEveryCell(t *testing.T) {
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	w.Write([]string{"name", "value"})
	w.Write([]string{`=HYPERLINK("http://evil.example/","x")`, "-3.5"})
	w.Flush()
	if w.Error() != nil {
		t.Fatal(w.Error())
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][0] != `'=HYPERLINK("http://evil.example/","x")` || recs[1][1] != "-3.5" {
		t.Errorf("records %q", recs)
	}
}
