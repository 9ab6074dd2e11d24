package main

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// BreakdownRow is one part of the free-text scan, or one reference loop,
// on the mixed log: where the time of a scan goes, and what the fastest
// possible passes over the same bytes cost on this machine.
type BreakdownRow struct {
	N    int
	Part string
	MBps float64 // wall clock, fastest of the measurement
	// CPUBest and CPUWorst are MB per CPU-second of the scanning thread,
	// best and worst of CPURounds rounds (0: no thread CPU clock here).
	CPUBest, CPUWorst float64
	CPURounds         int
	Note              string
}

// breakdown measures the mixed log scanned by matchers of parts of inds
// (everything but the string kinds; the string kinds alone) and by
// reference loops that do the least any scan must do per byte.
func (r *runner) breakdown(n int, inds []indicator.Indicator, full *match.Matcher, log workload.Log) error {
	var noStrings, stringsOnly []indicator.Indicator
	for _, ind := range inds {
		if ind.Type.IsString() {
			stringsOnly = append(stringsOnly, ind)
		} else {
			noStrings = append(noStrings, ind)
		}
	}
	parts := []struct {
		name, note string
		inds       []indicator.Indicator
	}{
		{"addresses, domains, URLs, hashes, emails", "the token pass: the line classified into bit masks 64 bytes per step (AVX-512/AVX2), the tokens holding a '.' or ':' taken from the masks, parsed and looked up; hex runs from the hex mask", noStrings},
		{"string kinds only", "the Aho-Corasick pass: a start filter (two bits of a pattern's first bytes: 7-byte windows at even positions with AVX-512, 8 bytes at every position with AVX2; one bit of 2-4 bytes for patterns under 8 bytes), DFA steps from the positions that pass", stringsOnly},
	}
	row := func(part, note string, scan func() func([]byte)) {
		mbps, _ := scanRate(r.cfg.minDur, log.Lines, log.Bytes, 1, scan)
		best, worst, ok := cpuRounds(r.cfg.minDur, r.cfg.peerRounds, log.Lines, log.Bytes, scan())
		if !ok {
			best, worst = 0, 0
		}
		r.res.Breakdown = append(r.res.Breakdown, BreakdownRow{N: n, Part: part, MBps: mbps, CPUBest: best, CPUWorst: worst, CPURounds: r.cfg.peerRounds, Note: note})
		r.logf("  breakdown: %-45s %8.1f MB/s, %8.1f MB/CPU-s (worst %.1f)", part, mbps, best, worst)
	}
	row("whole set", "AppendMatches, as in the tables above", matchScan(full))
	for _, p := range parts {
		m, err := match.Compile(p.inds, match.Options{})
		if err != nil {
			return err
		}
		row(p.name+fmtCountSuffix(len(p.inds)), p.note, matchScan(m))
	}
	for _, ref := range refLoops {
		row(ref.name, ref.note, func() func([]byte) { return ref.fn })
	}
	return nil
}

// cpuRounds scans lines with scan in rounds of at least minDur of the
// thread's CPU time each, on a locked OS thread, and returns the best and
// worst MB per CPU-second; false when there is no thread CPU clock.
func cpuRounds(minDur time.Duration, rounds int, lines [][]byte, nbytes int, scan func([]byte)) (best, worst float64, ok bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, ok := threadCPU(); !ok {
		return 0, 0, false
	}
	for range max(rounds, 1) {
		c0, _ := threadCPU()
		var used time.Duration
		passes := 0
		for used < minDur {
			for _, l := range lines {
				scan(l)
			}
			passes++
			c1, _ := threadCPU()
			used = c1 - c0
		}
		rate := float64(nbytes) * float64(passes) / 1e6 / used.Seconds()
		if best == 0 || rate > best {
			best = rate
		}
		if worst == 0 || rate < worst {
			worst = rate
		}
	}
	return best, worst, true
}

func fmtCountSuffix(n int) string { return " (" + fmtCount(float64(n)) + ")" }

// refTable is a byte-class table like the scanner's.
var refTable = func() (t [256]uint8) {
	for c := range t {
		if c == '.' || c == ':' || c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z' {
			t[c] = 1
		}
	}
	return t
}()

var refSink int

// refLoops are the reference loops of the breakdown.
var refLoops = []struct {
	name, note string
	fn         func([]byte)
}{
	{"reference: one table lookup per byte", "`for _, c := range line { n += int(table[c]) }`, the cheapest scalar loop that looks at every byte", refClassLoop},
	{"reference: bytes.IndexByte over the line", "SIMD (AVX2) search for a byte that is not there", refIndexByte},
}

//go:noinline
func refClassLoop(line []byte) {
	n := 0
	for _, c := range line {
		n += int(refTable[c])
	}
	refSink += n
}

//go:noinline
func refIndexByte(line []byte) {
	refSink += bytes.IndexByte(line, 0xff)
}

// memLatency measures the latency of a read from memory on this machine:
// the ns per step of a chase through a random cycle of 8M slots (64 MiB,
// far beyond the caches), each read's address depending on the one
// before, as a lookup's probe depends on its key.
func memLatency(minDur time.Duration) float64 {
	const n = 8 << 20
	next := make([]uint32, n)
	for i := range next {
		next[i] = uint32(i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := n - 1; i > 0; i-- { // Sattolo: one cycle through every slot
		j := r.IntN(i)
		next[i], next[j] = next[j], next[i]
	}
	p := uint32(0)
	ns, _ := opNs(minDur, 1024, func(int) { p = next[p] })
	refSink += int(p)
	return ns
}
