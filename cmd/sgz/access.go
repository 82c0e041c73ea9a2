package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/auth"
	"sgz/locale"
	"sgz/registry"
	"sgz/value"
)

func init() { commands = append(commands, userCmd, tokenCmd, auditCmd) }

// stdin is where --password-stdin reads (tests replace it).
var stdin io.Reader = os.Stdin

// readPassword reads one line from standard input.
func readPassword(in io.Reader) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", locale.Errorf("user.nostdin")
	}
	return pw, nil
}

// cliAudit records a command-line action in the audit trail.
func (a *app) cliAudit(cmd *cobra.Command, action, object, result, detail string) {
	if a.db == nil {
		return
	}
	auth.Record(cmd.Context(), a.db, auth.Entry{Actor: "cli", Remote: "cli", Action: action, Object: object, Result: result, Detail: detail})
}

func userCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "用户账号 / user accounts"}
	var roleArgs, districts []string
	var fromStdin bool
	add := &cobra.Command{
		Use:   "add NAME --role R [--role R2] [--district CODE] [--password-stdin]",
		Short: "新建用户（角色 leader、evaluator、analyst、clerk、admin；填报员须 --district）/ add a user",
		Long: "新建用户。不给 --password-stdin 时生成一个初始密码并打印；初始密码须在首次登录时修改。\n" +
			"Adds a user. Without --password-stdin an initial password is made and printed; it must be changed at first login.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var roles []auth.Role
			for _, r := range roleArgs {
				role, err := auth.ParseRole(r)
				if err != nil {
					return err
				}
				roles = append(roles, role)
			}
			db, err := a.open(ctx)
			if err != nil {
				return err
			}
			if len(districts) > 0 {
				if _, err := registry.EnsureDefault(ctx, db); err != nil {
					return err
				}
				reg, err := registry.NewCache(db).For(ctx, sgz.PeriodOf(time.Now().In(sgz.Beijing)))
				if err != nil {
					return err
				}
				for _, d := range districts {
					if u, ok := reg.Unit(d); !ok || u.Level != sgz.District {
						return locale.Errorf("user.baddistrict", d)
					}
				}
			}
			pw, shown := "", false
			if fromStdin {
				if pw, err = readPassword(a.input()); err != nil {
					return err
				}
			} else {
				pw, shown = auth.RandomPassword(), true
			}
			u, err := auth.AddUser(ctx, db, auth.NewUser{Name: args[0], Password: pw, Roles: roles, Districts: districts, MustChange: true}, time.Now())
			if err != nil {
				return err
			}
			a.cliAudit(cmd, "user.add", u.Name, auth.OK, "roles="+u.RoleList()+" districts="+strings.Join(u.Districts, ","))
			fmt.Fprintf(a.stdout, a.T("user.added")+"\n", u.Name, u.RoleList())
			if shown {
				fmt.Fprintf(a.stdout, a.T("user.initial")+"\n", pw)
			}
			return nil
		},
	}
	add.Flags().StringArrayVar(&roleArgs, "role", nil, "角色，可重复 / role, repeatable: leader|evaluator|analyst|clerk|admin")
	add.Flags().StringArrayVar(&districts, "district", nil, "填报员所属区县代码，可重复 / a clerk's district code, repeatable")
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "从标准输入读取初始密码 / read the initial password from standard input")
	cmd.AddCommand(add)

	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "列出用户 / list the users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			users, err := auth.ListUsers(cmd.Context(), db)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, a.T("user.header"))
			for _, u := range users {
				st := a.T("user.active")
				switch {
				case u.Disabled:
					st = a.T("user.disabled")
				case u.MustChange:
					st = a.T("user.mustchange")
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", u.Name, u.RoleList(), strings.Join(u.Districts, ","), st)
			}
			return w.Flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "disable NAME",
		Short: "停用用户（其会话立即失效）/ disable a user (their sessions end)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			if err := auth.SetDisabled(cmd.Context(), db, args[0], true); err != nil {
				return err
			}
			a.cliAudit(cmd, "user.disable", args[0], auth.OK, "")
			fmt.Fprintf(a.stdout, a.T("user.disabledmsg")+"\n", args[0])
			return nil
		},
	})
	var passwdStdin bool
	passwd := &cobra.Command{
		Use:   "passwd NAME [--password-stdin]",
		Short: "重设密码（新的初始密码，首次登录须修改）/ reset a password (a new initial one)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			pw, shown := "", false
			if passwdStdin {
				if pw, err = readPassword(a.input()); err != nil {
					return err
				}
			} else {
				pw, shown = auth.RandomPassword(), true
			}
			if err := auth.SetPassword(cmd.Context(), db, args[0], pw, true); err != nil {
				return err
			}
			a.cliAudit(cmd, "user.passwd", args[0], auth.OK, "")
			fmt.Fprintf(a.stdout, a.T("user.reset")+"\n", args[0])
			if shown {
				fmt.Fprintf(a.stdout, a.T("user.initial")+"\n", pw)
			}
			return nil
		},
	}
	passwd.Flags().BoolVar(&passwdStdin, "password-stdin", false, "从标准输入读取新密码 / read the new password from standard input")
	cmd.AddCommand(passwd)
	return cmd
}

func tokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "API 令牌（Authorization: Bearer）/ API tokens for scripts"}
	var expires string
	create := &cobra.Command{
		Use:   "create NAME [--expires 90d]",
		Short: "为用户生成 API 令牌，只显示一次 / print a new API token for a user, once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ttl, err := auth.ParseTTL(expires)
			if err != nil {
				return err
			}
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			now := time.Now()
			id, tok, err := auth.CreateToken(cmd.Context(), db, args[0], ttl, now)
			if err != nil {
				return err
			}
			a.cliAudit(cmd, "token.create", args[0], auth.OK, "token="+strconv.FormatInt(id, 10)+" expires="+now.Add(ttl).In(sgz.Beijing).Format("2006-01-02"))
			fmt.Fprintf(a.stderr, a.T("token.created")+"\n", id, args[0], now.Add(ttl).In(sgz.Beijing).Format("2006-01-02 15:04"))
			fmt.Fprintln(a.stdout, tok)
			return nil
		},
	}
	create.Flags().StringVar(&expires, "expires", "90d", "有效期，如 90d、12h / validity, e.g. 90d, 12h")
	cmd.AddCommand(create)
	cmd.AddCommand(&cobra.Command{
		Use:   "revoke ID",
		Short: "吊销令牌 / revoke a token",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return locale.Errorf("cli.flag", "ID", err)
			}
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			if err := auth.RevokeToken(cmd.Context(), db, id, time.Now()); err != nil {
				return err
			}
			a.cliAudit(cmd, "token.revoke", args[0], auth.OK, "")
			fmt.Fprintf(a.stdout, a.T("token.revoked")+"\n", id)
			return nil
		},
	})
	return cmd
}

func auditCmd(a *app) *cobra.Command {
	var since, format string
	cmd := &cobra.Command{
		Use:   "audit [--since DATE] [--format json|csv]",
		Short: "查看审计日志；audit verify 校验是否有记录被改动或删除 / read the audit trail; audit verify checks it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var f auth.Filter
			if since != "" {
				t, err := time.ParseInLocation("2006-01-02", since, sgz.Beijing)
				if err != nil {
					return locale.Errorf("cli.flag", "--since", err)
				}
				f.Since = t
			}
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			list, err := auth.List(cmd.Context(), db, f)
			if err != nil {
				return err
			}
			// Oldest first, as a log reads.
			for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
				list[i], list[j] = list[j], list[i]
			}
			switch format {
			case "json":
				type row struct {
					Seq    int64  `json:"seq"`
					At     string `json:"at"`
					Actor  string `json:"actor"`
					Roles  string `json:"roles"`
					Remote string `json:"remote"`
					Action string `json:"action"`
					Object string `json:"object"`
					Result string `json:"result"`
					Detail string `json:"detail"`
					Hash   string `json:"hash"`
				}
				out := make([]row, 0, len(list))
				for _, e := range list {
					out = append(out, row{e.Seq, e.At.Format("2006-01-02T15:04:05") + "+08:00", e.Actor, e.Roles, e.Remote, e.Action, e.Object, e.Result, e.Detail, e.Hash})
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			case "csv", "":
				w := csv.NewWriter(a.stdout)
				w.Write([]string{"seq", "at", "actor", "roles", "remote", "action", "object", "result", "detail", "hash"})
				for _, e := range list {
					w.Write(value.CSVRow([]string{strconv.FormatInt(e.Seq, 10), e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Roles, e.Remote,
						e.Action, e.Object, e.Result, e.Detail, e.Hash}))
				}
				w.Flush()
				return w.Error()
			}
			return locale.Errorf("cli.flag", "--format", format)
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "起始日期（北京时间），如 2026-12-01 / from this date on (Beijing)")
	cmd.Flags().StringVar(&format, "format", "csv", "输出格式 json 或 csv / json or csv")
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "校验审计日志的哈希链：发现被改动或删除的记录 / check that no entry was altered or removed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			n, err := auth.Verify(cmd.Context(), db)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, a.T("audit.ok")+"\n", n)
			return nil
		},
	})
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"user.nostdin":     {"标准输入中没有密码（--password-stdin 读取第一行）", "no password on standard input (--password-stdin reads the first line)"},
		"user.baddistrict": {"区县代码 %s 不在名录中（--district）", "district code %s is not in the registry (--district)"},
		"user.added":       {"已新建用户 %s（%s）", "user %s added (%s)"},
		"user.initial":     {"初始密码（只显示这一次，首次登录须修改）：%s", "initial password (shown once; to be changed at first login): %s"},
		"user.header":      {"用户名\t角色\t区县\t状态", "NAME\tROLES\tDISTRICTS\tSTATUS"},
		"user.active":      {"正常", "active"},
		"user.disabled":    {"已停用", "disabled"},
		"user.mustchange":  {"待修改初始密码", "initial password"},
		"user.disabledmsg": {"用户 %s 已停用，其会话已失效", "user %s disabled; their sessions ended"},
		"user.reset":       {"已重设用户 %s 的密码，其会话已失效", "password of %s reset; their sessions ended"},
		"token.created":    {"令牌 %d（用户 %s，有效至 %s）：只显示这一次", "token %d (user %s, valid until %s): shown once"},
		"token.revoked":    {"令牌 %d 已吊销", "token %d revoked"},
	})
}
