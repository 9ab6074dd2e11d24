package iocmatchprocessor

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The processor's metrics, through the collector's own telemetry (its
// Prometheus endpoint or OTLP export, service.telemetry.metrics).
const (
	metricRecords    = "iocmatch.records"    // records matched, by outcome
	metricMatches    = "iocmatch.matches"    // enrichments added
	metricReloads    = "iocmatch.reloads"    // builds, by outcome
	metricIndicators = "iocmatch.indicators" // entries of the current set
	meterName        = "github.com/iocmatch/iocmatch/examples/otelcol/iocmatchprocessor"
)

// metrics are the processor's instruments.
type metrics struct {
	records, matches, reloads metric.Int64Counter
	indicators                metric.Int64Gauge
	// The outcome attributes, made once: passing a slice made before
	// does not allocate per call.
	matched, unmatched, ok, failed []metric.AddOption
}

func newMetrics(mp metric.MeterProvider) (*metrics, error) {
	m := mp.Meter(meterName)
	var ms metrics
	var err error
	if ms.records, err = m.Int64Counter(metricRecords, metric.WithUnit("{record}"),
		metric.WithDescription("Log records matched against the indicators, by outcome (matched: at least one match)")); err != nil {
		return nil, err
	}
	if ms.matches, err = m.Int64Counter(metricMatches, metric.WithUnit("{match}"),
		metric.WithDescription("Matches added to log records as threat.enrichments")); err != nil {
		return nil, err
	}
	if ms.reloads, err = m.Int64Counter(metricReloads, metric.WithUnit("{build}"),
		metric.WithDescription("Builds of the indicator set, by outcome (a failed one keeps the current set)")); err != nil {
		return nil, err
	}
	if ms.indicators, err = m.Int64Gauge(metricIndicators, metric.WithUnit("{entry}"),
		metric.WithDescription("Distinct indicators of the current set")); err != nil {
		return nil, err
	}
	ms.matched = []metric.AddOption{metric.WithAttributes(attribute.String("outcome", "matched"))}
	ms.unmatched = []metric.AddOption{metric.WithAttributes(attribute.String("outcome", "unmatched"))}
	ms.ok = []metric.AddOption{metric.WithAttributes(attribute.String("outcome", "ok"))}
	ms.failed = []metric.AddOption{metric.WithAttributes(attribute.String("outcome", "failed"))}
	return &ms, nil
}

// batch counts one batch: records with and without a match, matches.
func (ms *metrics) batch(ctx context.Context, matched, unmatched, matches int) {
	if matched > 0 {
		ms.records.Add(ctx, int64(matched), ms.matched...)
		ms.matches.Add(ctx, int64(matches))
	}
	if unmatched > 0 {
		ms.records.Add(ctx, int64(unmatched), ms.unmatched...)
	}
}
