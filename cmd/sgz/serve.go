package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"sgz/auth"
	"sgz/dashboard"
	"sgz/locale"
	"sgz/metrics"
	"sgz/query"
)

func init() { commands = append(commands, serveCmd) }

func serveCmd(a *app) *cobra.Command {
	var addr, publicURL, geojson, rules, tlsCert, tlsKey string
	var oidcOpt dashboard.OIDCOptions
	var oidcSecretFile string
	var proxies []string
	var maxUploadMB, quotaMB float64
	var uploadRate int
	var lim query.Limits
	var rep replicaFlags
	var mem serveMemory
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "启动数据看板、报表上传、导出、SQL 查询与 JSON 接口 / serve the dashboards, uploads, exports, SQL console and JSON API",
		Long: "在 --addr 上提供网页看板（首页、区县、指标、考核、报送、上传、地图、SQL 查询）与 /api/v1 JSON 接口，全部资源内置，无需外网。\n" +
			"每个页面都需要登录（sgz user add 建立账号）；没有管理员账号时只能在本机地址（127.0.0.1）上启动。\n" +
			"Serves the dashboards and the JSON API on --addr with every asset embedded (no internet needed).\n" +
			"Every page needs an account (sgz user add); while no admin account exists, only a loopback --addr is allowed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if rep.dir != "" {
				defer mem.setGo()() // the Go soft limit; each snapshot's DuckDB gets the server's (Prepare)
				return a.serveReplica(cmd, &rep, &mem, lim, addr, publicURL, tlsCert, tlsKey, proxies, geojson, rules)
			}
			peerSecret, err := rep.secret()
			if err != nil {
				return err
			}
			if c, err := dialBeside(a.dbPath); err == nil {
				c.Close()
				return locale.Errorf("beside.busy", a.dbPath)
			}
			db, err := a.openExisting(ctx)
			if err != nil {
				return err
			}
			// What an earlier server left spilled goes now, and this one's
			// at exit, after the database is closed (servemem.go).
			spill := tempDir(ctx, db)
			emptyTempDir(spill)
			defer func() { a.close(); emptyTempDir(spill) }()
			defer mem.setGo()()
			tlsConf, pub, err := serveAddress(addr, publicURL, tlsCert, tlsKey)
			if err != nil {
				return err
			}
			if !loopbackAddr(addr) {
				ok, err := auth.HasAdmin(ctx, db)
				if err != nil {
					return err
				}
				if !ok {
					return locale.Errorf("serve.noadmin", addr)
				}
			}
			// Listen before the slow part: a bad or busy address fails at
			// once, and nothing is printed until the server listens.
			ln, err := a.listen(addr)
			if err != nil {
				return err
			}
			defer ln.Close()
			if tlsConf != nil {
				ln = tls.NewListener(ln, tlsConf)
			}
			opt := dashboard.Options{MaxUpload: int64(maxUploadMB * (1 << 20)), PublicURL: pub,
				UploadRate: uploadRate, RejectedQuota: int64(quotaMB * (1 << 20)), TrustedProxies: proxies,
				PeerSecret: peerSecret}
			// Snapshots for replicas and Parquet readers (replica.go).
			startPub, err := rep.publisher(db, &opt)
			if err != nil {
				return err
			}
			if oidcOpt.Issuer != "" || oidcOpt.ClientID != "" {
				if oidcOpt.Issuer == "" || oidcOpt.ClientID == "" {
					return locale.Errorf("serve.oidcpair")
				}
				// The client secret: a file, or the environment; never an argument.
				oidcOpt.ClientSecret = os.Getenv("SGZ_OIDC_CLIENT_SECRET")
				if oidcSecretFile != "" {
					b, err := os.ReadFile(oidcSecretFile)
					if err != nil {
						return locale.Errorf("serve.secretfile", oidcSecretFile, err)
					}
					oidcOpt.ClientSecret = strings.TrimSpace(string(b))
				}
				opt.OIDC = &oidcOpt
			}
			if err := pageOptions(&opt, rules, geojson); err != nil {
				return err
			}
			// The console's queries run in worker processes under the memory
			// limit, over snapshots of the database (docs/sql.md); the
			// server's own instance is locked down all the same, with its
			// own, lower memory limit (--db-memory).
			if err := mem.prepare(ctx, db, lim); err != nil {
				return err
			}
			eng, err := query.NewIsolated(ctx, db, lim, query.Workers{})
			if err != nil {
				return err
			}
			defer eng.Close()
			opt.SQLEngine = eng
			srv, err := dashboard.NewServer(db, opt)
			if err != nil {
				return err
			}
			defer startPub(ctx)()
			go srv.Warm(ctx)
			h := srv.Engine()
			// The other commands given this --db run here meanwhile
			// (beside.go); their writes drop the server's cached numbers.
			stop, err := startBeside(ctx, db, srv.Invalidate)
			if err != nil {
				return err
			}
			defer stop()
			rulesDetail := "built-in"
			if rules != "" {
				rulesDetail = rules
			}
			auth.Record(ctx, db, auth.Entry{Actor: "cli", Remote: "cli", Action: "rules.load", Object: rulesDetail, Detail: "sha256=" + opt.Config.SHA256()})
			return a.serveOn(ctx, ln, pub, h)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "监听地址 / listen address")
	cmd.Flags().StringVar(&publicURL, "public-url", "", "用户访问本服务的地址，如 https://sgz.example.gov.cn（默认 http://--addr）/ the address users reach the server at (default http://ADDR)")
	cmd.Flags().StringVar(&oidcOpt.Issuer, "oidc-issuer", "", "统一身份认证（OpenID Connect）地址（可选）/ OpenID Connect issuer for single sign-on (optional)")
	cmd.Flags().StringVar(&oidcOpt.ClientID, "oidc-client-id", "", "统一身份认证客户端 ID / OIDC client id")
	cmd.Flags().StringVar(&oidcSecretFile, "oidc-client-secret-file", "", "客户端密钥文件（或环境变量 SGZ_OIDC_CLIENT_SECRET）/ file holding the client secret (or SGZ_OIDC_CLIENT_SECRET)")
	cmd.Flags().StringVar(&oidcOpt.RolesClaim, "oidc-roles-claim", "roles", "给出角色的声明（值为角色名与 district:代码）/ claim carrying the roles (role names and district:CODE)")
	cmd.Flags().StringSliceVar(&oidcOpt.Scopes, "oidc-scopes", []string{"profile"}, "openid 之外请求的 scope / scopes besides openid")
	cmd.Flags().StringSliceVar(&proxies, "trusted-proxy", nil, "反向代理的地址（IP 或网段，可重复）：只信任它们给出的 X-Forwarded-For / X-Real-IP / reverse proxies (IPs or networks, repeatable) whose X-Forwarded-For / X-Real-IP are believed")
	cmd.Flags().StringVar(&tlsCert, "tls-cert", "", "TLS 证书文件（PEM，可含中间证书；与 --tls-key 一起给出时以 https 提供服务）/ TLS certificate chain, PEM (with --tls-key: serve https)")
	cmd.Flags().StringVar(&tlsKey, "tls-key", "", "TLS 私钥文件（PEM）/ TLS private key, PEM")
	cmd.Flags().StringVar(&geojson, "geojson", "", "区县边界 GeoJSON 文件（可选）/ district boundaries, GeoJSON (optional)")
	cmd.Flags().StringVar(&rules, "rules", "", "考核规则 JSON 文件（默认内置规则）/ assessment rules file (default: built-in)")
	cmd.Flags().Float64Var(&maxUploadMB, "max-upload", 20, "上传文件大小上限(MB) / largest upload, MB")
	cmd.Flags().IntVar(&uploadRate, "upload-rate", 10, "每人每分钟最多上传次数 / uploads per person per minute")
	cmd.Flags().Float64Var(&quotaMB, "rejected-quota", 100, "每个区县保存被拒收文件的上限(MB)，超出只保留校验值与错误 / bytes of rejected files kept per district, MB (beyond: hash and errors only)")
	rep.flags(cmd)
	mem.flags(cmd)
	queryLimitFlags(cmd, &lim)
	cmd.Flags().IntVar(&lim.Concurrent, "sql-workers", lim.Concurrent, "同时运行的 SQL 查询进程数（每人一条，其余排队）/ SQL console worker processes at once (one per person, others wait)")
	limit(cmd, "max-upload", 0, 1024, true)
	limit(cmd, "upload-rate", 1, 10000, false)
	limit(cmd, "rejected-quota", 0, 1<<20, false)
	limit(cmd, "sql-workers", 1, 64, false)
	return cmd
}

// serveAddress is the TLS configuration (--tls-cert, --tls-key; nil
// without) and the public URL of a server (the writer or a replica).
func serveAddress(addr, publicURL, cert, key string) (*tls.Config, string, error) {
	tlsConf, err := tlsConfig(cert, key)
	if err != nil {
		return nil, "", err
	}
	pub, err := servePublicURL(addr, publicURL, tlsConf != nil)
	return tlsConf, pub, err
}

// pageOptions loads what the pages of a server (the writer or a replica)
// show by: the rules (--rules) and the map's boundaries (--geojson).
func pageOptions(opt *dashboard.Options, rules, geojson string) error {
	var err error
	if opt.Config, err = metrics.LoadConfig(rules); err != nil {
		return err
	}
	if geojson != "" {
		if opt.GeoJSON, err = dashboard.ReadGeoJSON(geojson); err != nil {
			return locale.Errorf("serve.geojson", geojson, err)
		}
	}
	return nil
}

// servePublicURL is --public-url, or http(s)://ADDR; a wildcard --addr
// (0.0.0.0, :8080) needs --public-url: no browser asks for that host.
func servePublicURL(addr, public string, https bool) (string, error) {
	if public != "" {
		if _, err := dashboard.ParsePublicURL(public); err != nil {
			return "", err
		}
		return public, nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", locale.Errorf("cli.flag", "--addr", err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		return "", locale.Errorf("serve.needpublic", addr)
	}
	if https {
		return "https://" + addr, nil
	}
	return "http://" + addr, nil
}

// loopbackAddr: --addr listens on this machine only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// listen opens --addr; serveOn says where (only once listening) and serves
// until the context ends.
func (a *app) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, locale.Errorf("serve.listen", addr, err)
	}
	return ln, nil
}

func (a *app) serveOn(ctx context.Context, ln net.Listener, public string, h http.Handler) error {
	fmt.Fprintf(a.stdout, a.T("serve.serving")+"\n", strings.TrimSuffix(public, "/")+"/")
	return dashboard.ServeListener(ctx, ln, h)
}

func init() {
	locale.Add(map[string]locale.Text{
		"serve.serving":    {"看板已启动：%s （按 Ctrl+C 退出）", "dashboards at %s (Ctrl+C to stop)"},
		"serve.noadmin":    {"还没有管理员账号，不能在 %s 上对外提供服务：先用 sgz user add NAME --role admin 建立管理员，或只监听 127.0.0.1", "no admin account exists, so the server will not listen on %s: add one with sgz user add NAME --role admin, or listen on 127.0.0.1 only"},
		"serve.needpublic": {"--addr %s 监听所有地址：请用 --public-url 给出用户访问的地址（如 https://sgz.example.gov.cn）", "--addr %s listens on every address: give the address users reach it at with --public-url (e.g. https://sgz.example.gov.cn)"},
		"serve.oidcpair":   {"--oidc-issuer 与 --oidc-client-id 须同时给出", "--oidc-issuer and --oidc-client-id go together"},
		"serve.secretfile": {"无法读取密钥文件 %s：%v", "cannot read the secret file %s: %v"},
		"serve.tlspair":    {"--tls-cert 与 --tls-key 须同时给出", "--tls-cert and --tls-key go together"},
		"serve.tls":        {"无法读取 TLS 证书 %s 与私钥 %s：%v", "cannot read the TLS certificate %s and key %s: %v"},
		"serve.listen":     {"无法监听 %s：%v", "cannot listen on %s: %v"},
		"serve.geojson":    {"无法读取地图文件 %s：%v", "cannot read the map file %s: %v"},
	})
}

// tlsConfig is the TLS of --tls-cert and --tls-key: both or neither (nil).
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, locale.Errorf("serve.tlspair")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, locale.Errorf("serve.tls", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
