package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sgz test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// serve --tls-cert/--tls-key serves https (and says so); half a pair or an
// unreadable one is refused, naming the flags or the files.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.duckdb")
	if code, _, e := sgzRun(t, "--db", db, "registry", "versions"); code != 0 {
		t.Fatal(e)
	}
	cert, key, pool := writeCert(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", cert}, "--tls-cert 与 --tls-key 须同时给出"},
		{[]string{"--tls-key", key}, "--tls-cert 与 --tls-key 须同时给出"},
		{[]string{"--tls-cert", key, "--tls-key", cert}, "无法读取 TLS 证书 " + key},
		{[]string{"--lang", "en", "--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", key}, "cannot read the TLS certificate"},
	} {
		args := append([]string{"--db", db, "serve", "--addr", "127.0.0.1:0"}, c.args...) // --lang after serve: a persistent flag
		if code, out, e := sgzRun(t, args...); code == 0 || out != "" || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %q %q", c.args, code, out, e)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errb syncBuf
	go func() {
		done <- run(ctx, []string{"--db", db, "serve", "--addr", addr, "--tls-cert", cert, "--tls-key", key}, &out, &errb)
	}()
	defer func() { cancel(); <-done }()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var resp *http.Response
	for i := 0; ; i++ {
		if resp, err = client.Get("https://" + addr + "/healthz"); err == nil {
			break
		}
		if i == 600 {
			t.Fatalf("no https: %v %s", err, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"ok"`) || resp.TLS == nil {
		t.Errorf("https /healthz: %d %s", resp.StatusCode, b)
	}
	if !strings.Contains(out.String(), "https://"+addr+"/") {
		t.Errorf("the address said: %q", out.String())
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		if resp.StatusCode == 200 {
			t.Error("plain http answered 200 on the TLS port")
		}
		resp.Body.Close()
	}
}
