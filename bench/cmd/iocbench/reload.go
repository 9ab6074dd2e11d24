package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/iocmatch/iocmatch/bench/peers"
)

// ReloadRun is one run of bench/cmd/reloadmem, in a process of its own:
// a live.Matcher built over generated feeds of N indicators, then
// reloaded. The fields are reloadmem's -json output (its Result).
type ReloadRun struct {
	N         int           `json:"n"`
	FeedBytes int64         `json:"feed_bytes"`
	Churn     bool          `json:"churn"`
	BeforeRSS int64         `json:"before_rss"`
	First     ReloadBuild   `json:"first"`
	SteadyRSS int64         `json:"steady_rss"`
	HeapInuse int64         `json:"heap_inuse"`
	Reloads   []ReloadBuild `json:"reloads"`
	// Status is "" for a run that gave its figures, else why not
	// (a time-out, an exit status, output that did not parse).
	Status string `json:",omitempty"`
}

// ReloadBuild is one build of a ReloadRun (reloadmem's Build).
type ReloadBuild struct {
	Wall     float64 `json:"wall_s"`
	CPU      float64 `json:"cpu_s"`
	PeakRSS  int64   `json:"peak_rss"`
	Ratio    float64 `json:"ratio"`
	PeakHeap int64   `json:"peak_heap"`
	RSSAfter int64   `json:"rss_after"`
	Entries  int     `json:"entries"`
	Added    int     `json:"added"`
	Removed  int     `json:"removed"`
	Changed  int     `json:"changed"`
}

// maxRatio is the largest peak RSS / steady RSS of the run's reloads.
func (r ReloadRun) maxRatio() float64 {
	m := 0.0
	for _, b := range r.Reloads {
		m = max(m, b.Ratio)
	}
	return m
}

// reloadRounds is the number of reloads of each reloadmem run.
const reloadRounds = 3

// reload measures a live.Matcher's reloads over n indicators with
// bench/cmd/reloadmem, built into the run's temporary directory and run
// twice (unchanged feeds, then -churn: half the indicators replaced
// before each reload), each run killed after -peer-timeout. A fresh
// process, as this one holds gigabytes: its RSS would hide the figures.
func (r *runner) reload(n int) {
	cfg := r.cfg
	if !cfg.procs {
		r.res.Notes = append(r.res.Notes, "Reload figures not measured (-no-procs): they need bench/cmd/reloadmem as a process of its own.")
		return
	}
	if runtime.GOOS != "linux" {
		r.res.Notes = append(r.res.Notes, "Reload figures not measured: bench/cmd/reloadmem reads /proc (Linux only).")
		return
	}
	bin := filepath.Join(r.tmp, "reloadmem")
	if err := goBuild(filepath.Join(cfg.repo, "bench"), "./cmd/reloadmem", bin); err != nil {
		r.res.Notes = append(r.res.Notes, "Reload figures not measured: "+err.Error())
		return
	}
	for _, churn := range []bool{false, true} {
		run := r.reloadmem(bin, n, churn)
		r.res.Reload = append(r.res.Reload, run)
		r.res.Life = append(r.res.Life, reloadRows(run)...)
	}
}

// reloadmem runs the reloadmem binary once and parses its figures.
func (r *runner) reloadmem(bin string, n int, churn bool) ReloadRun {
	cfg := r.cfg
	args := []string{"-n", strconv.Itoa(n), "-reloads", strconv.Itoa(reloadRounds), "-json"}
	if churn {
		args = append(args, "-churn")
	}
	dir, err := os.MkdirTemp(r.tmp, "reloadmem-feeds-")
	if err != nil {
		return ReloadRun{N: n, Churn: churn, Status: err.Error()}
	}
	defer os.RemoveAll(dir)
	args = append(args, "-dir", dir)
	r.logf("reload: reloadmem %s", strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(context.Background(), cfg.peerTimeout)
	defer cancel()
	p, err := peers.RunProcess(ctx, bin, args, nil)
	run, status := parseReloadmem(p, err)
	run.N, run.Churn, run.Status = n, churn, status
	if status != "" {
		r.logf("reload: %s", status)
		return run
	}
	r.logf("reload: first build %.2fs, steady RSS %s, reloads peak up to %.2fx steady", run.First.Wall, fmtBytes(float64(run.SteadyRSS)), run.maxRatio())
	return run
}

// parseReloadmem reads a reloadmem -json run: its figures, or why there
// are none. RunProcess does not count exit status 1 (log.Fatal's) as an
// error, so a run is good only when its output parses and has every
// reload.
func parseReloadmem(p peers.Run, err error) (ReloadRun, string) {
	var run ReloadRun
	lastErr := func() string {
		s := strings.TrimSpace(p.Stderr)
		if i := strings.LastIndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
		if s == "" {
			return "no output"
		}
		return s
	}
	switch {
	case err != nil:
		return run, err.Error()
	case p.TimedOut:
		return run, fmt.Sprintf("timeout after %.0f s", p.Wall.Seconds())
	}
	if err := json.Unmarshal([]byte(p.Output), &run); err != nil {
		return run, "reloadmem: " + lastErr()
	}
	if len(run.Reloads) != reloadRounds || run.SteadyRSS <= 0 {
		return run, fmt.Sprintf("reloadmem: %d of %d reloads measured: %s", len(run.Reloads), reloadRounds, lastErr())
	}
	return run, ""
}

// reloadRows are the report rows of a reloadmem run: the first build and
// the reloads (their spread over the runs' reloads).
func reloadRows(run ReloadRun) []LifeRow {
	kind := "unchanged feeds"
	if run.Churn {
		kind = "-churn: half the indicators replaced before each reload"
	}
	if run.Status != "" {
		return []LifeRow{{Part: "reload", What: "live.Matcher.Reload, " + kind, N: run.N, Units: "indicators", Allocs: -1, Note: "not measured: " + run.Status}}
	}
	var rows []LifeRow
	if !run.Churn {
		rows = append(rows, LifeRow{Part: "reload", What: "live.New: first build over the feeds (plain list, CSV, STIX; allowlist on; not memory-limited)",
			N: run.N, Units: "indicators", Reps: 1, Wall: []float64{run.First.Wall}, CPU: []float64{run.First.CPU}, Allocs: -1,
			Note: fmt.Sprintf("%d entries; feeds %s; peak RSS %s; steady RSS %s after it (heap in use %s)",
				run.First.Entries, fmtBytes(float64(run.FeedBytes)), fmtBytes(float64(run.First.PeakRSS)), fmtBytes(float64(run.SteadyRSS)), fmtBytes(float64(run.HeapInuse)))})
	}
	row := LifeRow{Part: "reload", What: "live.Matcher.Reload, " + kind, N: run.N, Units: "indicators", Reps: 1, Allocs: -1}
	var peaks, diffs []string
	for _, b := range run.Reloads {
		row.Wall, row.CPU = append(row.Wall, b.Wall), append(row.CPU, b.CPU)
		peaks = append(peaks, fmt.Sprintf("%s (%.2f×)", fmtBytes(float64(b.PeakRSS)), b.Ratio))
		diffs = append(diffs, fmt.Sprintf("+%d -%d ~%d", b.Added, b.Removed, b.Changed))
	}
	row.Note = fmt.Sprintf("%d reloads; steady RSS %s; peak RSS %s: at most %.2f× steady (goal ≤ 2×); diff %s",
		len(run.Reloads), fmtBytes(float64(run.SteadyRSS)), strings.Join(peaks, ", "), run.maxRatio(), strings.Join(slices.Compact(diffs), ", "))
	return append(rows, row)
}

// reloadRetroText explains the reload and retro-hunt rows of the
// lifecycle table.
func reloadRetroText(cfg config) string {
	return fmt.Sprintf("Reload: bench/cmd/reloadmem run as a process of its own (go build, then `-n N -reloads %d -json`, and once more with `-churn`), "+
		"so that its resident size is the live.Matcher's alone: feeds of N generated indicators (half a plain list by type, 40%% a CSV with dates, confidence, tags and a family, 10%% a STIX 2.1 bundle), "+
		"allowlist on; steady RSS after the first build, peak RSS of each reload from /proc/self/status (VmHWM, reset before it); the rows' rounds are the reloads. "+
		"Retro-hunt: a retro.Buffer of %s filled with generated mixed-format lines, %.1f%% of them carrying one of %d new indicators (a mixed set of its own seed, as a reload brings), "+
		"hunted by a Matcher of only those; the hunt must find exactly the planted lines still kept. Add is timed on the full buffer (each line evicts older ones).\n\n",
		reloadRounds, fmtBytes(float64(cfg.retroBytes)), retroHitRate*100, retroNew)
}

// reloadTargets adds the reload target to the targets table: with
// 1M indicators, peak RSS while reloading at most 2× the steady RSS.
func reloadTargets(check func(name, goal, measured string, ok, known bool), res *Results) {
	for _, run := range res.Reload {
		name := "reload peak RSS, " + fmtCount(float64(run.N)) + " indicators"
		if run.Churn {
			name += " (-churn)"
		}
		if run.Status != "" {
			check(name, "<= 2x steady RSS", "not measured: "+run.Status, false, false)
			continue
		}
		check(name, "<= 2x steady RSS", fmt.Sprintf("x%.2f (%s peak, %s steady)", run.maxRatio(), fmtBytes(float64(slices.MaxFunc(run.Reloads, func(a, b ReloadBuild) int { return int(a.PeakRSS - b.PeakRSS) }).PeakRSS)), fmtBytes(float64(run.SteadyRSS))),
			run.maxRatio() <= 2, run.N == 1_000_000)
	}
}
