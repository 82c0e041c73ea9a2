package main

import (
	"github.com/spf13/cobra"

	"sgz"
	"sgz/gen"
	"sgz/locale"
	"sgz/registry"
)

func init() { commands = append(commands, templateCmd) }

func templateCmd(a *app) *cobra.Command {
	var district, period, out string
	cmd := &cobra.Command{
		Use:   "template --district CODE --period P [-o FILE]",
		Short: "生成区级季报空白模板（已列出本区纳入考核的全部乡镇、村）/ a blank return for a district and quarter",
		Long: "按区划名录生成某区某季度的空白报表：各工作表、表头批注、下拉选项齐全，乡镇(街道)与村(社区)行已填好代码和名称。\n" +
			"A blank return for one district and quarter, from the registry in the database: every sheet, header\n" +
			"comments and drop-downs, with the district's in-scope towns and villages already listed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if district == "" {
				return locale.Errorf("template.need", "--district")
			}
			if period == "" {
				return locale.Errorf("template.need", "--period")
			}
			p, err := sgz.ParsePeriod(period)
			if err != nil {
				return locale.Errorf("template.period", period)
			}
			db, err := a.open(ctx)
			if err != nil {
				return err
			}
			if _, err := registry.EnsureDefault(ctx, db); err != nil {
				return err
			}
			reg, err := registry.NewCache(db).For(ctx, p)
			if err != nil {
				return err
			}
			if reg == nil {
				return locale.Errorf("template.noregistry", p.String())
			}
			d, ok := reg.Unit(district)
			if !ok || d.Level != sgz.District {
				return locale.Errorf("template.district", district, p.String())
			}
			f, err := gen.Template(reg, district, p)
			if err != nil {
				return err
			}
			defer f.Close()
			if out == "" {
				out = district + "-" + p.String() + "-模板.xlsx"
			}
			if err := f.SaveAs(a.path(out)); err != nil {
				return locale.Errorf("template.write", out, err)
			}
			towns, villages := 0, 0
			for _, u := range reg.Within(district, sgz.Town) {
				if u.InScope {
					towns++
				}
			}
			for _, u := range reg.Within(district, sgz.Village) {
				if u.InScope {
					villages++
				}
			}
			cmd.Printf(a.T("template.written")+"\n", out, d.Name, d.Code, p.String(), towns, villages)
			return nil
		},
	}
	cmd.Flags().StringVar(&district, "district", "", "区（县、县级市）6位区划代码，如 320505 / 6-digit district code")
	cmd.Flags().StringVar(&period, "period", "", "报告季度，如 2026Q3 / the quarter, e.g. 2026Q3")
	cmd.Flags().StringVarP(&out, "output", "o", "", "输出文件（缺省为 <代码>-<季度>-模板.xlsx）/ output file (default <code>-<quarter>-模板.xlsx)")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"template.need":       {"请用 %s 指定", "%s is required"},
		"template.period":     {"参数 --period 无效：“%s”不是季度（应如 2026Q3）", "invalid --period: \"%s\" is not a quarter (e.g. 2026Q3)"},
		"template.district":   {"参数 --district 无效：%s 不是 %s 适用的区划名录中的区（县、县级市）", "invalid --district: %s is not a district of the registry in force for %s"},
		"template.noregistry": {"报告期 %s 没有适用的区划名录，请先用 sgz registry load 导入", "no registry applies to %s; load one with sgz registry load"},
		"template.write":      {"无法写入 %s：%v", "cannot write %s: %v"},
		"template.written":    {"已生成空白报表 %s：%s（%s）%s，乡镇(街道) %d 个，村(社区) %d 个", "wrote the blank return %s: %s (%s) %s, %d towns, %d villages"},
	})
}
