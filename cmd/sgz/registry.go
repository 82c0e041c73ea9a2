package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/auth"
	"sgz/locale"
	"sgz/registry"
)

func init() { commands = append(commands, registryCmd) }

func registryCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "registry", Short: "区划名录 / the master registry of units"}
	var from string
	load := &cobra.Command{
		Use:   "load FILE.csv",
		Short: "导入或更新区划名录（code,name,level,parent_code[,in_scope][,population]，可为 .csv.gz）/ load or update the registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			version := registry.BasePeriod
			if from != "" {
				p, err := sgz.ParsePeriod(from)
				if err != nil {
					return locale.Errorf("cli.flag", "--from", err)
				}
				version = p.String()
			}
			f, err := os.Open(a.path(args[0]))
			if err != nil {
				return locale.Errorf("registry.open", args[0])
			}
			defer f.Close()
			reg, err := registry.ParseCSV(f, args[0])
			if err != nil {
				return err
			}
			db, err := a.open(ctx)
			if err != nil {
				return err
			}
			if err := registry.Save(ctx, db, reg, version, args[0]); err != nil {
				a.cliAudit(cmd, "registry.load", filepath.Base(args[0]), auth.Failed, "from="+version)
				return err
			}
			a.cliAudit(cmd, "registry.load", filepath.Base(args[0]), auth.OK, fmt.Sprintf("from=%s units=%d", version, len(reg.Units)))
			counts := map[sgz.Level]int{}
			scope := map[sgz.Level]int{}
			for _, u := range reg.Units {
				counts[u.Level]++
				if u.InScope {
					scope[u.Level]++
				}
			}
			shown := version
			if version == registry.BasePeriod {
				shown = a.T("registry.base")
			}
			cmd.Printf(a.T("registry.loaded")+"\n", args[0], shown, len(reg.Units), counts[sgz.District],
				counts[sgz.Town], scope[sgz.Town], counts[sgz.Village], scope[sgz.Village])
			return nil
		},
	}
	load.Flags().StringVar(&from, "from", "", "自该季度起适用（区划调整），如 2026Q3；缺省为基础版本 / apply from this quarter on (default: base version)")
	cmd.AddCommand(load)

	cmd.AddCommand(&cobra.Command{
		Use:   "versions",
		Short: "列出名录版本 / list the registry versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := registry.EnsureDefault(cmd.Context(), db); err != nil {
				return err
			}
			vs, err := registry.Versions(cmd.Context(), db)
			if err != nil {
				return err
			}
			for _, v := range vs {
				from := v.From
				if from == registry.BasePeriod {
					from = a.T("registry.base")
				}
				cmd.Printf("%s\t%d\t%s\t%s\n", from, v.Units, v.LoadedAt.Format("2006-01-02 15:04"), v.Source)
			}
			return nil
		},
	})

	var period, out string
	export := &cobra.Command{
		Use:   "export -o FILE.csv",
		Short: "导出某季度适用的名录（可修改 in_scope 后重新导入）/ write the registry in force for a period as CSV",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, err := sgz.ParsePeriod(period)
			if err != nil {
				return locale.Errorf("cli.flag", "--period", err)
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
			w := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return locale.Errorf("cli.flag", "-o", err)
				}
				defer f.Close()
				w = f
			}
			return registry.WriteCSV(w, reg)
		},
	}
	export.Flags().StringVar(&period, "period", "", "季度，如 2026Q3 / quarter")
	export.Flags().StringVarP(&out, "output", "o", "-", "输出文件 / output file")
	export.MarkFlagRequired("period")
	cmd.AddCommand(export)
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"registry.open":   {"无法打开名录文件 %s", "cannot open the registry file %s"},
		"registry.base":   {"基础版本（适用于所有季度）", "base version (all periods)"},
		"registry.loaded": {"已导入名录 %s，适用于 %s：共 %d 个单位；区（县）%d 个，乡镇(街道) %d 个（纳入考核 %d 个），村(社区) %d 个（纳入考核 %d 个）", "loaded %s, in force from %s: %d units; %d districts, %d towns (%d in scope), %d villages (%d in scope)"},
	})
}
