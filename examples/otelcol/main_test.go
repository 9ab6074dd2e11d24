package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/pdata/plog"
)

// sinkExporter is an exporter (type sink) that keeps what it receives:
// the end of the test pipeline.
type sinkExporter struct {
	component.StartFunc
	component.ShutdownFunc
	*consumertest.LogsSink
}

func sinkFactory(sink *consumertest.LogsSink) exporter.Factory {
	return exporter.NewFactory(component.MustNewType("sink"),
		func() component.Config { return &struct{}{} },
		exporter.WithLogs(func(context.Context, exporter.Settings, component.Config) (exporter.Logs, error) {
			return sinkExporter{LogsSink: sink}, nil
		}, component.StabilityLevelAlpha))
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestComponents(t *testing.T) {
	f, err := components()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		kind string
		ok   bool
	}{
		{"receiver otlp", f.Receivers[component.MustNewType("otlp")] != nil},
		{"processor iocmatch", f.Processors[component.MustNewType("iocmatch")] != nil},
		{"processor batch", f.Processors[component.MustNewType("batch")] != nil},
		{"exporter debug", f.Exporters[component.MustNewType("debug")] != nil},
		{"telemetry", f.Telemetry != nil},
	} {
		if !c.ok {
			t.Errorf("no %s", c.kind)
		}
	}
}

// TestValidateExampleConfig runs the collector's own "validate" command on
// config.yaml (as a user would), and on a broken copy of it.
func TestValidateExampleConfig(t *testing.T) {
	cmd := otelcol.NewCommand(settings())
	cmd.SetArgs([]string{"validate", "--config", "config.yaml"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("config.yaml: %v", err)
	}
	b, err := os.ReadFile("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, bytes.Replace(b, []byte("../../testdata/feeds"), []byte("/nonexistent/feeds"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = otelcol.NewCommand(settings())
	cmd.SetArgs([]string{"validate", "--config", bad})
	cmd.SetOut(new(bytes.Buffer))
	cmd.SetErr(new(bytes.Buffer))
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "/nonexistent/feeds") {
		t.Fatalf("a missing feed: %v", err)
	}

	// ${VAR} is an environment variable, as in any collector.
	env := filepath.Join(t.TempDir(), "env.yaml")
	if err := os.WriteFile(env, bytes.Replace(b, []byte("../../testdata/feeds"), []byte("${IOCMATCH_TEST_FEEDS}"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("IOCMATCH_TEST_FEEDS", "../../testdata/feeds/csv")
	cmd = otelcol.NewCommand(settings())
	cmd.SetArgs([]string{"validate", "--config", env})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("feeds from the environment: %v", err)
	}
	t.Setenv("IOCMATCH_TEST_FEEDS", "/nonexistent/env-feeds")
	cmd = otelcol.NewCommand(settings())
	cmd.SetArgs([]string{"validate", "--config", env})
	cmd.SetOut(new(bytes.Buffer))
	cmd.SetErr(new(bytes.Buffer))
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "/nonexistent/env-feeds") {
		t.Fatalf("a missing feed from the environment: %v", err)
	}
}

// TestPipeline runs a real collector (its service, the OTLP/HTTP receiver
// on loopback, the iocmatch processor, the batch processor) and sends it
// the sample access log over OTLP/HTTP: the records with a match reach
// the exporter, enriched; the others are dropped.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	feed := filepath.Join(dir, "local.txt")
	if err := os.WriteFile(feed, []byte("evil.example\n198.51.100.7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	conf := fmt.Sprintf(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  iocmatch:
    feeds: [%q]
    drop_unmatched: true
  batch:
    timeout: 10ms
exporters:
  sink: {}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      processors: [iocmatch, batch]
      exporters: [sink]
`, port, feed)
	confPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	sink := new(consumertest.LogsSink)
	set := settings()
	set.Factories = func() (otelcol.Factories, error) {
		f, err := components()
		if err != nil {
			return f, err
		}
		f.Exporters[component.MustNewType("sink")] = sinkFactory(sink)
		return f, nil
	}
	set.ConfigProviderSettings.ResolverSettings.URIs = []string{"file:" + confPath}
	set.DisableGracefulShutdown = true
	col, err := otelcol.NewCollector(set)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	var runErr error
	go func() { defer wg.Done(); runErr = col.Run(ctx) }()
	defer func() {
		col.Shutdown()
		wg.Wait()
		if runErr != nil {
			t.Errorf("collector: %v", runErr)
		}
	}()
	for col.GetState() != otelcol.StateRunning {
		if ctx.Err() != nil || col.GetState() == otelcol.StateClosed {
			t.Fatalf("collector not running: %v", col.GetState())
		}
		time.Sleep(10 * time.Millisecond)
	}

	lines, err := os.ReadFile("../../testdata/logs/access.log")
	if err != nil {
		t.Fatal(err)
	}
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(lines)), "\n") {
		lrs.AppendEmpty().Body().SetStr(l)
		n++
	}
	body, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/v1/logs", port), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("OTLP/HTTP: %s", resp.Status)
	}
	for sink.LogRecordCount() < 2 {
		if ctx.Err() != nil {
			t.Fatalf("%d records reached the exporter in time, want 2", sink.LogRecordCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // nothing more comes
	if got := sink.LogRecordCount(); got != 2 {
		t.Fatalf("%d of %d records reached the exporter, want the 2 with a match", got, n)
	}
	var atoms []string
	for _, out := range sink.AllLogs() {
		rls := out.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			lrs := rls.At(i).ScopeLogs().At(0).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				v, ok := lrs.At(k).Attributes().Get("threat.enrichments")
				if !ok || v.Slice().Len() != 1 {
					t.Fatalf("record %q: enrichments %v", lrs.At(k).Body().Str(), v.AsRaw())
				}
				a, _ := v.Slice().At(0).Map().Get("matched.atomic")
				atoms = append(atoms, a.Str())
			}
		}
	}
	if strings.Join(atoms, " ") != "evil.example 198.51.100.7" {
		t.Fatalf("matched %q", atoms)
	}
}
