package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/dashboard"
	"sgz/locale"
	"sgz/metrics"
	"sgz/query"
	"sgz/registry"
)

func init() { commands = append(commands, serveCmd) }

func serveCmd(a *app) *cobra.Command {
	var addr, geojson, rules, clerkKey string
	var clerkLinks bool
	var maxUploadMB, quotaMB float64
	var uploadRate int
	var lim query.Limits
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "启动数据看板、报表上传、导出、SQL 查询与 JSON 接口 / serve the dashboards, uploads, exports, SQL console and JSON API",
		Long: "在 --addr 上提供网页看板（首页、区县、指标、考核、报送、上传、地图、SQL 查询）与 /api/v1 JSON 接口，全部资源内置，无需外网。\n" +
			"设置 --clerk-key（或环境变量 SGZ_CLERK_KEY）后，各区县填报员须使用本区县专属链接上传（--clerk-links 打印全部链接），评估人员须使用评估链接退回报表。\n" +
			"Serves the dashboards and the JSON API on --addr with every asset embedded (no internet needed).\n" +
			"With --clerk-key (or SGZ_CLERK_KEY), each district's clerk uploads through the district's own link and evaluators through theirs (--clerk-links prints them).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if clerkKey == "" {
				clerkKey = os.Getenv("SGZ_CLERK_KEY")
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			if clerkLinks {
				if clerkKey == "" {
					return locale.Errorf("serve.nokey")
				}
				if _, err := registry.EnsureDefault(ctx, db); err != nil {
					return err
				}
				reg, err := registry.NewCache(db).For(ctx, sgz.PeriodOf(time.Now().In(sgz.Beijing)))
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "evaluator\thttp://%s/reporting?token=%s\n", addr, dashboard.ClerkToken([]byte(clerkKey), "evaluator"))
				for _, d := range reg.OfLevel(sgz.District) {
					fmt.Fprintf(a.stdout, "%s %s\thttp://%s/upload?district=%s&token=%s\n", d.Code, d.Name, addr, d.Code, dashboard.ClerkToken([]byte(clerkKey), d.Code))
				}
				return nil
			}
			opt := dashboard.Options{ClerkKey: []byte(clerkKey), MaxUpload: int64(maxUploadMB * (1 << 20)),
				UploadRate: uploadRate, RejectedQuota: int64(quotaMB * (1 << 20))}
			if opt.Config, err = metrics.LoadConfig(rules); err != nil {
				return err
			}
			if geojson != "" {
				if opt.GeoJSON, err = dashboard.ReadGeoJSON(geojson); err != nil {
					return locale.Errorf("serve.geojson", geojson, err)
				}
			}
			// The console's queries run in worker processes under the memory
			// limit, over snapshots of the database (docs/sql.md); the
			// server's own instance is locked down all the same.
			if err := query.Lockdown(ctx, db, lim); err != nil {
				return err
			}
			eng, err := query.NewIsolated(ctx, db, lim, query.Workers{})
			if err != nil {
				return err
			}
			defer eng.Close()
			opt.SQLEngine = eng
			h, err := dashboard.New(db, opt)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, a.T("serve.serving")+"\n", addr)
			return dashboard.Serve(ctx, addr, h)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "监听地址 / listen address")
	cmd.Flags().StringVar(&geojson, "geojson", "", "区县边界 GeoJSON 文件（可选）/ district boundaries, GeoJSON (optional)")
	cmd.Flags().StringVar(&rules, "rules", "", "考核规则 JSON 文件（默认内置规则）/ assessment rules file (default: built-in)")
	cmd.Flags().StringVar(&clerkKey, "clerk-key", "", "上传链接密钥（不设则任何人可选择区县上传）/ key of the upload links (unset: anyone may choose a district)")
	cmd.Flags().BoolVar(&clerkLinks, "clerk-links", false, "打印各区县上传链接与评估链接后退出 / print the upload and evaluator links and exit")
	cmd.Flags().Float64Var(&maxUploadMB, "max-upload", 20, "上传文件大小上限(MB) / largest upload, MB")
	cmd.Flags().IntVar(&uploadRate, "upload-rate", 10, "每人每分钟最多上传次数 / uploads per person per minute")
	cmd.Flags().Float64Var(&quotaMB, "rejected-quota", 100, "每个区县保存被拒收文件的上限(MB)，超出只保留校验值与错误 / bytes of rejected files kept per district, MB (beyond: hash and errors only)")
	queryLimitFlags(cmd, &lim)
	cmd.Flags().IntVar(&lim.Concurrent, "sql-workers", lim.Concurrent, "同时运行的 SQL 查询进程数（每人一条，其余排队）/ SQL console worker processes at once (one per person, others wait)")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"serve.serving": {"看板已启动：http://%s/ （按 Ctrl+C 退出）", "dashboards at http://%s/ (Ctrl+C to stop)"},
		"serve.nokey":   {"--clerk-links 需要 --clerk-key 或环境变量 SGZ_CLERK_KEY", "--clerk-links needs --clerk-key or SGZ_CLERK_KEY"},
		"serve.geojson": {"无法读取地图文件 %s：%v", "cannot read the map file %s: %v"},
	})
}
