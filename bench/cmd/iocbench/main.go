// Command iocbench measures iocmatch and its peers on generated workloads
// (package workload) and writes a report: report.md with tables, SVG plots
// of throughput, memory and build time against the indicator count, and
// results.json with every figure.
//
// Run it from the bench module (bench/ of the repository):
//
//	go run ./cmd/iocbench -o /tmp/report              # 10k, 100k, 1M: the full run
//	go run ./cmd/iocbench -quick -o /tmp/report       # smoke run: 10k, short timings
//	go run ./cmd/iocbench -sizes 10000,100000 -no-procs -o /tmp/report
//
// It measures, for every size N (-sizes), on a mixed indicator set:
// free-text matching per log format (MB/s and allocations per line on a
// log with -hit-rate hit lines, on miss lines and on hit lines), compile
// time and live heap, field lookups, matching with one and with GOMAXPROCS
// goroutines, and the naive regexp + map extractor; on a domain-only set
// (sizes -sizes plus -ac-sizes): iocmatch, cloudflare/ahocorasick (only at
// -ac-sizes, it needs ~3 GB for 50k domains), and GNU grep -F -f and rg -F
// -f as whole processes when they are on PATH (build time from a run on an
// empty file, scan throughput from a run on the log, peak RSS; each run
// killed after -peer-timeout); string-kind sets (-string-sizes); iocscan
// end to end (built with go build into a temporary directory, run on a
// generated feed and a -iocscan-mb log with the largest N); the detection
// service examples/iocserve (built likewise, started on loopback over a
// feed of -serve-n indicators, the largest N by default, and loaded by
// HTTP clients with -serve-requests requests of 1 line and a tenth as
// many of 1000 lines: latency p50/p99/max, lines/s, server CPU); live.Matcher
// reloads at -reload-n indicators (the largest N by default): time, CPU
// and peak RSS against the steady RSS, from bench/cmd/reloadmem -json run
// as a process of its own, with unchanged feeds and with -churn; a
// retro-hunt: a retro.Buffer of -retro-mb MiB (256; 4 with -quick) of
// generated lines hunted for 1,000 new indicators, and Add on it; and,
// when -realdata names a directory with a logs/ folder, the real log
// files in it.
//
// Off by default, the literal peers on a large domain log (-peer-log-mb,
// 512 MB, on disk and deleted after each size), timed by CPU time, best
// and slowest of -peer-rounds (3): -hyperscan runs Hyperscan at -hs-sizes
// (a build with -tags hyperscan: bench/hyperscan.sh), -tool-cpu runs grep
// -F and rg -F at -tool-sizes with scan = CPU time on the log - CPU time
// on an empty file; iocmatch runs beside them on the same log;
// -only-peers runs only these.
//
// Timings take the fastest of three rounds of at least -benchtime/3 each.
// Everything is deterministic (-seed) but the clock.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/bench/peers"
)

// config is the parsed command line.
type config struct {
	out         string
	sizes       []int
	acSizes     []int
	stringSizes []int
	hitRate     float64
	lines       int
	minDur      time.Duration
	peerTimeout time.Duration
	procs       bool
	procMB      int
	iocscanMB   int
	seed        uint64
	realdata    string
	realMaxMB   int
	repo        string
	quick       bool
	goroutines  int
	reloadN     int   // indicators of the reload figures (0: the largest of sizes)
	retroBytes  int64 // the retro-hunt buffer's budget
	serveN      int   // indicators of the detection service's figures (0: the largest of sizes)
	serveReqs   int   // 1-line requests to iocserve (a tenth as many of 1000 lines)
	hyperscan   bool  // run the Hyperscan peer (literal.go)
	hsSizes     []int
	hsSet       string // "domains" or "mixed"
	toolCPU     bool   // grep/rg timed by CPU on a large log (literal.go)
	toolSizes   []int
	peerLogMB   int
	peerRounds  int
	onlyPeers   bool // only the literal peers
	args        []string
}

func main() {
	peers.EnableRusageHelper()
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(stderr, "iocbench:", err)
		return 2
	}
	r := newRunner(cfg, stderr)
	res, err := r.all()
	if err != nil {
		fmt.Fprintln(stderr, "iocbench:", err)
		return 1
	}
	if err := writeReport(cfg, res); err != nil {
		fmt.Fprintln(stderr, "iocbench:", err)
		return 1
	}
	fmt.Fprintf(stderr, "iocbench: report written to %s\n", cfg.out)
	return 0
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		mult := 1
		switch {
		case strings.HasSuffix(f, "k"):
			mult, f = 1000, strings.TrimSuffix(f, "k")
		case strings.HasSuffix(f, "M"):
			mult, f = 1_000_000, strings.TrimSuffix(f, "M")
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n*mult)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("iocbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "iocbench-report", "output directory for report.md, *.svg and results.json")
	sizes := fs.String("sizes", "10k,100k,1M", "indicator counts of the mixed sets (k and M suffixes allowed)")
	acSizes := fs.String("ac-sizes", "10k,50k", "domain counts at which cloudflare/ahocorasick is run (about 60 KB per domain!)")
	stringSizes := fs.String("string-sizes", "10k,100k", "counts of the string-kind-only sets")
	hitRate := fs.Float64("hit-rate", 0.005, "share of log lines that carry an indicator")
	lines := fs.Int("lines", 20000, "lines per generated log format")
	minDur := fs.Duration("benchtime", time.Second, "minimum measuring time of each figure")
	peerTimeout := fs.Duration("peer-timeout", 300*time.Second, "time limit of each grep/rg/iocscan process run")
	noProcs := fs.Bool("no-procs", false, "skip the external processes (grep, rg, iocscan)")
	procMB := fs.Int("proc-log-mb", 32, "size of the domain log for grep, rg and the in-process domain engines, MB")
	iocscanMB := fs.Int("iocscan-mb", 100, "size of the log for the iocscan end-to-end run, MB")
	seed := fs.Uint64("seed", 1, "seed of the generated data")
	realdata := fs.String("realdata", "auto", `directory with real logs under logs/ ("auto": ../shared/realdata next to the repository; "" for none)`)
	realMaxMB := fs.Int("realdata-max-mb", 16, "read at most this much of each real log file, MB")
	repo := fs.String("repo", "", "root of the iocmatch repository (default: found from the working directory)")
	quick := fs.Bool("quick", false, "smoke run: 10k only, short timings, small logs (flags given explicitly still win)")
	goroutines := fs.Int("goroutines", runtime.GOMAXPROCS(0), "goroutines of the parallel measurement")
	reloadN := fs.String("reload-n", "", "indicators of the reload figures (default: the largest of -sizes)")
	retroMB := fs.Int("retro-mb", 256, "budget of the retro-hunt buffer, MiB")
	serveN := fs.String("serve-n", "", "indicators in the feed of examples/iocserve (default: the largest of -sizes)")
	serveReqs := fs.Int("serve-requests", 20000, "requests of 1 line to examples/iocserve (and a tenth as many of 1000 lines)")
	hyperscan := fs.Bool("hyperscan", false, "run the Hyperscan peer at -hs-sizes on the -peer-log-mb domain log (needs a build with -tags hyperscan: see hyperscan.sh)")
	hsSizes := fs.String("hs-sizes", "10k,100k,1M", "domain counts of the Hyperscan peer (1M: ~60 s and ~2.7 GiB)")
	hsSet := fs.String("hs-set", "domains", `the set of the Hyperscan peer: "domains" (the domain log of -tool-cpu) or "mixed" (the mixed set's values but CIDRs, on a mixed log)`)
	toolCPU := fs.Bool("tool-cpu", false, "time grep -F and rg -F by CPU at -tool-sizes on the -peer-log-mb domain log: scan = CPU on the log - CPU on an empty file")
	toolSizes := fs.String("tool-sizes", "10k,100k,1M", "domain counts of the -tool-cpu runs")
	peerLogMB := fs.Int("peer-log-mb", 512, "size of the domain log of -hyperscan and -tool-cpu, MB (on disk in the temporary directory, deleted after each size)")
	peerRounds := fs.Int("peer-rounds", 3, "rounds of each -hyperscan and -tool-cpu figure")
	onlyPeers := fs.Bool("only-peers", false, "run only -hyperscan and -tool-cpu, nothing else")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *quick {
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("sizes", func() { *sizes = "10k" })
		def("ac-sizes", func() { *acSizes = "10k" })
		def("string-sizes", func() { *stringSizes = "10k" })
		def("lines", func() { *lines = 2000 })
		def("benchtime", func() { *minDur = 60 * time.Millisecond })
		def("peer-timeout", func() { *peerTimeout = 60 * time.Second })
		def("proc-log-mb", func() { *procMB = 2 })
		def("iocscan-mb", func() { *iocscanMB = 4 })
		def("realdata-max-mb", func() { *realMaxMB = 1 })
		def("retro-mb", func() { *retroMB = 4 })
		def("serve-requests", func() { *serveReqs = 1000 })
		def("peer-log-mb", func() { *peerLogMB = 8 })
	}
	cfg := config{
		out: *out, hitRate: *hitRate, lines: *lines, minDur: *minDur, peerTimeout: *peerTimeout,
		procs: !*noProcs, procMB: *procMB, iocscanMB: *iocscanMB, seed: *seed, realdata: *realdata,
		realMaxMB: *realMaxMB, repo: *repo, quick: *quick, goroutines: *goroutines, retroBytes: int64(*retroMB) << 20,
		serveReqs: *serveReqs,
		hyperscan: *hyperscan, hsSet: *hsSet, toolCPU: *toolCPU, peerLogMB: *peerLogMB, peerRounds: *peerRounds, onlyPeers: *onlyPeers,
		args: append([]string{"iocbench"}, args...),
	}
	var err error
	if cfg.sizes, err = parseSizes(*sizes); err != nil || len(cfg.sizes) == 0 {
		return cfg, fmt.Errorf("-sizes: %v", err)
	}
	if cfg.acSizes, err = parseSizes(*acSizes); err != nil {
		return cfg, fmt.Errorf("-ac-sizes: %v", err)
	}
	if cfg.stringSizes, err = parseSizes(*stringSizes); err != nil {
		return cfg, fmt.Errorf("-string-sizes: %v", err)
	}
	if cfg.hsSizes, err = parseSizes(*hsSizes); err != nil {
		return cfg, fmt.Errorf("-hs-sizes: %v", err)
	}
	if cfg.toolSizes, err = parseSizes(*toolSizes); err != nil {
		return cfg, fmt.Errorf("-tool-sizes: %v", err)
	}
	if cfg.hsSet != "domains" && cfg.hsSet != "mixed" {
		return cfg, fmt.Errorf("-hs-set %q: domains or mixed", cfg.hsSet)
	}
	if cfg.peerLogMB < 1 || cfg.peerRounds < 1 {
		return cfg, fmt.Errorf("-peer-log-mb and -peer-rounds must be positive")
	}
	if cfg.onlyPeers && !cfg.hyperscan && !cfg.toolCPU {
		return cfg, fmt.Errorf("-only-peers needs -hyperscan or -tool-cpu")
	}
	if *reloadN != "" {
		ns, err := parseSizes(*reloadN)
		if err != nil || len(ns) != 1 {
			return cfg, fmt.Errorf("-reload-n %q: one count wanted", *reloadN)
		}
		cfg.reloadN = ns[0]
	}
	if *serveN != "" {
		ns, err := parseSizes(*serveN)
		if err != nil || len(ns) != 1 {
			return cfg, fmt.Errorf("-serve-n %q: one count wanted", *serveN)
		}
		cfg.serveN = ns[0]
	}
	if cfg.serveReqs < 10 {
		return cfg, fmt.Errorf("-serve-requests %d: at least 10", cfg.serveReqs)
	}
	if *retroMB < 1 {
		return cfg, fmt.Errorf("-retro-mb must be positive")
	}
	if cfg.hitRate < 0 || cfg.hitRate > 1 {
		return cfg, fmt.Errorf("-hit-rate %v out of [0, 1]", cfg.hitRate)
	}
	if cfg.lines < 100 || cfg.goroutines < 1 || cfg.procMB < 1 || cfg.iocscanMB < 1 {
		return cfg, fmt.Errorf("-lines (>= 100), -goroutines, -proc-log-mb and -iocscan-mb must be positive")
	}
	if cfg.repo == "" {
		if cfg.repo, err = findRepo(); err != nil {
			return cfg, err
		}
	}
	if cfg.realdata == "auto" {
		cfg.realdata = ""
		if d := cfg.repo + "/../shared/realdata"; isDir(d + "/logs") {
			cfg.realdata = d
		}
	}
	return cfg, os.MkdirAll(cfg.out, 0o755)
}
