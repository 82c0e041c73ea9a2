package main

import "sgz/locale"

func init() {
	locale.Add(map[string]locale.Text{
		"ingest.dbmemory": {"导入时 DuckDB 内存不足（--db-memory %d MB）：此前已提交的文件已保存，其余未导入；请加大 --db-memory 后重新导入（已保存的文件会显示为“未变化”）。DuckDB：%s",
			"DuckDB ran out of memory during the ingest (--db-memory %d MB): the files committed before are kept, the others were not ingested; raise --db-memory and ingest again (the kept files show as unchanged). DuckDB: %s"},
	})
}
