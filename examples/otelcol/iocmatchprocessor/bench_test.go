package iocmatchprocessor

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/iocmatch/iocmatch/match"
)

// benchSetup starts a processor on feeds (IOCMATCH_BENCH_FEEDS, a
// colon-separated list of paths, else the project's sample feeds with
// max_age off) and returns it and the lines to match
// (IOCMATCH_BENCH_LOG, else every sample log).
func benchSetup(b *testing.B) (*iocProcessor, []string) {
	b.Helper()
	cfg := createDefaultConfig()
	cfg.MaxAge = "off"
	cfg.ReloadInterval = 0
	cfg.Feeds = []string{"../../../testdata/feeds"}
	if v := os.Getenv("IOCMATCH_BENCH_FEEDS"); v != "" {
		cfg.Feeds = filepath.SplitList(v)
	}
	p, err := newProcessor(processortest.NewNopSettings(Type), cfg)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := p.start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.shutdown(context.Background()) })
	b.Logf("%d entries compiled in %v", p.lm.Current().Matcher.Len(), time.Since(t0).Round(time.Millisecond))
	var lines []string
	if v := os.Getenv("IOCMATCH_BENCH_LOG"); v != "" {
		dir, name := filepath.Split(v)
		lines = readLinesFrom(b, dir, name)
	} else {
		for _, n := range []string{"access.log", "dns.log", "firewall.log", "mail.log", "proxy.log", "sysmon.jsonl"} {
			lines = append(lines, readLines(b, n)...)
		}
	}
	return p, lines
}

// BenchmarkProcess measures the processor's cost per log record beside
// iocmatch's own per-line cost on the same lines:
//
//   - AppendMatches: the matcher alone, per line;
//   - ConsumeLogs: the processor as the collector runs it (the
//     processorhelper wrapper, the walk of the pdata records, the
//     enrichments of the records with matches), per record, on a batch
//     of every line (re-processed: old enrichments replaced);
//   - ConsumeLogs-unmatched: the same on the lines without a match only.
//
// go test -run - -bench Process -benchtime 2s ./iocmatchprocessor
func BenchmarkProcess(b *testing.B) {
	p, lines := benchSetup(b)
	m := p.lm.Current().Matcher
	var unmatched []string
	var dst []match.Match
	matched, matches := 0, 0
	for _, l := range lines {
		if dst = m.AppendMatches(dst[:0], []byte(l)); len(dst) == 0 {
			unmatched = append(unmatched, l)
		} else {
			matched++
			matches += min(len(dst), p.cfg.MaxMatches)
		}
	}
	b.Logf("%d lines, %d with a match, %d matches", len(lines), matched, matches)
	raw := make([][]byte, len(lines))
	for i, l := range lines {
		raw[i] = []byte(l)
	}
	b.Run("AppendMatches", func(b *testing.B) {
		b.ReportAllocs()
		c0 := cpuTime()
		for b.Loop() {
			for _, l := range raw {
				dst = m.AppendMatches(dst[:0], l)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(raw)), "ns/record")
		b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*len(raw)), "cpu-ns/record")
	})
	for _, c := range []struct {
		name  string
		lines []string
	}{{"ConsumeLogs", lines}, {"ConsumeLogs-unmatched", unmatched}} {
		if len(c.lines) == 0 {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			proc, err := p.logs(context.Background(), processortest.NewNopSettings(Type), consumertest.NewNop())
			if err != nil {
				b.Fatal(err)
			}
			ld := bodyLogs(c.lines...)
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				if err := proc.ConsumeLogs(context.Background(), ld); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(c.lines)), "ns/record")
			b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*len(c.lines)), "cpu-ns/record")
		})
	}
}

// cpuTime is the process's CPU time (user and system) so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestNoAllocUnmatched: the processor allocates nothing for a batch of
// records without a match, with string bodies or attributes (a bytes
// body is copied by pdata's AsRaw: one allocation).
func TestNoAllocUnmatched(t *testing.T) {
	dir, _ := feedDir(t)
	for _, attr := range []string{"", "url.full"} {
		cfg := createDefaultConfig()
		cfg.Feeds = []string{dir}
		cfg.Attribute = attr
		p, err := newProcessor(processortest.NewNopSettings(Type), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.start(context.Background(), componenttest.NewNopHost()); err != nil {
			t.Fatal(err)
		}
		ld := bodyLogs(readLines(t, "access.log")[0], "Nov 25 10:04:00 mx1 postfix/smtpd[123]: 4F2A: client=unknown[192.0.2.77]", `{"msg":"GET https://www.example.org/ok","src":"10.0.0.1"}`)
		lrs := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords()
		for i := 0; i < lrs.Len(); i++ {
			lrs.At(i).Attributes().PutStr("url.full", "https://www.example.org/index.html")
		}
		if _, err := p.processLogs(context.Background(), ld); err != nil { // warm the pool
			t.Fatal(err)
		}
		if n := len(enrichmentsOf(t, ld)); n != 0 {
			t.Fatalf("the lines match (%d): pick others", n)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := p.processLogs(context.Background(), ld); err != nil {
				t.Fatal(err)
			}
		})
		p.shutdown(context.Background())
		if allocs != 0 {
			t.Errorf("attribute %q: %v allocations per batch of unmatched records", attr, allocs)
		}
	}
}

// enrichmentsOf returns every enrichment of ld.
func enrichmentsOf(t testing.TB, ld plog.Logs) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, lr := range records(ld) {
		out = append(out, enrichments(t, lr)...)
	}
	return out
}
