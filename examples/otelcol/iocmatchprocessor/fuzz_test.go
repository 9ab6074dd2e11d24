package iocmatchprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/processor/processortest"
)

// FuzzProcess: any body gets enrichments whose offsets and text are those
// of the body, within max_matches, without a panic.
func FuzzProcess(f *testing.F) {
	for _, s := range []string{
		"GET http://evil.example/x from 198.51.100.7",
		`{"q":"www.evil.example","h":"` + localHash + `"}`,
		`{"u":"http:\/\/evil.example\/\u0041","ip":"198.51.100.7"}`,
		"", "\xff\xfe evil.example.", "198.51.100.7.evil.example:443",
	} {
		f.Add(s)
	}
	dir, _ := feedDir(f)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	cfg.MaxMatches = 3
	p, err := newProcessor(processortest.NewNopSettings(Type), cfg)
	if err != nil {
		f.Fatal(err)
	}
	if err := p.start(context.Background(), componenttest.NewNopHost()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.shutdown(context.Background()) })
	f.Fuzz(func(t *testing.T, body string) {
		ld := bodyLogs(body)
		if _, err := p.processLogs(context.Background(), ld); err != nil {
			t.Fatal(err)
		}
		es := enrichments(t, records(ld)[0])
		if len(es) > cfg.MaxMatches {
			t.Fatalf("%d enrichments over max_matches %d", len(es), cfg.MaxMatches)
		}
		for _, e := range es {
			start, _ := e["iocmatch.start"].(int64)
			end, _ := e["iocmatch.end"].(int64)
			if start < 0 || end < start || end > int64(len(body)) {
				t.Fatalf("offsets [%d,%d) out of a body of %d bytes", start, end, len(body))
			}
			if e["iocmatch.text"] != body[start:end] {
				t.Fatalf("iocmatch.text %q is not body[%d:%d] %q", e["iocmatch.text"], start, end, body[start:end])
			}
			if e["matched.atomic"] == "" || e["matched.field"] != "message" {
				t.Fatalf("enrichment %v", e)
			}
		}
	})
}
