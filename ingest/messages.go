package ingest

import "sgz/locale"

func init() {
	locale.Add(map[string]locale.Text{
		// Whole-file problems.
		"ingest.file.unreadable":   {"无法读取文件：%s", "cannot read the file: %s"},
		"ingest.file.notzip":       {"不是有效的 .xlsx 工作簿（可能是改了扩展名的 CSV、网页或其他文件），请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后重新上报", "not a valid .xlsx workbook (perhaps a CSV, web page or other file renamed .xlsx); save it from Excel as \"Excel Workbook (*.xlsx)\" and send it again"},
		"ingest.file.xls":          {"这是旧版 Excel 97-2003 (.xls) 文件，请在 Excel 中另存为 .xlsx 后重新上报", "this is an old Excel 97-2003 (.xls) file; save it as .xlsx and send it again"},
		"ingest.file.encrypted":    {"工作簿设有打开密码，无法读取；请取消密码后重新上报", "the workbook is password-protected and cannot be read; remove the password and send it again"},
		"ingest.file.truncated":    {"文件不完整（可能在上传或复制时被截断），请重新保存后上报", "the file is incomplete (cut off while uploading or copying); save it again and resend"},
		"ingest.file.corrupt":      {"文件已损坏，无法读取（%s）", "the file is corrupt and cannot be read (%s)"},
		"ingest.file.toolarge":     {"文件大小 %s 超过上限 %s", "the file is %s, over the limit of %s"},
		"ingest.file.zipbomb":      {"文件解压后超过 %s 上限，已拒绝读取（疑似压缩炸弹或内容异常）", "the file inflates beyond the %s limit and was refused (a zip bomb or abnormal content)"},
		"ingest.file.rows":         {"工作表行数超过上限 %d 行", "the sheet has more than %d rows"},
		"ingest.recheck.none":      {"没有编号为 %d 的报表文件", "no stored file for return %d"},
		"ingest.path":              {"找不到文件或文件夹：%s", "no such file or folder: %s"},
		"ingest.walk":              {"无法读取文件夹 %s：%v", "cannot read the folder %s: %v"},
		"ingest.read":              {"无法读取文件 %s：%v", "cannot read the file %s: %v"},
		"ingest.file.open":         {"无法打开文件：%s", "cannot open the file: %s"},
		"ingest.internal":          {"读取本文件时程序出错，文件未被接收，请联系管理员（%s）", "the program failed while reading this file; it was not accepted; please tell the administrator (%s)"},
		"ingest.too_many":          {"错误过多，仅列出前 %d 条（共 %d 条）", "too many errors: the first %d of %d are listed"},
		"ingest.too_many_warnings": {"提示过多，仅列出前 %d 条（共 %d 条）", "too many warnings: the first %d of %d are listed"},

		// Sheets and columns.
		"ingest.sheet.missing":   {"缺少工作表“%s”", "the sheet \"%s\" is missing"},
		"ingest.sheet.dup":       {"工作表“%s”出现两次（“%s”和“%s”），请只保留一张", "the sheet \"%s\" appears twice (\"%s\" and \"%s\"); keep one"},
		"ingest.sheet.unknown":   {"工作表“%s”不属于报表，已忽略", "the sheet \"%s\" is not part of the return and was ignored"},
		"ingest.sheet.header":    {"工作表“%s”找不到表头行（应包含列：%s）", "no header row found in sheet \"%s\" (it should have the columns %s)"},
		"ingest.col.missing":     {"缺少列“%s”（表头在第 %d 行）", "the column \"%s\" is missing (header on row %d)"},
		"ingest.col.dup":         {"列“%s”出现两次（%s 列和 %s 列）", "the column \"%s\" appears twice (columns %s and %s)"},
		"ingest.col.unknown":     {"未识别的列“%s”，已忽略", "unknown column \"%s\" ignored"},
		"ingest.key.missing":     {"缺少“%s”一项", "the item \"%s\" is missing"},
		"ingest.key.dup":         {"“%s”填写了两次", "\"%s\" is given twice"},
		"ingest.key.unknown":     {"未识别的项目“%s”，已忽略", "unknown item \"%s\" ignored"},
		"ingest.empty_as_no":     {"“%s”有 %d 处为空，按“否”（或本区）计，首处为 %s", "\"%s\" is empty in %d rows and was read as no (or the district itself); the first is %s"},
		"ingest.merged":          {"合并单元格 %s 的值按其覆盖的每个单元格各计一次（与表中所见一致），请核实", "the value of the merged cells %s counts for every cell they cover, as the sheet shows it; please check"},
		"ingest.header.repeated": {"第 %d 行重复了表头，已跳过", "row %d repeats the header and was skipped"},
		"ingest.total.mismatch":  {"合计行“%s”为 %d，与各行之和 %d 不一致", "the total row gives \"%s\" as %d, but the rows above add up to %d"},

		// Values.
		"ingest.v.empty":     {"“%s”必须填写，此处为空", "\"%s\" is required but empty"},
		"ingest.v.yesno":     {"“%s”应为“是”或“否”，实为“%s”", "\"%s\" should be yes or no (是/否), found \"%s\""},
		"ingest.v.int":       {"“%s”应为整数，实为“%s”", "\"%s\" should be a whole number, found \"%s\""},
		"ingest.v.notwhole":  {"“%s”应为整数，实为小数“%s”", "\"%s\" should be a whole number, found the decimal \"%s\""},
		"ingest.v.number":    {"“%s”应为数字，实为“%s”", "\"%s\" should be a number, found \"%s\""},
		"ingest.v.toolarge":  {"“%s”数值过大：“%s”", "\"%s\" is too large: \"%s\""},
		"ingest.v.negative":  {"“%s”不能为负数，实为“%s”", "\"%s\" cannot be negative, found \"%s\""},
		"ingest.v.positive":  {"“%s”应大于 0，实为“%s”", "\"%s\" should be greater than 0, found \"%s\""},
		"ingest.v.decimals":  {"“%s”最多保留 4 位小数（单位万元），实为“%s”", "\"%s\" takes at most 4 decimals (in 10,000 yuan), found \"%s\""},
		"ingest.v.date":      {"“%s”应为日期（如 2024-05-01、2024/5/1、2024年5月1日），实为“%s”", "\"%s\" should be a date (e.g. 2024-05-01, 2024/5/1, 2024年5月1日), found \"%s\""},
		"ingest.v.code":      {"“%s”应为 %d 位区划代码，实为“%s”", "\"%s\" should be a %d-digit division code, found \"%s\""},
		"ingest.v.code_any":  {"“%s”应为 6、9 或 12 位区划代码，实为“%s”", "\"%s\" should be a 6-, 9- or 12-digit division code, found \"%s\""},
		"ingest.v.precision": {"“%s”中的代码“%s”以科学计数法保存，末几位已丢失；请把单元格设为文本格式后重新输入完整代码", "the code in \"%s\" is stored in scientific notation (\"%s\") and has lost digits; format the cell as text and type the full code again"},
		"ingest.v.choice":    {"“%s”应为以下之一：%s；实为“%s”", "\"%s\" should be one of %s; found \"%s\""},
		"ingest.v.period":    {"报告期应为季度（如 2026Q3、2026年第三季度），实为“%s”", "the reporting period should be a quarter (e.g. 2026Q3, 2026年第三季度), found \"%s\""},

		// District and registry.
		"ingest.registry.none":    {"报告期 %s 没有适用的区划名录，请先导入名录", "no master registry applies to %s; load one first"},
		"ingest.district.unknown": {"区划代码 %s 不是区划名录（%s 适用版本）中的区（县、县级市）", "the district code %s is not a district of the registry in force for %s"},
		"ingest.district.name":    {"填报单位“%s”与区划代码 %s 在名录中的名称“%s”不一致", "the reporting unit \"%s\" differs from the registry name of %s, \"%s\""},
		"ingest.district.scope":   {"只能上报本区（%s）的报表，此文件的区划代码为 %s", "you may only send returns for your own district (%s); this file is for %s"},

		// Units listed in the station and room sheets.
		"ingest.unit.unknown": {"代码 %s 不在区划名录中", "the code %s is not in the master registry"},
		"ingest.unit.level":   {"代码 %s（%s）是%s，应填%s代码", "the code %s (%s) is a %s code; a %s code is wanted here"},
		"ingest.unit.other":   {"代码 %s（%s）属于 %s，不属于本区 %s", "the code %s (%s) belongs to %s, not to this district %s"},
		"ingest.unit.dup":     {"代码 %s 重复填报（第 %d 行已填）", "the code %s is listed twice (already on row %d)"},
		"ingest.unit.scope":   {"%s %s 不在考核范围内，数据已记录但不计入指标", "%s %s is outside the assessment scope: kept, but not counted"},
		"ingest.unit.name":    {"名称“%s”与名录中的“%s”不一致", "the name \"%s\" differs from the registry's \"%s\""},
		"ingest.unit.missing": {"缺少%s %s %s（名录中属于本区且在考核范围内，每个都须填报一行）", "the %s %s %s is missing (it is in this district's scope: every one needs a row)"},

		// Row rules.
		"ingest.built.date_required": {"已建成时须填写“%s”", "\"%s\" is required when built"},
		"ingest.built.notbuilt_date": {"未建成时建成时间应为空，实为“%s”", "the completion date should be empty when not built, found \"%s\""},
		"ingest.built.future":        {"建成时间 %s 晚于报告期 %s 的最后一天 %s", "the completion date %s is after the last day of %s (%s)"},
		"ingest.built.early":         {"建成时间 %s 早于 2000 年，请核实", "the completion date %s is before 2000; please check"},
		"ingest.built.regressed":     {"上期（%s）报告为已建成，本期为未建成，请核实", "reported built last quarter (%s), not built now; please check"},
		"ingest.standard.notbuilt":   {"社工站未建成，不能填“达到规范化标准”", "a station that is not built cannot meet the standard"},
		"ingest.count.required":      {"已建成的社工站须填写“%s”", "\"%s\" is required for a built station"},
		"ingest.count.notbuilt":      {"社工站未建成，但“%s”为 %d", "the station is not built, yet \"%s\" is %d"},
		"ingest.cert.exceeds":        {"“%s”（%d）大于“%s”（%d）", "\"%s\" (%d) is greater than \"%s\" (%d)"},
		"ingest.fund.unit":           {"单位代码 %s 不是本区 %s 或其乡镇(街道)、村(社区)", "the unit code %s is not this district %s or one of its towns or villages"},
		"ingest.training.outside":    {"开始日期 %s 不在报告期 %s 内", "the start date %s is outside the period %s"},
		"ingest.workforce.sum":       {"助理社会工作师、社会工作师、高级社会工作师之和（%d）应等于持证社工总数（%d）", "the three grades add up to %d, but the certified total is %d"},
		"ingest.warn.large":          {"“%s”为 %v，数值偏大，请核实", "\"%s\" is %v, which is unusually large; please check"},
	})
}
