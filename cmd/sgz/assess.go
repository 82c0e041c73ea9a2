package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"sgz/locale"
	"sgz/metrics"
)

func init() { commands = append(commands, assessCmd) }

func assessCmd(a *app) *cobra.Command {
	var mf metricsFlags
	var noRecord bool
	cmd := &cobra.Command{
		Use:   "assess --period P [--format xlsx|csv|json] [-o FILE]",
		Short: "考核得分表：各区(县)指标值、得分、总分与排名 / the assessment table: scores, totals and ranks",
		Long: "按考核规则（--config，缺省为内置规则）为每个区(县)计分：得分 = 权重 × min(1, 指标值 ÷ 目标值)，缺失得 0 分；总分相同者名次相同。\n" +
			"每次考核连同规则及其 SHA-256 记入数据库（--no-record 不记录），导出的表格注明所用规则与报表。\n" +
			"Scores every district; each assessment is recorded with its rules and their SHA-256.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			span, format, cfg, err := mf.resolve(a)
			if err != nil {
				return err
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			// A closed period: rules other than its own are refused, and
			// the assessment recorded at closing is the one exported.
			if mf.config != "" {
				if err := metrics.CheckRules(ctx, db, span, cfg); err != nil {
					return err
				}
			}
			as, closed, err := metrics.Final(ctx, db, span, cfg)
			if err != nil {
				return err
			}
			if closed != nil {
				fmt.Fprintln(a.stderr, a.T("metrics.cli.closed", closed.Period, closed.At.Format("2006-01-02 15:04"), closed.AssessmentID))
			}
			if len(as.Districts) == 0 {
				fmt.Fprintln(a.stderr, a.T("metrics.cli.nounits", "district", span.String()))
			}
			if !noRecord && closed == nil {
				if _, err := metrics.Record(ctx, db, as, "cli"); err != nil {
					return err
				}
			}
			err = mf.emit(a, func(w io.Writer) error {
				switch format {
				case "csv":
					return metrics.WriteAssessmentCSV(w, as)
				case "xlsx":
					return metrics.WriteAssessmentXLSX(w, as)
				}
				return metrics.WriteAssessmentJSON(w, as)
			})
			if err != nil {
				return err
			}
			switch {
			case mf.output != "" && as.ID > 0:
				fmt.Fprintf(a.stdout, a.T("metrics.cli.assessed")+"\n", mf.output, len(as.Districts), as.Period,
					as.ID, as.ConfigSHA256[:12])
			case mf.output != "":
				fmt.Fprintf(a.stdout, a.T("metrics.cli.assessed0")+"\n", mf.output, len(as.Districts), as.Period,
					as.ConfigSHA256[:12])
			}
			return nil
		},
	}
	mf.add(cmd, "xlsx|csv|json")
	cmd.Flags().BoolVar(&noRecord, "no-record", false, "不在数据库中记录本次考核 / do not record this assessment in the database")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"metrics.cli.assessed0": {"已写入 %s：%d 个区(县)，期间 %s，未记录，规则 SHA-256 %s…", "wrote %s: %d districts for %s, not recorded, rules SHA-256 %s…"},
		"metrics.cli.closed":    {"%s 已于 %s 考核归档：导出的是归档时记录的考核 #%d", "%s was closed on %s: this is the assessment #%d recorded then"},
		"metrics.cli.assessed":  {"已写入 %s：%d 个区(县)，期间 %s，考核记录 #%d，规则 SHA-256 %s…", "wrote %s: %d districts for %s, assessment #%d, rules SHA-256 %s…"},
	})
}
