package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestRealData runs 3 workers over real feeds and logs: the feeds under
// $NATSWORKER_REALDATA/feeds put into the bucket, every line of the files
// under $NATSWORKER_REALDATA/logs published; the output must equal the
// direct match of the lines with the same feeds. Unset: skipped.
func TestRealData(t *testing.T) {
	root := os.Getenv("NATSWORKER_REALDATA")
	if root == "" {
		t.Skip("set NATSWORKER_REALDATA to a directory with feeds/ and logs/ (e.g. /work/shared/realdata)")
	}
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "LOGS", Subjects: []string{"logs.>"}, MaxMsgSize: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MATCHES", Subjects: []string{"iocmatch.matches"}, Duplicates: time.Minute}); err != nil {
		t.Fatal(err)
	}
	// The consumer paused until every worker is ready, for the throughput.
	until := time.Now().Add(time.Hour)
	cons, err := js.CreateOrUpdateConsumer(ctx, "LOGS", jetstream.ConsumerConfig{Durable: "iocmatch", AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: 30 * time.Second, MaxAckPending: 4096, MaxDeliver: -1, PauseUntil: &until})
	if err != nil {
		t.Fatal(err)
	}
	feeds := filepath.Join(root, "feeds")
	t0 := time.Now()
	if out, err := exec.Command(workerBin, "-nats", url, "-publish-feeds", feeds).CombinedOutput(); err != nil {
		t.Fatalf("-publish-feeds: %v\n%s", err, out)
	}
	t.Logf("feeds put into the bucket in %v", time.Since(t0).Round(time.Millisecond))
	var lines []string
	files := 0
	filepath.WalkDir(filepath.Join(root, "logs"), func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || strings.HasSuffix(p, ".md") || strings.Contains(d.Name(), "LICENSE") {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		files++
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if len(sc.Bytes()) > 0 {
				lines = append(lines, sc.Text())
			}
		}
		return nil
	})
	bySeq := publishLines(t, js, "logs.real", lines)
	var ws []*worker
	for i := range 3 {
		ws = append(ws, startWorker(t, url, fmt.Sprintf("w%d", i+1), "-create=false"))
	}
	var ready time.Time
	for _, w := range ws {
		ready, _ = w.waitLog(t, " ready ", 0, 2*time.Minute)
	}
	t.Logf("workers ready %v after start (bucket mirrored, %s)", ready.Sub(t0).Round(time.Millisecond), ws[0].log())
	if _, err := js.ResumeConsumer(ctx, "LOGS", "iocmatch"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	waitAllAcked(t, cons, uint64(len(bySeq)), 3*time.Minute)
	el := time.Since(start)
	for _, w := range ws {
		w.stop(t)
	}
	want := expectedMatches(t, feeds, bySeq)
	got := map[key]bool{}
	out := readStream(t, js, "MATCHES")
	for _, o := range out {
		for _, k := range o.keys {
			got[k] = true
		}
	}
	lost := 0
	for k := range want {
		if !got[k] {
			lost++
		}
	}
	if lost > 0 || len(got) != len(want) {
		t.Fatalf("%d of %d matches lost, %d in the output", lost, len(want), len(got))
	}
	byInd := map[string]int{}
	for k := range got {
		byInd[k.ind]++
	}
	t.Logf("%d lines of %d files in %v (%.0f lines/s, 3 workers): %d lines matched, %d matches, %d distinct indicators; per worker lines %s/%s/%s",
		len(lines), files, el.Round(time.Millisecond), float64(len(lines))/el.Seconds(), len(out), len(got), len(byInd),
		ws[0].statValue(t, "lines"), ws[1].statValue(t, "lines"), ws[2].statValue(t, "lines"))
}
