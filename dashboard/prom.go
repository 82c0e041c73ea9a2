package dashboard

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// promMetrics are the server's Prometheus metrics, on a registry of its own
// (one per Server: tests start several). GET /metrics (admins; a scraper
// uses an admin's API token) serves them; docs/operations.md lists them.
type promMetrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	uploads  *prometheus.CounterVec
	checks   prometheus.Histogram
}

// Upload results counted by sgz_uploads_total.
const (
	upAccepted  = "accepted"
	upRejected  = "rejected"
	upUnchanged = "unchanged"
	upRefused   = "refused"   // a closed period or an approved return
	upTooLarge  = "too_large" // over --max-upload
	upNoFile    = "no_file"
	upLimited   = "limited" // rate, concurrency or quota of the uploader
	upError     = "error"
)

func newPromMetrics(more ...prometheus.Collector) *promMetrics {
	m := &promMetrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sgz_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sgz_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}}, []string{"route", "method"}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sgz_uploads_total",
			Help: "Uploaded returns by result: accepted, rejected, unchanged, refused, too_large, no_file, limited, error."}, []string{"result"}),
	}
	m.checks = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sgz_upload_ingest_duration_seconds",
		Help:    "Time to check an uploaded return and record it (without waiting for the upload's turn).",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}})
	m.reg.MustRegister(m.requests, m.latency, m.uploads, m.checks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(more...)
	return m
}

// observe is the middleware counting every request by its route's pattern
// (never the path: /admin/users/:name/disable names no one).
func (m *promMetrics) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "(no route)"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

func (m *promMetrics) upload(result string) { m.uploads.WithLabelValues(result).Inc() }

// GET /metrics: the Prometheus text format.
func (s *Server) metricsPage(c *gin.Context) {
	promhttp.HandlerFor(s.prom.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}
