package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"sgz/auth"
	"sgz/locale"
	"sgz/store"
)

func init() { commands = append(commands, backupCmd, restoreCmd) }

// openCopy is the database for a command whose DuckDB itself writes files
// (export): beside a server, whose instance is locked down (no file
// access), a snapshot of it opened in this process; done removes it.
func (a *app) openCopy(ctx context.Context) (db *store.DB, done func(), err error) {
	if !a.shared {
		db, err := a.openExisting(ctx)
		return db, func() {}, err
	}
	dir, err := os.MkdirTemp(filepath.Dir(a.db.Path), ".sgz-copy-")
	if err != nil {
		return nil, nil, err
	}
	snap := filepath.Join(dir, "copy.duckdb")
	if _, err := a.db.Snapshot(ctx, snap); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if db, err = store.Open(ctx, snap); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}

// backupTo writes a consistent copy of db to out: a snapshot (writes wait
// while the file is copied), its log folded in, checked to open with every
// migration, then renamed into place.
func backupTo(ctx context.Context, db *store.DB, out string) (int64, error) {
	dir, err := os.MkdirTemp(filepath.Dir(out), ".sgz-backup-")
	if err != nil {
		return 0, locale.Errorf("backup.write", out, err)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "backup.duckdb")
	if _, err := db.Snapshot(ctx, tmp); err != nil {
		return 0, locale.Errorf("backup.write", out, err)
	}
	// Opening the copy replays a copied log; closing it checkpoints: one file.
	c, err := store.Open(ctx, tmp)
	if err != nil {
		return 0, locale.Errorf("backup.write", out, err)
	}
	if _, err := c.ExecContext(ctx, "CHECKPOINT"); err != nil {
		c.Close()
		return 0, locale.Errorf("backup.write", out, err)
	}
	if err := c.Close(); err != nil {
		return 0, locale.Errorf("backup.write", out, err)
	}
	if err := verifyBackup(ctx, tmp); err != nil {
		return 0, err
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, out); err != nil {
		return 0, locale.Errorf("backup.write", out, err)
	}
	return st.Size(), nil
}

// verifyBackup: path opens as a database (read-only, changing nothing)
// and has every migration of this program.
func verifyBackup(ctx context.Context, path string) error {
	if _, err := os.Stat(path + ".wal"); err == nil {
		return locale.Errorf("restore.wal", path)
	}
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		return locale.Errorf("restore.notdb", path, err)
	}
	defer db.Close()
	ms, err := store.Migrations()
	if err != nil {
		return err
	}
	have := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return locale.Errorf("restore.notsgz", path)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return err
		}
		have[v] = true
	}
	for _, m := range ms {
		if !have[m.Version] {
			return locale.Errorf("restore.migration", path, m.Name)
		}
	}
	return rows.Err()
}

func backupCmd(a *app) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "backup -o FILE",
		Short: "备份数据库（一致的副本，服务运行时也可）/ a consistent copy of the database, also while serving",
		Long: "写出数据库的一致副本，可直接作为数据库打开（sgz restore 恢复）。sgz serve 运行时经由它完成，上传等写入稍候片刻。\n" +
			"Writes a consistent copy that opens as a database (sgz restore puts it back); while sgz serve runs, it takes the copy (writes wait meanwhile).",
		Example: "  sgz backup --db /srv/sgz/sgz.duckdb -o /backup/sgz-$(date +%F).duckdb",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if out == "" {
				return locale.Errorf("cli.flag", "-o", a.T("backup.needout"))
			}
			if _, err := os.Stat(out); err == nil && !force {
				return locale.Errorf("backup.exists", out)
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			size, err := backupTo(ctx, db, out)
			if err != nil {
				a.cliAudit(cmd, "backup", filepath.Base(out), auth.Failed, "")
				return err
			}
			a.cliAudit(cmd, "backup", filepath.Base(out), auth.OK, fmt.Sprintf("bytes=%d", size))
			fmt.Fprintf(a.stdout, a.T("backup.done")+"\n", out, float64(size)/(1<<20), time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "备份文件 / the backup file")
	cmd.Flags().BoolVar(&force, "force", false, "覆盖已有的备份文件 / replace an existing file")
	return cmd
}

func restoreCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE",
		Short: "从备份恢复数据库（须先停止 sgz serve）/ put a backup back as the database (stop sgz serve first)",
		Long: "检查 FILE 能作为数据库打开且包含本程序的全部迁移，再替换 --db；--db 已存在时须加 --force；sgz serve 运行时拒绝。\n" +
			"Checks that FILE opens as a database with every migration, then makes it --db; an existing --db needs --force; refused while sgz serve holds --db.",
		Example: "  sgz restore /backup/sgz-2026-12-01.duckdb --db /srv/sgz/sgz.duckdb --force",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			src := args[0]
			if _, err := os.Stat(src); err != nil {
				return locale.Errorf("restore.nofile", src)
			}
			if sameFile(src, a.dbPath) {
				return locale.Errorf("restore.same", src)
			}
			if c, err := dialBeside(a.dbPath); err == nil {
				c.Close()
				return locale.Errorf("restore.serving", a.dbPath)
			}
			if err := verifyBackup(ctx, src); err != nil {
				return err
			}
			if _, err := os.Stat(a.dbPath); err == nil {
				if !force {
					return locale.Errorf("restore.exists", a.dbPath)
				}
				// Held by another process? Opening it says so.
				db, err := a.open(ctx)
				if err != nil {
					return err
				}
				a.close()
				_ = db
			}
			tmp := a.dbPath + ".restore-part"
			if err := store.CopyFile(src, tmp); err != nil {
				os.Remove(tmp)
				return locale.Errorf("restore.write", a.dbPath, err)
			}
			if err := os.Remove(a.dbPath + ".wal"); err != nil && !errors.Is(err, os.ErrNotExist) {
				os.Remove(tmp)
				return locale.Errorf("restore.write", a.dbPath, err)
			}
			if err := os.Rename(tmp, a.dbPath); err != nil {
				os.Remove(tmp)
				return locale.Errorf("restore.write", a.dbPath, err)
			}
			// The restored trail is the one that counts now: its witness is
			// reset to it, then the restore itself goes on it.
			if db, err := a.open(ctx); err == nil {
				auth.ResetHead(ctx, db)
				a.cliAudit(cmd, "restore", filepath.Base(src), auth.OK, "")
			}
			fmt.Fprintf(a.stdout, a.T("restore.done")+"\n", src, a.dbPath)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "替换已有的数据库 / replace an existing database")
	return cmd
}

func init() {
	locale.Add(map[string]locale.Text{
		"backup.needout":    {"须指定备份文件", "the backup file is required"},
		"backup.exists":     {"%s 已存在：换一个文件名，或加 --force 覆盖", "%s exists: choose another name, or --force to replace it"},
		"backup.write":      {"无法写出备份 %s：%v", "cannot write the backup %s: %v"},
		"backup.done":       {"已备份到 %s（%.1f MB，用时 %.1f 秒）", "backed up to %s (%.1f MB in %.1f s)"},
		"restore.nofile":    {"找不到备份文件 %s", "no backup file %s"},
		"restore.same":      {"%s 就是 --db 本身", "%s is --db itself"},
		"restore.serving":   {"sgz serve 正在使用 %s：先停止服务再恢复", "sgz serve holds %s: stop it before restoring"},
		"restore.exists":    {"数据库 %s 已存在：确认要用备份替换它时加 --force", "the database %s exists: add --force to replace it with the backup"},
		"restore.wal":       {"%s 旁有未合并的日志文件（.wal），不是 sgz backup 写出的完整备份", "%s has a write-ahead log (.wal) beside it: not a whole backup written by sgz backup"},
		"restore.notdb":     {"%s 不能作为数据库打开：%v", "%s does not open as a database: %v"},
		"restore.notsgz":    {"%s 不是 sgz 的数据库（没有迁移记录）", "%s is not an sgz database (no migrations recorded)"},
		"restore.migration": {"%s 缺少迁移 %s：它来自更早的版本，请先用 sgz 打开一次（如 sgz registry versions --db 该文件）再恢复", "%s lacks the migration %s: it is from an older version; open it with sgz once (e.g. sgz registry versions --db FILE) first"},
		"restore.write":     {"无法恢复到 %s：%v", "cannot restore to %s: %v"},
		"restore.done":      {"已从 %s 恢复到 %s", "restored %s to %s"},
	})
}
