package metrics

import "sgz/locale"

// Sentences added for the wording of issue 10 (one quarter is not "quarters").
func init() {
	locale.Add(map[string]locale.Text{
		"metrics.ms.open1": {"差 %s 个百分点，还剩 1 个季度", "%s percentage points to go, 1 quarter left"},
	})
}
