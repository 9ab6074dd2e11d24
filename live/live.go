package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iocmatch/iocmatch/allow"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
	"github.com/iocmatch/iocmatch/loader"
	"github.com/iocmatch/iocmatch/loader/taxii"
	"github.com/iocmatch/iocmatch/match"
)

// DefaultWatchInterval is how often Run checks the files of Options.Paths
// for changes when Options.WatchInterval is 0: 5 s.
const DefaultWatchInterval = 5 * time.Second

// DefaultBuildMemoryRatio is the Options.BuildMemoryRatio used when it
// is 0: 1.9, so that a reload peaks below twice the steady resident size
// (the bound this package is built to): the resident size runs a few
// percent above the runtime's soft limit (with 2, reloads of 1M
// indicators peaked at 1.82-2.07×).
const DefaultBuildMemoryRatio = 1.9

// Options configure a Matcher: its sources, the build pipeline (the same
// at every reload) and its triggers. The zero value of every field but
// the sources is a documented default.
type Options struct {
	// Paths are feed files and directories, read together with
	// loader.LoadAll(Paths, Loader) at every build.
	Paths []string

	// TAXII are TAXII 2.1 collections, each read with its Poller (an
	// incremental poll that returns the collection's full current set)
	// at every build, after Paths.
	TAXII []TAXIISource

	// Feeds are the remote feeds of threat-intelligence platforms (OTX,
	// AbuseIPDB, Recorded Future, ThreatConnect: package loader/platform),
	// each polled at every build after the TAXII collections. A Feed's
	// Poll returns the feed's whole current set (an incremental poller
	// keeps what its earlier polls read).
	Feeds []Feed

	// Loader are the options of every load (paths, TAXII and feed polls).
	// Loader.Progress is not called.
	Loader loader.Options

	// Allow, when set, is the allowlist policy applied at every build:
	// allow.New is called with these options plus the warninglists and
	// Zeek whitelist rows read with the feeds of that build
	// (loader.Result.Warninglists, Allowlist), so that edited lists take
	// effect at the next reload like edited feeds. Nil: no allowlist.
	Allow *allow.Options

	// Transform, when set, runs after the allowlist and before Compile,
	// with the build's time (Now): the place of an ageing or decay
	// policy (package age), which may drop indicators or set their
	// ValidUntil. It may modify and return its argument. An error fails
	// the build: the current set stays.
	Transform func(inds []indicator.Indicator, now time.Time) ([]indicator.Indicator, error)

	// Compile are the options of match.Compile. When Compile.Now is nil,
	// the Matcher's clock (Now) is used, so that validity windows move on
	// with that clock between reloads.
	Compile match.Options

	// Now is the clock of the Matcher: build times, the Transform's now,
	// the recency of file modification times, and Compile.Now by
	// default. Nil means time.Now.
	Now func() time.Time

	// Interval, when > 0, makes Run rebuild from every source that often
	// (TAXII collections have no other trigger but Reload). 0: no
	// periodic rebuild.
	Interval time.Duration

	// WatchInterval is how often Run checks the files of Paths for a
	// change (size, modification time, inode and device, and the
	// content's hash while the modification time is recent: see the
	// package documentation); a change triggers a rebuild. 0 means
	// DefaultWatchInterval, < 0 no watching.
	WatchInterval time.Duration

	// AllowEmpty accepts a build in which a path or TAXII source that
	// gave indicators in the current set gives none (an emptied or
	// truncated file, a directory emptied, a collection that comes back
	// empty). By default such a build fails with ErrSourceEmpty and the
	// current set stays.
	AllowEmpty bool

	// MinRatio, when > 0, fails a build in which a source gives fewer
	// than MinRatio times the indicators it gave in the current set
	// (0.5: a feed losing more than half of its indicators at once is
	// taken as a broken download, ErrSourceShrank). 0: no such check.
	MinRatio float64

	// OnReload, when set, is called after every build (New's first one
	// included), successful or not, on the goroutine that ran it, after
	// the swap: with the diff and
	// the new indicators (Event.Diff.Added) for a retro-hunt. The next
	// build waits for it to return.
	OnReload func(Event)

	// BuildMemoryRatio bounds the memory of a reload: during the build,
	// the Go runtime's soft memory limit (debug.SetMemoryLimit) is set to
	// this multiple of the memory the process uses when the build starts
	// (the runtime's total, less what it has returned to the system), or
	// left at the limit already set when that is lower, and restored
	// after. The garbage collector then collects as often as needed to
	// stay under it, instead of letting the heap grow to twice the live
	// data (GOGC's default): a little more CPU for a peak close to the
	// live data (the old set, the new one and the build's tables). It is
	// a soft limit: a new set much larger than the old one makes the
	// collector work harder (at most about half the CPU, the runtime's
	// own cap), the build slower, never fail. 0 means
	// DefaultBuildMemoryRatio (1.9); < 0 leaves the limit alone. New's
	// first build is not limited. As the limit is the process's, builds
	// running while a host program changes it may restore an old value:
	// set it < 0 then.
	BuildMemoryRatio float64

	// KeepMemory leaves the memory of the previous set and of the build's
	// temporaries to the garbage collector's own pace. By default each
	// build ends with debug.FreeOSMemory (a full collection, returning
	// memory to the system), so that the resident size goes back to the
	// steady size between reloads; see the package documentation for its
	// cost.
	KeepMemory bool
}

// TAXIISource is a TAXII 2.1 collection to load from.
type TAXIISource struct {
	// Name names the source in reports and errors (e.g. taxii.Path of
	// the collection URL, without credentials).
	Name string
	// Poller polls the collection; it keeps the collection's indicators
	// between polls (see taxii.Poller).
	Poller *taxii.Poller
}

// Feed is a remote feed polled at every build (Options.Feeds). The
// pollers of package loader/platform are Feeds.
type Feed interface {
	// Name names the feed in reports and errors ("otx:subscribed",
	// "abuseipdb:blacklist" …), without credentials.
	Name() string
	// Poll returns the feed's current indicators, all of them (not only
	// those new since the last Poll), read with opts; on an error the
	// build fails and the current set stays. Polls of one Feed run one at
	// a time.
	Poll(ctx context.Context, opts loader.Options) (loader.Result, error)
}

// The errors of a build that fails a guard; they are wrapped with the
// source's name.
var (
	ErrSourceEmpty  = errors.New("source gives no indicator, it gave some before (Options.AllowEmpty)")
	ErrSourceShrank = errors.New("source lost more indicators than Options.MinRatio allows")
	ErrClosed       = errors.New("live: Matcher closed")
)

// Set is one compiled set: what Matcher.Current returns. It is immutable:
// a reload makes a new Set and swaps it in.
type Set struct {
	// Matcher is the compiled set.
	Matcher *match.Matcher
	// Generation counts the sets of the Matcher: 1 for the first, one
	// more per successful reload.
	Generation uint64
	// Built is when the build of the set started (the Matcher's clock),
	// and Took how long it took until the swap.
	Built time.Time
	Took  time.Duration
	// Indicators is the number of indicators given to Compile (after the
	// allowlist and the Transform).
	Indicators int
	// Sources are the load reports of the build, one per path of
	// Options.Paths, one per TAXII source and one per Feed, in that
	// order.
	Sources []SourceReport
	// Allow is the allowlist report of the build, nil without
	// Options.Allow. It counts every record read, the repeats of an
	// identical record included (the matcher merges those, see
	// match.Entry.Duplicates; the streamed load does not), so its counts
	// can be above those of allow.Policy.Apply on loader.LoadAll's
	// merged indicators.
	Allow *allow.Report

	fps []fingerprint    // per entry, sorted by key: for the diff of the next build
	now func() time.Time // the clock of its Matcher (match.Options.Now)
}

// SourceReport is what a build read from one source.
type SourceReport struct {
	// Name is the path as given in Options.Paths, TAXIISource.Name or
	// Feed.Name().
	Name string
	// TAXII is true for a TAXII source, Feed for a Feed.
	TAXII, Feed bool
	// Indicators is the number of indicators the source gave (before the
	// allowlist).
	Indicators int
	// Files are the counts of each file read (of a path), or of the
	// poll's load (of a TAXII source): loader.Result.PerFile.
	Files []loader.FileStats
	// Skipped counts the skipped records (problems), Unsupported the
	// valid records not read; Problems are the first of the skipped
	// records (at most loader.MaxProblems of all paths together), each
	// "path:line: message".
	Skipped, Unsupported int
	Problems             []loader.Problem
	// SkippedFiles are the files under a directory that were not read.
	SkippedFiles []loader.SkippedFile
	// Stats are a TAXII poll's statistics.
	Stats *taxii.LoadStats
}

// Event is the report of one build.
type Event struct {
	// Trigger is what started it: "initial", "reload" (Matcher.Reload),
	// "interval", or "change" (with the first changed file in Changed).
	Trigger string
	Changed string
	// Start is when it started (the Matcher's clock), Took how long it
	// took.
	Start time.Time
	Took  time.Duration
	// Err is why it failed, nil when the new set was swapped in. After a
	// failure the current set stays the one before.
	Err error
	// Set is the current set after the build: the new one, or after a
	// failure the one kept.
	Set *Set
	// Diff is the change from the previous set (zero after a failure).
	Diff Diff
}

// String returns a one-line summary of the build, for a log:
// "live: generation 5 (change: feeds/c2.txt): 1234 entries (+3 -1 ~0),
// 2 problems, took 1.2s" (entries added, removed, changed; records
// skipped), or after a failure "live: build failed (reload), kept
// generation 4: …".
func (ev Event) String() string {
	trig := ev.Trigger
	if ev.Changed != "" {
		trig += ": " + ev.Changed
	}
	gen := uint64(0)
	if ev.Set != nil {
		gen = ev.Set.Generation
	}
	if ev.Err != nil {
		return fmt.Sprintf("live: build failed (%s), kept generation %d: %v", trig, gen, ev.Err)
	}
	probs := 0
	for _, s := range ev.Set.Sources {
		probs += s.Skipped
	}
	return fmt.Sprintf("live: generation %d (%s): %d entries (+%d -%d ~%d), %d problems, took %v",
		gen, trig, ev.Set.Matcher.Len(), ev.Diff.Added, ev.Diff.Removed, ev.Diff.Changed, probs, ev.Took.Round(time.Millisecond))
}

// Diff is what changed from one set to the next, by entry: canonical
// (type, value).
type Diff struct {
	// Added, Removed and Changed count the entries new in the set, gone
	// from it, and kept with other metadata (a record added, removed or
	// changed: another confidence, tag, source, validity …).
	Added, Removed, Changed int
	// AddedIDs are the IDs of the added entries in the new set
	// (Event.Set.Matcher), in order: 4 bytes each, so that a reload that
	// replaces a whole feed does not copy its indicators. For a
	// retro-hunt, Event.CompileAdded compiles them into a Matcher of
	// their own; Event.AddedIndicators gives their records.
	AddedIDs []match.ID
}

// AddedIndicators returns the records of the entries the build added
// (every record of each, in the new set's ID order); nil after a
// failure. It allocates them (about 300 bytes each): for a matcher of
// them, CompileAdded costs less.
func (ev Event) AddedIndicators() []indicator.Indicator {
	if ev.Err != nil || ev.Set == nil {
		return nil
	}
	var out []indicator.Indicator
	for _, id := range ev.Diff.AddedIDs {
		out = ev.Set.Matcher.AppendIndicators(out, id, 0, 1<<30)
	}
	return out
}

// CompileAdded compiles the entries the build added, with all their
// records, into a Matcher of their own (with opts; Now is the new set's
// clock when opts.Now is nil), for a retro-hunt: matching the lines kept
// from before the reload against it finds only what the new indicators
// would have found. It goes through a match.Builder a few records at a
// time, without a slice of them all. After a failure, or with nothing
// added, the Matcher is empty.
func (ev Event) CompileAdded(opts match.Options) (*match.Matcher, error) {
	if opts.Now == nil && ev.Set != nil {
		opts.Now = ev.Set.now
	}
	b, err := match.NewBuilder(opts)
	if err != nil {
		return nil, err
	}
	if ev.Err == nil && ev.Set != nil {
		var buf []indicator.Indicator
		for _, id := range ev.Diff.AddedIDs {
			buf = ev.Set.Matcher.AppendIndicators(buf[:0], id, 0, 1<<30)
			if err := b.Add(buf...); err != nil {
				return nil, err
			}
		}
	}
	return b.Finish()
}

// Status is the state of a Matcher's reloads.
type Status struct {
	// Generation is the current set's.
	Generation uint64
	// Entries is the number of entries of the current set.
	Entries int
	// Builds and Failures count the builds run and those that failed.
	Builds, Failures int
	// LastSuccess is when the current set was built; LastAttempt when
	// the last build started; LastError is that build's error, nil when
	// it succeeded.
	LastSuccess, LastAttempt time.Time
	LastError                error
}

// Matcher holds the current compiled set of its sources and rebuilds it
// on demand (Reload), on a period and when files change (Run). Reads
// (Current) never block and never see a half-built set. It is safe for
// concurrent use.
type Matcher struct {
	opts Options
	now  func() time.Time
	cur  atomic.Pointer[Set]

	hash *metakey.Hasher // for the fingerprints; used by one build at a time

	mu       sync.Mutex
	running  bool         // a build loop is draining the requests
	pending  string       // a trigger waiting for the next build ("": none)
	changed  string       // the changed file of a "change" trigger
	waiters  []chan Event // Reload calls waiting for the next build
	status   Status
	baseline signature // the files' signature when the current sources were read
	watchSig signature // the last signature Run took
	closed   bool
}

// New builds the first set from the sources of opts and returns a Matcher
// holding it. The error is that build's (a source that cannot be read,
// an allowlist, the Transform, Compile, or a guard), and there is then no
// Matcher. New does not start watching: call Run.
func New(ctx context.Context, opts Options) (*Matcher, error) {
	if len(opts.Paths) == 0 && len(opts.TAXII) == 0 && len(opts.Feeds) == 0 {
		return nil, errors.New("live: no source (Options.Paths, Options.TAXII, Options.Feeds)")
	}
	for i, f := range opts.Feeds {
		if f == nil {
			return nil, fmt.Errorf("live: Options.Feeds[%d]: nil Feed", i)
		}
	}
	for i, s := range opts.TAXII {
		if s.Poller == nil {
			return nil, fmt.Errorf("live: Options.TAXII[%d] (%q): nil Poller", i, s.Name)
		}
	}
	if opts.MinRatio < 0 || opts.MinRatio > 1 {
		return nil, fmt.Errorf("live: Options.MinRatio %v out of range 0-1", opts.MinRatio)
	}
	m := &Matcher{opts: opts, now: opts.Now, hash: metakey.NewHasher()}
	if m.now == nil {
		m.now = time.Now
	}
	m.opts.Loader.Progress = nil
	if m.opts.Compile.Now == nil {
		m.opts.Compile.Now = m.now
	}
	ev := m.build(ctx, "initial", "")
	if ev.Err != nil {
		return nil, ev.Err
	}
	return m, nil
}

// Current returns the current set. It never blocks and does not
// allocate; the Set and its Matcher stay valid (and immutable) for as
// long as the caller holds them, whatever reloads happen meanwhile: take
// it once per line (or batch of lines) and use the same Set for the
// matches and their entries.
func (m *Matcher) Current() *Set { return m.cur.Load() }

// Status returns the state of the reloads.
func (m *Matcher) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.status
}

// Reload rebuilds the set from every source now, or, when a build is
// running, right after it (requests made during one build are served by
// one more build), and returns the report of that build. It returns
// early with ctx's error when ctx ends first (the build goes on). The
// build runs under ctx when Reload starts it, else under its starter's.
func (m *Matcher) Reload(ctx context.Context) (Event, error) {
	ch := make(chan Event, 1)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return Event{Set: m.Current()}, ErrClosed
	}
	m.waiters = append(m.waiters, ch)
	start := !m.running
	m.running = true
	m.mu.Unlock()
	if start {
		m.drain(ctx, "reload", "")
	}
	select {
	case ev := <-ch:
		return ev, ev.Err
	case <-ctx.Done():
		return Event{Set: m.Current()}, ctx.Err()
	}
}

// trigger asks for a build for trigger (see Event.Trigger), starting a
// build loop on a new goroutine if none runs: a trigger during a build
// coalesces with the others into one more build.
func (m *Matcher) trigger(ctx context.Context, trigger, changed string) {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	if m.running {
		if m.pending == "" {
			m.pending, m.changed = trigger, changed
		}
		m.mu.Unlock()
		return
	}
	m.running = true
	m.mu.Unlock()
	go m.drain(ctx, trigger, changed)
}

// drain runs builds while there are requests: first the one given, then
// the coalesced ones. m.running is set by the caller.
func (m *Matcher) drain(ctx context.Context, trigger, changed string) {
	for {
		m.mu.Lock()
		ws := m.waiters
		m.waiters = nil
		if trigger == "" {
			switch {
			case m.pending != "":
				trigger, changed = m.pending, m.changed
			case len(ws) > 0:
				trigger = "reload"
			default:
				m.running = false
				m.mu.Unlock()
				return
			}
		}
		m.pending, m.changed = "", ""
		m.mu.Unlock()
		ev := m.build(ctx, trigger, changed)
		for _, w := range ws {
			w <- ev
		}
		trigger, changed = "", ""
	}
}

// Run watches the sources until ctx ends, and returns ctx's error: every
// Options.WatchInterval it checks the files of Options.Paths and
// rebuilds when one changed (added, removed, rewritten), and every
// Options.Interval it rebuilds from every source. Builds run on their own
// goroutine, one at a time, under ctx; Current is never blocked. Run
// returns when ctx ends, without waiting for a build under way (which
// ctx ends too). Run may be called once at a time.
func (m *Matcher) Run(ctx context.Context) error {
	var watch, interval <-chan time.Time
	if len(m.opts.Paths) > 0 && m.opts.WatchInterval >= 0 {
		d := m.opts.WatchInterval
		if d == 0 {
			d = DefaultWatchInterval
		}
		t := time.NewTicker(d)
		defer t.Stop()
		watch = t.C
	}
	if m.opts.Interval > 0 {
		t := time.NewTicker(m.opts.Interval)
		defer t.Stop()
		interval = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-watch:
			m.watchTick(ctx)
		case <-interval:
			m.trigger(ctx, "interval", "")
		}
	}
}

// watchTick checks the files and triggers a build when one changed. It
// does not check while a build runs: the build read the files as they
// were when it started, and compared with the state before it, every
// check during it would see a change and trigger a needless build after
// it; the first check after it sees the changes made since it started.
func (m *Matcher) watchTick(ctx context.Context) {
	m.mu.Lock()
	running := m.running
	m.mu.Unlock()
	if running {
		return
	}
	if path, ok := m.Changed(); ok {
		m.trigger(ctx, "change", path)
	}
}

// Changed checks the files of Options.Paths against their state when the
// current set's sources were read, and reports whether one changed (and
// the first that did: added, removed, or rewritten). Run calls it every
// WatchInterval; a host program may call it on its own schedule and then
// Reload. It reads the content of files modified within the last
// ModTimeGranularity (see the package documentation), and only theirs.
func (m *Matcher) Changed() (string, bool) {
	m.mu.Lock()
	prev := m.watchSig
	base := m.baseline
	m.mu.Unlock()
	sig := takeSignature(m.opts.Paths, prev, m.now())
	m.mu.Lock()
	m.watchSig = sig
	m.mu.Unlock()
	return sig.diff(base)
}

// Close makes later Reload calls fail with ErrClosed and stops triggers;
// the current set stays readable. It does not wait for a build under
// way.
func (m *Matcher) Close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
}
