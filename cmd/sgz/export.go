package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"sgz/locale"
	"sgz/query"
)

func init() { commands = append(commands, exportCmd) }

func exportCmd(a *app) *cobra.Command {
	var parquetDir, copyFile string
	var viewsOnly bool
	cmd := &cobra.Command{
		Use:   "export --parquet DIR | --copy FILE.duckdb",
		Short: "导出 v_ 视图为 Parquet（按报告期分区），或复制数据库文件 / export the views as Parquet, or copy the database",
		Long: "--parquet DIR：每个 v_ 视图一个目录，按报告期 Hive 分区（period=2026Q3/），供 Python、R、Spark、Trino 读取。\n" +
			"--copy FILE：数据库的只读副本（--views-only 只含视图数据，不含联系电话、文件内容和内部表）。\n" +
			"--parquet DIR: a directory per v_* view, Hive-partitioned by period (period=2026Q3/).\n" +
			"--copy FILE: a read-only copy of the database (--views-only: the views' rows only).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if parquetDir == "" && copyFile == "" {
				return locale.Errorf("cli.flag", "--parquet / --copy", "")
			}
			// Beside a server: on a snapshot of it (its instance reaches no files).
			db, done, err := a.openCopy(ctx)
			if err != nil {
				return err
			}
			defer done()
			// No Lockdown here: DuckDB itself writes the files.
			if parquetDir != "" {
				out, err := query.ExportParquet(ctx, db, parquetDir)
				if err != nil {
					return err
				}
				for _, x := range out {
					fmt.Fprintf(a.stdout, a.T("export.view")+"\n", x.View, x.Rows, x.Path)
				}
			}
			if copyFile != "" {
				if err := query.CopyDatabase(ctx, db, copyFile, viewsOnly); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, a.T("export.copy")+"\n", copyFile)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&parquetDir, "parquet", "", "Parquet 导出目录（须为空或不存在）/ Parquet directory (empty or new)")
	cmd.Flags().StringVar(&copyFile, "copy", "", "数据库副本文件（不得已存在）/ copy of the database (a new file)")
	cmd.Flags().BoolVar(&viewsOnly, "views-only", false, "副本只含 v_ 视图的数据 / the copy holds only the views' rows")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"export.view": {"%s：%d 行 → %s", "%s: %d rows → %s"},
		"export.copy": {"已写入只读副本 %s", "read-only copy written to %s"},
	})
}
