package main

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/hits"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// HitStatsRow is the cost of the hit statistics (package hits) on the
// mixed log: AppendMatches alone, and AppendMatches with Record on the
// lines with matches, as iocscan does.
type HitStatsRow struct {
	N                int
	HitLines         int     // lines of the log with a match
	MBps             float64 // AppendMatches alone
	MBpsRecord       float64 // AppendMatches + Record on hit lines
	OverheadPct      float64 // median over Pairs alternated passes of 100 × (time with Record / time alone − 1)
	Pairs            int
	CPUTimed         bool    // the passes were timed by the thread's CPU time (else wall time)
	AllocsLine       float64 // per line of the log, with and without Record
	RecordNs         float64 // one Record of a hit line's matches
	RebindSec        float64 // Rebind to another compile of the set, after the log's hits
	StatsBytes       int64   // live heap the Stats hold after the log
	EntriesWithHits  int
	CarriedAfterBind int // entries with hits still counted after the Rebind
}

// hitStats measures the hit statistics on the mixed set's log.
func (r *runner) hitStats(n int, inds []indicator.Indicator, m *match.Matcher, log workload.Log) error {
	cfg := r.cfg
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	before := heapAlloc()
	st := hits.New(hits.Options{Start: now})
	st.Rebind(m)
	withRecord := func() func([]byte) {
		dst := make([]match.Match, 0, 16)
		return func(l []byte) {
			if dst = m.AppendMatches(dst[:0], l); len(dst) > 0 {
				st.Record(m, dst, now)
			}
		}
	}
	row := HitStatsRow{N: n}
	for _, l := range log.Lines {
		if m.Contains(l) {
			row.HitLines++
		}
	}
	// the host is shared and its load drifts: passes over the log with and
	// without Record alternate, pair after pair; the overhead is the
	// median of the pairs' ratios, the MB/s the best passes
	alone, rec := matchScan(m)(), withRecord()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, cpuOK := threadCPU()
	row.CPUTimed = cpuOK
	// a pass scans the log reps times: long enough (about 50 ms) for the
	// thread's CPU time, which the kernel accounts by ticks
	reps := 1
	pass := func(f func([]byte)) time.Duration {
		c0, _ := threadCPU()
		t0 := time.Now()
		for range reps {
			for _, l := range log.Lines {
				f(l)
			}
		}
		if cpuOK {
			c1, _ := threadCPU()
			return c1 - c0
		}
		return time.Since(t0)
	}
	t0 := time.Now()
	pass(alone)
	reps = max(1, int(50*time.Millisecond/max(time.Since(t0), time.Microsecond)))
	pass(rec)
	m0 := mallocs()
	pairs := max(21, int(cfg.minDur/(50*time.Millisecond)))
	var ratios []float64
	bestA, bestR := time.Duration(1<<62), time.Duration(1<<62)
	for i := range pairs {
		var a, b time.Duration
		if i%2 == 0 {
			a, b = pass(alone), pass(rec)
		} else {
			b, a = pass(rec), pass(alone)
		}
		if a <= 0 || b <= 0 {
			continue // below the clock's resolution
		}
		bestA, bestR = min(bestA, a), min(bestR, b)
		ratios = append(ratios, float64(b)/float64(a))
	}
	row.AllocsLine = float64(mallocs()-m0) / float64(2*pairs*reps*len(log.Lines))
	if len(ratios) == 0 {
		return fmt.Errorf("hit statistics: no pass long enough to time")
	}
	slices.Sort(ratios)
	row.OverheadPct = 100 * (ratios[len(ratios)/2] - 1)
	row.Pairs = len(ratios)
	row.MBps = float64(reps*log.Bytes) / 1e6 / bestA.Seconds()
	row.MBpsRecord = float64(reps*log.Bytes) / 1e6 / bestR.Seconds()
	row.StatsBytes = heapAlloc() - before
	var hitLines [][]match.Match
	for _, l := range log.Lines {
		if xs := m.AppendMatches(nil, l); len(xs) > 0 {
			hitLines = append(hitLines, xs)
		}
	}
	if len(hitLines) > 0 {
		ns, _ := opNs(cfg.minDur, len(hitLines), func(i int) { st.Record(m, hitLines[i], now) })
		row.RecordNs = ns
	}
	row.EntriesWithHits = len(st.Snapshot())
	m2, err := match.Compile(inds, match.Options{})
	if err != nil {
		return err
	}
	t0 = time.Now()
	st.Rebind(m2)
	row.RebindSec = time.Since(t0).Seconds()
	for _, e := range st.Snapshot() {
		if e.Current {
			row.CarriedAfterBind++
		}
	}
	runtime.KeepAlive(m2)
	r.res.HitStats = append(r.res.HitStats, row)
	r.logf("  hit statistics: %.1f MB/s alone, %.1f MB/s with Record (median of %d pairs %+.2f%%), Record %.0f ns, Rebind %v, %s held",
		row.MBps, row.MBpsRecord, row.Pairs, row.OverheadPct, row.RecordNs, time.Duration(row.RebindSec*1e9).Round(time.Microsecond), fmtBytes(float64(row.StatsBytes)))
	return nil
}

// writeHitStats writes the hit statistics section.
func writeHitStats(b *bytes.Buffer, res *Results) {
	if len(res.HitStats) == 0 {
		return
	}
	fmt.Fprintf(b, "## Hit statistics (package hits, mixed log, 1 goroutine)\n\n")
	b.WriteString("AppendMatches over the mixed log alone, and with hits.Stats.Record called on the lines with matches (as iocscan does). " +
		"Each pass over the log is timed by the CPU time of its thread (on Linux; wall time elsewhere), so that waiting for a core on a shared host does not count. " +
		"MB/s: the fastest pass of each; overhead: the median, over pairs of passes alternated (so that a drifting load hits both alike), of how much longer the pass with Record took (a negative value is noise). Record ns: one call with a hit line's matches. " +
		"Rebind: to another compile of the same set, after the log's hits, whose counts it carries to the new IDs. Held: live heap of the Stats after the log.\n\n")
	t := newTable(b, "N", "hit lines", "MB/s", "MB/s with Record", "overhead (median of pairs)", "allocs/line", "Record ns", "Rebind", "held", "entries hit", "carried")
	for _, h := range res.HitStats {
		t.row(fmtCount(float64(h.N)), fmt.Sprint(h.HitLines), fmtMBps(h.MBps), fmtMBps(h.MBpsRecord), fmt.Sprintf("%+.2f%% (%d)", h.OverheadPct, h.Pairs),
			fmtAllocs(h.AllocsLine), fmt.Sprintf("%.0f", h.RecordNs), fmtSec(h.RebindSec), fmtBytes(float64(h.StatsBytes)),
			fmt.Sprint(h.EntriesWithHits), fmt.Sprint(h.CarriedAfterBind))
	}
	t.end()
}
