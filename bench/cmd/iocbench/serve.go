package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/match"
)

// ServeRow is one load phase against examples/iocserve run as a process:
// requests of Batch log lines each to POST /v1/match from Clients
// concurrent HTTP clients of this process over loopback.
type ServeRow struct {
	N         int // indicators in the served feed
	Batch     int // lines per request
	Clients   int
	Requests  int // answered 200
	Failed    int // errors and answers other than 200
	Lines     int
	Expected  int // hit lines sent (workload.Log.Hit)
	Matched   int // lines the answers say matched
	WallSec   float64
	ServerCPU float64 // user+system seconds of the iocserve process in the phase
	ClientCPU float64 // user+system seconds of this process (the clients) in the phase
	P50, P99  float64 // request latency, seconds, client side
	Max       float64
	ReadySec  float64 // start of the process to /readyz 200 (load and compile)
	MatchNs   float64 // AppendMatches alone per line of the same log, in this process, ns
	RSS       int64   // iocserve's resident size after the phase
	Status    string  // "" or why the phase has no (or partial) figures
}

// serveClients is the number of concurrent HTTP clients of each phase.
const serveClients = 4

var reListening = regexp.MustCompile(`listening on http://(\S+)`)

// serve builds examples/iocserve (a module of its own) into the run's
// temporary directory, starts it on 127.0.0.1 with a port of the
// kernel's choosing over a generated plain-list feed of the mixed set of
// n indicators, waits for /readyz, and loads it with requests of 1 line
// and of 1000 lines of the mixed log (-hit-rate hit lines). A failure
// gives rows that say why, never an error of the whole run.
func (r *runner) serve(n int) {
	cfg := r.cfg
	fail := func(err error) {
		r.logf("serve: %v", err)
		for _, b := range []int{1, 1000} {
			r.res.Serve = append(r.res.Serve, ServeRow{N: n, Batch: b, Clients: serveClients, Status: "not measured: " + err.Error()})
		}
	}
	if runtime.GOOS != "linux" {
		fail(errors.New("the server's CPU time is read from /proc (Linux only)"))
		return
	}
	dir := filepath.Join(r.tmp, "iocserve")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "iocserve")
	if err := goBuild(filepath.Join(cfg.repo, "examples", "iocserve"), ".", bin); err != nil {
		fail(err)
		return
	}
	inds := workload.Indicators(n, cfg.seed)
	feed := filepath.Join(dir, "feed.txt")
	if err := writeFile(feed, func(w io.Writer) error { return workload.WriteFeed(w, inds) }); err != nil {
		fail(err)
		return
	}
	log := workload.Generate(workload.Mixed, max(cfg.lines, 20_000), cfg.hitRate, inds, cfg.seed+500) // 20 distinct bodies of 1000 lines at least
	// iocmatch's own cost on the same lines, for scale (before the
	// server starts: the two do not share the cores).
	matchNs := 0.0
	if m, err := match.Compile(inds, match.Options{}); err == nil {
		mbps, _ := scanRate(max(cfg.minDur, 300*time.Millisecond), log.Lines, log.Bytes, 1, matchScan(m))
		matchNs = float64(log.Bytes) / float64(len(log.Lines)) / mbps * 1e3
		runtime.KeepAlive(m)
	}
	inds = nil
	release()

	ctx, cancel := context.WithTimeout(context.Background(), cfg.peerTimeout)
	defer cancel()
	srv, err := startServe(ctx, bin, feed)
	if err != nil {
		fail(err)
		return
	}
	defer srv.stop()
	r.logf("serve: iocserve ready at %s after %.2fs (N=%d)", srv.addr, srv.ready.Seconds(), n)
	for _, p := range []struct{ batch, requests int }{{1, cfg.serveReqs}, {1000, max(cfg.serveReqs/10, 10)}} {
		row := srv.load(ctx, log, p.batch, p.requests)
		row.N, row.ReadySec, row.MatchNs = n, srv.ready.Seconds(), matchNs
		r.res.Serve = append(r.res.Serve, row)
		r.logf("serve: batch %d: %d requests in %.2fs (server CPU %.2fs, clients %.2fs): p50 %s, p99 %s, max %s; %.0f lines/s; %d/%d hit lines matched %s",
			p.batch, row.Requests, row.WallSec, row.ServerCPU, row.ClientCPU, fmtDur(row.P50), fmtDur(row.P99), fmtDur(row.Max),
			float64(row.Lines)/max(row.WallSec, 1e-9), row.Matched, row.Expected, row.Status)
	}
	if err := srv.stop(); err != nil {
		r.res.Notes = append(r.res.Notes, "iocserve did not stop cleanly on SIGTERM: "+err.Error())
	}
}

// serveProc is a running iocserve.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string
	ready  time.Duration
	done   chan struct{} // closed when the process has exited
	err    error         // its Wait error, once done
	stderr *tailBuffer
	once   sync.Once
	stopE  error
}

// startServe starts bin on 127.0.0.1:0 over feed, reads its address from
// its log and waits (until ctx ends) for /readyz to answer 200.
func startServe(ctx context.Context, bin, feed string) (*serveProc, error) {
	t0 := time.Now()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-feed", feed)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	pr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProc{cmd: cmd, done: make(chan struct{}), stderr: &tailBuffer{}}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.stderr.add(sc.Text())
			if m := reListening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr)
		p.err = cmd.Wait()
		close(p.done)
	}()
	exited := func() error {
		return fmt.Errorf("iocserve exited (%v) before it was ready: %s", p.err, p.stderr.last())
	}
	select {
	case p.addr = <-addr:
	case <-p.done:
		return nil, exited()
	case <-ctx.Done():
		p.stop()
		return nil, fmt.Errorf("iocserve printed no address within the time limit: %s", p.stderr.last())
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get("http://" + p.addr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.ready = time.Since(t0)
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, exited()
		case <-ctx.Done():
			p.stop()
			return nil, fmt.Errorf("iocserve not ready after %.0f s (-peer-timeout): %s", time.Since(t0).Seconds(), p.stderr.last())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for the exit (SIGKILL after 30 s); it
// reports an exit other than a clean one. It may be called again.
func (p *serveProc) stop() error {
	p.once.Do(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Signal(syscall.SIGTERM)
		}
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
			p.stopE = fmt.Errorf("killed after 30 s: %s", p.stderr.last())
			return
		}
		if p.err != nil {
			p.stopE = fmt.Errorf("%v: %s", p.err, p.stderr.last())
		}
	})
	return p.stopE
}

// load sends requests POSTs of batch lines of log each (text/plain, one
// line per line) from serveClients clients, stopping early when ctx
// ends, and measures them.
func (p *serveProc) load(ctx context.Context, log workload.Log, batch, requests int) ServeRow {
	row := ServeRow{Batch: batch, Clients: serveClients}
	// The bodies: consecutive windows of the log, so that the hit lines
	// come at the log's rate; expected[i] is the hit lines in body i.
	nb := max(1, min(len(log.Lines)/batch, 4096))
	bodies, expected := make([][]byte, nb), make([]int, nb)
	for i := range bodies {
		var b bytes.Buffer
		for j := range batch {
			k := (i*batch + j) % len(log.Lines)
			b.Write(log.Lines[k])
			b.WriteByte('\n')
			if log.Hit[k] {
				expected[i]++
			}
		}
		bodies[i] = b.Bytes()
	}
	url := "http://" + p.addr + "/v1/match"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: serveClients}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	lat := make([]time.Duration, requests)
	ok := make([]bool, requests)
	var next, matched, want, failed atomic.Int64
	var firstErr atomic.Value
	warm := min(requests, 20) // untimed: connections, first touches
	send := func(i int) (time.Duration, error) {
		body := bodies[i%nb]
		s := time.Now()
		resp, err := client.Post(url, "text/plain", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		var v struct {
			Lines   int `json:"lines"`
			Matched int `json:"matched"`
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(s)
		switch {
		case resp.StatusCode != http.StatusOK:
			return d, fmt.Errorf("status %d", resp.StatusCode)
		case err != nil:
			return d, err
		case v.Lines != batch:
			return d, fmt.Errorf("answer counts %d lines of %d", v.Lines, batch)
		}
		matched.Add(int64(v.Matched))
		want.Add(int64(expected[i%nb]))
		return d, nil
	}
	for i := range warm {
		if _, err := send(i); err != nil {
			row.Status = "not measured: warm-up request: " + err.Error()
			return row
		}
	}
	matched.Store(0)
	want.Store(0)
	cpu0, err := procCPU(p.cmd.Process.Pid)
	if err != nil {
		row.Status = "not measured: " + err.Error()
		return row
	}
	c0, t0 := cpuNow(), time.Now()
	var wg sync.WaitGroup
	for range serveClients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= requests {
					return
				}
				d, err := send(i)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[i], ok[i] = d, true
			}
		})
	}
	wg.Wait()
	wall, ccpu := time.Since(t0), cpuNow()-c0
	cpu1, err := procCPU(p.cmd.Process.Pid)
	if err != nil {
		row.Status = "not measured: " + err.Error()
		return row
	}
	row.WallSec, row.ServerCPU, row.ClientCPU = wall.Seconds(), (cpu1 - cpu0).Seconds(), ccpu.Seconds()
	row.RSS = procRSS(p.cmd.Process.Pid)
	var ds []time.Duration
	for i, d := range lat {
		if ok[i] {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	row.Requests, row.Failed = len(ds), int(failed.Load())
	row.Lines, row.Matched, row.Expected = len(ds)*batch, int(matched.Load()), int(want.Load())
	if k := len(ds); k > 0 {
		row.P50, row.P99, row.Max = ds[k/2].Seconds(), ds[min(k-1, k*99/100)].Seconds(), ds[k-1].Seconds()
	}
	var notes []string
	if ctx.Err() != nil {
		notes = append(notes, fmt.Sprintf("stopped at the time limit (-peer-timeout) after %d of %d requests", row.Requests+row.Failed, requests))
	}
	if row.Failed > 0 {
		notes = append(notes, fmt.Sprintf("%d requests failed (first: %v)", row.Failed, firstErr.Load()))
	}
	if row.Matched != row.Expected {
		notes = append(notes, fmt.Sprintf("%d lines matched, %d hit lines sent", row.Matched, row.Expected))
	}
	row.Status = strings.Join(notes, "; ")
	return row
}

// clockTick is the unit of the CPU times in /proc/PID/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procCPU is a process's user+system CPU time from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// the fields after it start at the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 { // fields 3 … 15: utime is the 14th, stime the 15th
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
	}
	return time.Duration(ut+st) * clockTick, nil
}

// procRSS is a process's resident size from /proc/PID/status, 0 if
// unknown.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// tailBuffer keeps the last lines of a process's log.
type tailBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (t *tailBuffer) add(l string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, l)
	if len(t.lines) > 20 {
		t.lines = t.lines[len(t.lines)-20:]
	}
}

// last is the last line logged, or "no output".
func (t *tailBuffer) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 0 {
		return "no output"
	}
	return t.lines[len(t.lines)-1]
}

// writeServe writes the detection service's section.
func writeServe(b *bytes.Buffer, cfg config, res *Results) {
	fmt.Fprintf(b, "## Detection service (examples/iocserve)\n\n")
	if !cfg.procs {
		b.WriteString("Not measured (-no-procs): it runs examples/iocserve as a process of its own.\n\n")
		return
	}
	fmt.Fprintf(b, "`go build` of examples/iocserve run as a process (`-addr 127.0.0.1:0 -feed FEED`, its defaults otherwise) on a generated plain-list feed of the mixed set; "+
		"%d HTTP/1.1 keep-alive clients in iocbench POST lines of the mixed log (%.3g%% hit lines) to /v1/match as text/plain, one request at a time each, over loopback, after 20 untimed requests. "+
		"Latency is the client's, from sending to the whole answer decoded; server CPU is iocserve's user+system time in the phase (/proc/PID/stat), client CPU iocbench's; "+
		"both share this machine's cores. *iocmatch/line* is AppendMatches alone on the same set and lines, one goroutine in iocbench before the server starts (fastest of three rounds of at least 100 ms), for scale: the rest of a request's cost is HTTP, splitting the body and the JSON answer. "+
		"*ready* is the process's start to /readyz 200 (reading and compiling the feed); RSS is iocserve's after the phase.\n\n", serveClients, cfg.hitRate*100)
	t := newTable(b, "N", "lines/request", "requests", "p50", "p99", "max", "requests/s", "lines/s", "wall", "server CPU", "client CPU", "server CPU/line", "iocmatch/line", "matched / hit lines", "ready", "RSS", "status")
	for _, s := range res.Serve {
		if s.Requests == 0 {
			t.row(fmtCount(float64(s.N)), strconv.Itoa(s.Batch), "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", orDash(s.Status))
			continue
		}
		perLine := "-"
		if s.MatchNs > 0 {
			perLine = fmtDur(s.MatchNs / 1e9)
		}
		t.row(fmtCount(float64(s.N)), strconv.Itoa(s.Batch), strconv.Itoa(s.Requests),
			fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.Max),
			fmt.Sprintf("%.0f", float64(s.Requests)/s.WallSec), fmt.Sprintf("%.0f", float64(s.Lines)/s.WallSec),
			fmtSec(s.WallSec), fmtSec(s.ServerCPU), fmtSec(s.ClientCPU), fmtDur(s.ServerCPU/float64(s.Lines)), perLine,
			fmt.Sprintf("%d / %d", s.Matched, s.Expected), fmtSec(s.ReadySec), fmtBytes(float64(s.RSS)), orDash(s.Status))
	}
	t.end()
}

// serveTargets adds the detection service's figures to the targets table
// (the issue asks for them in the report, with no goal).
func serveTargets(check func(name, goal, measured string, ok, known bool), res *Results) {
	for _, s := range res.Serve {
		name := fmt.Sprintf("iocserve, %d-line requests, %s indicators", s.Batch, fmtCount(float64(s.N)))
		m := s.Status
		if s.Requests > 0 {
			m = fmt.Sprintf("p50 %s, p99 %s, %.0f lines/s", fmtDur(s.P50), fmtDur(s.P99), float64(s.Lines)/s.WallSec)
			if s.Status != "" {
				m += " (" + s.Status + ")"
			}
		}
		check(name, "report", m, true, false)
	}
}
