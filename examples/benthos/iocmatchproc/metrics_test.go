package iocmatchproc_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a Benthos metrics exporter that keeps every value, by
// name and label values ("iocmatch_matches{domain}").
type recorder struct {
	mu sync.Mutex
	v  map[string]int64
}

var rec = &recorder{v: map[string]int64{}}

func init() {
	err := service.RegisterMetricsExporter("iocmatch_test_recorder", service.NewConfigSpec(),
		func(*service.ParsedConfig, *service.Logger) (service.MetricsExporter, error) { return rec, nil })
	if err != nil {
		panic(err)
	}
}

func (r *recorder) key(name string, labels []string, vals []string) string {
	var kv []string
	for i, l := range labels {
		if l == "label" || l == "path" {
			continue
		}
		kv = append(kv, vals[i])
	}
	return name + "{" + strings.Join(kv, ",") + "}"
}

func (r *recorder) get(k string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.v[k]
}

type recCounter struct {
	r *recorder
	k string
}

func (c recCounter) Incr(n int64) { c.r.mu.Lock(); c.r.v[c.k] += n; c.r.mu.Unlock() }
func (c recCounter) Set(n int64)  { c.r.mu.Lock(); c.r.v[c.k] = n; c.r.mu.Unlock() }
func (c recCounter) Timing(int64) {}

func (r *recorder) NewCounterCtor(name string, labels ...string) service.MetricsExporterCounterCtor {
	return func(vals ...string) service.MetricsExporterCounter { return recCounter{r, r.key(name, labels, vals)} }
}
func (r *recorder) NewTimerCtor(name string, labels ...string) service.MetricsExporterTimerCtor {
	return func(vals ...string) service.MetricsExporterTimer { return recCounter{r, r.key(name, labels, vals)} }
}
func (r *recorder) NewGaugeCtor(name string, labels ...string) service.MetricsExporterGaugeCtor {
	return func(vals ...string) service.MetricsExporterGauge { return recCounter{r, r.key(name, labels, vals)} }
}
func (r *recorder) Close(context.Context) error { return nil }

// TestMetrics checks the processor's metrics through Benthos's metrics
// API: matches by type, messages matched, reloads, set size.
func TestMetrics(t *testing.T) {
	b := service.NewStreamBuilder()
	require.NoError(t, b.SetLoggerYAML("level: OFF"))
	require.NoError(t, b.SetMetricsYAML("iocmatch_test_recorder: {}"))
	prod, err := b.AddProducerFunc()
	require.NoError(t, err)
	require.NoError(t, b.AddProcessorYAML(fmt.Sprintf(`iocmatch: {feeds: [ %s/lists ], mode: annotate}`, testdata)))
	require.NoError(t, b.AddConsumerFunc(func(context.Context, *service.Message) error { return nil }))
	s, err := b.Build()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() { _ = s.Run(ctx) }()

	m0, d0, i0 := rec.get("iocmatch_messages_matched{}"), rec.get("iocmatch_matches{domain}"), rec.get("iocmatch_matches{ipv4}")
	for _, l := range []string{"evil.example 192.0.2.10", "a.evil.example", "clean", "203.0.113.5"} {
		require.NoError(t, prod(ctx, service.NewMessage([]byte(l))))
	}
	require.NoError(t, s.Stop(ctx))
	assert.Equal(t, int64(3), rec.get("iocmatch_messages_matched{}")-m0)
	assert.Equal(t, int64(2), rec.get("iocmatch_matches{domain}")-d0)
	assert.Equal(t, int64(2), rec.get("iocmatch_matches{ipv4}")-i0)
	assert.GreaterOrEqual(t, rec.get("iocmatch_reloads{ok}"), int64(1), "the first build counts")
	assert.Greater(t, rec.get("iocmatch_indicators{}"), int64(10), "the set's entries")
}

// TestDecayScore checks min_score against MISP's NIDS Simple model: the
// undated sample indicators score its default base, 80; hashes are not
// scored by it and always match.
func TestDecayScore(t *testing.T) {
	line := "evil.example d41d8cd98f00b204e9800998ecf8427e"
	for _, c := range []struct {
		min  float64
		want []string
	}{{50, []string{"evil.example", "d41d8cd98f00b204e9800998ecf8427e"}}, {90, []string{"d41d8cd98f00b204e9800998ecf8427e"}}} {
		st := newStream(t, fmt.Sprintf(`
iocmatch:
  feeds: [ %s/lists ]
  decay: NIDS Simple
  min_score: %v
`, testdata, c.min))
		st.send(line)
		got := st.stop()
		require.Len(t, got, 1)
		es := enrichments(t, got[0].doc(t))
		var names []string
		for _, e := range es {
			names = append(names, get(e, "indicator.name").(string))
			if get(e, "iocmatch.type") == "domain" {
				assert.Equal(t, 80.0, get(e, "iocmatch.score"), "NIDS Simple's base score")
			} else {
				assert.Nil(t, get(e, "iocmatch.score"), "hashes are not scored")
			}
		}
		assert.Equal(t, c.want, names, "min_score %v", c.min)
	}
}
