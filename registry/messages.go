package registry

import "sgz/locale"

func init() {
	locale.Add(map[string]locale.Text{
		"registry.gzip":       {"%s：无法解压（%v）", "%s: cannot decompress (%v)"},
		"registry.empty":      {"%s：没有数据行（应有表头 code,name,level,parent_code）", "%s: no data rows (expected header code,name,level,parent_code)"},
		"registry.column":     {"%s：缺少列 %s（应有 code,name,level,parent_code，可选 in_scope,population）", "%s: missing column %s (need code,name,level,parent_code, optional in_scope,population)"},
		"registry.csv":        {"%s 第 %d 行：无法读取（%v）", "%s line %d: cannot read (%v)"},
		"registry.level":      {"%s 第 %d 行：级别“%s”无效，应为 province、city、district、town 或 village", "%s line %d: level %q is not one of province, city, district, town, village"},
		"registry.code":       {"%s 第 %d 行：代码“%s”应为 %d 位数字", "%s line %d: code %q should be %d digits"},
		"registry.name":       {"%s 第 %d 行：代码 %s 缺少名称", "%s line %d: code %s has no name"},
		"registry.parent":     {"%s 第 %d 行：上级代码“%s”不是 %s 的上级", "%s line %d: parent code %q cannot be the parent of %s"},
		"registry.duplicate":  {"%s 第 %d 行：代码 %s 重复（第 %d 行已出现）", "%s line %d: code %s repeated (first on line %d)"},
		"registry.scope":      {"%s 第 %d 行：in_scope“%s”应为 是/否、true/false 或 1/0", "%s line %d: in_scope %q should be yes/no, true/false or 1/0"},
		"registry.population": {"%s 第 %d 行：population“%s”应为非负整数", "%s line %d: population %q should be a whole number ≥ 0"},
	})
}
