package retro_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/iocmatch/iocmatch/match"
	"github.com/iocmatch/iocmatch/retro"
)

// cpuTime is the CPU time (user and system) the process has used, in
// nanoseconds, so that benchmarks on a shared host report CPU time beside
// wall time.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// benchMiB is the size of BenchmarkHunt's buffer: 256 MiB, or
// $RETRO_BENCH_MIB.
func benchMiB(b *testing.B) int64 {
	if s := os.Getenv("RETRO_BENCH_MIB"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("RETRO_BENCH_MIB=%q", s)
		}
		return n
	}
	return 256
}

// BenchmarkHunt retro-hunts a full buffer of 256 MiB of generated web,
// DNS, firewall and process log lines (0.1% of them carrying one of the
// new indicators) for 1,000 new indicators, a third each IPv4 addresses,
// domains and SHA-256 hashes. It reports MB/s of kept lines, the lines
// with matches, and CPU ns/op beside the wall ns/op.
//
// AMD EPYC VM, 2 cores shared with other work, go1.26, -benchtime 3x:
// 1,566,731 lines (250 MB) kept in 256 MiB, hunted in 626 ms wall, 614 ms
// CPU (400 MB/s, one core), 680 lines with matches, 3 allocations per
// hunt (the snapshot); the process's peak RSS 325 MB.
func BenchmarkHunt(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	inds, vals := newIndicators(r, 1000)
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	budget := benchMiB(b) << 20
	rb := retro.New(budget)
	g := &logGen{r: r, hunted: vals, hitRate: 0.001}
	var buf []byte
	for i := int64(1); rb.Stats().EvictedLines == 0; i++ {
		buf = g.line(buf[:0])
		rb.Add("/var/log/mixed.log", i, i*200, buf)
	}
	st := rb.Stats()
	b.Logf("kept %d lines, %d bytes, memory %d", st.Lines, st.Bytes, st.Memory)
	b.SetBytes(st.Bytes)
	b.ReportAllocs()
	hits := 0
	c0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		hits = 0
		if err := rb.Hunt(m, func(retro.Line, []match.Match) error { hits++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(hits), "lines-hit")
	b.ReportMetric(float64(st.Lines), "lines")
}

// BenchmarkAdd adds ~200-byte log lines to a full 64 MiB buffer: the cost
// per line (ns/op) and per MB (MB/s), no allocation. Same host: 32 ns
// (32 ns CPU) per line of 160 bytes on average, 5 GB/s, 0 allocations.
func BenchmarkAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	g := &logGen{r: r}
	lines := make([][]byte, 4096)
	var n int64
	for i := range lines {
		lines[i] = g.line(nil)
		n += int64(len(lines[i]))
	}
	rb := retro.New(64 << 20)
	for i := 0; rb.Stats().EvictedLines == 0; i++ {
		rb.Add("/var/log/mixed.log", int64(i), int64(i)*200, lines[i%len(lines)])
	}
	b.SetBytes(n / int64(len(lines)))
	b.ReportAllocs()
	c0 := cpuTime()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		rb.Add("/var/log/mixed.log", int64(i), int64(i)*200, lines[i%len(lines)])
		i++
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkAddDuringHunt adds lines to a full 64 MiB buffer while another
// goroutine hunts it again and again (1,000 indicators): ns/op is the
// cost of an Add then, and max-add-ns the longest single Add, which shows
// that a hunt does not hold Add up (it holds the lock only for its
// snapshot). Same host, -benchtime 5000000x, two runs: 272 and 295 ns
// per Add (the hunt on the other core, the host shared), the longest
// 11 ms (a garbage collection: during a hunt a block evicted is replaced
// by a new one, not reused), against ~150 ms for a hunt of 64 MiB.
func BenchmarkAddDuringHunt(b *testing.B) {
	r := rand.New(rand.NewPCG(15, 16))
	inds, vals := newIndicators(r, 1000)
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		b.Fatal(err)
	}
	g := &logGen{r: r, hunted: vals, hitRate: 0.001}
	lines := make([][]byte, 4096)
	for i := range lines {
		lines[i] = g.line(nil)
	}
	rb := retro.New(64 << 20)
	for i := 0; rb.Stats().EvictedLines == 0; i++ {
		rb.Add("/var/log/mixed.log", int64(i), int64(i)*200, lines[i%len(lines)])
	}
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			rb.Hunt(m, func(retro.Line, []match.Match) error { return nil })
			n++
		}
	}()
	var worst time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		rb.Add("/var/log/mixed.log", int64(i), int64(i)*200, lines[i%len(lines)])
		if d := time.Since(t0); d > worst {
			worst = d
		}
		i++
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(worst.Nanoseconds()), "max-add-ns")
	b.ReportMetric(float64(<-done), "hunts")
}
