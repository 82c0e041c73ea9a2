package main

import (
	"os"

	"github.com/spf13/cobra"

	"sgz/query"
)

func init() { commands = append(commands, sqlWorkerCmd) }

// sqlWorkerCmd is the process `sgz serve` starts for each console query
// (query.Workers): it reads the request on standard input and answers on
// standard output. Not for people.
func sqlWorkerCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:    "sql-worker",
		Short:  "SQL console worker process (internal)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if code := query.WorkerMain(os.Stdin, a.stdout); code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
}
