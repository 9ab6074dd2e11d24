package iocmatchprocessor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"
)

func TestFactory(t *testing.T) {
	f := NewFactory()
	if f.Type().String() != "iocmatch" {
		t.Fatalf("type %q", f.Type())
	}
	cfg := f.CreateDefaultConfig().(*Config)
	want := &Config{Allowlists: AllowlistsConfig{Reserved: true}, ReloadInterval: 5 * time.Second, MaxMatches: 100}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("default config %+v, want %+v", cfg, want)
	}
	// The default config has no feed: the collector refuses it.
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "feeds: at least one") {
		t.Fatalf("Validate of the defaults: %v", err)
	}
	if _, err := f.CreateLogs(context.Background(), processortest.NewNopSettings(Type), cfg, consumertest.NewNop()); err == nil {
		t.Fatal("CreateLogs without feeds: no error")
	}
}

// TestEnrichments checks every attribute of the enrichments of the
// sample access log's records, field by field.
func TestEnrichments(t *testing.T) {
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	s := startProcessor(t, cfg)
	lines := readLines(t, "access.log")
	lines = append(lines, "GET /f?h=2D711642B726B04401627CA9FBAC32F5C8530FB1903CC4DB02258717921A4881 from 10.1.2.3")
	out := s.consume(t, bodyLogs(lines...))
	if len(out) != 1 {
		t.Fatalf("%d batches passed on, want 1", len(out))
	}
	recs := records(out[0])
	if len(recs) != len(lines) {
		t.Fatalf("%d records passed on, want all %d", len(recs), len(lines))
	}
	got := map[string][]map[string]any{}
	matched := 0
	for _, lr := range recs {
		if es := enrichments(t, lr); es != nil {
			got[lr.Body().Str()] = es
			matched++
		}
	}
	if matched != 3 {
		t.Errorf("%d records with enrichments, want 3: %v", matched, got)
	}
	domainLine, ipLine, hashLine := lines[1], lines[2], lines[len(lines)-1]
	checkEnrichment(t, got[domainLine], map[string]any{
		"indicator.type":        "domain-name",
		"indicator.url.domain":  "evil.example",
		"indicator.name":        "evil.example",
		"indicator.provider":    "ACME-CTI",
		"indicator.confidence":  "High",
		"indicator.marking.tlp": "AMBER",
		"indicator.description": "Gate of the Example campaign",
		"matched.atomic":        "evil.example",
		"matched.field":         "message",
		"matched.type":          "indicator_match_rule",
		"iocmatch.type":         "domain",
		"iocmatch.start":        int64(strings.Index(domainLine, "evil.example")),
		"iocmatch.end":          int64(strings.Index(domainLine, "evil.example") + len("evil.example")),
		"iocmatch.text":         "evil.example",
		"iocmatch.tags":         []any{"c2", "malicious-activity"},
	})
	checkEnrichment(t, got[ipLine], map[string]any{
		"indicator.type":        "ipv4-addr",
		"indicator.ip":          "198.51.100.7",
		"indicator.name":        "198.51.100.7",
		"indicator.provider":    "ACME-CTI",
		"indicator.confidence":  "Low",
		"indicator.description": "Scanner",
		"matched.atomic":        "198.51.100.7",
		"matched.field":         "message",
		"matched.type":          "indicator_match_rule",
		"iocmatch.type":         "ipv4",
		"iocmatch.start":        int64(0),
		"iocmatch.end":          int64(12),
		"iocmatch.text":         "198.51.100.7",
		"iocmatch.tags":         []any{"malicious-activity"},
	})
	checkEnrichment(t, got[hashLine], map[string]any{
		"indicator.type":             "file",
		"indicator.file.hash.sha256": localHash,
		"indicator.name":             localHash,
		"indicator.provider":         "local",
		"matched.atomic":             localHash,
		"matched.field":              "message",
		"matched.type":               "indicator_match_rule",
		"iocmatch.type":              "sha256",
		"iocmatch.start":             int64(9),
		"iocmatch.end":               int64(9 + 64),
		"iocmatch.text":              strings.ToUpper(localHash),
	})
	// The resource and the untouched records are as they were.
	if v, _ := out[0].ResourceLogs().At(0).Resource().Attributes().Get("service.name"); v.Str() != "web" {
		t.Errorf("resource attribute lost: %v", v)
	}
	if n := recs[0].Attributes().Len(); n != 0 {
		t.Errorf("a record without match has %d attributes", n)
	}
}

// checkEnrichment checks that es is one enrichment with exactly want.
func checkEnrichment(t *testing.T, es []map[string]any, want map[string]any) {
	t.Helper()
	if len(es) != 1 {
		t.Errorf("%d enrichments, want 1 (%v): %v", len(es), want["matched.atomic"], es)
		return
	}
	if !reflect.DeepEqual(es[0], want) {
		for k, v := range want {
			if !reflect.DeepEqual(es[0][k], v) {
				t.Errorf("%s = %#v, want %#v", k, es[0][k], v)
			}
		}
		for k, v := range es[0] {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected %s = %#v", k, v)
			}
		}
	}
}

func TestDropUnmatched(t *testing.T) {
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	cfg.DropUnmatched = true
	s := startProcessor(t, cfg)

	// Two resources: the first with no match at all disappears, the
	// second keeps its two records with a match.
	ld := bodyLogs("nothing here", "nor here 192.0.2.1")
	rl := ld.ResourceLogs().AppendEmpty()
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for _, l := range []string{"a GET of http://evil.example/x", "quiet", "from 198.51.100.7:443"} {
		lrs.AppendEmpty().Body().SetStr(l)
	}
	out := s.consume(t, ld)
	if len(out) != 1 {
		t.Fatalf("%d batches, want 1", len(out))
	}
	if n := out[0].ResourceLogs().Len(); n != 1 {
		t.Fatalf("%d resources left, want 1", n)
	}
	var bodies []string
	for _, lr := range records(out[0]) {
		bodies = append(bodies, lr.Body().Str())
		if enrichments(t, lr) == nil {
			t.Errorf("record %q without enrichments passed on", lr.Body().Str())
		}
	}
	if want := []string{"a GET of http://evil.example/x", "from 198.51.100.7:443"}; !reflect.DeepEqual(bodies, want) {
		t.Fatalf("records %q, want %q", bodies, want)
	}

	// A batch without any match is not passed on at all, and is no error.
	if got := s.consume(t, bodyLogs(readLines(t, "mail.log")[:1]...)); len(got) != 0 {
		t.Fatalf("an unmatched batch passed on: %d", len(got))
	}
}

func TestAttributeMode(t *testing.T) {
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	cfg.Attribute = "url.full"
	s := startProcessor(t, cfg)

	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	// 0: the body matches but the attribute does not: no enrichment.
	r := lrs.AppendEmpty()
	r.Body().SetStr("client 198.51.100.7")
	r.Attributes().PutStr("url.full", "https://good.example/")
	// 1: the attribute matches.
	r = lrs.AppendEmpty()
	r.Body().SetStr("request")
	r.Attributes().PutStr("url.full", "http://cdn.evil.example/gate.php")
	// 2: no such attribute.
	r = lrs.AppendEmpty()
	r.Body().SetStr("evil.example")
	// 3: a map attribute is matched as its JSON.
	r = lrs.AppendEmpty()
	r.Attributes().PutEmptyMap("url.full").PutStr("host", "198.51.100.7")

	recs := records(s.consume(t, ld)[0])
	if es := enrichments(t, recs[0]); es != nil {
		t.Errorf("record 0 (body match only) enriched: %v", es)
	}
	es := enrichments(t, recs[1])
	if len(es) != 1 || es[0]["matched.field"] != "url.full" || es[0]["matched.atomic"] != "evil.example" || es[0]["iocmatch.text"] != "cdn.evil.example" {
		t.Errorf("record 1: %v", es)
	}
	if es := enrichments(t, recs[2]); es != nil {
		t.Errorf("record 2 (no attribute) enriched: %v", es)
	}
	if es := enrichments(t, recs[3]); len(es) != 1 || es[0]["matched.atomic"] != "198.51.100.7" {
		t.Errorf("record 3 (map attribute): %v", es)
	}
}

// TestBodyKinds: bytes and map bodies are matched; a record enriched
// before has its enrichments replaced, not added to.
func TestBodyKinds(t *testing.T) {
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	s := startProcessor(t, cfg)
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	lrs.AppendEmpty().Body().SetEmptyBytes().FromRaw([]byte("dst=198.51.100.7"))
	lrs.AppendEmpty().Body().SetEmptyMap().PutStr("query", "www.evil.example")
	r := lrs.AppendEmpty()
	r.Body().SetStr("nothing now")
	r.Attributes().PutEmptySlice(AttrEnrichments).AppendEmpty().SetStr("stale")
	r.Attributes().PutBool(AttrTruncated, true)
	recs := records(s.consume(t, ld)[0])
	if es := enrichments(t, recs[0]); len(es) != 1 || es[0]["matched.atomic"] != "198.51.100.7" {
		t.Errorf("bytes body: %v", es)
	}
	if es := enrichments(t, recs[1]); len(es) != 1 || es[0]["matched.atomic"] != "evil.example" {
		t.Errorf("map body: %v", es)
	}
	if n := recs[2].Attributes().Len(); n != 0 {
		t.Errorf("stale enrichments kept: %v", recs[2].Attributes().AsRaw())
	}
}

func TestMaxMatches(t *testing.T) {
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	cfg.MaxMatches = 2
	s := startProcessor(t, cfg)
	recs := records(s.consume(t, bodyLogs(
		"198.51.100.7 evil.example a.evil.example "+localHash,
		"198.51.100.7 evil.example"))[0])
	if es := enrichments(t, recs[0]); len(es) != 2 {
		t.Errorf("%d enrichments, want the cap 2", len(es))
	}
	if v, ok := recs[0].Attributes().Get(AttrTruncated); !ok || !v.Bool() {
		t.Errorf("%s not set on a record over the cap", AttrTruncated)
	}
	if _, ok := recs[1].Attributes().Get(AttrTruncated); ok {
		t.Errorf("%s set on a record at the cap", AttrTruncated)
	}
}

func TestMinConfidence(t *testing.T) {
	dir, _ := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	cfg.MinConfidence = 50 // drops the scanner (20), keeps evil.example (85) and the undated hash
	s := startProcessor(t, cfg)
	recs := records(s.consume(t, bodyLogs("198.51.100.7", "evil.example", localHash))[0])
	if es := enrichments(t, recs[0]); es != nil {
		t.Errorf("confidence 20 matched with min_confidence 50: %v", es)
	}
	if enrichments(t, recs[1]) == nil || enrichments(t, recs[2]) == nil {
		t.Errorf("confidence 85 or unknown not matched")
	}
}

// TestReload: an edit of a feed is picked up by the background reloader;
// after Shutdown, no build runs any more.
func TestReload(t *testing.T) {
	dir, list := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{filepath.Join(dir, "acme.json"), list} // two sources: the list can be emptied
	cfg.ReloadInterval = 20 * time.Millisecond
	s := startProcessor(t, cfg)
	const line = "GET http://fresh-c2.example/x"
	if es := enrichments(t, records(s.consume(t, bodyLogs(line))[0])[0]); es != nil {
		t.Fatalf("matched before the edit: %v", es)
	}
	f, err := os.OpenFile(list, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("fresh-c2.example\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	t0 := time.Now()
	for {
		if es := enrichments(t, records(s.consume(t, bodyLogs(line))[0])[0]); es != nil {
			if es[0]["matched.atomic"] != "fresh-c2.example" || es[0]["indicator.provider"] != "local" {
				t.Fatalf("after the reload: %v", es)
			}
			break
		}
		if time.Since(t0) > 10*time.Second {
			t.Fatal("the edit was not picked up in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("reload picked up in %v", time.Since(t0).Round(time.Millisecond))
	// OnReload runs after the swap: its log line may come a moment later.
	for s.logs.FilterMessage("iocmatch: indicator set built").FilterField(zapString("trigger", "change")).Len() < 1 {
		if time.Since(t0) > 10*time.Second {
			t.Fatalf("no change build logged: %v", s.logs.All())
		}
		time.Sleep(5 * time.Millisecond)
	}

	// A feed emptied is refused: the set stays, the failure is logged.
	if err := os.WriteFile(list, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for s.logs.FilterMessage("iocmatch: reload failed, the current indicator set stays").Len() == 0 {
		if time.Since(t0) > 10*time.Second {
			t.Fatal("no failed reload logged in 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if es := enrichments(t, records(s.consume(t, bodyLogs(line))[0])[0]); es == nil {
		t.Fatal("the set was dropped by a failed reload")
	}

	if err := s.proc.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	builds := len(s.logs.All())
	if err := os.WriteFile(list, []byte("after-shutdown.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(15 * cfg.ReloadInterval)
	if n := len(s.logs.All()); n != builds {
		t.Fatalf("%d builds logged after Shutdown: %v", n-builds, s.logs.All()[builds:])
	}
}

// TestStartErrors: a feed that goes away between Validate and Start
// fails Start with its path; Shutdown without Start is fine.
func TestStartErrors(t *testing.T) {
	_, list := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{list}
	proc, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(Type), cfg, consumertest.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown before Start: %v", err)
	}
	if err := os.Remove(list); err != nil {
		t.Fatal(err)
	}
	err = proc.Start(context.Background(), componenttest.NewNopHost())
	if err == nil || !strings.Contains(err.Error(), "local.txt") {
		t.Fatalf("Start with the feed gone: %v", err)
	}
}

// TestConcurrentConsume: batches consumed from several goroutines while
// the set is reloaded get complete, correct enrichments (run with -race).
func TestConcurrentConsume(t *testing.T) {
	dir, list := feedDir(t)
	cfg := createDefaultConfig()
	cfg.Feeds = []string{dir}
	cfg.ReloadInterval = 5 * time.Millisecond
	core := startProcessor(t, cfg)
	done := make(chan struct{})
	go func() { // reloads meanwhile: the list grows
		defer close(done)
		for i := 0; i < 20; i++ {
			f, err := os.OpenFile(list, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Error(err)
				return
			}
			fmt.Fprintf(f, "extra-%d.example\n", i)
			f.Close()
			time.Sleep(10 * time.Millisecond)
		}
	}()
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 100; i++ {
				ld := bodyLogs("GET http://evil.example/x from 198.51.100.7", "nothing")
				if err := core.proc.ConsumeLogs(context.Background(), ld); err != nil {
					errs <- err
					return
				}
				es := enrichments(t, records(ld)[0])
				if len(es) != 2 || es[0]["matched.atomic"] != "evil.example" || es[1]["matched.atomic"] != "198.51.100.7" ||
					es[0]["indicator.provider"] != "ACME-CTI" || es[0]["iocmatch.start"] != int64(11) {
					errs <- fmt.Errorf("batch %d: %v", i, es)
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if n := core.logs.FilterMessage("iocmatch: indicator set built").Len(); n < 2 {
		t.Errorf("%d builds: the reloads did not happen meanwhile", n)
	}
}
