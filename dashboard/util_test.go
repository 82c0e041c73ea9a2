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
	// A cookie replaces the one of the same name; an expired one goes.
	for _, c := range cs {
		list := j.m[u.Host][:0:0]
		for _, old := range j.m[u.Host] {
			if old.Name != c.Name {
				list = append(list, old)
			}
		}
		if c.MaxAge >= 0 && c.Value != "" {
			list = append(list, c)
		}
		j.m[u.Host] = list
	}
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
