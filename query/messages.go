package query

import "sgz/locale"

func init() {
	locale.Add(map[string]locale.Text{
		"query.badsize":      {"%s 的取值 %q 无效（例如 512MB、2GB）", "invalid %s %q (e.g. 512MB, 2GB)"},
		"query.unlocked":     {"查询引擎要求数据库先锁定（query.Lockdown）", "the query engine needs a locked-down database (query.Lockdown)"},
		"query.empty":        {"请输入一条 SQL 查询语句", "enter one SQL query"},
		"query.toolong":      {"SQL 过长：%d 字节，上限 %d 字节", "the SQL is too long: %d bytes, at most %d"},
		"query.multiple":     {"只能执行一条语句，这里有 %d 条", "only one statement can run; this text has %d"},
		"query.notselect":    {"只允许只读查询（SELECT、WITH … SELECT、FROM、DESCRIBE、SUMMARIZE、SHOW）；这是一条 %s 语句，已拒绝，数据库未作任何改动", "only reading queries are allowed (SELECT, WITH … SELECT, FROM, DESCRIBE, SUMMARIZE, SHOW); this %s statement is refused and nothing was changed"},
		"query.table":        {"不能查询 %s：分析人员只能查询以 v_ 开头的视图（见视图列表）", "%s cannot be queried: analysts query the v_* views only (see the list of views)"},
		"query.cteshadow":    {"公用表表达式不能与内部表同名：%s", "a WITH name cannot be the name of an internal table: %s"},
		"query.tablefunc":    {"不允许使用表函数 %s（不能读取文件、网络或内部表）", "the table function %s is not allowed (no files, network or internal tables)"},
		"query.function":     {"不允许使用函数 %s（会改变数据库状态或绕过视图）", "the function %s is not allowed (it changes state or bypasses the views)"},
		"query.unanalysed":   {"无法分析这条查询，已拒绝：%s", "this query could not be analysed and is refused: %s"},
		"query.timeout":      {"查询超过时间上限 %s，已中止", "the query ran past the time limit of %s and was stopped"},
		"query.canceled":     {"查询已取消", "the query was canceled"},
		"query.memory":       {"查询所需内存超过上限（%s），已中止：%s", "the query needs more memory than the limit (%s) and was stopped: %s"},
		"query.sql":          {"SQL 错误：%s", "SQL error: %s"},
		"query.busy":         {"您已有 %d 条查询在运行或排队，请等其完成后再提交", "you already have %d queries running or waiting; wait for them to finish"},
		"query.workermemory": {"查询超出内存上限 %s，执行它的进程已被终止；请缩小查询（更少的行、列或更短的文本）", "the query went past the memory limit of %s and its process was stopped; make it smaller (fewer rows, columns or shorter text)"},
		"query.workerfailed": {"查询进程意外退出（%s）：%s", "the query's process ended unexpectedly (%s): %s"},
		"query.toolarge":     {"查询结果超过 %s 的上限；请减少行或列（例如加 LIMIT）", "the result is larger than the limit of %s; ask for fewer rows or columns (e.g. add LIMIT)"},
		"query.truncated":    {"结果已截断：只显示前 %d 行", "result truncated to the first %d rows"},
		"query.rows":         {"%d 行，用时 %d 毫秒", "%d rows in %d ms"},
		"query.nosession":    {"缺少 session 参数", "the session parameter is missing"},
		"query.badrequest":   {"请求无效：%v", "bad request: %v"},
		"query.exportdir":    {"导出目录 %s 已存在且不为空", "the export directory %s exists and is not empty"},
		"query.exportfile":   {"目标文件 %s 已存在", "the file %s already exists"},
		"query.exportlock":   {"数据库已锁定，无法导出文件；请在单独的 sgz export 进程中导出", "the database is locked down and cannot write files; export with a separate sgz export process"},
	})
}
