package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// Results is everything a run measured; results.json holds it.
type Results struct {
	Header   Header
	Settings map[string]string
	Scan     []ScanRow
	Engines  []EngineRow
	Lookups  []LookupRow
	Strings  []StringRow
	Parallel []ParallelRow
	IOCScan  []IOCScanRow
	Serve    []ServeRow // serve.go
	Real     []RealRow
	// Breakdown is measured for the largest mixed set only.
	Breakdown []BreakdownRow
	// Life are the intelligence-lifecycle figures: warninglists,
	// enriched output.
	Life     []LifeRow
	HitStats []HitStatsRow     // hitstats.go
	Literal  []LiteralRow      // literal.go: -hyperscan, -tool-cpu
	Tools    map[string]string // tool name: version, or why it did not run
	Notes    []string

	// Reload are the runs of bench/cmd/reloadmem (reload.go); their
	// figures are in Life too.
	Reload []ReloadRun
}

// ScanRow is iocmatch free-text matching of one log format, one goroutine.
type ScanRow struct {
	Format         string
	N              int
	LogMBps        float64 // the log at the configured hit rate
	MissMBps       float64 // miss lines only
	HitMBps        float64 // hit lines only
	LogAllocsLine  float64
	MissAllocsLine float64
	HitAllocsLine  float64
	AvgLineBytes   float64
	HitLines       int // in the log
	MatchedLines   int // lines of the log with a match
}

// EngineRow is one engine on one set: free-text throughput, build time,
// memory.
type EngineRow struct {
	Engine   string
	Set      string // mixed, domains, addresses
	N        int
	MBps     float64 // 0: not measured
	BuildSec float64
	MemBytes int64  // live heap after build, or peak RSS of a process
	MemKind  string // "heap" or "RSS"
	Matched  int    // lines with a match in the log (-1: unknown)
	LogLines int
	Status   string // "", "timeout", or an error
}

// LookupRow is one field lookup figure.
type LookupRow struct {
	Engine string
	Kind   string
	N      int
	HitNs  float64
	MissNs float64
	Allocs float64 // per lookup, hit and miss together
}

// StringRow is a string-kind-only set.
type StringRow struct {
	N          int
	CompileSec float64
	HeapPerInd float64
	MBps       float64
	AllocsLine float64
}

// ParallelRow compares one goroutine with several on the mixed log.
type ParallelRow struct {
	N          int
	Goroutines int
	MBps1      float64
	MBpsG      float64
	Speedup    float64
	CPUScaling float64 // the same goroutines on pure CPU work (cpuScaling)
}

// IOCScanRow is the iocscan end-to-end run.
type IOCScanRow struct {
	N          int
	LogBytes   int64
	Lines      int
	HitLines   int
	WallSec    float64
	CompileSec float64 // load and compile, from iocscan's summary
	ScanSec    float64
	ScanMBps   float64 // from iocscan's summary
	WallMBps   float64 // log bytes / wall time
	Matches    int
	MaxRSS     int64
	Status     string
}

// RealRow is a real log file scanned with the largest mixed matcher.
type RealRow struct {
	File    string
	Bytes   int
	Lines   int
	MBps    float64
	Matches int
}

type runner struct {
	cfg  config
	log  io.Writer
	t0   time.Time
	res  *Results
	tmp  string
	grep *peers.Tool
	rg   *peers.Tool
}

func newRunner(cfg config, log io.Writer) *runner {
	return &runner{cfg: cfg, log: log, t0: time.Now()}
}

func (r *runner) logf(format string, a ...any) {
	fmt.Fprintf(r.log, "[%6.1fs] %s\n", time.Since(r.t0).Seconds(), fmt.Sprintf(format, a...))
}

func (r *runner) all() (*Results, error) {
	cfg := r.cfg
	r.res = &Results{
		Header: header(cfg),
		Tools:  map[string]string{},
		Settings: map[string]string{
			"sizes (mixed sets)":            fmt.Sprint(cfg.sizes),
			"sizes (cloudflare-ac)":         fmt.Sprint(cfg.acSizes),
			"sizes (string kinds)":          fmt.Sprint(cfg.stringSizes),
			"hit rate":                      fmt.Sprintf("%.3g%%", cfg.hitRate*100),
			"lines per format":              strconv.Itoa(cfg.lines),
			"benchtime (per figure)":        cfg.minDur.String(),
			"domain log for peers":          fmt.Sprintf("%d MB", cfg.procMB),
			"iocscan log":                   fmt.Sprintf("%d MB", cfg.iocscanMB),
			"peer timeout":                  cfg.peerTimeout.String(),
			"seed":                          strconv.FormatUint(cfg.seed, 10),
			"goroutines (parallel figures)": strconv.Itoa(cfg.goroutines),
		},
	}
	tmp, err := os.MkdirTemp("", "iocbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	r.tmp = tmp
	if cfg.procs {
		for _, p := range []struct {
			name string
			mk   func() (peers.Tool, error)
		}{{"grep", peers.Grep}, {"rg", peers.Ripgrep}} {
			t, err := p.mk()
			if err != nil {
				r.res.Tools[p.name] = "not installed"
				continue
			}
			r.res.Tools[t.Name] = t.Version()
			if t.Name == "grep" {
				r.grep = &t
			} else {
				r.rg = &t
			}
		}
	} else {
		r.res.Tools["grep"] = "not run (-no-procs)"
		r.res.Tools["rg"] = "not run (-no-procs)"
	}
	if cfg.hyperscan {
		r.res.Tools["hyperscan"] = peers.HyperscanVersion()
	}
	if len(r.literalSizes()) > 0 {
		r.res.Settings["literal peers"] = fmt.Sprintf("hyperscan %v at %v (%s), grep/rg CPU scans %v at %v, domain log %d MB, %d rounds",
			cfg.hyperscan, cfg.hsSizes, cfg.hsSet, cfg.toolCPU, cfg.toolSizes, cfg.peerLogMB, cfg.peerRounds)
	}
	if cfg.onlyPeers {
		if err := r.literal(); err != nil {
			return nil, err
		}
		r.res.Header.LoadAvgEnd = loadAvg()
		return r.res, nil
	}
	for _, n := range cfg.sizes {
		if err := r.mixed(n); err != nil {
			return nil, err
		}
	}
	domSizes := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(cfg.sizes), cfg.acSizes...))))
	for _, n := range domSizes {
		if err := r.domains(n); err != nil {
			return nil, err
		}
	}
	if err := r.literal(); err != nil {
		return nil, err
	}
	for _, n := range cfg.stringSizes {
		if err := r.strings(n); err != nil {
			return nil, err
		}
	}
	if cfg.procs {
		r.iocscan(slices.Max(cfg.sizes))
		r.serve(cmp.Or(cfg.serveN, slices.Max(cfg.sizes)))
	}
	if err := r.warninglists(); err != nil {
		return nil, err
	}
	if err := r.output(slices.Max(cfg.sizes)); err != nil {
		return nil, err
	}
	r.reload(cmp.Or(cfg.reloadN, slices.Max(cfg.sizes)))
	if err := r.retroHunt(cfg.retroBytes); err != nil {
		return nil, err
	}
	if err := r.retroReal(cfg.retroBytes); err != nil {
		return nil, err
	}
	if cfg.realdata != "" {
		if err := r.real(slices.Max(cfg.sizes)); err != nil {
			return nil, err
		}
	}
	r.res.Header.LoadAvgEnd = loadAvg()
	return r.res, nil
}

func matchScan(m *match.Matcher) func() func([]byte) {
	return func() func([]byte) {
		dst := make([]match.Match, 0, 16)
		return func(l []byte) { dst = m.AppendMatches(dst[:0], l) }
	}
}

// mixed runs the measurements on the mixed set of n indicators.
func (r *runner) mixed(n int) error {
	cfg := r.cfg
	r.logf("mixed set, N=%d: generating", n)
	inds := workload.Indicators(n, cfg.seed)
	defer runtime.KeepAlive(inds) // the input is not the engine's memory
	compileOnce := func() (*match.Matcher, error) { return match.Compile(inds, match.Options{}) }
	m, dur, live, err := built(compileOnce)
	if err != nil {
		return err
	}
	best := dur
	if n <= 100_000 {
		for i := 0; i < 2; i++ {
			t0 := time.Now()
			if _, err := compileOnce(); err != nil {
				return err
			}
			best = min(best, time.Since(t0))
		}
	}
	r.logf("compiled %v in %v, live heap %s (%.0f B/indicator)", m, best, fmtBytes(float64(live)), float64(live)/float64(n))
	mixedRow := EngineRow{Engine: "iocmatch", Set: "mixed", N: n, BuildSec: best.Seconds(), MemBytes: live, MemKind: "heap", Matched: -1}

	var mixedLog workload.Log
	for fi, f := range append(workload.Formats(), workload.Mixed) {
		seed := cfg.seed + 100 + uint64(fi)
		log := workload.Generate(f, cfg.lines, cfg.hitRate, inds, seed)
		miss := workload.Generate(f, cfg.lines, 0, inds, seed+10)
		hit := workload.Generate(f, max(cfg.lines/4, 100), 1, inds, seed+20)
		row := ScanRow{Format: f.String(), N: n, HitLines: log.Hits, AvgLineBytes: float64(log.Bytes) / float64(len(log.Lines))}
		row.LogMBps, row.LogAllocsLine = scanRate(cfg.minDur, log.Lines, log.Bytes, 1, matchScan(m))
		row.MissMBps, row.MissAllocsLine = scanRate(cfg.minDur, miss.Lines, miss.Bytes, 1, matchScan(m))
		row.HitMBps, row.HitAllocsLine = scanRate(cfg.minDur, hit.Lines, hit.Bytes, 1, matchScan(m))
		for _, l := range log.Lines {
			if m.Contains(l) {
				row.MatchedLines++
			}
		}
		r.res.Scan = append(r.res.Scan, row)
		r.logf("  %-8s log %7.1f MB/s, miss %7.1f MB/s (%.3f allocs/line), hit %7.1f MB/s", f, row.LogMBps, row.MissMBps, row.MissAllocsLine, row.HitMBps)
		if f == workload.Mixed {
			mixedLog = log
			mixedRow.MBps, mixedRow.Matched, mixedRow.LogLines = row.LogMBps, row.MatchedLines, len(log.Lines)
		}
	}
	r.res.Engines = append(r.res.Engines, mixedRow)
	if err := r.hitStats(n, inds, m, mixedLog); err != nil {
		return err
	}
	if n == slices.Max(cfg.sizes) {
		if err := r.breakdown(n, inds, m, mixedLog); err != nil {
			return err
		}
	}

	// parallel
	g := cfg.goroutines
	one, _ := scanRate(cfg.minDur, mixedLog.Lines, mixedLog.Bytes, 1, matchScan(m))
	par, _ := scanRate(cfg.minDur, mixedLog.Lines, mixedLog.Bytes, g, matchScan(m))
	calib := cpuScaling(cfg.minDur, g)
	r.res.Parallel = append(r.res.Parallel, ParallelRow{N: n, Goroutines: g, MBps1: one, MBpsG: par, Speedup: par / one, CPUScaling: calib})
	r.res.Engines = append(r.res.Engines, EngineRow{Engine: fmt.Sprintf("iocmatch x%d goroutines", g), Set: "mixed", N: n, MBps: par, Matched: -1, MemKind: "heap"})
	r.logf("  parallel: 1 goroutine %.1f MB/s, %d goroutines %.1f MB/s (x%.2f; pure CPU work scales x%.2f now)", one, g, par, par/one, calib)

	// field lookups
	for _, kind := range workload.LookupKinds {
		row := LookupRow{Engine: "iocmatch", Kind: kind, N: n}
		var allocs [2]float64
		for i, hit := range []bool{true, false} {
			keys := workload.LookupKeys(kind, inds, hit, 1024)
			var op func(i int)
			dst := make([]match.ID, 0, 8)
			switch kind {
			case "addr":
				addrs := make([]netip.Addr, len(keys))
				for i, k := range keys {
					addrs[i] = netip.MustParseAddr(k)
				}
				op = func(i int) { dst = m.AppendAddr(dst[:0], addrs[i]) }
			case "domain":
				op = func(i int) { dst = m.AppendDomain(dst[:0], keys[i]) }
			case "hash":
				op = func(i int) { dst = m.AppendHash(dst[:0], keys[i]) }
			case "url":
				op = func(i int) { dst = m.AppendURL(dst[:0], keys[i]) }
			}
			ns, a := opNs(cfg.minDur, len(keys), op)
			allocs[i] = a
			if hit {
				row.HitNs = ns
			} else {
				row.MissNs = ns
			}
		}
		row.Allocs = (allocs[0] + allocs[1]) / 2
		r.res.Lookups = append(r.res.Lookups, row)
		r.logf("  lookup %-6s hit %6.1f ns, miss %6.1f ns", kind, row.HitNs, row.MissNs)
	}

	if n == slices.Max(cfg.sizes) {
		r.batchLookups(n, inds, m)
		lat := memLatency(cfg.minDur)
		r.res.Lookups = append(r.res.Lookups, LookupRow{Engine: "reference", Kind: "dependent read, 64 MiB", N: n, HitNs: lat, MissNs: lat})
		r.logf("  reference: dependent random read in 64 MiB %.1f ns", lat)
	}

	if err := r.cidr(n, inds); err != nil {
		return err
	}
	r.naive(n, inds, mixedLog)
	runtime.KeepAlive(m)
	release()
	return nil
}

// cidr measures cidranger on the address indicators of inds.
func (r *runner) cidr(n int, inds []indicator.Indicator) error {
	cfg := r.cfg
	defer runtime.KeepAlive(inds) // the input is not the engine's memory
	// cidranger on the address indicators
	rg, rdur, rlive, err := built(func() (*peers.CIDRRanger, error) { return peers.NewCIDRRanger(inds) })
	if err != nil {
		return err
	}
	r.res.Engines = append(r.res.Engines, EngineRow{Engine: "cidranger", Set: "addresses", N: n, BuildSec: rdur.Seconds(), MemBytes: rlive, MemKind: "heap", Matched: -1, Status: fmt.Sprintf("%d prefixes", rg.Len())})
	row := LookupRow{Engine: "cidranger", Kind: "addr", N: n}
	for _, hit := range []bool{true, false} {
		keys := workload.LookupKeys("addr", inds, hit, 1024)
		ips := make([]net.IP, len(keys))
		for i, k := range keys {
			ips[i] = net.IP(netip.MustParseAddr(k).AsSlice())
		}
		ns, a := opNs(cfg.minDur, len(ips), func(i int) { rg.Contains(ips[i]) })
		row.Allocs += a / 2
		if hit {
			row.HitNs = ns
		} else {
			row.MissNs = ns
		}
	}
	r.res.Lookups = append(r.res.Lookups, row)
	r.logf("  cidranger: %d prefixes, addr hit %.1f ns, miss %.1f ns", rg.Len(), row.HitNs, row.MissNs)
	runtime.KeepAlive(rg)

	return nil
}

// naive measures the naive regexp + maps extractor on the mixed log.
func (r *runner) naive(n int, inds []indicator.Indicator, mixedLog workload.Log) {
	cfg := r.cfg
	defer runtime.KeepAlive(inds) // the input is not the engine's memory
	// naive regexp + maps on the mixed log
	nv, ndur, nlive, _ := built(func() (*peers.Naive, error) { return peers.NewNaive(inds), nil })
	nmbps, _ := scanRate(cfg.minDur, mixedLog.Lines, mixedLog.Bytes, 1, func() func([]byte) { return func(l []byte) { nv.Count(l) } })
	matched := 0
	for _, l := range mixedLog.Lines {
		if nv.Count(l) > 0 {
			matched++
		}
	}
	r.res.Engines = append(r.res.Engines, EngineRow{Engine: "naive-regexp", Set: "mixed", N: n, MBps: nmbps, BuildSec: ndur.Seconds(), MemBytes: nlive, MemKind: "heap", Matched: matched, LogLines: len(mixedLog.Lines)})
	r.logf("  naive regexp: %.1f MB/s", nmbps)
	runtime.KeepAlive(nv)
}

// domains compares the literal engines on a domain-only set.
// domainFiles writes, in dir (made), the files a literal peer process
// runs on: the patterns of doms, a mixed log of logMB megabytes whose hit
// lines are doms', and an empty file (a run on it is the build alone).
func (r *runner) domainFiles(dir string, doms []indicator.Indicator, logMB int) (patFile, logFile, emptyFile string, st workload.WriteStats, err error) {
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	patFile, logFile, emptyFile = filepath.Join(dir, "patterns.txt"), filepath.Join(dir, "domains.log"), filepath.Join(dir, "empty.log")
	if err = writeFile(patFile, func(w io.Writer) error { return workload.WritePatterns(w, workload.Values(doms)) }); err != nil {
		return
	}
	if err = os.WriteFile(emptyFile, nil, 0o644); err != nil {
		return
	}
	err = writeFile(logFile, func(w io.Writer) (err error) {
		st, err = workload.Write(w, workload.Mixed, int64(logMB)<<20, r.cfg.hitRate, doms, r.cfg.seed+7)
		return err
	})
	return
}

func (r *runner) domains(n int) error {
	cfg := r.cfg
	r.logf("domain set, N=%d", n)
	doms := workload.Domains(n, cfg.seed)
	defer runtime.KeepAlive(doms) // the input is not the engines' memory
	dir := filepath.Join(r.tmp, fmt.Sprintf("domains-%d", n))
	defer os.RemoveAll(dir)
	patFile, logFile, emptyFile, _, err := r.domainFiles(dir, doms, cfg.procMB)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		return err
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	nbytes := len(data)

	if slices.Contains(cfg.sizes, n) || slices.Contains(cfg.acSizes, n) {
		m, dur, live, err := built(func() (*match.Matcher, error) { return match.Compile(doms, match.Options{}) })
		if err != nil {
			return err
		}
		mbps, _ := scanRate(cfg.minDur, lines, nbytes, 1, matchScan(m))
		matched := 0
		for _, l := range lines {
			if m.Contains(l) {
				matched++
			}
		}
		r.res.Engines = append(r.res.Engines, EngineRow{Engine: "iocmatch", Set: "domains", N: n, MBps: mbps, BuildSec: dur.Seconds(), MemBytes: live, MemKind: "heap", Matched: matched, LogLines: len(lines)})
		r.logf("  iocmatch: %.1f MB/s, compile %v, heap %s", mbps, dur, fmtBytes(float64(live)))
		runtime.KeepAlive(m)
		m = nil
		release()
	}
	if slices.Contains(cfg.acSizes, n) {
		ac, dur, live, _ := built(func() (*peers.AhoCorasick, error) { return peers.NewAhoCorasick(workload.Values(doms)), nil })
		mbps, _ := scanRate(cfg.minDur, lines, nbytes, 1, func() func([]byte) { return func(l []byte) { ac.Count(l) } })
		matched := 0
		for _, l := range lines {
			if ac.Contains(l) {
				matched++
			}
		}
		r.res.Engines = append(r.res.Engines, EngineRow{Engine: "cloudflare-ac", Set: "domains", N: n, MBps: mbps, BuildSec: dur.Seconds(), MemBytes: live, MemKind: "heap", Matched: matched, LogLines: len(lines)})
		r.logf("  cloudflare-ac: %.1f MB/s, build %v, heap %s", mbps, dur, fmtBytes(float64(live)))
		runtime.KeepAlive(ac)
		ac = nil
		release()
	}
	if slices.Contains(cfg.sizes, n) {
		for _, t := range []*peers.Tool{r.grep, r.rg} {
			if t == nil {
				continue
			}
			row := EngineRow{Engine: t.Name + " -F", Set: "domains", N: n, MemKind: "RSS", Matched: -1, LogLines: len(lines)}
			build, err := t.Run(context.Background(), patFile, emptyFile, cfg.peerTimeout)
			switch {
			case err != nil:
				row.Status = err.Error()
			case build.TimedOut:
				row.Status = "timeout"
				row.BuildSec = build.Wall.Seconds()
			default:
				row.BuildSec = build.Wall.Seconds()
				scan, err := t.Run(context.Background(), patFile, logFile, cfg.peerTimeout)
				switch {
				case err != nil:
					row.Status = err.Error()
				case scan.TimedOut:
					row.Status = "timeout"
				default:
					row.MemBytes = scan.MaxRSS
					row.MBps = float64(nbytes) / 1e6 / max(scan.Wall.Seconds()-build.Wall.Seconds(), 1e-3)
					if d := scan.Wall.Seconds() - build.Wall.Seconds(); d < 0.1*build.Wall.Seconds() {
						// The scan hides in the run-to-run noise of the build:
						// give the rate over the whole run, a lower bound.
						row.MBps = float64(nbytes) / 1e6 / scan.Wall.Seconds()
						row.Status = "scan within build noise: MB/s over the whole run (build+scan)"
					}
					row.Matched, _ = strconv.Atoi(scan.Output)
				}
			}
			r.res.Engines = append(r.res.Engines, row)
			r.logf("  %s: build %.2fs, scan %.1f MB/s, RSS %s %s", row.Engine, row.BuildSec, row.MBps, fmtBytes(float64(row.MemBytes)), row.Status)
		}
	}
	return nil
}

// strings measures a string-kind-only set.
func (r *runner) strings(n int) error {
	cfg := r.cfg
	inds := workload.Strings(n, cfg.seed)
	defer runtime.KeepAlive(inds) // the input is not the engine's memory
	m, dur, live, err := built(func() (*match.Matcher, error) { return match.Compile(inds, match.Options{}) })
	if err != nil {
		return err
	}
	best := dur
	if n <= 100_000 {
		for i := 0; i < 2; i++ {
			t0 := time.Now()
			match.Compile(inds, match.Options{})
			best = min(best, time.Since(t0))
		}
	}
	log := workload.Generate(workload.JSON, cfg.lines, cfg.hitRate, inds, cfg.seed+300)
	mbps, allocs := scanRate(cfg.minDur, log.Lines, log.Bytes, 1, matchScan(m))
	r.res.Strings = append(r.res.Strings, StringRow{N: n, CompileSec: best.Seconds(), HeapPerInd: float64(live) / float64(n), MBps: mbps, AllocsLine: allocs})
	r.logf("string kinds, N=%d: compile %v, scan %.1f MB/s", n, best, mbps)
	runtime.KeepAlive(m)
	release()
	return nil
}

var (
	reCompiled = regexp.MustCompile(`compiled .* in (\S+)`)
	reLoaded   = regexp.MustCompile(`loaded \d+ indicators in (\S+);`) // iocscan times the load apart
	reScanned  = regexp.MustCompile(`scanned (\d+) lines \((\d+) bytes\) in \d+ files in (\S+) \(([\d.]+) MB/s\): (\d+) matches`)
)

// iocscan builds examples/iocscan and runs it on a generated feed and log.
func (r *runner) iocscan(n int) {
	cfg := r.cfg
	row := IOCScanRow{N: n}
	defer func() { r.res.IOCScan = append(r.res.IOCScan, row) }()
	fail := func(err error) { row.Status = err.Error(); r.logf("iocscan: %v", err) }
	dir := filepath.Join(r.tmp, "iocscan")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
		return
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "iocscan")
	if err := goBuild(cfg.repo, "./examples/iocscan", bin); err != nil {
		fail(err)
		return
	}
	inds := workload.Indicators(n, cfg.seed)
	feed, logFile := filepath.Join(dir, "feed.txt"), filepath.Join(dir, "scan.log")
	if err := writeFile(feed, func(w io.Writer) error { return workload.WriteFeed(w, inds) }); err != nil {
		fail(err)
		return
	}
	var st workload.WriteStats
	if err := writeFile(logFile, func(w io.Writer) (err error) {
		st, err = workload.Write(w, workload.Mixed, int64(cfg.iocscanMB)<<20, cfg.hitRate, inds, cfg.seed+11)
		return err
	}); err != nil {
		fail(err)
		return
	}
	inds = nil
	release()
	row.LogBytes, row.Lines, row.HitLines = st.Bytes, st.Lines, st.Hits
	r.logf("iocscan: N=%d, log %s, %d lines", n, fmtBytes(float64(st.Bytes)), st.Lines)
	ctx, cancel := context.WithTimeout(context.Background(), cfg.peerTimeout)
	defer cancel()
	run, err := peers.RunProcess(ctx, bin, []string{"-feed", feed, logFile}, nil)
	if err != nil {
		fail(err)
		return
	}
	row.WallSec, row.MaxRSS = run.Wall.Seconds(), run.MaxRSS
	if run.TimedOut {
		row.Status = "timeout"
		return
	}
	row.WallMBps = float64(st.Bytes) / 1e6 / run.Wall.Seconds()
	if mm := reCompiled.FindStringSubmatch(run.Stderr); mm != nil {
		if d, err := time.ParseDuration(mm[1]); err == nil {
			row.CompileSec = d.Seconds()
		}
	}
	if mm := reLoaded.FindStringSubmatch(run.Stderr); mm != nil {
		if d, err := time.ParseDuration(mm[1]); err == nil {
			row.CompileSec += d.Seconds() // the row is load+compile
		}
	}
	if mm := reScanned.FindStringSubmatch(run.Stderr); mm != nil {
		if d, err := time.ParseDuration(mm[3]); err == nil {
			row.ScanSec = d.Seconds()
		}
		row.ScanMBps, _ = strconv.ParseFloat(mm[4], 64)
		row.Matches, _ = strconv.Atoi(mm[5])
	} else {
		row.Status = "summary not found in iocscan's standard error"
	}
	r.logf("iocscan: wall %.2fs, load+compile %.2fs, scan %.1f MB/s, RSS %s", row.WallSec, row.CompileSec, row.ScanMBps, fmtBytes(float64(row.MaxRSS)))
}

// real scans the real log files under realdata/logs with the mixed
// matcher of n indicators.
func (r *runner) real(n int) error {
	cfg := r.cfg
	root := filepath.Join(cfg.realdata, "logs")
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && filepath.Ext(p) != ".md" && filepath.Base(p) != "LICENSE-loghub.txt" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		return nil
	}
	m, err := match.Compile(workload.Indicators(n, cfg.seed), match.Options{})
	if err != nil {
		return err
	}
	limit := cfg.realMaxMB << 20
	for _, p := range files {
		data, err := readHead(p, limit)
		if err != nil || len(data) == 0 || bytes.IndexByte(data[:min(len(data), 8192)], 0) >= 0 {
			continue // unreadable, empty or binary
		}
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		mbps, _ := scanRate(cfg.minDur/4, lines, len(data), 1, matchScan(m))
		matches := 0
		for _, l := range lines {
			matches += len(m.AppendMatches(nil, l))
		}
		rel, _ := filepath.Rel(cfg.realdata, p)
		r.res.Real = append(r.res.Real, RealRow{File: rel, Bytes: len(data), Lines: len(lines), MBps: mbps, Matches: matches})
	}
	r.logf("real logs: %d files scanned", len(r.res.Real))
	runtime.KeepAlive(m)
	release()
	return nil
}

func readHead(p string, limit int) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(limit)))
}

func writeFile(p string, fill func(io.Writer) error) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// goBuild builds the package pkg of the module in dir into the executable
// bin, with the go command on PATH (else GOROOT's); the error carries the
// compiler's output.
func goBuild(dir, pkg, bin string) error {
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	build := exec.Command(gobin, "build", "-o", bin, pkg)
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s (in %s): %v: %s", pkg, dir, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// batchLookups measures lookups of 64k distinct hit keys (more than the
// caches keep slots for at 1M), one key per call and in batches of 256
// (AppendAddrs, AppendDomains, AppendHashes): ns per key.
func (r *runner) batchLookups(n int, inds []indicator.Indicator, m *match.Matcher) {
	const nkeys, batch = 1 << 16, 256
	for _, kind := range []string{"addr", "domain", "hash"} {
		keys := workload.LookupKeys(kind, inds, true, nkeys)
		if len(keys) < batch {
			continue
		}
		addrs := make([]netip.Addr, len(keys))
		if kind == "addr" {
			for i, k := range keys {
				addrs[i] = netip.MustParseAddr(k)
			}
		}
		ids := make([]match.ID, 0, 16)
		kids := make([]match.KeyID, 0, 4*batch)
		one := func(i int) {
			switch kind {
			case "addr":
				ids = m.AppendAddr(ids[:0], addrs[i])
			case "domain":
				ids = m.AppendDomain(ids[:0], keys[i])
			default:
				ids = m.AppendHash(ids[:0], keys[i])
			}
		}
		many := func(b int) {
			lo, hi := b*batch, min((b+1)*batch, len(keys))
			switch kind {
			case "addr":
				kids = m.AppendAddrs(kids[:0], addrs[lo:hi])
			case "domain":
				kids = m.AppendDomains(kids[:0], keys[lo:hi])
			default:
				kids = m.AppendHashes(kids[:0], keys[lo:hi])
			}
		}
		nsOne, aOne := opNs(r.cfg.minDur, len(keys), one)
		nb := (len(keys) + batch - 1) / batch
		nsBatch, aBatch := opNs(r.cfg.minDur, nb, many)
		nsBatch = nsBatch * float64(nb) / float64(len(keys))
		label := fmt.Sprintf("%s, %s distinct keys", kind, fmtCount(float64(len(keys))))
		r.res.Lookups = append(r.res.Lookups,
			LookupRow{Engine: "iocmatch, one key per call", Kind: label, N: n, HitNs: nsOne, MissNs: -1, Allocs: aOne},
			LookupRow{Engine: fmt.Sprintf("iocmatch, batches of %d", batch), Kind: label, N: n, HitNs: nsBatch, MissNs: -1, Allocs: aBatch / batch})
		r.logf("  lookup %s: one per call %.1f ns, batched %.1f ns per key", label, nsOne, nsBatch)
	}
}
