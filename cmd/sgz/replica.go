package main

import (
	"context"
	"crypto/tls"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"sgz/dashboard"
	"sgz/locale"
	"sgz/publish"
	"sgz/query"
	"sgz/store"
)

// replicaFlags: snapshots published by the writer (--publish), and a
// read-only replica serving them (--replica). The work is done in package
// publish and dashboard (replica.go); this only wires it.
type replicaFlags struct {
	publishDir string
	keep       int
	debounce   time.Duration
	secretFile string
	dir        string
	writer     string
	poll       time.Duration
	peerCache  time.Duration
}

func (r *replicaFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&r.publishDir, "publish", "", "每次数据变动后在此目录发布只读快照（DuckDB 文件与各视图的 Parquet），供只读副本与部级分析引擎读取 / publish a read-only snapshot (DuckDB file, Parquet of the views) here after each change, for replicas and Parquet readers")
	f.IntVar(&r.keep, "publish-keep", publish.DefaultKeep, "保留最近几份快照 / snapshots kept")
	f.DurationVar(&r.debounce, "publish-debounce", publish.DefaultDebounce, "连续变动在此时间内合并为一次发布 / changes within this make one publication")
	f.StringVar(&r.secretFile, "peer-secret-file", "", "主服务器与只读副本共用的密钥文件（副本凭它向主服务器核对登录）/ file holding the secret the writer and its replicas share (replicas check logins with it)")
	f.StringVar(&r.dir, "replica", "", "只读副本：从该目录（主服务器的 --publish）的最新快照提供看板 / read-only replica: serve the newest snapshot of this directory (the writer's --publish)")
	f.StringVar(&r.writer, "writer", "", "只读副本：主服务器的地址，如 http://10.0.0.1:8080 / replica: the writer's address, e.g. http://10.0.0.1:8080")
	f.DurationVar(&r.poll, "replica-poll", time.Second, "只读副本：多久检查一次新快照 / replica: how often to look for a newer snapshot")
	f.DurationVar(&r.peerCache, "peer-cache", 5*time.Second, "只读副本：主服务器对登录的答复可信多久（0：每次都问）/ replica: how long the writer's answer about a login is trusted (0: ask every time)")
	limit(cmd, "publish-keep", 1, 1000, false)
	limit(cmd, "publish-debounce", 0, 60, false)
	limit(cmd, "replica-poll", 0.05, 60, false)
	limit(cmd, "peer-cache", 0, 60, false)
}

// secret reads --peer-secret-file ("" without it).
func (r *replicaFlags) secret() (string, error) {
	if r.secretFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(r.secretFile)
	if err != nil {
		return "", locale.Errorf("serve.secretfile", r.secretFile, err)
	}
	s := strings.TrimSpace(string(b))
	if len(s) < 16 {
		return "", locale.Errorf("replica.shortsecret", r.secretFile)
	}
	return s, nil
}

// publisher prepares publishing snapshots of db when --publish is given,
// adding its metrics and its last generation to the server's options;
// start (once the server is built: its registry is in the first
// snapshot) runs it until stop.
func (r *replicaFlags) publisher(db *store.DB, opt *dashboard.Options) (start func(context.Context) (stop func()), err error) {
	if r.publishDir == "" {
		return func(context.Context) func() { return func() {} }, nil
	}
	p, err := publish.New(db, publish.Options{Dir: r.publishDir, Keep: r.keep, Debounce: r.debounce})
	if err != nil {
		return nil, locale.Errorf("replica.publishdir", r.publishDir, err)
	}
	opt.Collectors = append(opt.Collectors, p.Collectors()...)
	opt.Health = func() map[string]any {
		g, at := p.Last()
		h := map[string]any{"published_generation": g}
		if !at.IsZero() {
			h["published_time"] = at.Format(time.RFC3339Nano)
		}
		return h
	}
	return func(ctx context.Context) func() {
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
		return func() { cancel(); wg.Wait() }
	}, nil
}

// serveReplica is sgz serve --replica DIR: no --db, the newest snapshot
// of DIR, logins checked with --writer.
func (a *app) serveReplica(cmd *cobra.Command, r *replicaFlags, mem *serveMemory, lim query.Limits, addr, publicURL, tlsCert, tlsKey string, proxies []string, geojson, rules string) error {
	ctx := cmd.Context()
	if r.publishDir != "" {
		return locale.Errorf("replica.both")
	}
	if r.writer == "" {
		return locale.Errorf("replica.needwriter")
	}
	secret, err := r.secret()
	if err != nil {
		return err
	}
	tlsConf, pub, err := serveAddress(addr, publicURL, tlsCert, tlsKey)
	if err != nil {
		return err
	}
	peerCache := r.peerCache
	if peerCache == 0 {
		peerCache = -1 // ask every time
	}
	opt := dashboard.Options{PublicURL: pub, TrustedProxies: proxies,
		Replica: &dashboard.ReplicaOptions{WriterURL: r.writer, PeerSecret: secret, PeerCache: peerCache,
			// Each snapshot's DuckDB as the writer's own: --db-memory (not
			// DuckDB's default of 80% of the machine), the allocator, locked down.
			Prepare: func(ctx context.Context, db *store.DB) error { return mem.prepare(ctx, db, lim) }}}
	if err := pageOptions(&opt, rules, geojson); err != nil {
		return err
	}
	rep, err := dashboard.NewReplica(opt)
	if err != nil {
		return err
	}
	defer rep.Close()
	// The first snapshot before listening: a replica pointed at the wrong
	// directory says so at once.
	if err := rep.Refresh(ctx, r.dir); err != nil {
		return locale.Errorf("replica.nocurrent", r.dir, err)
	}
	ln, err := a.listen(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); rep.Watch(wctx, r.dir, r.poll) }()
	defer func() { cancel(); wg.Wait() }()
	return a.serveOn(ctx, ln, pub, rep)
}

func init() {
	locale.Add(map[string]locale.Text{
		"replica.both":        {"--replica 与 --publish 不能同时给出：只读副本不发布快照", "--replica and --publish do not go together: a replica publishes nothing"},
		"replica.needwriter":  {"只读副本需要 --writer：主服务器的地址（登录、上传、审核都在那里）", "a replica needs --writer: the writer's address (logins, uploads and reviews happen there)"},
		"replica.shortsecret": {"密钥文件 %s 太短：至少 16 个字符（如 head -c 32 /dev/urandom | base64）", "the secret file %s is too short: at least 16 characters (e.g. head -c 32 /dev/urandom | base64)"},
		"replica.publishdir":  {"无法在 %s 发布快照：%v", "cannot publish snapshots in %s: %v"},
		"replica.nocurrent":   {"%s 中没有可用的快照（主服务器以 --publish 发布）：%v", "no snapshot in %s (the writer publishes them with --publish): %v"},
	})
}
