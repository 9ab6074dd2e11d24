package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"
)

// TestProcCPU checks the /proc/PID/stat reading against this process's
// own rusage: both count the same CPU time, /proc in 10 ms ticks.
func TestProcCPU(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	h := sha256.New()
	buf := make([]byte, 1<<16)
	for t0 := time.Now(); time.Since(t0) < 200*time.Millisecond; {
		h.Write(buf)
	}
	before := cpuNow()
	got, err := procCPU(os.Getpid())
	after := cpuNow()
	if err != nil {
		t.Fatal(err)
	}
	if got <= 0 || got < before-2*clockTick || got > after+clockTick {
		t.Fatalf("procCPU %v, rusage %v … %v", got, before, after)
	}
	if rss := procRSS(os.Getpid()); rss < 1<<20 {
		t.Errorf("procRSS %d", rss)
	}
	if _, err := procCPU(1 << 30); err == nil {
		t.Errorf("procCPU of no process: no error")
	}
}

// TestStartServeFails checks that a server that exits at once is an
// error that says so, not a wait until the time limit.
func TestStartServeFails(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	bin := t.TempDir() + "/fake-iocserve"
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'iocserve: loading the indicators: no feed' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	t0 := time.Now()
	_, err := startServe(ctx, bin, "feed.txt")
	if err == nil || !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "no feed") {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestWriteServe checks the section's rows: figures, and a row that says
// why when a phase was not measured.
func TestWriteServe(t *testing.T) {
	res := &Results{Serve: []ServeRow{
		{N: 1_000_000, Batch: 1, Clients: 4, Requests: 100, Lines: 100, Expected: 1, Matched: 1, WallSec: 0.5, ServerCPU: 0.4, P50: 1e-3, P99: 2e-3, Max: 3e-3, MatchNs: 500},
		{N: 1_000_000, Batch: 1000, Clients: 4, Status: "not measured: status 503"},
	}}
	var b bytes.Buffer
	writeServe(&b, config{procs: true, hitRate: 0.005}, res)
	for _, want := range []string{"| 1M | 1 | 100 | 1 ms | 2 ms | 3 ms | 200 | 200 | 500 ms | 400 ms |", "| 4 ms | 500 ns | 1 / 1 |",
		"| 1M | 1000 | - |", "not measured: status 503 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
