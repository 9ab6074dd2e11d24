package live

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/match"
)

// build runs the pipeline once (load every source → allowlist →
// Transform → Compile), swaps the new set in on success, updates the
// status and calls OnReload. Builds run one at a time (drain, New).
func (m *Matcher) build(ctx context.Context, trigger, changed string) Event {
	start := m.now()
	ev := Event{Trigger: trigger, Changed: changed, Start: start}
	m.mu.Lock()
	prevSig := m.watchSig
	m.mu.Unlock()
	sig := takeSignature(m.opts.Paths, prevSig, start)
	set, diff, err := m.compile(ctx, start)
	ev.Took = m.now().Sub(start)
	m.mu.Lock()
	m.status.Builds++
	m.status.LastAttempt = start
	m.status.LastError = err
	// The files as they were before this build read them: a change
	// during the build triggers another.
	m.baseline, m.watchSig = sig, sig
	if err != nil {
		m.status.Failures++
		ev.Err = err
		ev.Set = m.cur.Load()
	} else {
		set.Took = ev.Took
		if old := m.cur.Load(); old != nil {
			set.Generation = old.Generation + 1
		} else {
			set.Generation = 1
		}
		m.cur.Store(set)
		m.status.Generation = set.Generation
		m.status.Entries = set.Matcher.Len()
		m.status.LastSuccess = start
		ev.Set, ev.Diff = set, diff
	}
	m.mu.Unlock()
	if !m.opts.KeepMemory {
		debug.FreeOSMemory()
	}
	if m.opts.OnReload != nil {
		m.opts.OnReload(ev)
	}
	return ev
}

// compile loads every source and compiles the new set, checking it
// against the current one (the guards), and computes the diff.
func (m *Matcher) compile(ctx context.Context, start time.Time) (*Set, Diff, error) {
	old := m.cur.Load()
	set := &Set{Built: start}
	var res loader.Result
	if len(m.opts.Paths) > 0 {
		var err error
		res, err = loader.LoadAll(m.opts.Paths, m.opts.Loader)
		if err != nil {
			return nil, Diff{}, err
		}
		set.Sources = pathReports(m.opts.Paths, &res)
	}
	for _, ts := range m.opts.TAXII {
		if err := ctx.Err(); err != nil {
			return nil, Diff{}, err
		}
		tr, stats, err := ts.Poller.Poll(ctx, m.opts.Loader)
		if err != nil {
			return nil, Diff{}, fmt.Errorf("live: TAXII source %q: %w", ts.Name, err)
		}
		set.Sources = append(set.Sources, SourceReport{
			Name: ts.Name, TAXII: true, Indicators: len(tr.Indicators), Files: tr.PerFile,
			Skipped: tr.SkippedTotal(), Unsupported: tr.UnsupportedTotal(), Problems: tr.Problems, Stats: &stats,
		})
		res.Indicators = append(res.Indicators, tr.Indicators...)
		res.Warninglists = append(res.Warninglists, tr.Warninglists...)
		res.Allowlist = append(res.Allowlist, tr.Allowlist...)
	}
	if err := m.guard(old, set.Sources); err != nil {
		return nil, Diff{}, err
	}
	inds := res.Indicators
	res.Indicators = nil
	if m.opts.Allow != nil {
		aopts := *m.opts.Allow
		aopts.Warninglists = append(slices.Clip(aopts.Warninglists), res.Warninglists...)
		aopts.Allowlist = append(slices.Clip(aopts.Allowlist), res.Allowlist...)
		p, err := allow.New(aopts)
		if err != nil {
			return nil, Diff{}, err
		}
		var rep allow.Report
		inds, rep = p.Apply(inds)
		set.Allow = &rep
	}
	if m.opts.Transform != nil {
		var err error
		if inds, err = m.opts.Transform(inds, start); err != nil {
			return nil, Diff{}, fmt.Errorf("live: Transform: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, Diff{}, err
	}
	set.Indicators = len(inds)
	mm, err := match.Compile(inds, m.opts.Compile)
	inds = nil
	if err != nil {
		return nil, Diff{}, err
	}
	set.Matcher = mm
	set.fps = fingerprints(mm, m.hash)
	var d Diff
	if old != nil {
		d = diff(old, set)
	}
	return set, d, nil
}

// pathReports splits the Result of LoadAll(paths) into one report per
// path: each file read or skipped goes to the path it is under (the
// longest that holds it).
func pathReports(paths []string, res *loader.Result) []SourceReport {
	reps := make([]SourceReport, len(paths))
	for i, p := range paths {
		reps[i].Name = p
	}
	owner := func(file string) int {
		best, bl := -1, -1
		for i, p := range paths {
			if file == p || strings.HasPrefix(file, strings.TrimSuffix(p, string(filepath.Separator))+string(filepath.Separator)) {
				if len(p) > bl {
					best, bl = i, len(p)
				}
			}
		}
		if best < 0 {
			best = 0
		}
		return best
	}
	for _, fs := range res.PerFile {
		r := &reps[owner(fs.Path)]
		r.Files = append(r.Files, fs)
		r.Indicators += fs.Indicators
		r.Skipped += fs.Skipped
		r.Unsupported += fs.Unsupported
	}
	for _, sf := range res.SkippedFiles {
		r := &reps[owner(sf.Path)]
		r.SkippedFiles = append(r.SkippedFiles, sf)
	}
	for _, p := range res.Problems {
		r := &reps[owner(p.Path)]
		r.Problems = append(r.Problems, p)
	}
	return reps
}

// guard checks the sources of a new build against the current set's:
// a source that gave indicators and now gives none, or fewer than
// MinRatio of them, fails the build.
func (m *Matcher) guard(old *Set, srcs []SourceReport) error {
	if old == nil {
		return nil
	}
	for i := range srcs {
		s := &srcs[i]
		if i >= len(old.Sources) || old.Sources[i].Name != s.Name {
			continue
		}
		before := old.Sources[i].Indicators
		if before == 0 {
			continue
		}
		switch {
		case s.Indicators == 0 && !m.opts.AllowEmpty:
			return fmt.Errorf("live: source %q: %w: %d in the current set", s.Name, ErrSourceEmpty, before)
		case m.opts.MinRatio > 0 && float64(s.Indicators) < m.opts.MinRatio*float64(before):
			return fmt.Errorf("live: source %q: %w: %d indicators, %d in the current set (MinRatio %v)", s.Name, ErrSourceShrank, s.Indicators, before, m.opts.MinRatio)
		}
	}
	return nil
}
