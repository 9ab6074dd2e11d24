package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/bench/workload"
	"github.com/iocmatch/iocmatch/encode"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// LifeRow is one figure of the intelligence-lifecycle part of the report
// (allowlists, enriched output …): a piece of work over N units, timed in
// several rounds, wall and CPU time of each.
type LifeRow struct {
	Part   string // "warninglists", "output" …
	What   string
	N      int    // units the work is over
	Units  string // "indicators", "matches" …
	Reps   int    // times the work ran in each round (the times below are per run)
	Wall   []float64
	CPU    []float64 // user+system CPU seconds of the process, per round and run
	Bytes  float64   // output bytes per unit, when the work writes some
	Allocs float64   // allocations per unit (best round); < 0: not counted
	Note   string
}

// lifeRounds is the number of rounds of each lifecycle figure.
const lifeRounds = 5

// cpuNow is the process's user+system CPU time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rounds runs prep (untimed) then work, lifeRounds times, and fills the
// row's wall and CPU times and allocations per unit of the fastest round.
// Work that takes less than minRound runs several times in each round
// (prep once before them), so that the clocks' resolution does not matter.
func rounds(row *LifeRow, prep func(), work func()) {
	const minRound = 100 * time.Millisecond
	if prep != nil {
		prep()
	}
	t0 := time.Now()
	work() // calibration (and warm-up)
	row.Reps = int(min(minRound/max(time.Since(t0), time.Microsecond), 1<<20)) + 1
	if prep != nil {
		row.Reps = 1 // prep must run before each work
	}
	best := -1.0
	for i := 0; i < lifeRounds; i++ {
		if prep != nil {
			prep()
		}
		gc()
		m0, c0, t0 := mallocs(), cpuNow(), time.Now()
		for k := 0; k < row.Reps; k++ {
			work()
		}
		reps := float64(row.Reps)
		wall, cpu, allocs := time.Since(t0).Seconds()/reps, (cpuNow()-c0).Seconds()/reps, float64(mallocs()-m0)/reps
		row.Wall, row.CPU = append(row.Wall, wall), append(row.CPU, cpu)
		if best < 0 || wall < best {
			best = wall
			row.Allocs = allocs / float64(max(row.N, 1))
		}
	}
}

// bestIdx is the index of the fastest round.
func (l LifeRow) bestIdx() int {
	return slices.Index(l.Wall, slices.Min(l.Wall))
}

// warninglists measures compiling every MISP warninglist of the real
// feeds (allow.New) and applying the policy to every real indicator
// (Policy.Apply), when the real data is there.
func (r *runner) warninglists() error {
	if r.cfg.realdata == "" {
		r.res.Notes = append(r.res.Notes, "Warninglist figures not measured: no real data (-realdata).")
		return nil
	}
	dir := filepath.Join(r.cfg.realdata, "feeds")
	r.logf("warninglists: loading %s", dir)
	t0 := time.Now()
	res, err := loader.Load(dir, loader.Options{})
	if err != nil {
		return err
	}
	if len(res.Warninglists) == 0 {
		r.res.Notes = append(r.res.Notes, "Warninglist figures not measured: no warninglist under "+dir+".")
		return nil
	}
	entries := 0
	for _, w := range res.Warninglists {
		entries += len(w.Entries)
	}
	r.logf("warninglists: %d indicators, %d lists (%d entries) loaded in %v", len(res.Indicators), len(res.Warninglists), entries, time.Since(t0))

	var p *allow.Policy
	comp := LifeRow{Part: "warninglists", What: fmt.Sprintf("allow.New: compile the %d real MISP warninglists and the reserved ranges", len(res.Warninglists)), N: entries, Units: "list entries"}
	rounds(&comp, nil, func() {
		p, err = allow.New(allow.Options{Warninglists: res.Warninglists})
	})
	if err != nil {
		return err
	}
	var work []indicator.Indicator
	var rep allow.Report
	apply := LifeRow{Part: "warninglists", What: "Policy.Apply: check every real indicator against them", N: len(res.Indicators), Units: "indicators"}
	rounds(&apply, func() { work = slices.Clone(res.Indicators) }, func() { _, rep = p.Apply(work) })
	apply.Note = fmt.Sprintf("%d suppressed, %d annotated", rep.Suppressed, rep.Annotated)
	r.res.Life = append(r.res.Life, comp, apply)
	runtime.KeepAlive(res)
	release()
	return nil
}

// output measures the enriched output of package encode per match, on
// the hit lines of the mixed set of n indicators, with and without the
// Encoder's per-entry cache, against AppendMatches on the same lines.
func (r *runner) output(n int) error {
	cfg := r.cfg
	inds := workload.Indicators(n, cfg.seed)
	m, err := match.Compile(inds, match.Options{})
	if err != nil {
		return err
	}
	log := workload.Generate(workload.Mixed, max(cfg.lines/4, 100), 1, inds, cfg.seed+400)
	lines := make([]encode.Line, len(log.Lines))
	found := make([][]match.Match, len(log.Lines))
	total := 0
	for i, l := range log.Lines {
		lines[i] = encode.Line{File: "bench.log", Number: i + 1, Offset: int64(i) * 200, Text: l}
		found[i] = m.AppendMatches(nil, l)
		total += len(found[i])
	}
	if total == 0 {
		return fmt.Errorf("output: no match on %d hit lines", len(lines))
	}
	r.logf("output: %d matches on %d hit lines (N=%d)", total, len(lines), n)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	buf := make([]byte, 0, 1<<16)
	var outBytes int
	mk := func(what string, work func()) LifeRow {
		row := LifeRow{Part: "output", What: what, N: total, Units: "matches"}
		outBytes = 0
		rounds(&row, nil, work)
		row.Bytes = float64(outBytes) / float64(total) / float64(row.Reps*lifeRounds+1)
		return row
	}
	dst := make([]match.Match, 0, 64)
	base := mk("AppendMatches on the same lines (not encoding: the matching cost, for scale)", func() {
		for _, l := range log.Lines {
			dst = m.AppendMatches(dst[:0], l)
		}
	})
	enc := encode.NewEncoder(m, encode.Options{Now: clock})
	for i := range lines { // fill the cache: the figures below are of repeated hits
		for _, x := range found[i] {
			buf = enc.AppendJSON(buf[:0], lines[i], x)
		}
		buf = enc.AppendECS(buf[:0], lines[i], found[i])
	}
	jsonC := mk("native JSON, Encoder, entries cached", func() {
		for i := range lines {
			for _, x := range found[i] {
				buf = enc.AppendJSON(buf[:0], lines[i], x)
				outBytes += len(buf) + 1
			}
		}
	})
	ecsC := mk("ECS, Encoder, entries cached (one event per line)", func() {
		for i := range lines {
			buf = enc.AppendECS(buf[:0], lines[i], found[i])
			outBytes += len(buf) + 1
		}
	})
	jsonU := mk("native JSON, package-level AppendJSON (no cache)", func() {
		for i := range lines {
			for _, x := range found[i] {
				buf = encode.AppendJSON(buf[:0], m, lines[i], x)
				outBytes += len(buf) + 1
			}
		}
	})
	ecsU := mk("ECS, package-level AppendECS (no cache)", func() {
		for i := range lines {
			buf = encode.AppendECS(buf[:0], m, lines[i], found[i], now)
			outBytes += len(buf) + 1
		}
	})
	base.Bytes = 0
	r.res.Life = append(r.res.Life, base, jsonC, ecsC, jsonU, ecsU)
	runtime.KeepAlive(m)
	release()
	return nil
}

// writeLife writes the lifecycle figures.
func writeLife(t table, rows []LifeRow) {
	for _, l := range rows {
		if len(l.Wall) == 0 { // not measured: the note says why
			t.row(l.Part, l.What, fmtCount(float64(l.N))+" "+l.Units, "-", "-", "-", "-", "-", "-", orDash(l.Note))
			continue
		}
		i := l.bestIdx()
		n := float64(max(l.N, 1))
		bytes, allocs := "-", "-"
		if l.Bytes > 0 {
			bytes = fmt.Sprintf("%.0f", l.Bytes)
		}
		if l.Allocs >= 0 { // < 0: not counted (another process's work)
			allocs = fmt.Sprintf("%.2f", l.Allocs)
		}
		t.row(l.Part, l.What, fmtCount(float64(l.N))+" "+l.Units,
			fmtDur(l.Wall[i]), fmtDur(l.CPU[i]),
			fmt.Sprintf("%s (%s – %s)", fmtDur(l.Wall[i]/n), fmtDur(slices.Min(l.Wall)/n), fmtDur(slices.Max(l.Wall)/n)),
			fmtDur(l.CPU[i]/n), bytes, allocs, orDash(l.Note))
	}
}

// fmtDur formats seconds in s, ms, µs or ns, three significant digits.
func fmtDur(sec float64) string {
	for _, u := range []struct {
		name  string
		scale float64
	}{{"s", 1}, {"ms", 1e-3}, {"µs", 1e-6}} {
		if sec >= u.scale {
			return strconv.FormatFloat(sec/u.scale, 'g', 3, 64) + " " + u.name
		}
	}
	return strconv.FormatFloat(sec*1e9, 'g', 3, 64) + " ns"
}
