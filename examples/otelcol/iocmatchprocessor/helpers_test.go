package iocmatchprocessor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// localHash is a SHA-256 in the plain list of feedDir.
const localHash = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

// logsDir is the project's sample logs.
const logsDir = "../../../testdata/logs"

// stixFeed is a STIX 2.1 bundle of two indicators by ACME-CTI, dated the
// day before now (so that no ageing default drops them).
func stixFeed(now time.Time) string {
	d := now.Add(-24 * time.Hour).UTC().Format(time.RFC3339)
	return fmt.Sprintf(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
 {"type":"identity","spec_version":"2.1","id":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","created":%[1]q,"modified":%[1]q,"name":"ACME-CTI","identity_class":"organization"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
  "created":%[1]q,"modified":%[1]q,"name":"C2 domain","description":"Gate of the Example campaign","indicator_types":["malicious-activity"],
  "pattern":"[domain-name:value = 'evil.example']","pattern_type":"stix","valid_from":%[1]q,"confidence":85,"labels":["c2"],
  "object_marking_refs":["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]},
 {"type":"indicator","spec_version":"2.1","id":"indicator--0b7bd3a1-5c4e-4f0f-9a8e-2b4b1c7f1a01","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
  "created":%[1]q,"modified":%[1]q,"name":"Scanner","indicator_types":["malicious-activity"],
  "pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":%[1]q,"confidence":20}
]}`, d)
}

// feedDir writes the STIX feed and a plain list (extra lines: more
// values) into a new directory and returns it and the list's path.
func feedDir(t testing.TB, list ...string) (dir, listPath string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "acme.json"), []byte(stixFeed(time.Now())), 0o644); err != nil {
		t.Fatal(err)
	}
	listPath = filepath.Join(dir, "local.txt")
	text := "# local list\n" + localHash + "\n"
	for _, v := range list {
		text += v + "\n"
	}
	if err := os.WriteFile(listPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, listPath
}

// readLines returns the lines of a sample log.
func readLines(t testing.TB, name string) []string {
	t.Helper()
	return readLinesFrom(t, logsDir, name)
}

// readLinesFrom returns the lines of a file.
func readLinesFrom(t testing.TB, dir, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// bodyLogs makes one resource, one scope, one record per line as its
// string body.
func bodyLogs(lines ...string) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "web")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, l := range lines {
		lrs.AppendEmpty().Body().SetStr(l)
	}
	return ld
}

// records returns the log records of ld in order.
func records(ld plog.Logs) []plog.LogRecord {
	var out []plog.LogRecord
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		sls := ld.ResourceLogs().At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				out = append(out, lrs.At(k))
			}
		}
	}
	return out
}

// enrichments returns the threat.enrichments of lr as raw maps (nil
// without).
func enrichments(t testing.TB, lr plog.LogRecord) []map[string]any {
	t.Helper()
	v, ok := lr.Attributes().Get(AttrEnrichments)
	if !ok {
		return nil
	}
	if v.Type() != pcommon.ValueTypeSlice {
		t.Fatalf("%s is %s, not a slice", AttrEnrichments, v.Type())
	}
	var out []map[string]any
	for _, e := range v.Slice().AsRaw() {
		m, ok := e.(map[string]any)
		if !ok {
			t.Fatalf("an enrichment is %T, not a map", e)
		}
		out = append(out, m)
	}
	return out
}

// started is a processor made by the factory through processortest's
// settings (with an observed logger), started on a nop host, shut down
// at the test's end.
type started struct {
	proc processor.Logs
	sink *consumertest.LogsSink
	logs *observer.ObservedLogs
}

func startProcessor(t testing.TB, cfg *Config) *started {
	t.Helper()
	core, logs := observer.New(zapcore.InfoLevel)
	set := processortest.NewNopSettings(Type)
	set.Logger = zap.New(core)
	sink := new(consumertest.LogsSink)
	proc, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := proc.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &started{proc: proc, sink: sink, logs: logs}
}

// consume passes ld through the processor and returns what reached the
// sink in this call.
func (s *started) consume(t testing.TB, ld plog.Logs) []plog.Logs {
	t.Helper()
	n := len(s.sink.AllLogs())
	if err := s.proc.ConsumeLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	return s.sink.AllLogs()[n:]
}

func zapString(k, v string) zap.Field { return zap.String(k, v) }
