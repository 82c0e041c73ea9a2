package publish

import "github.com/prometheus/client_golang/prometheus"

// pubMetrics are the publisher's Prometheus metrics (served by the
// dashboard's /metrics through Collectors; docs/operations.md lists them).
type pubMetrics struct {
	results    *prometheus.CounterVec
	duration   prometheus.Histogram
	blocked    prometheus.Histogram
	generation prometheus.Gauge
	lastOK     prometheus.Gauge
}

func newPubMetrics() *pubMetrics {
	return &pubMetrics{
		results: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sgz_snapshot_publications_total",
			Help: "Snapshot publications by result: ok, failed (the previous one stays current)."}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sgz_snapshot_publish_duration_seconds",
			Help:    "Time to publish one snapshot (database copy, Parquet, checksums, sync, rename).",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}}),
		blocked: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sgz_snapshot_writes_blocked_seconds",
			Help:    "Time the server's writes waited for a publication's copy of the database.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		generation: prometheus.NewGauge(prometheus.GaugeOpts{Name: "sgz_snapshot_generation",
			Help: "Generation of the newest published snapshot."}),
		lastOK: prometheus.NewGauge(prometheus.GaugeOpts{Name: "sgz_snapshot_last_success_timestamp_seconds",
			Help: "When the newest published snapshot was taken (Unix time)."}),
	}
}

// Collectors are the publisher's metrics, for the server's registry.
func (p *Publisher) Collectors() []prometheus.Collector {
	return []prometheus.Collector{p.m.results, p.m.duration, p.m.blocked, p.m.generation, p.m.lastOK}
}
