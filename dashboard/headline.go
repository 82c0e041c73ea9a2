package dashboard

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"sgz/locale"
	"sgz/metrics"
)

// GET /api/v1/headline?period=P[&unit=CODE]: the programme's headline figures
// of the city (default) or a district (metrics.HeadlineFor, interfaces.md).
func (s *Server) apiHeadline(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	unit := c.Query("unit")
	out, err := memoize(s.calc, "H|"+sp.String()+"|"+unit, func() (*body, error) {
		h, err := metrics.HeadlineFor(c.Request.Context(), s.db, sp, unit, s.opt.Config)
		if err != nil {
			return nil, err
		}
		return marshalJSON(h)
	})
	var le *locale.Error
	if errors.As(err, &le) {
		s.fail(c, http.StatusBadRequest, le.Key, le.Args...)
		return
	}
	if err != nil {
		s.internal(c, err)
		return
	}
	serveJSON(c, out)
}
