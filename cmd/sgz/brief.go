package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/brief"
	"sgz/locale"
	"sgz/metrics"
)

func init() { commands = append(commands, briefCmd) }

func briefCmd(a *app) *cobra.Command {
	var period, asOf, output, config string
	cmd := &cobra.Command{
		Use:   "brief --period P [--as-of DATE] -o 简报.docx",
		Short: "工作简报（Word 文档）/ the quarterly briefing (a Word document)",
		Long: "生成报送上级的工作简报：主要指标及同口径比较、各项工作、先进与后进区县、进度预警、数据说明。" +
			"数字与看板、接口同源（GET /api/v1/headline）。\n" +
			"Writes the briefing the bureau sends upward: headline figures with fair comparisons, each area of the programme, " +
			"the best and lagging districts, the districts at risk and a note on the data.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if strings.TrimSpace(period) == "" {
				return locale.Errorf("metrics.cli.noperiod")
			}
			span, err := sgz.ParseSpan(period)
			if err != nil {
				return locale.Errorf("metrics.cli.period", period)
			}
			if output == "" {
				return locale.Errorf("brief.cli.output")
			}
			at := time.Now().In(sgz.Beijing)
			if asOf != "" {
				if at, err = time.ParseInLocation("2006-01-02", strings.TrimSpace(asOf), sgz.Beijing); err != nil {
					return locale.Errorf("brief.cli.asof", asOf)
				}
			}
			cfg, err := metrics.LoadConfig(config)
			if err != nil {
				return locale.Errorf("metrics.cli.config", config, sayAll(a.lang, err))
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			t0 := time.Now()
			r, err := brief.Write(ctx, db, brief.Options{Span: span, AsOf: at, Lang: a.lang, Config: cfg}, &buf)
			if err != nil {
				return err
			}
			// Whole or not at all.
			tmp, err := os.CreateTemp(filepath.Dir(output), ".sgz-*.tmp")
			if err != nil {
				return locale.Errorf("metrics.cli.write", output, err)
			}
			_, werr := tmp.Write(buf.Bytes())
			if werr == nil {
				werr = tmp.Chmod(0o644) // CreateTemp makes it private
			}
			if cerr := tmp.Close(); werr == nil {
				werr = cerr
			}
			if werr == nil {
				werr = os.Rename(tmp.Name(), output)
			}
			if werr != nil {
				os.Remove(tmp.Name())
				return locale.Errorf("metrics.cli.write", output, werr)
			}
			fmt.Fprintln(a.stdout, a.T("brief.cli.done", output, r.Headline.UnitName, r.Span.String(),
				r.Headline.DistrictsReported, r.Headline.DistrictsExpected, len(r.AtRisk), time.Since(t0).Milliseconds()))
			return nil
		},
	}
	cmd.Flags().StringVar(&period, "period", "", "期间：季度 2026Q3、年份 2026 或区间 2026Q1-2026Q3 / a quarter, a year or a range")
	cmd.Flags().StringVar(&asOf, "as-of", "", "简报日期（北京时间，如 2026-12-01；缺省为今天）：截止日在此之后的季度不算未报送 / the briefing's date (default today)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "输出的 .docx 文件（必填）/ the .docx to write (required)")
	cmd.Flags().StringVar(&config, "config", "", "考核规则文件（JSON，缺省为内置规则）/ rules file (JSON; default: built-in rules)")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"brief.cli.output": {"请用 -o 指定输出的 .docx 文件，例如 -o 简报.docx", "give the .docx to write with -o, e.g. -o brief.docx"},
		"brief.cli.asof":   {"--as-of %q 不是日期（例如 2026-12-01）", "--as-of %q is not a date (e.g. 2026-12-01)"},
		"brief.cli.done":   {"已写入 %s：%s %s 工作简报（已报送 %d/%d 个区县，进度预警 %d 项，用时 %d 毫秒）", "wrote %s: the briefing of %s for %s (%d of %d districts reported, %d at risk, %d ms)"},
	})
}
