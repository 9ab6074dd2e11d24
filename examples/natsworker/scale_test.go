package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func cpuSelf() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestScale measures the fleet's throughput with 1, 2 and 3 workers over
// $NATSWORKER_LINES lines (200000), each run on a fresh embedded server
// with the lines already in the stream. Set NATSWORKER_SCALE=1 to run it;
// $NATSWORKER_ARGS are more flags of the workers (e.g. "-batch 1000").
func TestScale(t *testing.T) {
	if os.Getenv("NATSWORKER_SCALE") == "" {
		t.Skip("set NATSWORKER_SCALE=1 (and NATSWORKER_LINES, default 200000) to measure")
	}
	nLines := envInt(t, "NATSWORKER_LINES", 200000)
	lines := make([]string, nLines)
	for i := range lines {
		lines[i] = fleetLine(i)
	}
	for k := 1; k <= 3; k++ {
		t.Run(fmt.Sprintf("workers=%d", k), func(t *testing.T) {
			url := startServer(t)
			nc, err := nats.Connect(url)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			js, _ := jetstream.New(nc)
			ctx := context.Background()
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "LOGS", Subjects: []string{"logs.>"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MATCHES", Subjects: []string{"iocmatch.matches"}, Duplicates: time.Minute}); err != nil {
				t.Fatal(err)
			}
			feedDir := t.TempDir()
			writeFleetFeed(t, feedDir)
			if out, err := exec.Command(workerBin, "-nats", url, "-publish-feeds", feedDir).CombinedOutput(); err != nil {
				t.Fatalf("-publish-feeds: %v\n%s", err, out)
			}
			publishLines(t, js, "logs.proxy", lines)
			// The consumer first, paused, so that no worker starts before the others.
			until := time.Now().Add(time.Hour)
			cons, err := js.CreateOrUpdateConsumer(ctx, "LOGS", jetstream.ConsumerConfig{Durable: "iocmatch", AckPolicy: jetstream.AckExplicitPolicy,
				AckWait: 30 * time.Second, MaxAckPending: 4096, MaxDeliver: -1, PauseUntil: &until})
			if err != nil {
				t.Fatal(err)
			}
			var ws []*worker
			for i := range k {
				args := append([]string{"-ack-wait", "30s", "-create=false", "-consumer", "iocmatch"}, strings.Fields(os.Getenv("NATSWORKER_ARGS"))...)
				ws = append(ws, startWorker(t, url, fmt.Sprintf("w%d", i+1), args...))
			}
			for _, w := range ws {
				w.waitLog(t, " ready ", 0, 30*time.Second)
			}
			if _, err := js.ResumeConsumer(ctx, "LOGS", "iocmatch"); err != nil {
				t.Fatal(err)
			}
			// From the first ack on (pull requests made while paused may wait
			// out their expiry, 1 s, first).
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
				ci, err := cons.Info(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if ci.AckFloor.Stream > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no line acked within 30s")
				}
			}
			c0, start := cpuSelf(), time.Now()
			waitAllAcked(t, cons, uint64(nLines), 2*time.Minute)
			el, srv := time.Since(start), cpuSelf()-c0
			var wcpu time.Duration
			per := []string{}
			for _, w := range ws {
				w.stop(t)
				d, err := time.ParseDuration(w.statValue(t, "cpu"))
				if err != nil {
					t.Fatal(err)
				}
				wcpu += d
				per = append(per, w.statValue(t, "lines"))
			}
			t.Logf("%d workers: %d lines in %v: %.0f lines/s, %.0f per worker (lines %s); CPU: workers %v (%.2f µs/line), server+test %v; wall×2 cores %v",
				k, nLines, el.Round(time.Millisecond), float64(nLines)/el.Seconds(), float64(nLines)/el.Seconds()/float64(k), strings.Join(per, "/"),
				wcpu.Round(time.Millisecond), float64(wcpu.Microseconds())/float64(nLines), srv.Round(time.Millisecond), (2 * el).Round(time.Millisecond))
		})
	}
}

// BenchmarkMatchLine is iocmatch's own cost per line of the fleet
// test's lines (AppendMatches only), beside the worker's cost per line.
func BenchmarkMatchLine(b *testing.B) {
	dir := b.TempDir()
	writeFleetFeed(b, dir)
	c, _ := parseFlags(nil, nil)
	opts, err := c.liveOptions(context.Background(), dir, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	lm, err := live.New(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer lm.Close()
	m := lm.Current().Matcher
	lines := make([][]byte, 1000)
	for i := range lines {
		lines[i] = []byte(fleetLine(i))
	}
	var xs []match.Match
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		xs = m.AppendMatches(xs[:0], lines[i%len(lines)])
	}
}
