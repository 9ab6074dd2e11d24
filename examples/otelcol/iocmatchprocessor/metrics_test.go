package iocmatchprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestMetrics: the processor's counters and gauge, read from the
// collector's telemetry (an SDK meter provider with a reader).
func TestMetrics(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { tel.Shutdown(context.Background()) })
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	set := processortest.NewNopSettings(Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	proc, err := NewFactory().CreateLogs(context.Background(), set, cfg, new(consumertest.LogsSink))
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	defer proc.Shutdown(context.Background())
	for i := 0; i < 3; i++ {
		// 2 records with a match (3 matches), 1 without.
		if err := proc.ConsumeLogs(context.Background(), bodyLogs("evil.example 198.51.100.7", "quiet", localHash)); err != nil {
			t.Fatal(err)
		}
	}
	sum := func(name string, outcome string) int64 {
		t.Helper()
		m, err := tel.GetMetric(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var n int64
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range d.DataPoints {
				if v, _ := p.Attributes.Value(attribute.Key("outcome")); outcome == "" || v.AsString() == outcome {
					n += p.Value
				}
			}
		case metricdata.Gauge[int64]:
			for _, p := range d.DataPoints {
				n += p.Value
			}
		default:
			t.Fatalf("%s: %T", name, m.Data)
		}
		return n
	}
	for _, c := range []struct {
		name, outcome string
		want          int64
	}{
		{metricRecords, "matched", 6},
		{metricRecords, "unmatched", 3},
		{metricMatches, "", 9},
		{metricReloads, "ok", 1},
		{metricIndicators, "", 3},
	} {
		if got := sum(c.name, c.outcome); got != c.want {
			t.Errorf("%s{outcome=%q} = %d, want %d", c.name, c.outcome, got, c.want)
		}
	}
}
