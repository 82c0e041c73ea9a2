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
		"ret.col.row": {"行号", "Row"},
		"rules.cite":  {"考核规则：%s（SHA-256 %s…）", "Rules: %s (SHA-256 %s…)"},
		"val.nopop":   {"名录未提供人口", "no population in the registry"},
		"val.late1":   {"逾期 1 天", "1 day late"},
		"val.lateN":   {"逾期 %d 天", "%d days late"},
	})
}
