package main

import (
	"math"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"sgz/locale"
)

// Every numeric flag carries its allowed range (limit), checked once for
// every command before it runs (checkRanges); a test walks the command
// tree and fails on a numeric flag without one.
const rangeAnnotation = "sgz.range"

// numericTypes are the pflag value types that need a range.
var numericTypes = map[string]bool{"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true,
	"float32": true, "float64": true, "duration": true}

// limit gives flag name of cmd its range: from lo (excluded when open) to
// hi. Durations are in seconds.
func limit(cmd *cobra.Command, name string, lo, hi float64, open bool) {
	o := "closed"
	if open {
		o = "open"
	}
	if err := cmd.Flags().SetAnnotation(name, rangeAnnotation, []string{fmtNum(lo), fmtNum(hi), o}); err != nil {
		panic(err) // a programming error: no such flag
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// checkRanges refuses a numeric flag outside its range, naming the flag.
func checkRanges(cmd *cobra.Command) error {
	var bad error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		r, ok := f.Annotations[rangeAnnotation]
		if !ok || bad != nil || len(r) != 3 {
			return
		}
		lo, _ := strconv.ParseFloat(r[0], 64)
		hi, _ := strconv.ParseFloat(r[1], 64)
		var v float64
		loS, hiS := r[0], r[1]
		if f.Value.Type() == "duration" {
			d, err := time.ParseDuration(f.Value.String())
			if err != nil {
				return
			}
			v = d.Seconds()
			loS, hiS = secs(lo), secs(hi)
		} else {
			var err error
			if v, err = strconv.ParseFloat(f.Value.String(), 64); err != nil {
				return
			}
		}
		if math.IsNaN(v) || v > hi || v < lo || (r[2] == "open" && v == lo) {
			key := "cli.range"
			if r[2] == "open" {
				key = "cli.range.open"
			}
			bad = locale.Errorf(key, "--"+f.Name, f.Value.String(), loS, hiS)
		}
	})
	return bad
}

func secs(s float64) string { return time.Duration(s * float64(time.Second)).String() }

func init() {
	locale.Add(map[string]locale.Text{
		"cli.range":      {"参数 %s 的值 %s 超出范围：应在 %s 到 %s 之间", "%s %s is out of range: it must be from %s to %s"},
		"cli.range.open": {"参数 %s 的值 %s 超出范围：应大于 %s 且不超过 %s", "%s %s is out of range: it must be more than %s and at most %s"},
	})
}
