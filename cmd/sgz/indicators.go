package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
)

func init() { commands = append(commands, indicatorsCmd) }

// metricsFlags are the flags indicators and assess share.
type metricsFlags struct {
	period, format, output, config string
	asOf                           string
}

func (m *metricsFlags) add(cmd *cobra.Command, formats string) {
	cmd.Flags().StringVar(&m.period, "period", "", "期间：季度 2026Q3、年份 2026 或区间 2026Q1-2026Q3 / a quarter, a year or a range")
	cmd.Flags().StringVar(&m.format, "format", "", "输出格式 "+formats+"（缺省按 -o 的扩展名，否则 json）/ output format (default: from -o, else json)")
	cmd.Flags().StringVarP(&m.output, "output", "o", "", "输出文件（缺省为标准输出；xlsx 必须指定）/ output file (default stdout; required for xlsx)")
	cmd.Flags().StringVar(&m.config, "config", "", "考核规则文件（JSON，缺省为内置规则）/ rules file (JSON; default: built-in rules)")
	addAsOf(cmd, &m.asOf)
}

// addAsOf adds --as-of DATE (indicators, assess; brief when it comes).
func addAsOf(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "as-of", "", "参考日期（北京时间，如 2026-12-01；缺省为今天）：截止日晚于该日的季度不计入应报 / reference date (Beijing, e.g. 2026-12-01; default today): quarters due after it are not yet expected")
}

// applyAsOf sets the reference date of cfg from --as-of (empty: now).
func applyAsOf(cfg *metrics.Config, asOf string) (*metrics.Config, error) {
	if strings.TrimSpace(asOf) == "" {
		return cfg, nil
	}
	ref, err := metrics.ParseAsOf(asOf)
	if err != nil {
		return nil, locale.Errorf("metrics.cli.asof", asOf)
	}
	return cfg.At(ref), nil
}

// resolve checks the flags: the span, the format and the rules.
func (m *metricsFlags) resolve(a *app) (sgz.Span, string, *metrics.Config, error) {
	if strings.TrimSpace(m.period) == "" {
		return sgz.Span{}, "", nil, locale.Errorf("metrics.cli.noperiod")
	}
	span, err := sgz.ParseSpan(m.period)
	if err != nil {
		return sgz.Span{}, "", nil, locale.Errorf("metrics.cli.period", m.period)
	}
	format := strings.ToLower(strings.TrimSpace(m.format))
	if format == "" {
		switch strings.ToLower(filepath.Ext(m.output)) {
		case ".xlsx":
			format = "xlsx"
		case ".csv":
			format = "csv"
		default:
			format = "json"
		}
	}
	switch format {
	case "json", "csv", "xlsx":
	default:
		return sgz.Span{}, "", nil, locale.Errorf("metrics.cli.format", m.format)
	}
	if format == "xlsx" && m.output == "" {
		return sgz.Span{}, "", nil, locale.Errorf("metrics.cli.xlsxout")
	}
	cfg, err := metrics.LoadConfig(m.config)
	if err != nil {
		return sgz.Span{}, "", nil, locale.Errorf("metrics.cli.config", m.config, sayAll(a.lang, err))
	}
	if cfg, err = applyAsOf(cfg, m.asOf); err != nil {
		return sgz.Span{}, "", nil, err
	}
	return span, format, cfg, nil
}

// sayAll renders every error joined in err in the user's language.
func sayAll(lang locale.Lang, err error) string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range j.Unwrap() {
			parts = append(parts, sayAll(lang, e))
		}
		return strings.Join(parts, "\n")
	}
	return locale.Say(lang, err)
}

// emit writes through fn to -o FILE (whole or not at all) or to stdout.
func (m *metricsFlags) emit(a *app, fn func(w io.Writer) error) error {
	if m.output == "" {
		return fn(a.stdout)
	}
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		return err
	}
	dir := filepath.Dir(m.output)
	tmp, err := os.CreateTemp(dir, ".sgz-*.tmp")
	if err != nil {
		return locale.Errorf("metrics.cli.write", m.output, err)
	}
	_, werr := tmp.Write(buf.Bytes())
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return locale.Errorf("metrics.cli.write", m.output, err)
	}
	if err := os.Rename(tmp.Name(), m.output); err != nil {
		os.Remove(tmp.Name())
		return locale.Errorf("metrics.cli.write", m.output, err)
	}
	return nil
}

func indicatorsCmd(a *app) *cobra.Command {
	var mf metricsFlags
	var levelArg string
	cmd := &cobra.Command{
		Use:   "indicators --period P [--level city|district|town] [--format json|csv|xlsx] [-o FILE]",
		Short: "指标值（各单位、各指标）/ indicator values per unit",
		Long: "计算一个期间（季度、年份或季度区间）各单位的全部考核指标。存量指标取期内最近有报表的季度，流量指标为各季度之和；" +
			"上级单位先汇总分子分母再相除，未上报区县不计入并显示上报情况。\n" +
			"Computes every indicator of every unit of a level for a quarter, a year or a range of quarters.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			span, format, cfg, err := mf.resolve(a)
			if err != nil {
				return err
			}
			level, err := metrics.ParseLevel(levelArg)
			if err != nil {
				return locale.Errorf("metrics.cli.level", levelArg)
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			vals, err := metrics.Compute(ctx, db, span, level, cfg)
			if err != nil {
				return err
			}
			if len(vals) == 0 {
				fmt.Fprintln(a.stderr, a.T("metrics.cli.nounits", string(level), span.String()))
			}
			var returns []metrics.ReturnUsed
			if format == "xlsx" {
				if returns, err = metrics.ReturnsUsed(ctx, db, span, cfg); err != nil {
					return err
				}
			}
			err = mf.emit(a, func(w io.Writer) error {
				switch format {
				case "csv":
					return metrics.WriteIndicatorsCSV(w, vals)
				case "xlsx":
					return metrics.WriteIndicatorsXLSX(w, vals, metrics.ExportInfo{Span: span, Level: level,
						MadeAt: time.Now(), Config: cfg, Returns: returns})
				}
				return metrics.WriteIndicatorsJSON(w, vals)
			})
			if err != nil {
				return err
			}
			if mf.output != "" {
				fmt.Fprintf(a.stdout, a.T("metrics.cli.wrote")+"\n", mf.output, len(vals), span.String())
			}
			return nil
		},
	}
	mf.add(cmd, "json|csv|xlsx")
	cmd.Flags().StringVar(&levelArg, "level", "district", "层级 city、district 或 town（名录含省级时另有 province、country）/ level")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.cli.noperiod": {"缺少参数 --period（如 2026Q3、2026 或 2026Q1-2026Q3）", "missing --period (e.g. 2026Q3, 2026 or 2026Q1-2026Q3)"},
		"metrics.cli.period":   {"参数 --period 无效：%q 不是季度（2026Q3）、年份（2026）或季度区间（2026Q1-2026Q3）", "invalid --period %q: not a quarter (2026Q3), a year (2026) or a range (2026Q1-2026Q3)"},
		"metrics.cli.level":    {"参数 --level 无效：%q（可用 city、district、town；名录含省级时另有 province、country）", "invalid --level %q (use city, district or town; province and country when the registry holds provinces)"},
		"metrics.cli.format":   {"参数 --format 无效：%q（可用 json、csv、xlsx）", "invalid --format %q (use json, csv or xlsx)"},
		"metrics.cli.xlsxout":  {"xlsx 格式须用 -o 指定输出文件", "--format xlsx needs an output file: -o FILE"},
		"metrics.cli.config":   {"参数 --config 的规则文件 %s 有误：\n%s", "--config: the rules file %s is not valid:\n%s"},
		"metrics.cli.asof":     {"参数 --as-of 无效：%q 不是日期（应为 2026-12-01 这样的日期，北京时间）", "invalid --as-of %q: not a date (e.g. 2026-12-01, Beijing time)"},
		"metrics.cli.write":    {"无法写入输出文件 %s（参数 -o）：%v", "cannot write the output file %s (-o): %v"},
		"metrics.cli.nounits":  {"提示：名录中没有 %s 级单位（期间 %s），结果为空；请先用 sgz registry load 导入名录", "note: the registry has no %s units for %s, the result is empty; load one with sgz registry load"},
		"metrics.cli.wrote":    {"已写入 %s：%d 个指标值，期间 %s", "wrote %s: %d values for %s"},
	})
}
