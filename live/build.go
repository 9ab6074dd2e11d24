package live

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/pipeline"
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
	restore := m.limitMemory()
	set, diff, err := m.compile(ctx, start)
	restore()
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

// limitMemory sets the runtime's memory limit for a build (see
// Options.BuildMemoryRatio) and returns the function that restores it.
func (m *Matcher) limitMemory() func() {
	r := m.opts.BuildMemoryRatio
	if r == 0 {
		r = DefaultBuildMemoryRatio
	}
	if r < 0 || m.cur.Load() == nil {
		return func() {}
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return func() {}
	}
	inUse := float64(s[0].Value.Uint64() - s[1].Value.Uint64())
	return memLimits.acquire(int64(min(r*inUse, math.MaxInt64/2)))
}

// memLimits are the memory limits of the builds under way in the
// process (of every Matcher): the runtime's limit is the largest of them
// (no build is held below its own), never above the limit set before
// the first of them, which the last restores.
var memLimits limits

type limits struct {
	mu    sync.Mutex
	saved int64            // the limit before the first build
	reqs  map[*int64]int64 // the limits asked for
}

func (l *limits) acquire(limit int64) func() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) == 0 {
		l.saved = debug.SetMemoryLimit(-1)
		l.reqs = map[*int64]int64{}
	}
	key := new(int64)
	l.reqs[key] = limit
	l.apply()
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.reqs, key)
		if len(l.reqs) == 0 {
			debug.SetMemoryLimit(l.saved)
			return
		}
		l.apply()
	}
}

// apply sets the runtime's limit from the requests.
func (l *limits) apply() {
	var top int64
	for _, v := range l.reqs {
		top = max(top, v)
	}
	debug.SetMemoryLimit(min(top, l.saved))
}

// compile loads every source and compiles the new set, checking it
// against the current one (the guards), and computes the diff. The
// indicators are streamed (loader.StreamAll) through the allowlist and
// the Transform into a match.Builder, a batch at a time: the build never
// holds the whole []indicator.Indicator of its feeds.
func (m *Matcher) compile(ctx context.Context, start time.Time) (*Set, Diff, error) {
	old := m.cur.Load()
	set := &Set{Built: start, now: m.opts.Compile.Now}
	// TAXII first: a server that is down fails the build before the
	// files are read. The Pollers hold their collections anyway.
	type polled struct {
		rep  SourceReport
		inds []indicator.Indicator
	}
	var tx []polled
	var wls []loader.Warninglist
	var zeek []indicator.Indicator
	keep := func(rep SourceReport, r *loader.Result) {
		tx = append(tx, polled{rep, r.Indicators})
		wls = append(wls, r.Warninglists...)
		zeek = append(zeek, r.Allowlist...)
	}
	for _, ts := range m.opts.TAXII {
		if err := ctx.Err(); err != nil {
			return nil, Diff{}, err
		}
		tr, stats, err := ts.Poller.Poll(ctx, m.opts.Loader)
		if err != nil {
			return nil, Diff{}, fmt.Errorf("live: TAXII source %q: %w", ts.Name, err)
		}
		rep := remoteReport(ts.Name, &tr)
		rep.TAXII, rep.Stats = true, &stats
		keep(rep, &tr)
	}
	for _, f := range m.opts.Feeds {
		if err := ctx.Err(); err != nil {
			return nil, Diff{}, err
		}
		fr, err := f.Poll(ctx, m.opts.Loader)
		if err != nil {
			return nil, Diff{}, fmt.Errorf("live: feed %q: %w", f.Name(), err)
		}
		rep := remoteReport(f.Name(), &fr)
		rep.Feed = true
		keep(rep, &fr)
	}
	var policy *allow.Policy
	if m.opts.Allow != nil {
		aopts := *m.opts.Allow
		if len(m.opts.Paths) > 0 {
			// the feeds' own lists, read first: the indicators are
			// checked as they are read
			al, err := loader.LoadAllowlists(m.opts.Paths, m.opts.Loader)
			if err != nil {
				return nil, Diff{}, err
			}
			wls = append(al.Warninglists, wls...)
			zeek = append(al.Allowlist, zeek...)
		}
		aopts.Warninglists = append(slices.Clip(aopts.Warninglists), wls...)
		aopts.Allowlist = append(slices.Clip(aopts.Allowlist), zeek...)
		var err error
		if policy, err = allow.New(aopts); err != nil {
			return nil, Diff{}, err
		}
	}
	b, err := match.NewBuilder(m.opts.Compile)
	if err != nil {
		return nil, Diff{}, err
	}
	if old != nil {
		b.GrowLike(old.Matcher)
	}
	pl := &pipeline.Pipeline{Builder: b, Policy: policy, Check: ctx.Err}
	if m.opts.Allow != nil {
		pl.MaxExamples = m.opts.Allow.MaxExamples
	}
	if tf := m.opts.Transform; tf != nil {
		pl.Transform = func(batch []indicator.Indicator) ([]indicator.Indicator, error) {
			batch, err := tf(batch, start)
			if err != nil {
				return nil, fmt.Errorf("live: Transform: %w", err)
			}
			return batch, nil
		}
	}
	if len(m.opts.Paths) > 0 {
		res, err := loader.StreamAll(m.opts.Paths, m.opts.Loader, pl.Add)
		if err != nil {
			return nil, Diff{}, err
		}
		set.Sources = pathReports(m.opts.Paths, &res)
	}
	for i := range tx {
		set.Sources = append(set.Sources, tx[i].rep)
		// copies: Apply filters in place, and the Poller keeps its slice
		if err := pl.AddCopies(tx[i].inds); err != nil {
			return nil, Diff{}, err
		}
		tx[i].inds = nil
	}
	set.Indicators = pl.Indicators
	if arep := pl.Allow(); arep != nil {
		set.Allow = arep
	}
	if err := m.guard(old, set.Sources); err != nil {
		return nil, Diff{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Diff{}, err
	}
	mm, err := b.Finish()
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

// remoteReport is the report of a TAXII or Feed source named name that
// read r.
func remoteReport(name string, r *loader.Result) SourceReport {
	return SourceReport{Name: name, Indicators: len(r.Indicators), Files: r.PerFile,
		Skipped: r.SkippedTotal(), Unsupported: r.UnsupportedTotal(), Problems: r.Problems}
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
