package auth

import "sgz/locale"

func init() {
	locale.Add(map[string]locale.Text{
		"auth.badlogin":        {"用户名或密码错误", "wrong user name or password"},
		"auth.badname":         {"用户名 %q 无效（1–64 个字符，不含空格、斜杠、引号、<>&）", "invalid user name %q (1–64 characters, no spaces, slashes, quotes or <>&)"},
		"auth.shortpw":         {"密码至少 %d 个字符", "the password needs at least %d characters"},
		"auth.namepw":          {"密码不能与用户名相同", "the password must not be the user name"},
		"auth.norole":          {"至少指定一个角色（--role）", "give at least one role (--role)"},
		"auth.clerknodistrict": {"区县填报员须指定所属区县（--district）", "a clerk needs their district (--district)"},
		"auth.exists":          {"用户 %s 已存在", "the user %s exists already"},
		"auth.nouser":          {"没有用户 %s", "no user %s"},
		"auth.disabled":        {"用户 %s 已停用", "the user %s is disabled"},
		"auth.notoken":         {"没有编号为 %d 的令牌", "no token with id %d"},
		"auth.badttl":          {"有效期 %q 无效（如 90d、12h）", "invalid validity %q (e.g. 90d, 12h)"},
		"audit.gap":            {"审计记录被删除：缺少第 %d 条", "an audit entry was removed: entry %d is missing"},
		"audit.broken":         {"审计记录第 %d 条与前一条的链接被破坏", "audit entry %d no longer follows the previous one"},
		"audit.truncated":      {"审计记录被截短：记录旁的见证文件表明曾有 %d 条，现在只有 %d 条", "the audit trail was cut short: the witness beside the database names entry %d, the trail now has %d"},
		"audit.ok":             {"审计记录完整：共 %d 条，逐条哈希链校验通过", "the audit trail is intact: %d entries, every hash link checked"},
		"audit.altered":        {"审计记录第 %d 条被改动", "audit entry %d was altered"},
	})
}
