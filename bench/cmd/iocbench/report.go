package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func fmtBytes(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v >= 1<<30:
		return fmt.Sprintf("%.2f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

func fmtCount(v float64) string {
	switch {
	case v >= 1e6 && math.Mod(v, 1e6) == 0:
		return fmt.Sprintf("%.0fM", v/1e6)
	case v >= 1e3 && math.Mod(v, 1e3) == 0:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func fmtMBps(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func fmtSec(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v >= 10:
		return fmt.Sprintf("%.1f s", v)
	case v >= 1:
		return fmt.Sprintf("%.2f s", v)
	}
	return fmt.Sprintf("%.0f ms", v*1000)
}

func fmtAllocs(v float64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%.4f", v)
}

// table is a markdown table under construction.
type table struct {
	b *bytes.Buffer
}

func newTable(b *bytes.Buffer, head ...string) table {
	fmt.Fprintf(b, "| %s |\n|", strings.Join(head, " | "))
	for range head {
		b.WriteString(" --- |")
	}
	b.WriteByte('\n')
	return table{b}
}

func (t table) row(cells ...string) { fmt.Fprintf(t.b, "| %s |\n", strings.Join(cells, " | ")) }

func (t table) end() { t.b.WriteByte('\n') }

func engineLabel(e EngineRow) string { return e.Engine + " (" + e.Set + ")" }

// writeReport writes report.md, results.json and the SVG plots to cfg.out.
func writeReport(cfg config, res *Results) error {
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(cfg.out, "results.json"), js, 0o644); err != nil {
		return err
	}
	if err := writePlots(cfg.out, res); err != nil {
		return err
	}
	var b bytes.Buffer
	h := res.Header
	fmt.Fprintf(&b, "# iocmatch benchmark report\n\n")
	t := newTable(&b, "", "")
	t.row("Date", h.Date)
	t.row("CPU", fmt.Sprintf("%s, %d logical cores (GOMAXPROCS %d)", h.CPU, h.Cores, h.GOMAXPROCS))
	t.row("Memory", h.MemTotal)
	t.row("OS", h.OS)
	t.row("Go", h.GoVersion)
	t.row("Commit", orDash(h.Commit))
	t.row("Command", "`"+h.Command+"` (in bench/)")
	t.row("Load average", fmt.Sprintf("%s at start, %s at end", h.LoadAvg, h.LoadAvgEnd))
	keys := make([]string, 0, len(res.Settings))
	for k := range res.Settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.row(k, res.Settings[k])
	}
	for _, k := range []string{"grep", "rg", "hyperscan"} {
		if k == "hyperscan" && res.Tools[k] == "" {
			continue
		}
		t.row(k, orDash(res.Tools[k]))
	}
	t.end()
	if cfg.quick {
		b.WriteString("**Quick smoke run: short timings on small sets; the figures are not meaningful.**\n\n")
	}

	writeTargets(&b, cfg, res)

	fmt.Fprintf(&b, "## Free-text matching per log format (iocmatch, 1 goroutine, mixed set)\n\n")
	fmt.Fprintf(&b, "MB/s of AppendMatches over the lines of each format: the log (%.3g%% hit lines), miss lines only, hit lines only; allocations per line; and the lines of the log that matched (expected: the hit lines).\n\n", cfg.hitRate*100)
	t = newTable(&b, "Format", "N", "log MB/s", "miss MB/s", "hit MB/s", "allocs/line log", "allocs/miss line", "allocs/hit line", "avg line B", "hit lines", "matched lines")
	for _, s := range res.Scan {
		t.row(s.Format, fmtCount(float64(s.N)), fmtMBps(s.LogMBps), fmtMBps(s.MissMBps), fmtMBps(s.HitMBps),
			fmtAllocs(s.LogAllocsLine), fmtAllocs(s.MissAllocsLine), fmtAllocs(s.HitAllocsLine),
			fmt.Sprintf("%.0f", s.AvgLineBytes), fmt.Sprint(s.HitLines), fmt.Sprint(s.MatchedLines))
	}
	t.end()

	writeHitStats(&b, res)

	if len(res.Breakdown) > 0 {
		fmt.Fprintf(&b, "## Where the time goes (mixed log, N=%s, 1 goroutine)\n\n", fmtCount(float64(res.Breakdown[0].N)))
		b.WriteString("The same log scanned by matchers of parts of the set, and by two reference loops that do less than any scan must: " +
			"the one-lookup-per-byte loop is the ceiling of a scalar pass over every byte, bytes.IndexByte that of a SIMD pass. " +
			"A scan makes two passes: the token pass and, when the set has string kinds, the Aho-Corasick pass. " +
			"MB/s is wall clock (the fastest run); MB/CPU-s is per CPU-second of the scanning thread (locked to its OS thread), " +
			"best and worst of the rounds, which a shared machine disturbs less.\n\n")
		t = newTable(&b, "Part", "MB/s", "MB/CPU-s best", "worst", "what it is")
		for _, r := range res.Breakdown {
			best, worst := "-", "-"
			if r.CPUBest > 0 {
				best, worst = fmtMBps(r.CPUBest), fmtMBps(r.CPUWorst)
			}
			t.row(r.Part, fmtMBps(r.MBps), best, worst, r.Note)
		}
		t.end()
	}

	fmt.Fprintf(&b, "## Engines side by side\n\n")
	b.WriteString("Throughput (MB/s, one goroutine unless named) on a log of the set's own hit lines at the configured rate. " +
		"The *mixed* set is matched by type (iocmatch, the naive regexp extractor); the literal engines (cloudflare-ac, grep -F, rg -F) " +
		"are compared on a *domain*-only set and a log of the same distribution, where iocmatch runs too. Literal engines match substrings " +
		"without token boundaries and case-sensitively, so their matched-line counts can differ. grep and rg are whole processes: " +
		"build = wall time on an empty file, MB/s = log bytes / (wall time on the log - build), memory = peak RSS.\n\n")
	b.WriteString("![throughput](throughput.svg)\n\n![memory](memory.svg)\n\n![build time](build.svg)\n\n")
	t = newTable(&b, "Engine", "Set", "N", "MB/s", "build", "memory", "bytes/indicator", "matched lines / lines", "note")
	for _, e := range res.Engines {
		mem, per := "-", "-"
		if e.MemBytes > 0 {
			mem = fmtBytes(float64(e.MemBytes)) + " " + e.MemKind
			per = fmt.Sprintf("%.0f", float64(e.MemBytes)/float64(e.N))
		}
		ml := "-"
		if e.Matched >= 0 && e.LogLines > 0 {
			ml = fmt.Sprintf("%d / %d", e.Matched, e.LogLines)
		}
		t.row(e.Engine, e.Set, fmtCount(float64(e.N)), fmtMBps(e.MBps), fmtSec(e.BuildSec), mem, per, ml, e.Status)
	}
	t.end()
	var acNote []string
	for _, n := range cfg.acSizes {
		acNote = append(acNote, fmtCount(float64(n)))
	}
	fmt.Fprintf(&b, "cloudflare/ahocorasick is only built at %s domains (-ac-sizes): its 256-way nodes take ~4 KiB per pattern byte (~3 GB for 50k domains), so larger sets would not fit.\n\n", orDash(strings.Join(acNote, ", ")))

	writeLiteral(&b, cfg, res)

	fmt.Fprintf(&b, "## Field lookups (ns per lookup, 1024 distinct keys in turn)\n\n")
	b.WriteString("addr: AppendAddr (cidranger: Contains) with addresses of ipv4 indicators and inside cidr ones; domain: AppendDomain with names two labels below a domain indicator (parent walk); hash: AppendHash with sha256/md5 digests; url: AppendURL. Misses use documentation values. " +
		"The rows of 64k distinct keys (hits) look up more keys than the caches keep slots for, one key per call and with the batch lookups (AppendAddrs, AppendDomains, AppendHashes: the first slots of 16 keys read before any is compared); their figures are ns per key.\n\n")
	t = newTable(&b, "Engine", "Lookup", "N", "hit ns", "miss ns", "allocs/lookup")
	for _, l := range res.Lookups {
		miss := fmt.Sprintf("%.1f", l.MissNs)
		if l.MissNs < 0 {
			miss = "-"
		}
		t.row(l.Engine, l.Kind, fmtCount(float64(l.N)), fmt.Sprintf("%.1f", l.HitNs), miss, fmtAllocs(l.Allocs))
	}
	t.end()

	fmt.Fprintf(&b, "## String kinds (filenames, mutexes, user agents, registry keys only)\n\n")
	t = newTable(&b, "N", "compile", "heap B/indicator", "scan MB/s (JSON events)", "allocs/line")
	for _, s := range res.Strings {
		t.row(fmtCount(float64(s.N)), fmtSec(s.CompileSec), fmt.Sprintf("%.0f", s.HeapPerInd), fmtMBps(s.MBps), fmtAllocs(s.AllocsLine))
	}
	t.end()

	fmt.Fprintf(&b, "## Concurrent matching (mixed log, one shared Matcher)\n\n")
	b.WriteString("Each goroutine scans the whole log with its own result slice. *CPU scaling* is the speed-up of the same number of goroutines hashing (SHA-256) with no shared memory, measured just after: the ceiling this machine allowed at the time. A speed-up far below it points at the matcher; one close to it on a low ceiling means the machine was busy.\n\n")
	t = newTable(&b, "N", "goroutines", "1 goroutine MB/s", "aggregate MB/s", "speed-up", "CPU scaling (ceiling)")
	for _, p := range res.Parallel {
		t.row(fmtCount(float64(p.N)), fmt.Sprint(p.Goroutines), fmtMBps(p.MBps1), fmtMBps(p.MBpsG), fmt.Sprintf("x%.2f", p.Speedup), fmt.Sprintf("x%.2f", p.CPUScaling))
	}
	t.end()

	fmt.Fprintf(&b, "## iocscan end to end\n\n")
	b.WriteString("`go build` of examples/iocscan run as a process on a generated plain-list feed (the mixed set) and a mixed-format log; load+compile and scan MB/s are iocscan's own summary on standard error, overall MB/s is log bytes / wall time.\n\n")
	t = newTable(&b, "N", "log", "lines", "hit lines", "matches", "wall", "load+compile", "scan MB/s", "overall MB/s", "peak RSS", "status")
	for _, s := range res.IOCScan {
		t.row(fmtCount(float64(s.N)), fmtBytes(float64(s.LogBytes)), fmt.Sprint(s.Lines), fmt.Sprint(s.HitLines), fmt.Sprint(s.Matches),
			fmtSec(s.WallSec), fmtSec(s.CompileSec), fmtMBps(s.ScanMBps), fmtMBps(s.WallMBps), fmtBytes(float64(s.MaxRSS)), s.Status)
	}
	if len(res.IOCScan) == 0 {
		t.row("not run (-no-procs)", "", "", "", "", "", "", "", "", "", "")
	}
	t.end()

	writeServe(&b, cfg, res)

	if len(res.Life) > 0 {
		fmt.Fprintf(&b, "## Intelligence lifecycle: warninglists, enriched output, reload, retro-hunt\n\n")
		fmt.Fprintf(&b, "Each figure is %d rounds of the whole piece of work, one goroutine: the fastest round's wall time and the process's CPU time (user+system) in it, both per unit too, with the spread of the rounds per unit (fastest – slowest); work shorter than 100 ms runs several times per round, and its times are per run. "+
			"Warninglists: every MISP warninglist and indicator of the real feeds (%s/feeds), compiled by allow.New and applied by Policy.Apply with iocscan's defaults. "+
			"Output: the matches of the mixed set's hit lines (N=%s) encoded by package encode, as iocscan writes them; cached = an Encoder that has seen the entries before (a repeated hit), no cache = an entry's first hit.\n\n",
			lifeRounds, orDash(cfg.realdata), fmtCount(float64(slices.Max(cfg.sizes))))
		b.WriteString(reloadRetroText(cfg))
		t = newTable(&b, "Part", "What", "over", "wall", "CPU", "wall/unit (spread)", "CPU/unit", "bytes/unit", "allocs/unit", "note")
		writeLife(t, res.Life)
		t.end()
	}

	if len(res.Real) > 0 {
		fmt.Fprintf(&b, "## Real logs (%s, first %d MB of each file, mixed set of %s)\n\n", cfg.realdata, cfg.realMaxMB, fmtCount(float64(slices.Max(cfg.sizes))))
		b.WriteString("Generated indicators rarely occur in real logs: this shows throughput on real line shapes, and matches only by chance.\n\n")
		t = newTable(&b, "File", "bytes", "lines", "MB/s", "matches")
		for _, r := range res.Real {
			t.row(r.File, fmt.Sprint(r.Bytes), fmt.Sprint(r.Lines), fmtMBps(r.MBps), fmt.Sprint(r.Matches))
		}
		t.end()
	}

	fmt.Fprintf(&b, "## Notes\n\n")
	notes := append([]string{
		"Memory of in-process engines is the live heap after GC, after minus before building (the input indicators excluded); the match package has no MemoryUsage method, so heap is all there is.",
		"Timings are the fastest of three rounds of at least benchtime/3 each; on a loaded machine they are noisy: compare the load averages above.",
		"The workload is generated (package workload): indicators never occur in miss lines by construction (reserved names, documentation addresses), checked by its tests.",
	}, res.Notes...)
	for _, n := range notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	return os.WriteFile(filepath.Join(cfg.out, "report.md"), b.Bytes(), 0o644)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeTargets writes the goals of issue 4 against the figures measured at
// the largest mixed size.
func writeTargets(b *bytes.Buffer, cfg config, res *Results) {
	nmax := slices.Max(cfg.sizes)
	at := fmtCount(float64(nmax))
	fmt.Fprintf(b, "## Targets (largest mixed set: N=%s; the goals are stated for 1M on a 2-core machine, per core)\n\n", at)
	t := newTable(b, "Target", "Goal", "Measured", "Met")
	check := func(name, goal, measured string, ok, known bool) {
		met := "n/a"
		if known {
			met = map[bool]string{true: "yes", false: "**no**"}[ok]
		}
		t.row(name, goal, measured, met)
	}
	var mixed *ScanRow
	worstMissAllocs := 0.0
	for i := range res.Scan {
		s := &res.Scan[i]
		if s.N != nmax {
			continue
		}
		if s.Format == "mixed" {
			mixed = s
		}
		worstMissAllocs = max(worstMissAllocs, s.MissAllocsLine)
	}
	if mixed != nil {
		check("free-text MB/s (mixed log)", ">= 1000 MB/s", fmtMBps(mixed.LogMBps), mixed.LogMBps >= 1000, true)
		check("allocs per miss line (worst format)", "0", fmtAllocs(worstMissAllocs), worstMissAllocs == 0, true)
	}
	for _, e := range res.Engines {
		if e.Engine == "iocmatch" && e.Set == "mixed" && e.N == nmax {
			check("compile time", "<= 2 s", fmtSec(e.BuildSec), e.BuildSec <= 2, true)
			per := float64(e.MemBytes) / float64(e.N)
			check("live heap per indicator", "<= 150 B", fmt.Sprintf("%.0f B", per), per <= 150, true)
		}
	}
	goals := map[string]float64{"addr": 40, "domain": 80, "hash": 60}
	for _, l := range res.Lookups {
		if g, ok := goals[l.Kind]; ok && l.Engine == "iocmatch" && l.N == nmax {
			name := l.Kind + " lookup"
			if l.Kind == "domain" {
				name += " (parent walk)"
			}
			check(name, fmt.Sprintf("<= %.0f ns", g), fmt.Sprintf("hit %.1f ns, miss %.1f ns", l.HitNs, l.MissNs), max(l.HitNs, l.MissNs) <= g, true)
		}
	}
	var s10k, s100k *StringRow
	for i := range res.Strings {
		switch res.Strings[i].N {
		case 10_000:
			s10k = &res.Strings[i]
		case 100_000:
			s100k = &res.Strings[i]
		}
	}
	if s10k != nil {
		check("string kinds, 10k patterns: scan", ">= 300 MB/s", fmtMBps(s10k.MBps), s10k.MBps >= 300, true)
	} else {
		check("string kinds, 10k patterns: scan", ">= 300 MB/s", "not run", false, false)
	}
	if s100k != nil {
		check("string kinds, 100k patterns: compile", "<= 1 s", fmtSec(s100k.CompileSec), s100k.CompileSec <= 1, true)
	} else {
		check("string kinds, 100k patterns: compile", "<= 1 s", "not run", false, false)
	}
	for _, p := range res.Parallel {
		if p.N == nmax {
			check(fmt.Sprintf("%d goroutines vs 1", p.Goroutines), ">= x1.8", fmt.Sprintf("x%.2f (machine ceiling x%.2f)", p.Speedup, p.CPUScaling), p.Speedup >= 1.8, p.Goroutines >= 2)
		}
	}
	for _, s := range res.IOCScan {
		m := s.Status
		if m == "" {
			m = fmt.Sprintf("%s MB/s scan, %s MB/s overall (%s log)", fmtMBps(s.ScanMBps), fmtMBps(s.WallMBps), fmtBytes(float64(s.LogBytes)))
		}
		check("iocscan end to end", "report", m, true, false)
	}
	reloadTargets(check, res)
	serveTargets(check, res)
	t.end()
	if nmax != 1_000_000 {
		fmt.Fprintf(b, "The largest set measured is %s, not 1M: the goals do not apply as such.\n\n", at)
	}
}

// writePlots writes throughput.svg, memory.svg and build.svg.
func writePlots(dir string, res *Results) error {
	collect := func(y func(EngineRow) float64, label func(EngineRow) string) []series {
		var ss []series
		idx := map[string]int{}
		for _, e := range res.Engines {
			v := y(e)
			if v <= 0 {
				continue
			}
			l := label(e)
			i, ok := idx[l]
			if !ok {
				i = len(ss)
				idx[l] = i
				ss = append(ss, series{name: l})
			}
			ss[i].pts = append(ss[i].pts, point{float64(e.N), v})
		}
		return ss
	}
	plots := []struct {
		file, title, ylabel string
		fmtY                func(float64) string
		ss                  []series
	}{
		{"throughput.svg", "Free-text throughput", "MB/s (log scale)", func(v float64) string { return fmtMBps(v) },
			collect(func(e EngineRow) float64 { return e.MBps }, engineLabel)},
		{"memory.svg", "Memory after build", "bytes (log scale; heap, or RSS for processes)", fmtBytes,
			collect(func(e EngineRow) float64 { return float64(e.MemBytes) }, func(e EngineRow) string {
				return e.Engine + " (" + e.Set + ", " + e.MemKind + ")"
			})},
		{"build.svg", "Build / compile time", "seconds (log scale)", fmtSec,
			collect(func(e EngineRow) float64 { return e.BuildSec }, engineLabel)},
	}
	for _, p := range plots {
		var b bytes.Buffer
		if err := plot(&b, p.title, "indicators (log scale)", p.ylabel, p.fmtY, p.ss); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, p.file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
