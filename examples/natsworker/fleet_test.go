package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// workerBin is the natsworker binary built by TestMain.
var workerBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "natsworker-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workerBin = filepath.Join(dir, "natsworker")
	if out, err := exec.Command("go", "build", "-o", workerBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startServer starts an embedded nats-server with JetStream on a random
// loopback port and a temporary store; it is shut down with the test.
func startServer(t testing.TB) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		NoLog: true, NoSigs: true, MaxPayload: 8 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready within 10s")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s.ClientURL()
}

// envInt is the integer in $name, or def.
func envInt(t testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("$%s=%q: want a positive integer", name, v)
	}
	return n
}

// writeFleetFeed writes the test feed: 1000 domains and 100 addresses.
func writeFleetFeed(t testing.TB, dir string) {
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "evil-%d.com\n", i)
	}
	for i := range 100 {
		fmt.Fprintf(&b, "45.33.%d.%d\n", i/10, i%10+1)
	}
	if err := os.WriteFile(filepath.Join(dir, "fleet.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fleetLine is the i-th test line: one in 10 names an indicator domain,
// one in 70 an indicator address; the others match nothing.
func fleetLine(i int) string {
	host := fmt.Sprintf("site-%d.example.org", i)
	if i%10 == 0 {
		host = fmt.Sprintf("evil-%d.com", i%1000)
	}
	addr := fmt.Sprintf("203.0.%d.%d", i%200+1, i%250+1)
	if i%70 == 0 {
		addr = fmt.Sprintf("45.33.%d.%d", i%100/10, i%10+1)
	}
	return fmt.Sprintf("2026-12-01T23:00:00Z proxy%d GET http://%s/a/%d?q=%d client=%s status=200 bytes=%d", i%7, host, i, i*31, addr, 100+i%5000)
}

// key is one (line, indicator) of the output.
type key struct {
	seq uint64
	ind string
}

// worker is a running natsworker process.
type worker struct {
	name  string
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string    // its log
	seen  []time.Time // when each log line was read
	done  chan struct{}
}

func startWorker(t testing.TB, url, name string, extra ...string) *worker {
	t.Helper()
	// Its own mirror under the test's temporary directory: a SIGKILLed
	// worker cannot remove its default one.
	args := append([]string{"-nats", url, "-name", name, "-ack-wait", "2s", "-dup-window", "1m", "-stats-interval", "0",
		"-feeds-dir", filepath.Join(t.TempDir(), "feeds")}, extra...)
	cmd := exec.Command(workerBin, args...)
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w := &worker{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.seen = append(w.seen, time.Now())
			w.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return w
}

// waitLog waits until the worker logs a line containing s from line
// index from on; it returns when it was read, and its index.
func (w *worker) waitLog(t testing.TB, s string, from int, timeout time.Duration) (time.Time, int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		for i := from; i < len(w.lines); i++ {
			if strings.Contains(w.lines[i], s) {
				at := w.seen[i]
				w.mu.Unlock()
				return at, i
			}
		}
		w.mu.Unlock()
		select {
		case <-w.done:
			t.Fatalf("worker %s exited before logging %q:\n%s", w.name, s, w.log())
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("worker %s: no %q within %v:\n%s", w.name, s, timeout, w.log())
	return time.Time{}, 0
}

func (w *worker) log() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// stop sends SIGTERM and waits for a clean exit.
func (w *worker) stop(t testing.TB) {
	t.Helper()
	w.cmd.Process.Signal(syscall.SIGTERM)
	ch := make(chan error, 1)
	go func() { <-w.done; ch <- w.cmd.Wait() }()
	select {
	case err := <-ch:
		if err != nil {
			t.Errorf("worker %s: %v\n%s", w.name, err, w.log())
		}
	case <-time.After(15 * time.Second):
		w.cmd.Process.Kill()
		t.Fatalf("worker %s did not stop within 15s of SIGTERM:\n%s", w.name, w.log())
	}
}

// statValue is the value of key=… in the worker's "stopped" line.
func (w *worker) statValue(t testing.TB, k string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.lines {
		if !strings.Contains(l, " stopped ") {
			continue
		}
		for _, f := range strings.Fields(l) {
			if v, ok := strings.CutPrefix(f, k+"="); ok {
				return v
			}
		}
	}
	t.Fatalf("worker %s: no %s= in its stopped line:\n%s", w.name, k, strings.Join(w.lines, "\n"))
	return ""
}

// expectedMatches matches the lines directly with a live matcher over
// the same feeds and options as the workers'.
func expectedMatches(t testing.TB, feedDir string, lines map[uint64]string) map[key]bool {
	t.Helper()
	c, err := parseFlags([]string{"-bucket", "X"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := c.liveOptions(context.Background(), feedDir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	lm, err := live.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer lm.Close()
	m := lm.Current().Matcher
	want := map[key]bool{}
	var xs []match.Match
	for seq, l := range lines {
		xs = m.AppendMatches(xs[:0], []byte(l))
		for _, x := range xs {
			want[key{seq, m.Entry(x.ID).Value}] = true
		}
	}
	return want
}

// publishLines publishes lines to subject, asynchronously, and returns
// them by stream sequence.
func publishLines(t testing.TB, js jetstream.JetStream, subject string, lines []string) map[uint64]string {
	t.Helper()
	bySeq := make(map[uint64]string, len(lines))
	const window = 2000
	for off := 0; off < len(lines); off += window {
		end := min(off+window, len(lines))
		futs := make([]jetstream.PubAckFuture, 0, end-off)
		for _, l := range lines[off:end] {
			f, err := js.PublishAsync(subject, []byte(l))
			if err != nil {
				t.Fatal(err)
			}
			futs = append(futs, f)
		}
		for i, f := range futs {
			select {
			case a := <-f.Ok():
				bySeq[a.Sequence] = lines[off+i]
			case err := <-f.Err():
				t.Fatal(err)
			case <-time.After(30 * time.Second):
				t.Fatal("publish ack: timeout")
			}
		}
	}
	return bySeq
}

// waitAllAcked waits until the consumer has acked every message up to
// last (ack floor), nothing pending.
func waitAllAcked(t testing.TB, cons jetstream.Consumer, last uint64, timeout time.Duration) *jetstream.ConsumerInfo {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var ci *jetstream.ConsumerInfo
	for time.Now().Before(deadline) {
		var err error
		ci, err = cons.Info(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ci.AckFloor.Stream >= last && ci.NumPending == 0 && ci.NumAckPending == 0 {
			return ci
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("consumer not done within %v: ack floor %d of %d, pending %d, ack pending %d, redelivered %d",
		timeout, ci.AckFloor.Stream, last, ci.NumPending, ci.NumAckPending, ci.NumRedelivered)
	return nil
}

// outMsg is one output message.
type outMsg struct {
	id   string
	seq  uint64
	keys []key
}

func parseOut(t testing.TB, h nats.Header, data []byte) outMsg {
	t.Helper()
	o := outMsg{id: h.Get(jetstream.MsgIDHeader)}
	for l := range bytes.Lines(data) {
		var v struct {
			Line      uint64 `json:"line"`
			Indicator string `json:"indicator"`
			File      string `json:"file"`
		}
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatalf("output %s: %v: %s", o.id, err, l)
		}
		if o.seq != 0 && v.Line != o.seq {
			t.Fatalf("output %s: lines %d and %d in one message", o.id, o.seq, v.Line)
		}
		o.seq = v.Line
		o.keys = append(o.keys, key{v.Line, v.Indicator})
	}
	if want := msgID("LOGS", o.seq); o.id != want {
		t.Fatalf("output of line %d has Nats-Msg-Id %q, want %q", o.seq, o.id, want)
	}
	return o
}

// readStream reads every message of stream with an ordered consumer.
func readStream(t testing.TB, js jetstream.JetStream, stream string) []outMsg {
	t.Helper()
	ctx := context.Background()
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []outMsg
	for uint64(len(out)) < info.State.Msgs {
		b, err := oc.Fetch(1000, jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for m := range b.Messages() {
			out = append(out, parseOut(t, m.Headers(), m.Data()))
			got++
		}
		if got == 0 {
			t.Fatalf("stream %s: read %d of %d messages", stream, len(out), info.State.Msgs)
		}
	}
	return out
}

// TestFleet: 3 worker processes share one consumer; one is killed with
// SIGKILL mid-run; a feed update is put mid-run. Every line is acked,
// the output stream holds exactly the expected (line, indicator) pairs
// once, raw duplicates carry the same id, and every live worker reloads.
func TestFleet(t *testing.T) {
	nLines := envInt(t, "NATSWORKER_LINES", 30000)
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "LOGS", Subjects: []string{"logs.>"}}); err != nil {
		t.Fatal(err)
	}

	// Raw outputs, duplicates included, as a plain subscriber sees them.
	var rawMu sync.Mutex
	raw := map[string][]uint64{} // id -> line of each raw message
	sub, err := nc.Subscribe("iocmatch.matches", func(m *nats.Msg) {
		o := parseOut(t, m.Header, m.Data)
		rawMu.Lock()
		raw[o.id] = append(raw[o.id], o.seq)
		rawMu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	sub.SetPendingLimits(-1, -1)
	defer sub.Unsubscribe()

	feedDir := t.TempDir()
	writeFleetFeed(t, feedDir)
	if out, err := exec.Command(workerBin, "-nats", url, "-publish-feeds", feedDir).CombinedOutput(); err != nil {
		t.Fatalf("-publish-feeds: %v\n%s", err, out)
	}

	lines := make([]string, nLines)
	for i := range lines {
		lines[i] = fleetLine(i)
	}
	t0 := time.Now()
	bySeq := publishLines(t, js, "logs.proxy", lines)
	t.Logf("published %d lines in %v", nLines, time.Since(t0).Round(time.Millisecond))

	ws := []*worker{startWorker(t, url, "w1"), startWorker(t, url, "w2"), startWorker(t, url, "w3")}
	for _, w := range ws {
		w.waitLog(t, " ready ", 0, 30*time.Second)
	}
	cons, err := js.Consumer(ctx, "LOGS", "iocmatch")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// Kill w1 once a third of the lines are acked.
	for {
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.AckFloor.Stream >= uint64(nLines/3) {
			break
		}
		if time.Since(start) > 60*time.Second {
			t.Fatalf("a third of the lines not acked within 60s (ack floor %d)", ci.AckFloor.Stream)
		}
		time.Sleep(2 * time.Millisecond)
	}
	ws[0].cmd.Process.Signal(syscall.SIGKILL)
	ws[0].cmd.Wait()
	ci, _ := cons.Info(ctx)
	t.Logf("killed w1 at ack floor %d of %d (%d acks pending)", ci.AckFloor.Stream, nLines, ci.NumAckPending)

	// The feed update: a new object with a new indicator.
	obs, err := js.ObjectStore(ctx, "IOCFEEDS")
	if err != nil {
		t.Fatal(err)
	}
	_, from2 := ws[1].waitLog(t, " ready ", 0, time.Second)
	_, from3 := ws[2].waitLog(t, " ready ", 0, time.Second)
	put := time.Now()
	if _, err := obs.PutBytes(ctx, "update.txt", []byte("fresh-indicator.com\n")); err != nil {
		t.Fatal(err)
	}
	at2, _ := ws[1].waitLog(t, " reloaded ", from2, 30*time.Second)
	at3, _ := ws[2].waitLog(t, " reloaded ", from3, 30*time.Second)
	t.Logf("feed update reached the workers after %v (w2) and %v (w3)", at2.Sub(put).Round(time.Millisecond), at3.Sub(put).Round(time.Millisecond))

	probes := make([]string, 200)
	for i := range probes {
		probes[i] = fmt.Sprintf("2026-12-01T23:30:00Z probe GET http://fresh-indicator.com/p/%d", i)
	}
	for seq, l := range publishLines(t, js, "logs.probe", probes) {
		bySeq[seq] = l
	}
	last := uint64(len(bySeq))
	ci = waitAllAcked(t, cons, last, 90*time.Second)
	el := time.Since(start)
	ws[1].stop(t)
	ws[2].stop(t)
	if ci.AckFloor.Stream != last {
		t.Errorf("ack floor %d, want %d", ci.AckFloor.Stream, last)
	}

	want := expectedMatches(t, feedDir, bySeq)
	fresh := 0
	for k := range want {
		if k.ind == "fresh-indicator.com" {
			t.Fatalf("the first feed matches the probe %v", k)
		}
	}
	for seq, l := range bySeq {
		if strings.Contains(l, " probe ") {
			want[key{seq, "fresh-indicator.com"}] = true
			fresh++
		}
	}
	out := readStream(t, js, "MATCHES")
	got := map[key]bool{}
	ids := map[string]bool{}
	for _, o := range out {
		if ids[o.id] {
			t.Errorf("output stream holds %s twice", o.id)
		}
		ids[o.id] = true
		for _, k := range o.keys {
			got[k] = true
		}
	}
	missing, extra := 0, 0
	for k := range want {
		if !got[k] {
			if missing++; missing <= 5 {
				t.Errorf("match lost: line %d %s", k.seq, k.ind)
			}
		}
	}
	for k := range got {
		if !want[k] {
			if extra++; extra <= 5 {
				t.Errorf("unexpected match: line %d %s", k.seq, k.ind)
			}
		}
	}
	if missing+extra > 0 {
		t.Fatalf("%d matches lost, %d unexpected, of %d", missing, extra, len(want))
	}

	// Raw duplicates: the same id, the same line.
	time.Sleep(100 * time.Millisecond) // the subscriber's last messages
	rawMu.Lock()
	rawN, dupIDs := 0, 0
	for id, seqs := range raw {
		rawN += len(seqs)
		if len(seqs) > 1 {
			dupIDs++
		}
		if !ids[id] {
			t.Errorf("raw output %s is not in the output stream", id)
		}
	}
	rawMu.Unlock()
	if len(raw) != len(out) {
		t.Errorf("%d distinct ids seen on the subject, %d in the stream", len(raw), len(out))
	}
	red := 0
	for _, w := range ws[1:] {
		n, _ := strconv.Atoi(w.statValue(t, "redelivered"))
		red += n
	}
	t.Logf("%d lines (+%d probes) in %v with 3 workers, one killed: %d output messages (%d matches, %d on the new indicator) in the stream; %d raw messages on the subject, %d ids published more than once; %d lines redelivered; w2 %s lines, w3 %s lines",
		nLines, len(probes), el.Round(time.Millisecond), len(out), len(got), fresh, rawN, dupIDs, red, ws[1].statValue(t, "lines"), ws[2].statValue(t, "lines"))
}

// TestCrashDuplicates: a worker dies (SIGKILL) right after its output is
// acknowledged and before its line is acked, the worst moment: the line
// is redelivered to the other worker, whose output has the same
// Nats-Msg-Id, so the stream stores it once and a plain subscriber sees
// it twice with the same id.
func TestCrashDuplicates(t *testing.T) {
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var rawMu sync.Mutex
	raw := map[string]int{}
	sub, err := nc.Subscribe("iocmatch.matches", func(m *nats.Msg) {
		o := parseOut(t, m.Header, m.Data)
		rawMu.Lock()
		raw[o.id]++
		rawMu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	sub.SetPendingLimits(-1, -1)
	defer sub.Unsubscribe()
	feedDir := t.TempDir()
	writeFleetFeed(t, feedDir)
	if out, err := exec.Command(workerBin, "-nats", url, "-publish-feeds", feedDir).CombinedOutput(); err != nil {
		t.Fatalf("-publish-feeds: %v\n%s", err, out)
	}
	// w1 alone first, so that it is the one holding the lines it dies with.
	w1 := startWorker(t, url, "w1", "-crash-after-publish", "50", "-batch", "500")
	w1.waitLog(t, " ready ", 0, 30*time.Second)
	lines := make([]string, 3000)
	for i := range lines {
		lines[i] = fleetLine(i)
	}
	bySeq := publishLines(t, js, "logs.proxy", lines)
	select {
	case <-w1.done:
	case <-time.After(30 * time.Second):
		t.Fatal("w1 did not crash within 30s")
	}
	w1.cmd.Wait()
	if ws, ok := w1.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("w1 ended with %v, want SIGKILL", w1.cmd.ProcessState)
	}
	w2 := startWorker(t, url, "w2")
	w2.waitLog(t, " ready ", 0, 30*time.Second)
	cons, err := js.Consumer(ctx, "LOGS", "iocmatch")
	if err != nil {
		t.Fatal(err)
	}
	waitAllAcked(t, cons, uint64(len(bySeq)), 30*time.Second)
	w2.stop(t)

	want := expectedMatches(t, feedDir, bySeq)
	got := map[key]bool{}
	out := readStream(t, js, "MATCHES")
	for _, o := range out {
		for _, k := range o.keys {
			got[k] = true
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d matches in the stream, want %d", len(got), len(want))
	}
	for k := range want {
		if !got[k] {
			t.Fatalf("match lost: line %d %s", k.seq, k.ind)
		}
	}
	time.Sleep(100 * time.Millisecond)
	rawMu.Lock()
	dups := 0
	for _, n := range raw {
		if n > 1 {
			dups++
		}
	}
	rawMu.Unlock()
	d2, _ := strconv.Atoi(w2.statValue(t, "duplicates"))
	if dups == 0 || d2 == 0 {
		t.Fatalf("no duplicate after the crash (subject: %d ids twice, w2's publish acks: %d duplicates): the crash window was not hit", dups, d2)
	}
	if len(out) != len(raw) {
		t.Errorf("stream holds %d outputs, %d distinct ids published", len(out), len(raw))
	}
	t.Logf("crash after 50 acknowledged outputs: %d ids published twice, de-duplicated by the stream (w2's acks: %d duplicates); %d outputs stored once", dups, d2, len(out))
}

// TestGracefulStop: SIGTERM mid-run stops a worker after its batch in
// flight, with every line it was delivered acked: nothing left pending
// for a redelivery.
func TestGracefulStop(t *testing.T) {
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
	feedDir := t.TempDir()
	writeFleetFeed(t, feedDir)
	if out, err := exec.Command(workerBin, "-nats", url, "-publish-feeds", feedDir).CombinedOutput(); err != nil {
		t.Fatalf("-publish-feeds: %v\n%s", err, out)
	}
	lines := make([]string, 20000)
	for i := range lines {
		lines[i] = fleetLine(i)
	}
	publishLines(t, js, "logs.proxy", lines)
	w := startWorker(t, url, "w1", "-ack-wait", "50s", "-batch", "1000", "-max-ack-pending", "1000")
	w.waitLog(t, " ready ", 0, 30*time.Second)
	cons, err := js.Consumer(ctx, "LOGS", "iocmatch")
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.AckFloor.Stream > 2000 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no progress within 30s")
		}
	}
	w.stop(t)
	ci, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ci.NumAckPending != 0 || ci.AckFloor.Stream != ci.Delivered.Stream {
		t.Fatalf("after SIGTERM: %d lines delivered and not acked (ack floor %d, delivered %d)", ci.NumAckPending, ci.AckFloor.Stream, ci.Delivered.Stream)
	}
	if ci.AckFloor.Stream >= uint64(len(lines)) {
		t.Fatalf("the worker finished before the SIGTERM (ack floor %d): not a mid-run stop", ci.AckFloor.Stream)
	}
	if got := w.statValue(t, "lines"); got != strconv.FormatUint(ci.AckFloor.Stream, 10) {
		t.Errorf("worker counted %s lines, the consumer acked %d", got, ci.AckFloor.Stream)
	}
	t.Logf("SIGTERM at ack floor > 2000: stopped with %d of %d lines acked, none pending", ci.AckFloor.Stream, len(lines))
}

// TestECSOutput: -format ecs publishes one ECS event per line with
// matches, its threat.enrichments the line's matches.
func TestECSOutput(t *testing.T) {
	url := startServer(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	feedDir := t.TempDir()
	writeFleetFeed(t, feedDir)
	if out, err := exec.Command(workerBin, "-nats", url, "-publish-feeds", feedDir).CombinedOutput(); err != nil {
		t.Fatalf("-publish-feeds: %v\n%s", err, out)
	}
	w := startWorker(t, url, "w1", "-format", "ecs")
	w.waitLog(t, " ready ", 0, 30*time.Second)
	lines := make([]string, 140)
	for i := range lines {
		lines[i] = fleetLine(i)
	}
	bySeq := publishLines(t, js, "logs.proxy", lines)
	cons, err := js.Consumer(context.Background(), "LOGS", "iocmatch")
	if err != nil {
		t.Fatal(err)
	}
	waitAllAcked(t, cons, uint64(len(bySeq)), 30*time.Second)
	w.stop(t)
	want := expectedMatches(t, feedDir, bySeq)
	oc, err := js.OrderedConsumer(context.Background(), "MATCHES", jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := oc.Fetch(100, jetstream.FetchMaxWait(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	got := map[key]bool{}
	for m := range b.Messages() {
		var ev struct {
			Event struct {
				Original string `json:"original"`
			} `json:"event"`
			Threat struct {
				Enrichments []struct {
					Indicator map[string]any `json:"indicator"`
				} `json:"enrichments"`
			} `json:"threat"`
		}
		if err := json.Unmarshal(m.Data(), &ev); err != nil {
			t.Fatalf("not JSON: %v: %s", err, m.Data())
		}
		seq, _ := strconv.ParseUint(m.Headers().Get(hdrSeq), 10, 64)
		if m.Headers().Get(jetstream.MsgIDHeader) != msgID("LOGS", seq) || ev.Event.Original != bySeq[seq] {
			t.Fatalf("event of line %d: id %q, event.original %q", seq, m.Headers().Get(jetstream.MsgIDHeader), ev.Event.Original)
		}
		if len(ev.Threat.Enrichments) == 0 {
			t.Fatalf("event without enrichments: %s", m.Data())
		}
		for _, e := range ev.Threat.Enrichments {
			raw, _ := json.Marshal(e.Indicator)
			for k := range want {
				if k.seq == seq && bytes.Contains(raw, []byte(`"`+k.ind+`"`)) {
					got[k] = true
				}
			}
		}
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("ECS events name %d of the %d expected matches", len(got), len(want))
	}
}
