package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iocmatch/iocmatch/age"
	"github.com/iocmatch/iocmatch/internal/setup"
	"github.com/iocmatch/iocmatch/live"
	"github.com/iocmatch/iocmatch/match"
)

// reloading is the -reload mode: the feeds are held by a live.Matcher,
// rebuilt in the background when a feed file changes (checked every
// -reload), every -reload for TAXII collections, and on SIGHUP, with the
// same loader, allowlist, ageing and match options as the first build.
// The scan takes the current set per line, so a reload never pauses it;
// the lines a -retro buffer keeps are hunted for the indicators a reload
// added.
type reloading struct {
	lm   *live.Matcher
	logf func(string, ...any)
	// quiet: no summary line per reload (failures are still reported)
	quiet bool

	ages ageTotals // the ageing of the build under way, summed over its batches

	// sess is the scan's session once it exists (the first build runs
	// before): a reload retro-hunts its buffer.
	sess atomic.Pointer[session]
	// reloads and failures count the builds after the first.
	reloads, failures atomic.Int64
	fb                *feedback
}

// ageTotals sums the age.Reports of a build's batches (the live pipeline
// calls its Transform once per batch of indicators).
type ageTotals struct {
	mu  sync.Mutex
	rep age.Report
}

func (t *ageTotals) add(r *age.Report) {
	t.mu.Lock()
	t.rep.Add(r, 0)
	t.mu.Unlock()
}

// take returns the summary of the sums and the sums, and starts them
// again.
func (t *ageTotals) take() (string, *age.Report) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.rep
	t.rep = age.Report{}
	return fmt.Sprintf("ageing: %d of %d indicators expired, %d decayed; %d undated", r.Expired, r.Input, r.Decayed, r.Undated), &r
}

// reloadConfig is what the first build and every reload are made of.
type reloadConfig struct {
	setup   *setup.Config // the shared flags: feeds, TAXII, allowlists, ageing, match options, -reload
	stderr  io.Writer     // the feeds' problems
	fb      *feedback     // hit statistics: rebound to every new set
	quiet   bool
	verbose bool
}

// startReloading makes the first build, reports it like a one-shot load,
// and returns the reloading state; Run and SIGHUP are started by the
// caller once the scan is set up.
func startReloading(ctx context.Context, c reloadConfig, logf func(string, ...any)) (*reloading, error) {
	r := &reloading{logf: logf, quiet: c.quiet, fb: c.fb}
	opts, err := c.setup.LiveOptions(ctx, c.stderr)
	if err != nil {
		return nil, err
	}
	opts.Transform = c.setup.Transform(r.ages.add)
	opts.OnReload = r.onReload
	t0 := time.Now()
	lm, err := live.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	r.lm = lm
	set := lm.Current()
	ages, src := r.ages.take()
	c.fb.setFeeds(set.Allow, nil, src)
	if !c.quiet {
		for i := range set.Sources {
			sourceReport(c.stderr, logf, &set.Sources[i], c.verbose)
		}
		if set.Allow != nil {
			allowReport(logWriter(logf), set.Allow, c.verbose)
		}
		logf("%s", ages)
		logf("loaded and compiled %d indicators in %v: %s (generation 1; reloads: on change, checked every %v, and on SIGHUP)",
			set.Indicators, time.Since(t0).Round(time.Millisecond), set.Matcher, c.setup.Flags.Reload)
	}
	return r, nil
}

// onReload reports a build after the first, and retro-hunts the lines
// kept for the indicators it added.
func (r *reloading) onReload(ev live.Event) {
	if ev.Trigger == "initial" {
		return // reported by startReloading
	}
	ages, src := r.ages.take()
	if ev.Err != nil {
		r.failures.Add(1)
		r.logf("reload failed (%s), the current indicators stay: %v", ev.Trigger, ev.Err)
		return
	}
	r.reloads.Add(1)
	r.fb.st.Rebind(ev.Set.Matcher) // the counts of the entries that stay carry over
	r.fb.setFeeds(ev.Set.Allow, nil, src)
	if !r.quiet {
		trig := ev.Trigger
		if ev.Changed != "" {
			trig += ": " + ev.Changed
		}
		r.logf("reload (%s): generation %d, %d entries: %d added, %d removed, %d changed; %s; took %v; RSS %s",
			trig, ev.Set.Generation, ev.Set.Matcher.Len(), ev.Diff.Added, ev.Diff.Removed, ev.Diff.Changed, ages,
			ev.Took.Round(time.Millisecond), rss())
	}
	s := r.sess.Load()
	if s == nil || s.retro == nil || ev.Diff.Added == 0 {
		return
	}
	m, err := ev.CompileAdded(s.mopts)
	if err != nil {
		r.logf("retro-hunt: %v", err)
		return
	}
	if _, err := s.retroHuntMatcher(m, ev.Diff.Added); err != nil {
		r.logf("%v", err)
	}
}

// current is the matcher of the current set.
func (r *reloading) current() *match.Matcher { return r.lm.Current().Matcher }

// sourceReport writes what a build read from one source, like
// feedReport: its problems to w as they are ("path:line: message"), the
// rest with logf.
func sourceReport(w io.Writer, logf func(string, ...any), s *live.SourceReport, verbose bool) {
	for i := range s.Problems {
		fmt.Fprintln(w, s.Problems[i].Error())
	}
	files := len(s.Files)
	logf("feed %s: %d indicators from %d files%s; %d records skipped; %d unsupported",
		s.Name, s.Indicators, files, skippedFiles(len(s.SkippedFiles)), s.Skipped, s.Unsupported)
	if s.Indicators == 0 {
		logf("warning: feed %s: no valid indicator: nothing to match from it (until a reload brings some)", s.Name)
	}
	if !verbose {
		return
	}
	for _, f := range s.Files {
		logf("  %s (%s): %d indicators, %d skipped, %d unsupported", f.Path, f.Format, f.Indicators, f.Skipped, f.Unsupported)
	}
	for _, f := range s.SkippedFiles {
		logf("  %s: not read: %s", f.Path, f.Reason)
	}
}

func skippedFiles(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d files not read)", n)
}

// logWriter is an io.Writer of whole lines for logf, for the reports
// that write "iocscan: …" lines themselves.
type logWriter func(string, ...any)

func (l logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimSuffix(string(p), "\n"), "\n") {
		l("%s", strings.TrimPrefix(line, "iocscan: "))
	}
	return len(p), nil
}

// rss is the process's resident size, from /proc/self/status ("?" where
// there is none).
func rss() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return "?"
			}
			return fmt.Sprintf("%.1f MB", float64(kb)/1000)
		}
	}
	return "?"
}
