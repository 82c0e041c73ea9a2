package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"sgz/locale"
	"sgz/store"
)

// version is set at build time: go build -ldflags "-X main.version=1.2.0".
var version = "dev"

func init() { commands = append(commands, versionCmd) }

// buildFacts is what `sgz version` says of the binary: its version (the
// module's when installed with go install at a tag), the commit, whether
// the tree had uncommitted changes, and the commit's time.
type buildFacts struct {
	Version, Commit, Time string
	Modified              bool
}

func readBuildFacts(bi *debug.BuildInfo, ok bool) buildFacts {
	f := buildFacts{Version: version}
	if !ok || bi == nil {
		return f
	}
	if f.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		f.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			f.Commit = s.Value
		case "vcs.time":
			f.Time = s.Value
		case "vcs.modified":
			f.Modified = s.Value == "true"
		}
	}
	return f
}

// duckDBVersion asks an in-memory DuckDB the version of the library linked in.
func duckDBVersion(ctx context.Context) (string, error) {
	db, err := store.Open(ctx, ":memory:")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	return v, err
}

func versionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "显示版本、提交、Go 与 DuckDB 版本 / print the version, commit, Go and DuckDB versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dv, err := duckDBVersion(cmd.Context())
			if err != nil {
				return err
			}
			a.printVersion(readBuildFacts(debug.ReadBuildInfo()), dv)
			return nil
		},
	}
}

func (a *app) printVersion(f buildFacts, duckdb string) {
	commit := f.Commit
	if commit == "" {
		commit = a.T("version.unknown")
	}
	if f.Modified {
		commit += a.T("version.modified")
	}
	if f.Time != "" {
		commit += " " + f.Time
	}
	fmt.Fprintf(a.stdout, "sgz %s\n", f.Version)
	fmt.Fprintf(a.stdout, a.T("version.commit")+"\n", commit)
	fmt.Fprintf(a.stdout, "Go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(a.stdout, "DuckDB %s\n", duckdb)
}

func init() {
	locale.Add(map[string]locale.Text{
		"version.commit":   {"提交 %s", "commit %s"},
		"version.unknown":  {"未知（不是从 git 工作区构建）", "unknown (not built from a git work tree)"},
		"version.modified": {"（含未提交的修改）", " (with uncommitted changes)"},
	})
}
