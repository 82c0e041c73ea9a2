package dashboard

import (
	"net/http"

	"github.com/gin-gonic/gin"

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
		h, err := s.headlineOf(c.Request.Context(), sp, unit)
		if err != nil {
			return nil, err
		}
		return marshalJSON(h)
	})
	if err != nil {
		s.failWith(c, http.StatusBadRequest, err)
		return
	}
	serveJSON(c, out)
}

// forecastJSON is a forecast with its sentence in the page's language.
type forecastJSON struct {
	metrics.Forecast
	Text string `json:"text"`
}

// GET /api/v1/forecast?period=P: for the city and every district, when each
// milestone indicator reaches its target at the pace of the last 4 quarters
// up to the period's last quarter (metrics.Forecasts), and the at-risk list.
func (s *Server) apiForecast(c *gin.Context) {
	sp, ok := s.span(c)
	if !ok {
		return
	}
	l := lang(c)
	out, err := memoize(s.calc, "F|"+sp.To.String()+"|"+string(l), func() (*body, error) {
		fs, err := s.forecastsAt(c.Request.Context(), sp.To)
		if err != nil {
			return nil, err
		}
		wrap := func(fs []metrics.Forecast) []forecastJSON {
			out := make([]forecastJSON, 0, len(fs))
			for _, f := range fs {
				out = append(out, forecastJSON{f, f.Text(l)})
			}
			return out
		}
		return marshalJSON(map[string]any{"period": sp.To.String(), "forecasts": wrap(fs), "at_risk": wrap(metrics.AtRisk(fs))})
	})
	if err != nil {
		s.internal(c, err)
		return
	}
	serveJSON(c, out)
}
