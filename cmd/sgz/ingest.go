package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"sgz"
	"sgz/auth"
	"sgz/ingest"
	"sgz/ingest/xlsx"
	"sgz/locale"
	"sgz/store"
)

func init() { commands = append(commands, ingestCmd) }

// jsonIssue and jsonOutcome are the `ingest --json` shape of interfaces.md.
type jsonIssue struct {
	Sheet   string `json:"sheet"`
	Cell    string `json:"cell"`
	Message string `json:"message"`
}

type jsonOutcome struct {
	File     string      `json:"file"`
	Status   string      `json:"status"`
	District string      `json:"district"`
	Period   string      `json:"period"`
	ReturnID string      `json:"return_id"`
	Errors   []jsonIssue `json:"errors"`
	Warnings []jsonIssue `json:"warnings"`
}

func issuesJSON(list []ingest.Issue, lang locale.Lang) []jsonIssue {
	out := make([]jsonIssue, 0, len(list))
	for _, is := range list {
		out = append(out, jsonIssue{Sheet: is.Sheet, Cell: is.Cell, Message: is.Msg.In(lang)})
	}
	return out
}

func ingestCmd(a *app) *cobra.Command {
	var asJSON bool
	var receivedAt string
	var workers, maxRows, dbMB int
	var maxSizeMB float64
	cmd := &cobra.Command{
		Use:   "ingest PATH...",
		Short: "导入区级季报（文件或文件夹，递归查找 *.xlsx）/ ingest return workbooks (files or folders)",
		Long: "逐个校验并导入报表：每个文件要么整体接收，要么整体拒收并列出全部错误（工作表、单元格、所填内容、应填内容）。\n" +
			"全部接收时退出码为 0。\nEach file is accepted whole or rejected with every error listed; exit 0 only when all are accepted.",
		Args:        cobra.MinimumNArgs(1),
		Annotations: map[string]string{pathArgsAnnotation: "yes"},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if os.Getenv("GOGC") == "" && !a.shared {
				// Collect twice as often as Go's default: a national run holds
				// the whole registry and would otherwise peak near 600 MB.
				debug.SetGCPercent(50)
			}
			if maxSizeMB <= 0 {
				return locale.Errorf("cli.flag", "--max-size", maxSizeMB)
			}
			var stated time.Time
			if strings.TrimSpace(receivedAt) != "" {
				var err error
				if stated, err = parseReceivedAt(receivedAt, time.Now()); err != nil {
					return err
				}
			}
			files, err := ingest.Expand(args)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return locale.Errorf("ingest.nofiles", strings.Join(args, " "))
			}
			db, err := a.open(ctx)
			if err != nil {
				return err
			}
			if !a.shared { // beside a server: the server's own --db-memory holds
				if err := ingestMemory(ctx, db, dbMB); err != nil {
					return err
				}
			}
			lim := xlsx.DefaultLimits()
			lim.MaxFileSize = int64(maxSizeMB * (1 << 20))
			if maxRows > 0 {
				lim.MaxRows = maxRows
			}
			opt := ingest.RunOptions{Workers: workers, Limits: lim, Source: "cli"}
			if isTerminal(a.stderr) && !asJSON {
				opt.Progress = progressBar(a.stderr, a.T)
			}
			if !stated.IsZero() {
				opt.Now = func() time.Time { return stated }
			}
			start := time.Now()
			// Each file's result is printed as soon as it is committed, so
			// that after an interruption the output shows what is stored;
			// with --json the array is written element by element.
			n := 0
			opt.Committed = func(o ingest.Outcome) {
				if !asJSON {
					printOutcome(a, o)
					return
				}
				id := ""
				if o.ReturnID > 0 {
					id = strconv.FormatInt(o.ReturnID, 10)
				}
				var b strings.Builder
				enc := json.NewEncoder(&b)
				enc.SetEscapeHTML(false)
				enc.SetIndent("  ", "  ")
				if err := enc.Encode(jsonOutcome{File: a.shown(o.File), Status: o.Status, District: o.District, Period: o.Period,
					ReturnID: id, Errors: issuesJSON(o.Errors, a.lang), Warnings: issuesJSON(o.Warnings, a.lang)}); err != nil {
					return
				}
				sep := ",\n  "
				if n == 0 {
					sep = "[\n  "
				}
				n++
				fmt.Fprint(a.stdout, sep+strings.TrimSuffix(b.String(), "\n"))
			}
			outcomes, runErr := ingest.Run(ctx, db, files, opt)
			runErr = outOfMemory(runErr, dbMB, a.shared)
			if !a.shared {
				// What the run held on the Go heap (the registry, the
				// parsers' buffers: some 200 MB national) is garbage now:
				// hand it back before the closing checkpoint, which then
				// no longer adds its memory on top (docs/operations.md).
				debug.FreeOSMemory()
			}
			if !stated.IsZero() {
				if err := noteReceipts(ctx, db, outcomes, start); err != nil && runErr == nil {
					runErr = err
				}
			}
			accepted := 0
			for _, o := range outcomes {
				if o.Status == "accepted" || o.Status == "unchanged" {
					accepted++
				}
			}
			result := auth.OK
			if accepted != len(files) {
				result = auth.Rejected
			}
			a.cliAudit(cmd, "ingest", fmt.Sprintf("%d files", len(files)), result, fmt.Sprintf("accepted=%d rejected=%d", accepted, len(outcomes)-accepted))
			if asJSON {
				if n == 0 {
					fmt.Fprint(a.stdout, "[")
				}
				fmt.Fprint(a.stdout, "\n]\n")
			} else {
				fmt.Fprintf(a.stdout, a.T("ingest.summary")+"\n", len(outcomes), accepted, len(outcomes)-accepted,
					time.Since(start).Seconds())
				if !stated.IsZero() {
					fmt.Fprintln(a.stdout, a.T("ingest.receivedat", stated.In(sgz.Beijing).Format("2006-01-02 15:04")))
				}
			}
			if runErr != nil {
				return runErr
			}
			if accepted != len(files) {
				return exitError{code: 2}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "以 JSON 输出每个文件的结果 / print one JSON array, an object per file")
	cmd.Flags().StringVar(&receivedAt, "received-at", "", "本次导入文件的实际接收时间（北京时间），如 2026-10-12T09:30+08:00 或 2026-10-12；缺省为现在。按时上报据此判断 / when the bureau received these files (Beijing), e.g. 2026-10-12T09:30+08:00 or 2026-10-12; default now; timeliness uses it")
	cmd.Flags().IntVar(&workers, "workers", 0, "并行解析数（缺省为 CPU 核数）/ parsers in parallel (default: cores)")
	cmd.Flags().Float64Var(&maxSizeMB, "max-size", 20, "单个文件大小上限（MB）/ largest file accepted, in MB")
	cmd.Flags().IntVar(&maxRows, "max-rows", 0, "每张工作表行数上限（缺省 200000）/ rows per sheet (default 200000)")
	cmd.Flags().IntVar(&dbMB, "db-memory", 256, "本次导入所用 DuckDB 的内存上限(MB)，超出部分写入临时目录；与服务并用时由服务的 --db-memory 决定 / memory limit of the ingest's DuckDB, MB (beyond it DuckDB spills to its temporary directory); beside a server, the server's --db-memory holds")
	limit(cmd, "workers", 0, 64, false)
	limit(cmd, "max-size", 0, 1024, true)
	limit(cmd, "max-rows", 0, 1048576, false) // Excel's own limit
	// At 64 MB a national quarter into an empty database failed ("failed
	// to pin block", the open database invalidated); 128 MB held, also with
	// --workers 64 (docs/operations.md).
	limit(cmd, "db-memory", 128, 1<<20, false)
	return cmd
}

// outOfMemory names --db-memory when DuckDB ran out of its memory_limit
// during the ingest (a checkpoint that cannot pin its blocks invalidates
// the open database: what was committed before is kept, nothing after).
// Beside a server the limit is the server's: its error is left as it is.
func outOfMemory(err error, mb int, shared bool) error {
	if err == nil || shared || !strings.Contains(err.Error(), "Out of Memory") {
		return err
	}
	return locale.Errorf("ingest.dbmemory", mb, err.Error())
}

// ingestOpened, when set (by a test), sees the ingest's database once its
// memory is bounded.
var ingestOpened func(*store.DB)

// ingestMemory gives the ingest's own DuckDB instance a memory_limit of mb
// MB. Without one (DuckDB's default: 80 % of the machine) the peak grew with
// the database: every checkpoint, and one closes each ingest, rewrites the
// row group of return_files that the new files were appended to, which holds
// every workbook stored so far (about 83 MB a national quarter), and the
// blocks it read stayed in memory (docs/operations.md, "Scale: eight
// quarters of the whole country"). Under the limit DuckDB evicts them.
func ingestMemory(ctx context.Context, db *store.DB, mb int) error {
	if _, err := db.ExecContext(ctx, fmt.Sprintf("SET GLOBAL memory_limit = '%dMB'", mb)); err != nil {
		return err
	}
	if ingestOpened != nil {
		ingestOpened(db)
	}
	return nil
}

// parseReceivedAt reads --received-at: a date (its midnight) or a date and
// time, Beijing unless a zone is given; not after now.
func parseReceivedAt(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	var err error
	for _, layout := range []string{"2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err = time.ParseInLocation(layout, s, sgz.Beijing); err == nil {
			break
		}
	}
	if err != nil {
		return time.Time{}, locale.Errorf("ingest.receivedat.bad", s)
	}
	if t.After(now) {
		return time.Time{}, locale.Errorf("ingest.receivedat.future", s)
	}
	return t.In(sgz.Beijing), nil
}

// noteReceipts records that the receipt time of these returns was stated
// with --received-at, and when they were recorded (table return_receipts).
func noteReceipts(ctx context.Context, db *store.DB, outcomes []ingest.Outcome, recorded time.Time) error {
	b := recorded.In(sgz.Beijing)
	wall := time.Date(b.Year(), b.Month(), b.Day(), b.Hour(), b.Minute(), b.Second(), 0, time.UTC)
	return db.Write(ctx, func(w *store.Writer) error {
		for _, o := range outcomes {
			if o.ReturnID > 0 {
				if err := w.Append("return_receipts", o.ReturnID, "cli --received-at", wall); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func printOutcome(a *app, o ingest.Outcome) {
	status := a.T("ingest.rejected")
	switch o.Status {
	case "accepted":
		status = a.T("ingest.accepted")
	case "unchanged":
		status = a.T("ingest.unchanged")
	}
	head := a.shown(o.File) + "  " + status
	if o.District != "" {
		head += "  " + o.District + " " + o.Period
	}
	if o.ReturnID > 0 {
		head += "  " + a.T("ingest.id", o.ReturnID)
	}
	fmt.Fprintln(a.stdout, head)
	show := func(tag string, list []ingest.Issue) {
		for _, is := range list {
			where := is.Where()
			if where != "" {
				where += "  "
			}
			fmt.Fprintf(a.stdout, "  %s %s%s\n", tag, where, is.Msg.In(a.lang))
		}
	}
	show(a.T("ingest.tag.error"), o.Errors)
	show(a.T("ingest.tag.warning"), o.Warnings)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "[#####     ] 12/40" on one line of a terminal.
func progressBar(w io.Writer, T func(string, ...any) string) func(done, total int) {
	last := time.Time{}
	return func(done, total int) {
		if done < total && time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		const width = 30
		n := done * width / total
		fmt.Fprintf(w, "\r[%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(" ", width-n), done, total)
		if done == total {
			fmt.Fprintln(w)
		}
	}
}

func init() {
	locale.Add(map[string]locale.Text{
		"ingest.nofiles":           {"在 %s 中没有找到 .xlsx 文件", "no .xlsx file found in %s"},
		"ingest.accepted":          {"已接收", "accepted"},
		"ingest.rejected":          {"已拒收", "rejected"},
		"ingest.unchanged":         {"未变化（与当前计入的报表完全相同，未重复保存）", "unchanged (identical to the return that counts; not stored again)"},
		"ingest.id":                {"报表编号 %d", "return %d"},
		"ingest.tag.error":         {"错误", "error  "},
		"ingest.tag.warning":       {"提示", "warning"},
		"ingest.receivedat":        {"接收时间按 --received-at 记为 %s（北京时间）", "receipt time recorded as %s (Beijing time), from --received-at"},
		"ingest.receivedat.bad":    {"参数 --received-at 无效：%q（应为 2026-10-12T09:30+08:00 或 2026-10-12，北京时间）", "invalid --received-at %q (use 2026-10-12T09:30+08:00 or 2026-10-12, Beijing time)"},
		"ingest.receivedat.future": {"参数 --received-at 无效：%q 晚于当前时间", "invalid --received-at %q: it is in the future"},
		"ingest.summary":           {"共 %d 个文件：接收 %d 个，拒收 %d 个，用时 %.1f 秒", "%d files: %d accepted, %d rejected, in %.1f s"},
	})
}
