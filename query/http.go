package query

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"sgz/locale"
)

// Routes mounts the SQL console's API on g:
//
//	POST /query          {"sql": "...", "session": "..."} → {"columns", "rows", "truncated", "row_count", "elapsed_ms"}
//	GET|POST /query.csv  ?sql=… (or a form field sql, session) → CSV, UTF-8 with BOM
//	GET|POST /query.xlsx ?sql=… → a workbook
//	GET /views           the views with their columns and comments
//	GET /examples        the example queries
//	GET /history?session=…  the session's queries, most recent first
//
// Errors are {"error": {"code": "...", "message": "..."}} in the request's
// language (?lang=en, else the Accept-Language header; Chinese by default).
func Routes(g *gin.RouterGroup, e *Engine) {
	g.POST("/query", func(c *gin.Context) {
		lang := requestLang(c)
		var in struct {
			SQL     string `json:"sql"`
			Session string `json:"session"`
		}
		if err := c.ShouldBindJSON(&in); err != nil {
			fail(c, lang, &Error{Code: "bad_request", Msg: locale.M("query.badrequest", err)})
			return
		}
		res, err := e.Run(WithUser(c.Request.Context(), userOf(c)), in.SQL, lang)
		_ = e.Record(c.Request.Context(), in.Session, in.SQL, res, err)
		if err != nil {
			fail(c, lang, err)
			return
		}
		c.JSON(http.StatusOK, res)
	})
	download := func(format string) gin.HandlerFunc {
		return func(c *gin.Context) {
			lang := requestLang(c)
			sqlText := c.Query("sql")
			if sqlText == "" {
				sqlText = c.PostForm("sql")
			}
			session := c.Query("session")
			if session == "" {
				session = c.PostForm("session")
			}
			name := "query-" + time.Now().Format("20060102-150405") + "." + format
			info := &Result{}
			var err error
			ctx := WithUser(c.Request.Context(), userOf(c))
			switch format {
			case "csv":
				w := NewCSV(c.Writer, true)
				err = e.Stream(ctx, sqlText, e.lim.MaxDownload, func(cols []Column) error {
					c.Header("Content-Type", "text/csv; charset=utf-8")
					c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
					c.Status(http.StatusOK)
					return w.Columns(cols)
				}, w.Row, info)
				if err == nil {
					err = w.Flush()
				}
				if err != nil && w.started {
					// The header is out: nothing better than stopping the body.
					_ = e.Record(c.Request.Context(), session, sqlText, nil, err)
					return
				}
			case "xlsx":
				var x *XLSXWriter
				x, err = NewXLSX("query")
				if err == nil {
					n := 0
					err = e.Stream(ctx, sqlText, min(e.lim.MaxDownload, 1048575), x.Columns,
						func(r []any) error { n++; return x.Row(r) }, info)
					if err == nil {
						c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
						c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
						c.Status(http.StatusOK)
						err = x.Write(c.Writer)
					} else {
						x.f.Close()
					}
				}
			}
			_ = e.Record(c.Request.Context(), session, sqlText, info, err)
			if err != nil {
				fail(c, lang, err)
			}
		}
	}
	g.GET("/query.csv", download("csv"))
	g.POST("/query.csv", download("csv"))
	g.GET("/query.xlsx", download("xlsx"))
	g.POST("/query.xlsx", download("xlsx"))
	g.GET("/views", func(c *gin.Context) {
		vs, err := e.Views(c.Request.Context())
		if err != nil {
			fail(c, requestLang(c), err)
			return
		}
		c.JSON(http.StatusOK, vs)
	})
	g.GET("/examples", func(c *gin.Context) { c.JSON(http.StatusOK, Examples) })
	g.GET("/history", func(c *gin.Context) {
		lang := requestLang(c)
		s := c.Query("session")
		if s == "" {
			fail(c, lang, &Error{Code: "bad_request", Msg: locale.M("query.nosession")})
			return
		}
		h, err := e.History(c.Request.Context(), s)
		if err != nil {
			fail(c, lang, err)
			return
		}
		c.JSON(http.StatusOK, h)
	})
}

// userOf names the user a request is made for: queries of one user wait for
// each other and users take turns. For now the client's address (the
// connection's, not a header's); with accounts, the account.
func userOf(c *gin.Context) string {
	if u := c.GetString(UserKey); u != "" {
		return u
	}
	return c.RemoteIP()
}

// UserKey is where authentication puts the request's user in the gin
// context (c.Set(query.UserKey, name)); the console's turns and the upload
// limits count per user.
const UserKey = "sgz.user.name"

// requestLang reads ?lang=, then Accept-Language.
func requestLang(c *gin.Context) locale.Lang {
	if l := c.Query("lang"); l != "" {
		if lang, err := locale.Parse(l); err == nil {
			return lang
		}
	}
	al := strings.ToLower(strings.TrimSpace(c.GetHeader("Accept-Language")))
	if strings.HasPrefix(al, "en") {
		return locale.EN
	}
	return locale.ZH
}

// fail answers with the error in lang.
func fail(c *gin.Context, lang locale.Lang, err error) {
	qe := AsError(err)
	status := http.StatusBadRequest
	switch qe.Code {
	case "timeout":
		status = http.StatusRequestTimeout
	case "memory", "too_large":
		status = http.StatusUnprocessableEntity
	case "busy":
		status = http.StatusTooManyRequests
	case "internal":
		status = http.StatusInternalServerError
	case "canceled":
		status = 499
	}
	c.JSON(status, gin.H{"error": gin.H{"code": qe.Code, "message": qe.In(lang)}})
}
