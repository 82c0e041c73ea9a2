package dashboard

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"sync"
)

type cookieJar struct {
	mu sync.Mutex
	m  map[string][]*http.Cookie
}

func (j *cookieJar) SetCookies(u *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.m[u.Host] = append(j.m[u.Host], cs...)
}

func (j *cookieJar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.m[u.Host]
}

// multipartFile writes a form with one file field and returns its content type.
func multipartFile(buf *bytes.Buffer, name string, data []byte) string {
	mw := multipart.NewWriter(buf)
	w, _ := mw.CreateFormFile("file", name)
	w.Write(data)
	mw.Close()
	return mw.FormDataContentType()
}
