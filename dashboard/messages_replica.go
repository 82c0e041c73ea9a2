package dashboard

import "sgz/locale"

// Messages of read-only replicas (replica.go).
func init() {
	locale.Add(map[string]locale.Text{
		"replica.readonly":   {"只读副本：请在主服务器上操作（%s）", "read-only replica: do this on the writer (%s)"},
		"replica.writerdown": {"只读副本暂时无法向主服务器（%s）核对登录，请稍后再试", "this read-only replica cannot check your login with the writer (%s) right now; try again shortly"},
		"replica.nosnapshot": {"只读副本正在启动，尚无可用的数据快照，请稍后再试", "this read-only replica is starting and has no snapshot yet; try again shortly"},
		"replica.badwriter":  {"--writer %q 不是主服务器的地址（如 http://10.0.0.1:8080）", "--writer %q is not the writer's address (e.g. http://10.0.0.1:8080)"},
		"replica.nosecret":   {"只读副本需要 --peer-secret-file：与主服务器共用的密钥文件", "a read-only replica needs --peer-secret-file: the secret shared with the writer"},
	})
}
