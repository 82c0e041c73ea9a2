package dashboard

import "sgz/locale"

// Sentences of the big screen, the return page's columns, the upload page's
// steps and the wording fixes of issue 10.
func init() {
	locale.Add(map[string]locale.Text{
		"big.heading":    {"%s社会工作服务站（室）建设 · %s", "%s: social work stations and rooms · %s"},
		"big.reported":   {"已报送 %d / %d 个区县", "%d of %d districts reported"},
		"big.unreported": {"（%s）", " (%s)"},
		"big.notyet":     {"未报送：", "Not reported: "},
		"big.rank":       {"第 %d 名 · %s 分", "rank %d · %s points"},
		"big.asof":       {"数据截至 %s", "data as of %s"},
		"big.milestones": {"目标进度：两年全覆盖、三年全规范", "Milestones: full coverage in two years, standardised in three"},
		"big.riskmore":   {"另有 %d 项，见总览", "%d more: see the overview"},
		"big.badrotate":  {"轮播间隔 rotate=%q 无法识别：请写 5 至 600 秒，如 rotate=20s 或 rotate=1m", "rotate=%q not understood: give 5 to 600 seconds, e.g. rotate=20s or rotate=1m"},
		"big.spotlight":  {"区县轮播", "District in focus"},
	})
}

// Sentences of the wording fixes.
func init() {
	locale.Add(map[string]locale.Text{
		"up.due":           {"%s 报表截止日：%s（含当天）。", "The %s return is due on %s (inclusive)."},
		"up.ontime":        {"今天（%s）上传为按时报送，距截止还有 %d 天。", "Uploaded today (%s), it is on time: %d days before the due date."},
		"up.ontime1":       {"今天（%s）上传为按时报送，明天截止。", "Uploaded today (%s), it is on time: the due date is tomorrow."},
		"up.ontime0":       {"今天（%s）是截止日，今天上传仍为按时报送。", "Today (%s) is the due date: an upload today is on time."},
		"up.late":          {"今天（%s）上传：%s，计为逾期报送。", "Uploaded today (%s): %s; it counts as late."},
		"up.first":         {"本期已于 %s 首次报送（%s）；再次上传视为更正，按时与否以首次报送为准。", "First sent on %s (%s); another upload is a correction: timeliness goes by the first."},
		"up.step1":         {"第一步　下载模板", "Step 1. Download the template"},
		"up.step1.text":    {"模板已填好本区县的名称、区划代码和报告期，并列出应建社工站的乡镇（街道）和应建社工室的村（社区）。请选择要填报的季度后下载。", "The template has your district's name, code and the period filled in, and lists the towns and villages that should have a station or a room. Choose the quarter, then download."},
		"up.step2":         {"第二步　填写", "Step 2. Fill it in"},
		"up.step2.text":    {"在 Excel 或 WPS 中逐表填写以下工作表。每一列的填写要求写在表头的批注里（鼠标停在表头上即可看到）；有下拉框的列请从下拉框中选择；金额一律以万元为单位。请勿改动工作表名称和表头。", "Fill in these sheets in Excel or WPS. What each column wants is in its header's comment (hover over the header); where a column has a drop-down, choose from it; amounts are in 10,000 yuan. Do not rename the sheets or change the headers."},
		"up.optional":      {"（可选）", " (optional)"},
		"up.step3":         {"第三步　上传", "Step 3. Upload"},
		"up.step4":         {"第四步　之后", "Step 4. What happens next"},
		"up.after.check":   {"系统当即逐格检查。有错误的报表不被接收，本页列出每处错误所在的工作表和单元格，并可下载标注了错误的工作簿；改正后重新上传即可。", "The workbook is checked cell by cell at once. A return with errors is not accepted: this page lists each error by sheet and cell and offers the workbook with the errors marked; correct them and upload again."},
		"up.after.pending": {"没有错误的报表即被接收并计入统计，状态为“待审核”；“提示”不影响接收。", "A return without errors is accepted and counted at once, pending review; warnings do not stop it."},
		"up.after.review":  {"考核员审核后通过；如需修改，考核员会“退回修改”并写明原因，退回的报表列在本页“本区县被退回的报表”中，按原因修改后重新上传。", "An evaluator then approves it, or sends it back with a reason: returns sent back are listed on this page under “Returns of your district sent back”; correct and upload again."},
		"ret.col.row":      {"行号", "Row"},
		"rules.cite":       {"考核规则：%s（SHA-256 %s…）", "Rules: %s (SHA-256 %s…)"},
		"val.nopop":        {"名录未提供人口", "no population in the registry"},
		"val.late1":        {"逾期 1 天", "1 day late"},
		"val.lateN":        {"逾期 %d 天", "%d days late"},
	})
}
