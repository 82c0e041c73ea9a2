package dashboard

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"sgz/brief"
)

// GET /brief.docx?period=P: the quarterly briefing (工作简报) as a Word
// document, the same as `sgz brief` dated today (package brief).
func (s *Server) briefDocx(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	_, err := brief.Write(c.Request.Context(), s.db, brief.Options{Span: sp, AsOf: s.opt.Now(), Lang: lang(c), Config: s.opt.Config}, &buf)
	if err != nil {
		s.failWith(c, http.StatusBadRequest, err)
		return
	}
	attach(c, "brief-"+sp.String()+".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", buf.Bytes())
}
