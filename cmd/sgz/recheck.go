package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"sgz/ingest"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/registry"
)

func init() { commands = append(commands, recheckCmd) }

func recheckCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "recheck RETURN_ID...",
		Short: "用当前规则与名录重新校验已保存的报表原件，不改变任何数据 / check stored returns again with today's rules, changing nothing",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			regs := registry.NewCache(db)
			var out []jsonOutcome
			failed := 0
			for _, arg := range args {
				id, err := strconv.ParseInt(arg, 10, 64)
				if err != nil {
					return locale.Errorf("cli.flag", "RETURN_ID", arg)
				}
				res, err := ingest.Recheck(ctx, db, regs, id, xlsx.DefaultLimits())
				if err != nil {
					return err
				}
				o := ingest.Outcome{File: res.File, Status: "accepted", ReturnID: id, Errors: res.Errors, Warnings: res.Warnings}
				if !res.OK() {
					o.Status = "rejected"
					failed++
				}
				if r := res.Return; r != nil {
					o.District = r.District
					if r.Period.Valid() {
						o.Period = r.Period.String()
					}
				}
				if asJSON {
					out = append(out, jsonOutcome{File: o.File, Status: o.Status, District: o.District, Period: o.Period,
						ReturnID: arg, Errors: issuesJSON(o.Errors, a.lang), Warnings: issuesJSON(o.Warnings, a.lang)})
				} else {
					printOutcome(a, o)
				}
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(a.stdout, a.T("recheck.note"))
			}
			if failed > 0 {
				return exitError{code: 2}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "以 JSON 输出 / print JSON")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"recheck.note": {"（仅重新校验，数据库未作任何改动）", "(checked again only: nothing in the database changed)"},
	})
}
