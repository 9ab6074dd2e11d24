package main

import (
	"net/http"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus metrics of a server, in a registry of its
// own (with the Go and process collectors).
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec   // by endpoint and code
	latency       *prometheus.HistogramVec // by endpoint
	lines         prometheus.Counter
	matches       *prometheus.CounterVec // by type
	matchesByType [indicator.NumTypes]prometheus.Counter
	reloads       *prometheus.CounterVec // by result: ok, failed
	entries       prometheus.Gauge
	indicators    prometheus.Gauge
	generation    prometheus.Gauge
	inflight      prometheus.Gauge
	rejected      prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "iocserve_requests_total",
		Help: "HTTP requests served, by endpoint and status code."}, []string{"endpoint", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "iocserve_request_duration_seconds",
		Help:    "Time to serve a request, by endpoint.",
		Buckets: []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}}, []string{"endpoint"})
	m.lines = prometheus.NewCounter(prometheus.CounterOpts{Name: "iocserve_lines_total", Help: "Log lines matched by POST /v1/match."})
	m.matches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "iocserve_matches_total",
		Help: "Matches answered (/v1/match and /v1/lookup), by indicator type."}, []string{"type"})
	for _, t := range indicator.Types() {
		m.matchesByType[t] = m.matches.WithLabelValues(t.String())
	}
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "iocserve_reloads_total",
		Help: "Builds of the indicator set (the first included), by result: ok or failed."}, []string{"result"})
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	m.entries = prometheus.NewGauge(prometheus.GaugeOpts{Name: "iocserve_set_entries", Help: "Distinct indicators (entries) in the current set."})
	m.indicators = prometheus.NewGauge(prometheus.GaugeOpts{Name: "iocserve_set_indicators", Help: "Indicator records compiled into the current set."})
	m.generation = prometheus.NewGauge(prometheus.GaugeOpts{Name: "iocserve_set_generation", Help: "Generation of the current set (1, 2, …; 0 before the first)."})
	m.inflight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "iocserve_requests_in_flight", Help: "API requests being served."})
	m.rejected = prometheus.NewCounter(prometheus.CounterOpts{Name: "iocserve_requests_rejected_total", Help: "API requests answered 429: over -max-concurrent."})
	m.reg.MustRegister(m.requests, m.latency, m.lines, m.matches, m.reloads, m.entries, m.indicators, m.generation, m.inflight, m.rejected,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the metrics in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
