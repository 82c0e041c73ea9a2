package main

import (
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/gen"
	"sgz/locale"
	"sgz/registry"
)

func init() { commands = append(commands, generateCmd) }

// generateCmd writes generated, valid returns: for tests, the demo and the
// scale runs. It needs no database.
func generateCmd(a *app) *cobra.Command {
	var regFile, periods, districts, start, full, out string
	var seed int64
	var messy bool
	cmd := &cobra.Command{
		Use:    "generate [--registry FILE.csv[.gz]] [--periods 2025Q1-2026Q3] [--districts CODE,...] [--seed N] [--messy] -o DIR",
		Short:  "生成模拟的区级季报（测试、演示与压力测试用）/ write generated returns (tests, demo, scale runs)",
		Hidden: true,
		Long: "按区划名录为每个区、每个季度生成一份有效的模拟报表，文件名为 <区划代码>-<季度>.xlsx；同样的参数总是生成同样的内容。\n" +
			"Writes one valid generated return per district and quarter as <code>-<quarter>.xlsx; the same flags\n" +
			"always give the same cells. No database is needed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg := (*registry.Registry)(nil)
			if regFile == "" {
				reg = registry.Suzhou()
			} else {
				f, err := os.Open(regFile)
				if err != nil {
					return locale.Errorf("registry.open", regFile)
				}
				reg, err = registry.ParseCSV(f, regFile)
				f.Close()
				if err != nil {
					return err
				}
			}
			span, err := sgz.ParseSpan(periods)
			if err != nil {
				return locale.Errorf("generate.flag", "--periods", periods)
			}
			opt := gen.Options{Seed: seed, Messy: messy}
			for _, x := range []struct {
				flag, val string
				dst       *sgz.Period
			}{{"--start", start, &opt.Start}, {"--full", full, &opt.Full}} {
				if x.val == "" {
					continue
				}
				if *x.dst, err = sgz.ParsePeriod(x.val); err != nil {
					return locale.Errorf("generate.flag", x.flag, x.val)
				}
			}
			var codes []string
			if districts == "" {
				for _, u := range reg.OfLevel(sgz.District) {
					codes = append(codes, u.Code)
				}
			} else {
				for _, c := range strings.Split(districts, ",") {
					c = strings.TrimSpace(c)
					if c == "" {
						continue
					}
					if u, ok := reg.Unit(c); !ok || u.Level != sgz.District {
						return locale.Errorf("generate.district", c)
					}
					codes = append(codes, c)
				}
			}
			if len(codes) == 0 {
				return locale.Errorf("generate.none")
			}
			began := time.Now()
			paths, err := gen.WriteSet(out, reg, codes, span.Quarters(), opt)
			if err != nil {
				return err
			}
			var bytes int64
			for _, p := range paths {
				if st, err := os.Stat(p); err == nil {
					bytes += st.Size()
				}
			}
			cmd.Printf(a.T("generate.done")+"\n", len(paths), len(codes), span.Len(), out,
				strconv.FormatFloat(float64(bytes)/(1<<20), 'f', 1, 64), time.Since(began).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&regFile, "registry", "", "区划名录 CSV（可为 .csv.gz；缺省为内置苏州名录）/ registry CSV (default: built-in Suzhou)")
	f.StringVar(&periods, "periods", "2025Q1-2026Q3", "季度或季度区间，如 2026Q3、2026、2025Q1-2026Q3 / quarter, year or range")
	f.StringVar(&districts, "districts", "", "只生成这些区，逗号分隔（缺省为全部）/ only these districts, comma-separated (default: all)")
	f.Int64Var(&seed, "seed", 1, "随机种子 / seed")
	limit(cmd, "seed", math.MinInt64, math.MaxInt64, false) // any seed
	f.BoolVar(&messy, "messy", false, "按各区实际填写习惯写出各种可接受的写法 / write values in every tolerated variant")
	f.StringVar(&start, "start", "", "建设起点季度（覆盖率约 35%，缺省 "+gen.DefaultStart.String()+"）/ plan start, ~35% coverage")
	f.StringVar(&full, "full", "", "全覆盖季度（缺省 "+gen.DefaultFull.String()+"）/ quarter of ~100% coverage")
	f.StringVarP(&out, "output", "o", "returns", "输出文件夹 / output folder")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"generate.flag":     {"参数 %s 无效：“%s”", "invalid %s: \"%s\""},
		"generate.district": {"参数 --districts 无效：%s 不是名录中的区（县、县级市）", "invalid --districts: %s is not a district of the registry"},
		"generate.none":     {"名录中没有区（县、县级市）", "the registry has no district"},
		"generate.done":     {"已生成 %d 份报表（%d 个区 × %d 个季度）到 %s，共 %s MB，用时 %.1f 秒", "wrote %d returns (%d districts × %d quarters) to %s, %s MB, in %.1f s"},
	})
}
