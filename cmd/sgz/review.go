package main

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"sgz/auth"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/locale"
	"sgz/metrics"
	"sgz/review"
)

func init() { commands = append(commands, reviewCmd, periodCmd) }

// cliActor names the user of the command line in the history: "cli:" and
// --by, else the operating system's user name.
func cliActor(by string) string {
	if by == "" {
		if u, err := user.Current(); err == nil {
			by = u.Username
		} else {
			by = os.Getenv("USER")
		}
	}
	return "cli:" + by
}

func reviewCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review approve|sendback|restore|history RETURN_ID",
		Short: "审核报表：审核通过、退回修改、恢复，查看审核经过 / review a return: approve, send back, restore, history",
		Long: "待审核的报表可审核通过（已审核后锁定）或退回修改（须 --reason）；退回的可恢复（回到待审核）。每次操作连同操作人、时间与原因记入 v_returns_history，永不删除。\n" +
			"命令行直接操作数据库文件，视同管理员：可以退回已审核的报表。已考核归档的期间内不能审核。\n" +
			"A pending return is approved (then locked) or sent back (--reason required); a send-back can be restored. Every action is kept in v_returns_history. The command line works on the database file as an administrator.",
	}
	var by, reason string
	action := func(name, short string, fn func(ctx context.Context, id int64, act review.Act) (*review.Event, error)) *cobra.Command {
		c := &cobra.Command{
			Use:   name + " RETURN_ID",
			Short: short,
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return locale.Errorf("cli.flag", "RETURN_ID", args[0])
				}
				if _, err := a.openExisting(cmd.Context()); err != nil {
					return err
				}
				ev, err := fn(cmd.Context(), id, review.Act{By: cliActor(by), Admin: true, Reason: reason})
				if err != nil {
					a.cliAudit(cmd, "review."+cmd.Name(), "return "+args[0], auth.Failed, err.Error())
					return err
				}
				a.cliAudit(cmd, "review."+cmd.Name(), "return "+args[0], auth.OK, "by="+cliActor(by))
				fmt.Fprintln(a.stdout, a.T("review.cli.done", id, review.ActionText(a.lang, ev.Action),
					review.StateText(a.lang, ev.Before), review.StateText(a.lang, ev.After)))
				return nil
			},
		}
		c.Flags().StringVar(&by, "by", "", "操作人（缺省为系统用户名）/ who acts (default: the system user)")
		c.Flags().StringVar(&reason, "reason", "", "原因（退回时必填）/ why (required to send back)")
		return c
	}
	cmd.AddCommand(
		action("approve", "审核通过并锁定 / approve and lock", func(ctx context.Context, id int64, act review.Act) (*review.Event, error) {
			return review.Approve(ctx, a.db, id, act)
		}),
		action("sendback", "退回修改（须 --reason）/ send back (--reason required)", func(ctx context.Context, id int64, act review.Act) (*review.Event, error) {
			return review.SendBack(ctx, a.db, id, act)
		}),
		action("restore", "恢复被退回的报表（回到待审核）/ restore a return sent back (pending again)", func(ctx context.Context, id int64, act review.Act) (*review.Event, error) {
			return review.Restore(ctx, a.db, id, act)
		}),
		&cobra.Command{
			Use:   "history RETURN_ID",
			Short: "报表的审核经过 / a return's review history",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := strconv.ParseInt(args[0], 10, 64)
				if err != nil {
					return locale.Errorf("cli.flag", "RETURN_ID", args[0])
				}
				db, err := a.openExisting(cmd.Context())
				if err != nil {
					return err
				}
				st, err := review.Status(cmd.Context(), db, id)
				if err != nil {
					return err
				}
				if st == "" {
					return locale.Errorf("review.notaccepted", id)
				}
				evs, err := review.History(cmd.Context(), db, id)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, a.T("review.cli.status", id, review.StateText(a.lang, st)))
				for _, e := range evs {
					fmt.Fprintf(a.stdout, "%s\t%s\t%s → %s\t%s\t%s\n", e.At.Format("2006-01-02 15:04"), review.ActionText(a.lang, e.Action),
						review.StateText(a.lang, e.Before), review.StateText(a.lang, e.After), e.Actor, e.Reason)
				}
				return nil
			},
		},
	)
	return cmd
}

func periodCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "period close|reopen|list P",
		Short: "考核归档与重新开放 / close a period (考核归档) or reopen it",
		Long: "考核归档（close）：按当前规则（--config）考核该期间并记录，此后导出的即为该记录；期间内不能再报送、审核或改变规则，直到重新开放（reopen，管理员）。\n" +
			"P 为季度（2026Q3）、年度（2026）或区间（2026Q1-2026Q3）。\n" +
			"close assesses the period with the rules (--config) and records it: later exports are that record; no upload, review or rule change touches the period until it is reopened (administrators).",
	}
	var by, reason, config string
	spanArg := func(s string) (sgz.Span, error) {
		sp, err := sgz.ParseSpan(strings.TrimSpace(s))
		if err != nil {
			return sgz.Span{}, locale.Errorf("cli.flag", "P", s)
		}
		return sp, nil
	}
	closeCmd := &cobra.Command{
		Use:   "close P",
		Short: "考核归档 / close a period",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sp, err := spanArg(args[0])
			if err != nil {
				return err
			}
			cfg, err := metrics.LoadConfig(config)
			if err != nil {
				return locale.Errorf("metrics.cli.config", config, sayAll(a.lang, err))
			}
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			as, c, err := metrics.Close(cmd.Context(), db, sp, cfg, review.Act{By: cliActor(by), Admin: true, Reason: reason})
			if err != nil {
				a.cliAudit(cmd, "period.close", "period "+sp.String(), auth.Failed, err.Error())
				return err
			}
			a.cliAudit(cmd, "period.close", "period "+sp.String(), auth.OK, "by="+cliActor(by))
			fmt.Fprintln(a.stdout, a.T("period.cli.closed", c.Period, as.ID, as.ConfigSHA256[:12]))
			return nil
		},
	}
	closeCmd.Flags().StringVar(&config, "config", "", "考核规则文件（JSON，缺省为内置规则）/ rules file (JSON; default: built-in rules)")
	reopenCmd := &cobra.Command{
		Use:   "reopen P",
		Short: "重新开放已归档的期间（管理员）/ reopen a closed period (administrators)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sp, err := spanArg(args[0])
			if err != nil {
				return err
			}
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			ev, err := review.Reopen(cmd.Context(), db, sp, review.Act{By: cliActor(by), Admin: true, Reason: reason})
			if err != nil {
				a.cliAudit(cmd, "period.reopen", "period "+sp.String(), auth.Failed, err.Error())
				return err
			}
			a.cliAudit(cmd, "period.reopen", "period "+sp.String(), auth.OK, "by="+cliActor(by))
			fmt.Fprintln(a.stdout, a.T("period.cli.reopened", ev.Period))
			return nil
		},
	}
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "已归档的期间 / the closed periods",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			cs, err := review.Closed(cmd.Context(), db)
			if err != nil {
				return err
			}
			if len(cs) == 0 {
				fmt.Fprintln(a.stdout, a.T("period.cli.none"))
			}
			for _, c := range cs {
				fmt.Fprintf(a.stdout, "%s\t%s\t#%d\t%s\t%s\n", c.Period, c.At.Format("2006-01-02 15:04"), c.AssessmentID, c.By, c.Reason)
			}
			return nil
		},
	}
	for _, c := range []*cobra.Command{closeCmd, reopenCmd} {
		c.Flags().StringVar(&by, "by", "", "操作人（缺省为系统用户名）/ who acts (default: the system user)")
		c.Flags().StringVar(&reason, "reason", "", "说明 / why")
	}
	cmd.AddCommand(closeCmd, reopenCmd, listCmd)
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"review.cli.done":     {"报表 #%d：%s（%s → %s）", "return #%d: %s (%s → %s)"},
		"review.cli.status":   {"报表 #%d 当前审核状态：%s", "return #%d is now %s"},
		"period.cli.closed":   {"%s 已考核归档：考核记录 #%d，规则 SHA-256 %s…", "%s closed: assessment #%d recorded, rules SHA-256 %s…"},
		"period.cli.reopened": {"%s 已重新开放", "%s reopened"},
		"period.cli.none":     {"没有已考核归档的期间", "no period is closed"},
	})
}
