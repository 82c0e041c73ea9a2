// Command sgz ingests the districts' quarterly returns on social work stations
// into DuckDB, computes the assessment indicators and serves the dashboards.
// This package only wires flags to the packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"sgz/auth"
	"sgz/locale"
	"sgz/store"
)

// app is what every command shares: the global flags and, once opened, the database.
type app struct {
	dbPath  string
	langArg string
	lang    locale.Lang
	verbose bool
	logFmt  string
	cpuProf string
	memProf string
	stdout  io.Writer
	stderr  io.Writer
	stdin   io.Reader // nil: the process's standard input
	db      *store.DB
	args    []string // the command line, as given (forwarded to a server)

	// Beside a server (beside.go): the command runs in the server's
	// process on its database (shared: not closed here), for a client
	// whose working directory is cwd; given maps resolved paths back.
	shared bool
	cwd    string
	given  [][2]string
}

// open opens the database named by --db (once per process).
func (a *app) open(ctx context.Context) (*store.DB, error) {
	if a.db != nil {
		return a.db, nil
	}
	db, err := store.Open(ctx, a.dbPath)
	if err != nil {
		return nil, locale.Errorf("cli.db", a.dbPath, err)
	}
	a.db = db
	return db, nil
}

// openExisting is open for commands that only read: a mistyped --db must
// not leave a new, empty database behind.
func (a *app) openExisting(ctx context.Context) (*store.DB, error) {
	if a.db == nil {
		if _, err := os.Stat(a.dbPath); err != nil {
			return nil, locale.Errorf("cli.nodb", a.dbPath)
		}
	}
	return a.open(ctx)
}

func (a *app) close() {
	if a.shared {
		a.db = nil
		return
	}
	if a.db != nil {
		a.db.Close()
		a.db = nil
	}
}

// T says a sentence in the user's language.
func (a *app) T(key string, args ...any) string { return locale.T(a.lang, key, args...) }

// exitError carries an exit code without printing anything more (the
// command has already said what went wrong).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "sgz",
		Short:         "社工站建设考核：报表导入、指标计算与数据看板 / social work station assessment",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			l, err := locale.Parse(a.langArg)
			if err != nil {
				return err
			}
			a.lang = l
			if err := checkRanges(cmd); err != nil {
				return err
			}
			if a.shared {
				// In the server, for a client beside it: no process-wide
				// settings (logger, profile) change here.
				if err := a.besideCheck(cmd); err != nil {
					return err
				}
				a.resolvePaths(cmd, args)
				return nil
			}
			level := slog.LevelWarn
			if a.verbose {
				level = slog.LevelDebug
			}
			hopt := &slog.HandlerOptions{Level: level}
			switch a.logFmt {
			case "text":
				slog.SetDefault(slog.New(slog.NewTextHandler(a.stderr, hopt)))
			case "json":
				slog.SetDefault(slog.New(slog.NewJSONHandler(a.stderr, hopt)))
			default:
				return locale.Errorf("cli.flag", "--log-format", a.logFmt+" (text|json)")
			}
			if a.cpuProf != "" {
				f, err := os.Create(a.cpuProf)
				if err != nil {
					return locale.Errorf("cli.flag", "--cpuprofile", err)
				}
				pprof.StartCPUProfile(f)
				cobra.OnFinalize(func() { pprof.StopCPUProfile(); f.Close() })
			}
			if a.memProf != "" {
				f, err := os.Create(a.memProf)
				if err != nil {
					return locale.Errorf("cli.flag", "--memprofile", err)
				}
				// The heap as of the last collection while the command ran
				// (no GC here: what it held, not what is left at exit).
				cobra.OnFinalize(func() { pprof.WriteHeapProfile(f); f.Close() })
			}
			if a.besideTop(cmd) {
				code, ok, err := a.forward(cmd.Context())
				if err != nil {
					return err
				}
				if ok {
					return exitError{code}
				}
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&a.dbPath, "db", "sgz.duckdb", "DuckDB 数据库文件 / database file")
	root.PersistentFlags().StringVar(&a.langArg, "lang", "zh", "界面语言 zh 或 en / language: zh or en")
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "输出调试日志 / debug logging")
	root.PersistentFlags().StringVar(&a.logFmt, "log-format", "text", "日志格式 text 或 json（每行一个 JSON 对象，供日志系统收集）/ log format: text or json (one JSON object a line)")
	root.PersistentFlags().StringVar(&a.cpuProf, "cpuprofile", "", "write a CPU profile (for benchmarks)")
	root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().StringVar(&a.memProf, "memprofile", "", "write a heap profile at exit (for measurements)")
	root.PersistentFlags().MarkHidden("memprofile")
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	for _, add := range commands {
		root.AddCommand(add(a))
	}
	return root
}

// commands is filled by each command's file in init.
var commands []func(*app) *cobra.Command

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return execute(ctx, &app{stdout: stdout, stderr: stderr}, args)
}

// execute runs one command line with a; run is for a process, the server
// runs its clients' command lines with it (beside.go).
func execute(ctx context.Context, a *app, args []string) int {
	a.args = args
	defer a.close()
	root := newRoot(a)
	root.SetArgs(args)
	start := time.Now()
	cmd, err := root.ExecuteContextC(ctx)
	a.auditRead(cmd, err)
	// The command and how it ended; never its arguments (names, paths).
	defer func() {
		slog.Debug("command done", "command", cmd.CommandPath(), "ok", err == nil, "elapsed", time.Since(start))
	}()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	lang := a.lang
	if lang == "" {
		lang, _ = locale.Parse(a.langArg)
	}
	fmt.Fprintln(a.stderr, locale.T(lang, "cli.error")+locale.Say(lang, err))
	return 1
}

// readsAudited are the commands that take data out of the database without
// changing it, and their action in the audit trail (as the dashboard's
// exports, downloads and SQL console are recorded). The commands that
// change something record themselves, with their object.
var readsAudited = map[string]string{
	"sgz query": "sql", "sgz export": "export", "sgz indicators": "export", "sgz assess": "export",
	"sgz brief": "export", "sgz registry export": "export", "sgz audit": "export", "sgz template": "export",
}

// auditRead records a reading command that reached the database: the
// command, its flags other than paths, the SQL text of a query, and
// whether it succeeded.
func (a *app) auditRead(cmd *cobra.Command, err error) {
	if cmd == nil {
		return
	}
	action, ok := readsAudited[cmd.CommandPath()]
	if !ok || a.db == nil {
		return
	}
	var detail []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if !pathFlags[f.Name] && f.Name != "db" {
			detail = append(detail, "--"+f.Name+"="+f.Value.String())
		}
	})
	if action == "sql" {
		if q := cmd.Flags().Args(); len(q) > 0 && q[0] != "-" {
			detail = append(detail, q[0])
		}
	}
	result := auth.OK
	if err != nil {
		result = auth.Failed
	}
	e := auth.Entry{Actor: "cli", Remote: "cli", Action: action, Object: strings.TrimPrefix(cmd.CommandPath(), "sgz "), Result: result, Detail: strings.Join(detail, " ")}
	if rerr := auth.Record(cmd.Context(), a.db, e); rerr != nil {
		slog.Error("audit", "action", action, "err", rerr)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func init() {
	locale.Add(map[string]locale.Text{
		"cli.error": {"错误：", "error: "},
		"cli.nodb":  {"数据库 %s 不存在（--db 指定数据库文件；先用 sgz ingest 导入报表，或运行 sgz demo）", "the database %s does not exist (--db names it; ingest returns with sgz ingest first, or run sgz demo)"},
		"cli.db":    {"无法打开数据库 %s：%v", "cannot open the database %s: %v"},
		"cli.flag":  {"参数 %s 无效：%v", "invalid %s: %v"},
	})
}
