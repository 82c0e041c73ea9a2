package dashboard

import "sgz/locale"

// Messages of the fair comparisons, 未报送 and the 催报 list (compare.go, reminders.go).
func init() {
	locale.Add(map[string]locale.Text{
		"cmp.prev":                {"较上期", "vs the previous period"},
		"cmp.yoy":                 {"同比", "vs a year earlier"},
		"cmp.card.prev":           {"较上期(%s)", "vs %s"},
		"cmp.card.yoy":            {"同比(%s)", "vs %s (a year earlier)"},
		"cmp.scope":               {"%s（%s）同口径：%d 个区县", "%s (%s), same districts: %d"},
		"cmp.none":                {"%s（%s）：没有两期均已报送的区县，不作比较", "%s (%s): no district reported in both periods, no comparison"},
		"cmp.left.span":           {"不计入：%s（本期未报送）", "left out: %s (not reported in this period)"},
		"cmp.left.base.prev":      {"不计入：%s（上期未报送）", "left out: %s (not reported in the previous period)"},
		"cmp.left.base.yoy":       {"不计入：%s（去年同期未报送）", "left out: %s (not reported a year earlier)"},
		"cmp.partial":             {"%s只比较两期均已报送的 %d 个季度", "%s: only the %d quarter(s) reported in both"},
		"cmp.withleft":            {"%s（%s）", "%s (%s)"},
		"cmp.ytd":                 {"年初至今（%s）", "year to date (%s)"},
		"cmp.notbase.prev":        {"上期未报送", "not reported in the previous period"},
		"cmp.notbase.yoy":         {"去年同期未报送", "not reported a year earlier"},
		"cmp.rule":                {"比较只计两期均已报送的区县（同口径），比率的变化以个百分点表示。", "Comparisons count only the districts that reported in both periods; changes of rates are in percentage points."},
		"cmp.badunit":             {"单位 %s 不在名录中", "unit %s is not in the registry"},
		"chart.gap":               {"%s（%s）", "%s (%s)"},
		"ov.unreported":           {"未报送：%s", "not reported: %s"},
		"remind.link":             {"催报名单", "Reminder list"},
		"remind.title":            {"催报名单（%s）", "Reminder list (%s)"},
		"remind.col.due":          {"截止日期", "Due by"},
		"remind.col.days":         {"逾期天数", "Days late"},
		"remind.col.reporter":     {"填报人", "Reporter"},
		"remind.col.phone":        {"联系电话", "Phone"},
		"remind.status.missing":   {"未报送", "not sent"},
		"remind.status.sent_back": {"退回修改后未重新报送", "sent back, not resubmitted"},
		"remind.none":             {"本期应报区县均已报送，无需催报。", "Every district due has reported: nobody to remind."},
		"remind.private":          {"填报人和联系电话仅考核员、管理员和本区县填报员可见", "reporters and phone numbers are shown only to evaluators, administrators and the district's own clerks"},
	})
}
