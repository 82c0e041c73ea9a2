package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sgz/dashboard"
	"sgz/demo"
	"sgz/locale"
	"sgz/query"
)

func init() { commands = append(commands, demoCmd) }

func demoCmd(a *app) *cobra.Command {
	var addr string
	var buildOnly bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "无需任何准备：生成演示数据库（内置苏州名录与模拟报表）并启动看板 / build a demo database and serve it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if !buildOnly && !loopbackAddr(addr) {
				return locale.Errorf("demo.loopback", addr)
			}
			if buildOnly && !cmd.Flags().Changed("db") {
				return locale.Errorf("demo.buildonlydb")
			}
			if cmd.Flags().Changed("db") {
				if _, err := os.Stat(a.dbPath); err == nil {
					return locale.Errorf("demo.exists", a.dbPath)
				}
			}
			var ln net.Listener
			if !buildOnly {
				var err error
				if ln, err = a.listen(addr); err != nil {
					return err
				}
				defer ln.Close()
			}
			// A fresh database every time, in a temporary folder unless --db
			// is given; the folder (generated workbooks, and the database
			// without --db) goes when the demo stops, Ctrl+C included (main's
			// context ends on SIGINT and SIGTERM, and the defers run).
			dir, err := os.MkdirTemp("", "sgz-demo-")
			if err != nil {
				return err
			}
			defer func() {
				a.close() // before its files go
				os.RemoveAll(dir)
			}()
			if !cmd.Flags().Changed("db") {
				a.dbPath = filepath.Join(dir, "demo.duckdb")
			}
			db, err := a.open(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			sum, err := demo.Build(ctx, db, filepath.Join(dir, "returns"), time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, a.T("demo.built")+"\n", a.dbPath, sum.Span.From, sum.Span.To, sum.Files, sum.Accepted,
				sum.Rejected, time.Since(start).Seconds(), filepath.Join(dir, "returns"))
			accounts, err := demo.Accounts(ctx, db, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, a.T("demo.accounts"))
			for _, ac := range accounts {
				role := ac.Roles[0].Name(a.lang)
				if len(ac.Districts) > 0 {
					role += " " + strings.Join(ac.Districts, ",")
				}
				fmt.Fprintf(a.stdout, "  %-15s %-18s %s\n", ac.Name, ac.Password, role)
			}
			if buildOnly {
				return nil
			}
			lim := query.DefaultLimits()
			if err := query.Lockdown(ctx, db, lim); err != nil {
				return err
			}
			eng, err := query.NewIsolated(ctx, db, lim, query.Workers{})
			if err != nil {
				return err
			}
			defer eng.Close()
			srv, err := dashboard.NewServer(db, dashboard.Options{PublicURL: "http://" + addr, SQLEngine: eng})
			if err != nil {
				return err
			}
			go srv.Warm(ctx)
			h := srv.Engine()
			// sgz query --db <the demo database> etc. work meanwhile, as beside sgz serve.
			stop, err := startBeside(ctx, db, srv.Invalidate)
			if err != nil {
				return err
			}
			defer stop()
			return a.serveOn(ctx, ln, "http://"+addr, h)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "监听地址 / listen address")
	cmd.Flags().BoolVar(&buildOnly, "build-only", false, "只生成演示数据库，不启动看板 / build the database and exit")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"demo.accounts": {"演示账号（用户名、密码、角色）：", "demo accounts (name, password, role):"},
		"demo.loopback": {"演示只在本机地址上运行（--addr %s 不是 127.0.0.1 或 localhost）", "the demo runs on this machine only (--addr %s is not 127.0.0.1 or localhost)"},
		"demo.exists":   {"演示会新建数据库，但 %s 已存在；请换一个 --db 路径或不指定 --db", "the demo builds a new database, but %s exists; choose another --db or leave it out"},
		"demo.built": {"演示数据库 %s：%s 至 %s，共 %d 份报表（接收 %d，拒收 %d），用时 %.1f 秒；报表文件在 %s（演示结束时删除）",
			"demo database %s: %s to %s, %d returns (%d accepted, %d rejected) in %.1f s; the workbooks are in %s (removed when the demo stops)"},
		"demo.buildonlydb": {"--build-only 需要 --db 指定数据库文件（否则演示数据库在临时文件夹中，退出时即被删除）", "--build-only needs --db (otherwise the demo database lives in a temporary folder removed at exit)"},
	})
}
