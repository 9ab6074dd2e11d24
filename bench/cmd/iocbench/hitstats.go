package main

import (
	"bytes"
	"fmt"
	"runtime"
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
	OverheadPct      float64 // 100 × (MBps / MBpsRecord − 1)
	AllocsLine       float64 // with Record, per line of the log
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
	// interleaved, the best of each: the host is shared
	for range 2 {
		a, _ := scanRate(cfg.minDur, log.Lines, log.Bytes, 1, matchScan(m))
		b, allocs := scanRate(cfg.minDur, log.Lines, log.Bytes, 1, withRecord)
		row.MBps, row.MBpsRecord = max(row.MBps, a), max(row.MBpsRecord, b)
		row.AllocsLine = allocs
	}
	row.OverheadPct = 100 * (row.MBps/row.MBpsRecord - 1)
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
	t0 := time.Now()
	st.Rebind(m2)
	row.RebindSec = time.Since(t0).Seconds()
	for _, e := range st.Snapshot() {
		if e.Current {
			row.CarriedAfterBind++
		}
	}
	runtime.KeepAlive(m2)
	r.res.HitStats = append(r.res.HitStats, row)
	r.logf("  hit statistics: %.1f MB/s alone, %.1f MB/s with Record (%+.2f%%), Record %.0f ns, Rebind %v, %s held",
		row.MBps, row.MBpsRecord, row.OverheadPct, row.RecordNs, time.Duration(row.RebindSec*1e9).Round(time.Microsecond), fmtBytes(float64(row.StatsBytes)))
	return nil
}

// writeHitStats writes the hit statistics section.
func writeHitStats(b *bytes.Buffer, res *Results) {
	if len(res.HitStats) == 0 {
		return
	}
	fmt.Fprintf(b, "## Hit statistics (package hits, mixed log, 1 goroutine)\n\n")
	b.WriteString("AppendMatches over the mixed log alone, and with hits.Stats.Record called on the lines with matches (as iocscan does); " +
		"overhead = how much slower with Record (within the noise of a shared host when small; a negative value is noise). Record ns: one call with a hit line's matches. " +
		"Rebind: to another compile of the same set, after the log's hits, whose counts it carries to the new IDs. Held: live heap of the Stats after the log.\n\n")
	t := newTable(b, "N", "hit lines", "MB/s", "MB/s with Record", "overhead", "allocs/line", "Record ns", "Rebind", "held", "entries hit", "carried")
	for _, h := range res.HitStats {
		t.row(fmtCount(float64(h.N)), fmt.Sprint(h.HitLines), fmtMBps(h.MBps), fmtMBps(h.MBpsRecord), fmt.Sprintf("%+.2f%%", h.OverheadPct),
			fmtAllocs(h.AllocsLine), fmt.Sprintf("%.0f", h.RecordNs), fmtSec(h.RebindSec), fmtBytes(float64(h.StatsBytes)),
			fmt.Sprint(h.EntriesWithHits), fmt.Sprint(h.CarriedAfterBind))
	}
	t.end()
}
