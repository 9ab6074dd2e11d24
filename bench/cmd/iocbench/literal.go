package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/bench/peers"
	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// LiteralRow is one literal engine (Hyperscan, grep -F, rg -F, and
// iocmatch beside them) on a domain-only set and a domain log large
// enough that the scan rises above the pattern-set build: timed by CPU
// time, best and spread of several rounds.
type LiteralRow struct {
	Engine   string
	N        int
	Set      string // "domains" (-tool-cpu, -hyperscan), "mixed" (-hs-set mixed)
	Mode     string // how the engine scans the log
	LogBytes int64
	LogLines int
	HitLines int // hit lines the log was generated with
	Matched  int // lines the engine matched (-1: unknown)
	// BuildSec and BuildCPUSec: Hyperscan's compile and scratch
	// allocation, iocmatch's Compile (once, wall and thread CPU); for
	// grep and rg the best of the runs on an empty file (wall, and the
	// process's CPU time).
	BuildSec    float64
	BuildCPUSec float64
	// ScanCPUSec and ScanWallSec are per round: the scanning thread's CPU
	// time (in-process engines) or CPU(log) - CPU(empty file) of the
	// process, all threads (grep, rg); wall likewise.
	ScanCPUSec  []float64
	ScanWallSec []float64
	// ScanCPUBest and ScanCPUWorst are the fastest and slowest of the
	// rounds kept (see finish).
	ScanCPUBest  float64
	ScanCPUWorst float64
	MBpsCPU      float64 // log MB per CPU-second, best round
	MBpsCPUMin   float64 // the slowest round
	MBpsWall     float64 // log MB per wall second, best round
	PeakRSS      int64   // grep, rg: the process's peak RSS; in-process: growth of this process's peak RSS during the build
	MemNote      string
	Status       string
}

// literalSizes is the sorted union of the sizes at which the literal
// peers run.
func (r *runner) literalSizes() []int {
	var ns []int
	if r.cfg.hyperscan {
		ns = append(ns, r.cfg.hsSizes...)
	}
	if r.cfg.toolCPU {
		ns = append(ns, r.cfg.toolSizes...)
	}
	slices.Sort(ns)
	return slices.Compact(ns)
}

// literal runs the literal peers (-hyperscan, -tool-cpu) at their sizes
// on a domain log of -peer-log-mb MB, written to the temporary directory
// and deleted after each size.
func (r *runner) literal() error {
	for _, n := range r.literalSizes() {
		if err := r.literalSize(n); err != nil {
			return err
		}
		release()
	}
	return nil
}

func (r *runner) literalSize(n int) error {
	cfg := r.cfg
	tools := cfg.toolCPU && slices.Contains(cfg.toolSizes, n)
	hs := cfg.hyperscan && slices.Contains(cfg.hsSizes, n)
	if hs && cfg.hsSet == "mixed" {
		if err := r.literalMixed(n); err != nil {
			return err
		}
		release()
		hs = false
	}
	if !tools && !hs {
		return nil
	}
	doms := workload.Domains(n, cfg.seed)
	dir := filepath.Join(r.tmp, fmt.Sprintf("literal-%d", n))
	defer os.RemoveAll(dir)
	patFile, logFile, emptyFile, st, err := r.domainFiles(dir, doms, cfg.peerLogMB)
	if err != nil {
		return err
	}
	r.logf("literal peers, N=%d: domain log %s, %d lines, %d hit lines", n, fmtBytes(float64(st.Bytes)), st.Lines, st.Hits)
	base := LiteralRow{N: n, Set: "domains", LogBytes: st.Bytes, LogLines: st.Lines, HitLines: st.Hits, Matched: -1}
	if tools {
		for _, name := range []string{"grep", "rg"} {
			t := r.grep
			if name == "rg" {
				t = r.rg
			}
			row := base
			row.Engine, row.Mode = name+" -F", "whole process, LC_ALL=C, -c -f patterns log"
			if t == nil {
				row.Status = r.res.Tools[name]
			} else {
				r.toolCPURounds(t, &row, patFile, logFile, emptyFile)
				if name == "rg" {
					row.MemNote += " (rg maps the log into memory: its pages count)"
				}
			}
			r.literalRow(row)
		}
	}
	if !hs {
		return nil
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		return err
	}
	os.Remove(logFile) // the disk is not needed any more
	ends := lineEnds(data, st.Lines)
	r.hyperscanRounds(base, workload.Values(doms), data, ends)
	release()
	r.iocmatchRounds(base, doms, data, ends)
	runtime.KeepAlive(data)
	return nil
}

// lineEnds returns the offsets of the newlines of data.
func lineEnds(data []byte, lines int) []uint64 {
	ends := make([]uint64, 0, lines)
	for off := 0; ; {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return ends
		}
		ends = append(ends, uint64(off+i))
		off += i + 1
	}
}

// literalMixed runs Hyperscan (-hs-set mixed) on the values of the mixed
// set of n indicators but its CIDRs, and iocmatch on the whole set, over a
// mixed log of -peer-log-mb MB generated in memory. A literal match of a
// value is not a typed match (an IPv4 address matches inside a longer
// one), so their matched lines differ.
func (r *runner) literalMixed(n int) error {
	cfg := r.cfg
	inds := workload.Indicators(n, cfg.seed)
	var vals []string
	for _, ind := range inds {
		if ind.Type != indicator.CIDR {
			vals = append(vals, ind.Value)
		}
	}
	var buf bytes.Buffer
	buf.Grow(cfg.peerLogMB<<20 + 1<<20)
	st, err := workload.Write(&buf, workload.Mixed, int64(cfg.peerLogMB)<<20, cfg.hitRate, inds, cfg.seed+107)
	if err != nil {
		return err
	}
	data := buf.Bytes()
	r.logf("literal peers, N=%d mixed (%d values without CIDRs): mixed log %s, %d lines, %d hit lines", n, len(vals), fmtBytes(float64(st.Bytes)), st.Lines, st.Hits)
	base := LiteralRow{N: n, Set: "mixed", LogBytes: st.Bytes, LogLines: st.Lines, HitLines: st.Hits, Matched: -1}
	ends := lineEnds(data, st.Lines)
	r.hyperscanRounds(base, vals, data, ends)
	release()
	r.iocmatchRounds(base, inds, data, ends)
	runtime.KeepAlive(data)
	return nil
}

// literalRow records row and logs it.
func (r *runner) literalRow(row LiteralRow) {
	r.res.Literal = append(r.res.Literal, row)
	if row.Status != "" && row.MBpsCPU == 0 {
		r.logf("  %s: %s", row.Engine, row.Status)
		return
	}
	r.logf("  %s: build %.2fs (CPU %.2fs), scan %.1f MB/CPU-s best, %.1f slowest, %.1f MB/s wall, peak RSS %s, matched %d of %d hit lines %s",
		row.Engine, row.BuildSec, row.BuildCPUSec, row.MBpsCPU, row.MBpsCPUMin, row.MBpsWall, fmtBytes(float64(row.PeakRSS)), row.Matched, row.HitLines, row.Status)
}

// finish fills the MB/s figures of row from its rounds; diff says the
// scan times are differences of two process runs, where a round whose
// difference is not positive (the build's noise exceeded the scan) is
// left out, and said so.
func (row *LiteralRow) finish(diff bool) {
	mb := float64(row.LogBytes) / 1e6
	var cpus, walls []float64
	for i, c := range row.ScanCPUSec {
		if c > 0 && row.ScanWallSec[i] > 0 {
			cpus, walls = append(cpus, c), append(walls, row.ScanWallSec[i])
		}
	}
	var notes []string
	if row.Status != "" {
		notes = append(notes, row.Status)
	}
	switch {
	case len(row.ScanCPUSec) == 0:
		return
	case len(cpus) == 0:
		row.Status = strings.Join(append(notes, "scan not measurable: CPU or wall on the log no more than on the empty file in every round (the build's noise exceeds the scan): use a larger -peer-log-mb"), "; ")
		return
	case len(cpus) < len(row.ScanCPUSec):
		notes = append(notes, fmt.Sprintf("%d of %d rounds left out: CPU or wall on the log no more than on the empty file", len(row.ScanCPUSec)-len(cpus), len(row.ScanCPUSec)))
	}
	row.ScanCPUBest, row.ScanCPUWorst = slices.Min(cpus), slices.Max(cpus)
	row.MBpsCPU, row.MBpsCPUMin = mb/row.ScanCPUBest, mb/row.ScanCPUWorst
	row.MBpsWall = mb / slices.Min(walls)
	if diff && row.ScanCPUBest < 0.5*row.BuildCPUSec {
		notes = append(notes, "scan CPU below half the build's: the difference is noisy, use a larger -peer-log-mb")
	}
	row.Status = strings.Join(notes, "; ")
}

// toolCPURounds runs t -peer-rounds times on the empty file and on the
// log, each round's scan being the difference.
func (r *runner) toolCPURounds(t *peers.Tool, row *LiteralRow, patFile, logFile, emptyFile string) {
	cfg := r.cfg
	var buildWall, buildCPU []float64
	for round := 0; round < cfg.peerRounds; round++ {
		build, err := t.Run(context.Background(), patFile, emptyFile, cfg.peerTimeout)
		if err == nil && build.TimedOut {
			err = fmt.Errorf("timeout (-peer-timeout %v) on the empty file", cfg.peerTimeout)
		}
		var scan peers.Run
		if err == nil {
			scan, err = t.Run(context.Background(), patFile, logFile, cfg.peerTimeout)
			if err == nil && scan.TimedOut {
				err = fmt.Errorf("timeout (-peer-timeout %v) on the log", cfg.peerTimeout)
			}
		}
		if err == nil && (build.CPU <= 0 || scan.CPU <= 0) {
			err = fmt.Errorf("no CPU time from the rusage helper")
		}
		if err != nil {
			row.Status = err.Error()
			return
		}
		buildWall, buildCPU = append(buildWall, build.Wall.Seconds()), append(buildCPU, build.CPU.Seconds())
		row.ScanCPUSec = append(row.ScanCPUSec, (scan.CPU - build.CPU).Seconds())
		row.ScanWallSec = append(row.ScanWallSec, (scan.Wall - build.Wall).Seconds())
		row.PeakRSS = max(row.PeakRSS, scan.MaxRSS)
		row.Matched, _ = strconv.Atoi(scan.Output)
		r.logf("    %s round %d: empty file wall %.2fs CPU %.2fs; log wall %.2fs CPU %.2fs", row.Engine, round+1, build.Wall.Seconds(), build.CPU.Seconds(), scan.Wall.Seconds(), scan.CPU.Seconds())
	}
	row.BuildSec, row.BuildCPUSec = slices.Min(buildWall), slices.Min(buildCPU)
	row.MemNote = "peak RSS of the process on the log"
	row.finish(true)
}

// timedThread runs f on a locked OS thread and returns its wall and
// thread CPU time.
func timedThread(f func()) (wall, cpu time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0, _ := threadCPU()
	t0 := time.Now()
	f()
	wall = time.Since(t0)
	c1, _ := threadCPU()
	return wall, c1 - c0
}

// hyperscanRounds compiles the Hyperscan peer on patterns and scans the
// log (data, lines ending at ends) -peer-rounds times.
func (r *runner) hyperscanRounds(base LiteralRow, patterns []string, data []byte, ends []uint64) {
	row := base
	row.Engine = "hyperscan"
	row.Mode = "in process, hs_compile_lit_multi caseless+single-match, block mode: one hs_scan per line, all lines in one cgo call"
	if !peers.HyperscanBuilt {
		row.Status = peers.HyperscanVersion()
		r.literalRow(row)
		return
	}
	gc()
	release()
	rss0 := procStatusBytes("VmRSS")
	resetPeakRSS()
	var h *peers.Hyperscan
	var err error
	wall, cpu := timedThread(func() { h, err = peers.NewHyperscan(patterns) })
	if err != nil {
		row.Status = err.Error()
		r.literalRow(row)
		return
	}
	defer h.Close()
	row.BuildSec, row.BuildCPUSec = wall.Seconds(), cpu.Seconds()
	row.PeakRSS = procStatusBytes("VmHWM") - rss0
	dbB, scB := h.DatabaseBytes()
	row.MemNote = fmt.Sprintf("growth of this process's peak RSS during compile; database %s, scratch %s", fmtBytes(float64(dbB)), fmtBytes(float64(scB)))
	for round := 0; round < r.cfg.peerRounds; round++ {
		var n int
		wall, cpu := timedThread(func() { n, err = h.CountLines(data, ends) })
		if err != nil {
			row.Status = err.Error()
			break
		}
		row.Matched = n
		row.ScanWallSec, row.ScanCPUSec = append(row.ScanWallSec, wall.Seconds()), append(row.ScanCPUSec, cpu.Seconds())
	}
	row.finish(false)
	r.literalRow(row)
}

// iocmatchRounds runs iocmatch's AppendMatches beside the literal peers on
// the same log.
func (r *runner) iocmatchRounds(base LiteralRow, doms []indicator.Indicator, data []byte, ends []uint64) {
	row := base
	row.Engine = "iocmatch"
	row.Mode = "in process, Compile of the " + row.Set + " indicators, AppendMatches per line, 1 goroutine"
	lines := make([][]byte, len(ends))
	start := 0
	for i, e := range ends {
		lines[i] = data[start:e:e]
		start = int(e) + 1
	}
	gc()
	release()
	rss0 := procStatusBytes("VmRSS")
	resetPeakRSS()
	var m *match.Matcher
	var err error
	wall, cpu := timedThread(func() { m, err = match.Compile(doms, match.Options{}) })
	if err != nil {
		row.Status = err.Error()
		r.literalRow(row)
		return
	}
	row.BuildSec, row.BuildCPUSec = wall.Seconds(), cpu.Seconds()
	row.PeakRSS = procStatusBytes("VmHWM") - rss0
	row.MemNote = "growth of this process's peak RSS during Compile"
	dst := make([]match.Match, 0, 16)
	for round := 0; round < r.cfg.peerRounds; round++ {
		matched := 0
		wall, cpu := timedThread(func() {
			for _, l := range lines {
				if dst = m.AppendMatches(dst[:0], l); len(dst) > 0 {
					matched++
				}
			}
		})
		row.Matched = matched
		row.ScanWallSec, row.ScanCPUSec = append(row.ScanWallSec, wall.Seconds()), append(row.ScanCPUSec, cpu.Seconds())
	}
	row.finish(false)
	r.literalRow(row)
	runtime.KeepAlive(m)
}

// procStatusBytes returns a "kB" field of /proc/self/status (VmRSS,
// VmHWM) in bytes, or 0 where there is none.
func procStatusBytes(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS resets VmHWM to the current RSS (Linux: 5 to
// /proc/self/clear_refs), so that VmHWM after a build is its peak.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o644) }

// writeLiteral writes the table of the literal peers, when they ran.
func writeLiteral(b *bytes.Buffer, cfg config, res *Results) {
	if len(res.Literal) == 0 {
		return
	}
	fmt.Fprintf(b, "## Literal peers on a large domain log, by CPU time (-hyperscan, -tool-cpu)\n\n")
	fmt.Fprintf(b, "A domain-only set and a log of %d MB of the same distribution as above (%.3g%% hit lines), written to disk for grep and rg and read into memory for the in-process engines. "+
		"Hyperscan, grep -F and rg -F match literal substrings: no token boundaries, no indicator types, no CIDRs; Hyperscan ignores ASCII case, grep and rg (LC_ALL=C) do not. "+
		"iocmatch matches the same domains as tokens (and their subdomains). "+
		"Set *mixed* (-hs-set mixed): Hyperscan holds the mixed set's values but its CIDRs as literals, iocmatch the whole set by type, on a mixed log of the same size generated in memory; a literal value also matches inside longer tokens (an IPv4 address in a longer one), so the matched lines differ. "+
		"grep and rg: build = the best run on an empty file; scan = CPU time (user+system, all threads) on the log minus CPU time on the empty file of the same round. "+
		"Hyperscan and iocmatch: build once; scan = CPU time of the scanning thread. "+
		"MB/CPU-s is log MB per CPU-second of scan, best round (slowest round in brackets), of %d rounds; wall MB/s is the best round's wall time, which a shared machine inflates.\n\n",
		cfg.peerLogMB, cfg.hitRate*100, cfg.peerRounds)
	t := newTable(b, "Engine", "Set", "N", "build wall / CPU", "scan CPU best (slowest)", "MB/CPU-s best (slowest)", "MB/s wall", "peak RSS", "matched / hit lines", "how", "note")
	for _, l := range res.Literal {
		scan, rate, ml := "-", "-", "-"
		if l.ScanCPUBest > 0 {
			scan = fmt.Sprintf("%s (%s)", fmtSec(l.ScanCPUBest), fmtSec(l.ScanCPUWorst))
			rate = fmt.Sprintf("%s (%s)", fmtMBps(l.MBpsCPU), fmtMBps(l.MBpsCPUMin))
		}
		if l.Matched >= 0 {
			ml = fmt.Sprintf("%d / %d", l.Matched, l.HitLines)
		}
		mem := fmtBytes(float64(l.PeakRSS))
		note := strings.TrimSpace(strings.Join([]string{l.MemNote, l.Status}, "; "))
		note = strings.Trim(note, "; ")
		t.row(l.Engine, l.Set, fmtCount(float64(l.N)), fmtSec(l.BuildSec)+" / "+fmtSec(l.BuildCPUSec), scan, rate, fmtMBps(l.MBpsWall), mem, ml, l.Mode, note)
	}
	t.end()
}
