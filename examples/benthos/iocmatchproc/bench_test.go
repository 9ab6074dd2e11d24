package iocmatchproc_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/iocmatch/iocmatch/examples/benthos/iocmatchproc"
	"github.com/iocmatch/iocmatch/match"
)

// The benchmarks' feeds and logs: the project's samples by default;
// IOCMATCH_BENCH_FEEDS and IOCMATCH_BENCH_LOGS (comma-separated paths,
// globs for the logs) name others, e.g. the real data:
//
//	IOCMATCH_BENCH_FEEDS=/work/shared/realdata/feeds \
//	IOCMATCH_BENCH_LOGS='/work/shared/realdata/logs/web/*.log' \
//	go test -run '^$' -bench . -benchtime 3x ./iocmatchproc
func benchInput(b *testing.B) (feeds []string, lines [][]byte) {
	b.Helper()
	feeds = []string{testdata + "/lists", testdata + "/feeds"}
	if v := os.Getenv("IOCMATCH_BENCH_FEEDS"); v != "" {
		feeds = strings.Split(v, ",")
	}
	globs := []string{testdata + "/logs/*"}
	if v := os.Getenv("IOCMATCH_BENCH_LOGS"); v != "" {
		globs = strings.Split(v, ",")
	}
	for _, g := range globs {
		files, err := filepath.Glob(g)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range files {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				lines = append(lines, append([]byte(nil), sc.Bytes()...))
			}
			f.Close()
		}
	}
	if len(lines) == 0 {
		b.Fatal("no log lines")
	}
	return feeds, lines
}

var benchProcs struct {
	sync.Mutex
	p map[string]*iocmatchproc.Processor
}

// processor is a processor of the feeds in mode (built once per mode: a
// real-data set takes seconds).
func processor(b *testing.B, feeds []string, mode string) *iocmatchproc.Processor {
	benchProcs.Lock()
	defer benchProcs.Unlock()
	if p := benchProcs.p[mode]; p != nil {
		return p
	}
	pc, err := iocmatchproc.ConfigSpec().ParseYAML(fmt.Sprintf("{feeds: [%s], max_age: 'off', reload_period: 0s, mode: %s}", strings.Join(feeds, ", "), mode), nil)
	if err != nil {
		b.Fatal(err)
	}
	p, err := iocmatchproc.New(pc, service.MockResources())
	if err != nil {
		b.Fatal(err)
	}
	if benchProcs.p == nil {
		benchProcs.p = map[string]*iocmatchproc.Processor{}
	}
	benchProcs.p[mode] = p
	return p
}

// BenchmarkAppendMatches is iocmatch's own per-line cost on the lines:
// the reference for the processor's overhead.
func BenchmarkAppendMatches(b *testing.B) {
	feeds, lines := benchInput(b)
	m := processor(b, feeds, "annotate").Current().Matcher
	var dst []match.Match
	hit := 0
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		hit = 0
		for _, l := range lines {
			dst = m.AppendMatches(dst[:0], l)
			if len(dst) > 0 {
				hit++
			}
		}
	}
	report(b, len(lines), cpu0)
	b.ReportMetric(float64(hit)/float64(len(lines)), "hit-ratio")
}

// report sets ns/msg from the loop's time, and cpu-ns/msg from the
// process's CPU time (user + system, all goroutines: Benthos's pipeline
// runs on its own) since cpu0, taken before the loop.
func report(b *testing.B, n int, cpu0 time.Duration) {
	msgs := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/msgs, "cpu-ns/msg")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStream runs every line through a whole Benthos stream
// (StreamBuilder: a batch producer, batches of 1000 messages, the
// processor, a consumer that drops them), with noop as the processor for
// the reference, and iocmatch in each mode.
func BenchmarkStream(b *testing.B) {
	feeds, lines := benchInput(b)
	feedList := strings.Join(feeds, ", ")
	for _, c := range []struct{ name, proc string }{
		{"noop", "noop: {}"},
		{"annotate", "iocmatch: {feeds: [" + feedList + "], max_age: 'off', mode: annotate}"},
		{"enrich", "iocmatch: {feeds: [" + feedList + "], max_age: 'off', mode: enrich}"},
		{"filter", "iocmatch: {feeds: [" + feedList + "], max_age: 'off', mode: filter}"},
	} {
		b.Run(c.name, func(b *testing.B) {
			sb := service.NewStreamBuilder()
			_ = sb.SetLoggerYAML("level: OFF")
			prod, err := sb.AddBatchProducerFunc()
			if err != nil {
				b.Fatal(err)
			}
			if err := sb.AddProcessorYAML(c.proc); err != nil {
				b.Fatal(err)
			}
			if err := sb.AddBatchConsumerFunc(func(context.Context, service.MessageBatch) error { return nil }); err != nil {
				b.Fatal(err)
			}
			s, err := sb.Build()
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			go func() { _ = s.Run(ctx) }()
			defer s.Stop(ctx)
			// each stream builds its own set: wait for it with a first batch
			if err := prod(ctx, service.MessageBatch{service.NewMessage(lines[0])}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				for i := 0; i < len(lines); i += 1000 {
					batch := make(service.MessageBatch, 0, 1000)
					for _, l := range lines[i:min(i+1000, len(lines))] {
						batch = append(batch, service.NewMessage(l))
					}
					if err := prod(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b, len(lines), cpu0)
		})
	}
}

// BenchmarkProcessBatch calls the processor's ProcessBatch directly on
// batches of 1000 new messages, without Benthos's pipeline around it;
// "new" is making the messages alone.
func BenchmarkProcessBatch(b *testing.B) {
	feeds, lines := benchInput(b)
	ctx := context.Background()
	for _, mode := range []string{"new", "annotate", "enrich"} {
		b.Run(mode, func(b *testing.B) {
			var p *iocmatchproc.Processor
			if mode != "new" {
				p = processor(b, feeds, mode)
			}
			cpu0 := cpuTime()
			for b.Loop() {
				for i := 0; i < len(lines); i += 1000 {
					batch := make(service.MessageBatch, 0, 1000)
					for _, l := range lines[i:min(i+1000, len(lines))] {
						batch = append(batch, service.NewMessage(l))
					}
					if mode == "new" {
						continue
					}
					if _, err := p.ProcessBatch(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b, len(lines), cpu0)
		})
	}
}
