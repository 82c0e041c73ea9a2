package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sgz/locale"
	"sgz/query"
)

func init() { commands = append(commands, queryCmd) }

// queryLimitFlags adds the query engine's limits as flags (shared with serve).
func queryLimitFlags(cmd *cobra.Command, lim *query.Limits) {
	d := query.DefaultLimits()
	*lim = d
	cmd.Flags().DurationVar(&lim.Timeout, "timeout", d.Timeout, "单条查询的时间上限 / time limit of one query")
	cmd.Flags().IntVar(&lim.MaxRows, "max-rows", d.MaxRows, "返回的最多行数 / most rows returned")
	cmd.Flags().StringVar(&lim.MemoryLimit, "memory-limit", d.MemoryLimit, "查询内存上限（serve：每个查询进程的内存上限；query：DuckDB 内存上限）/ memory limit (serve: memory of each query process; query: DuckDB memory limit)")
	cmd.Flags().StringVar(&lim.TempLimit, "temp-limit", d.TempLimit, "DuckDB 临时文件上限 / DuckDB spill-to-disk limit")
	cmd.Flags().IntVar(&lim.Threads, "threads", 0, "DuckDB 线程数（0 为 CPU 核数）/ DuckDB threads (0: cores)")
	limit(cmd, "timeout", 0, 3600, true)
	limit(cmd, "max-rows", 1, float64(d.MaxDownload), false)
	limit(cmd, "threads", 0, 256, false)
}

func queryCmd(a *app) *cobra.Command {
	var format, out string
	var listViews, listExamples bool
	var lim query.Limits
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "执行一条只读 SQL 查询（只能查询 v_ 视图）/ run one read-only SQL query over the v_* views",
		Long: "只允许一条只读语句（SELECT、WITH … SELECT、FROM、DESCRIBE、SUMMARIZE、SHOW），只能查询以 v_ 开头的视图；\n" +
			"不能访问文件和网络；时间、行数和内存都有上限。SQL 为 - 时从标准输入读取。视图与列的说明见 docs/views.md 或 --views。\n" +
			"One reading statement over the v_* views; no files or network; time, row and memory limits.\n" +
			"SQL - reads standard input. The views and their columns: docs/views.md or --views.",
		Example: `  sgz query --db sgz.duckdb "SELECT district_name, period, stations_built, towns_in_scope FROM v_indicator_inputs"
  sgz query --format csv -o stations.csv "FROM v_stations WHERE period = '2026Q3'"
  sgz query --views`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			switch format {
			case "table", "csv", "json", "xlsx":
			default:
				return locale.Errorf("cli.flag", "--format", format)
			}
			if format == "xlsx" && out == "" {
				return locale.Errorf("cli.flag", "--format xlsx", "-o FILE")
			}
			sqlText := strings.Join(args, " ")
			if sqlText == "-" {
				b, err := io.ReadAll(a.input())
				if err != nil {
					return err
				}
				sqlText = string(b)
			}
			if !listViews && !listExamples && strings.TrimSpace(sqlText) == "" {
				return locale.Errorf("cli.query.empty")
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			e, err := query.Setup(ctx, db, lim)
			if err != nil {
				return err
			}
			if listViews {
				vs, err := e.Views(ctx)
				if err != nil {
					return err
				}
				if format == "json" {
					return writeJSON(a.stdout, vs)
				}
				fmt.Fprint(a.stdout, query.Markdown(vs))
				return nil
			}
			if listExamples {
				if format == "json" {
					return writeJSON(a.stdout, query.Examples)
				}
				for _, ex := range query.Examples {
					fmt.Fprintf(a.stdout, "-- %s\n%s;\n\n", ex.Title, ex.SQL)
				}
				return nil
			}
			w := a.stdout
			var file *os.File
			if out != "" {
				if file, err = os.Create(out); err != nil {
					return err
				}
				defer file.Close()
				w = file
			}
			res, err := e.Run(ctx, sqlText, a.lang)
			if err != nil {
				qe := query.AsError(err)
				return &locale.Error{Msg: qe.Msg}
			}
			switch format {
			case "table":
				err = query.WriteText(w, res)
			case "json":
				err = writeJSON(w, res)
			case "csv":
				cw := query.NewCSV(w, out != "")
				if err = cw.Columns(res.Columns); err == nil {
					for _, r := range res.Rows {
						if err = cw.Row(r); err != nil {
							break
						}
					}
				}
				if err == nil {
					err = cw.Flush()
				}
			case "xlsx":
				var x *query.XLSXWriter
				if x, err = query.NewXLSX("query"); err == nil {
					if err = x.Columns(res.Columns); err == nil {
						for _, r := range res.Rows {
							if err = x.Row(r); err != nil {
								break
							}
						}
					}
					if err == nil {
						err = x.Write(w)
					}
				}
			}
			if err != nil {
				return err
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return err
				}
			}
			if res.Truncated {
				fmt.Fprintln(a.stderr, a.T("query.truncated", len(res.Rows)))
			} else if format == "table" {
				fmt.Fprintln(a.stderr, a.T("query.rows", len(res.Rows), res.Elapsed.Round(time.Millisecond).Milliseconds()))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "输出格式 table|csv|json|xlsx / output format")
	cmd.Flags().StringVarP(&out, "output", "o", "", "写入文件（csv 带 BOM）/ write to a file (csv with a BOM)")
	cmd.Flags().BoolVar(&listViews, "views", false, "列出可查询的视图及其列 / list the views and their columns")
	cmd.Flags().BoolVar(&listExamples, "examples", false, "列出示例查询 / list the example queries")
	queryLimitFlags(cmd, &lim)
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"cli.query.empty": {"没有给出 SQL：sgz query \"SELECT …\"（SQL 为 - 时从标准输入读取；--views 列出可查询的视图）", "no SQL given: sgz query \"SELECT …\" (- reads it from standard input; --views lists the views)"},
	})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
