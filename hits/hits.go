package hits

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/match"
)

// Key identifies an entry across compiles: its type and canonical value
// (match.Matcher.Key).
type Key struct {
	Type  indicator.Type
	Value string
}

// String returns "type:value".
func (k Key) String() string { return k.Type.String() + ":" + k.Value }

// EntryStats are the hit statistics of one entry, in a Snapshot (since the
// Stats began, or were restored) or in a Period (within it).
type EntryStats struct {
	Type  indicator.Type `json:"type"`
	Value string         `json:"value"`

	// Sources are the entry's distinct source names (match.Entry.Sources)
	// in the matcher it was last seen in.
	Sources []string `json:"sources,omitempty"`
	// IDs are the distinct non-empty ids its records carry
	// (indicator.Meta.ID: a STIX indicator id, a MISP attribute uuid …),
	// in record order, at most MaxIDs of them.
	IDs []string `json:"ids,omitempty"`
	// Lists are the warninglists that annotate it (match.View.Lists).
	Lists []string `json:"warninglists,omitempty"`

	// Count is the number of Record calls (lines) in which the entry
	// matched, however many times it matched in each.
	Count int64 `json:"count"`
	// FirstHit and LastHit are the earliest and latest instants given to
	// Record with a hit on the entry (zero when Record was only given
	// zero times).
	FirstHit time.Time `json:"first_hit,omitzero"`
	LastHit  time.Time `json:"last_hit,omitzero"`
	// Since is, in a Period, the entry's first hit ever known to the
	// Stats (FirstHit of its Snapshot); in a Snapshot it equals FirstHit.
	Since time.Time `json:"since,omitzero"`

	// Current is true when the entry is in the matcher the Stats are
	// bound to (Rebind), false for an entry gone from it (kept as
	// history, see Stats) or not bound yet.
	Current bool `json:"current"`
}

// Key returns the entry's key.
func (e *EntryStats) Key() Key { return Key{e.Type, e.Value} }

// MaxIDs is the most record ids an EntryStats lists: 16.
const MaxIDs = 16

// DefaultMaxGone is the number of entries gone from the matcher whose
// counts the Stats keep when Options.MaxGone is 0.
const DefaultMaxGone = 100_000

// Options configure a Stats. The zero value means the defaults.
type Options struct {
	// Start is the beginning of the first Period (Cut). Zero: the first
	// Period begins at the first hit recorded.
	Start time.Time
	// MaxGone caps the entries gone from the bound matcher (or restored
	// and not in it) whose counts are kept as history, to come back if
	// the entry comes back; beyond it, those whose last hit is the oldest
	// are dropped, counted by Stats.Dropped. 0 means DefaultMaxGone;
	// negative: none are kept.
	MaxGone int
}

// Stats are the hit statistics of the entries of a matcher, kept across
// reloads by canonical key. See the package documentation. The zero
// Stats is not usable: call New.
type Stats struct {
	// mu: Record's fast path holds it shared, every other method (and
	// Record's slow path) exclusively.
	mu  sync.RWMutex
	cur *binding // the bound matcher and its slots; nil before Rebind

	// extra are the counts not in cur's slots: entries gone from the
	// bound matcher, restored ones not in it, hits recorded for a
	// matcher that is not the bound one. Under mu.
	extra map[Key]*acc

	seq     atomic.Uint64 // numbers the Record calls that dedupe through the slots
	start   time.Time     // beginning of the current period; zero: not set
	maxGone int
	dropped int64
}

// New returns empty Stats, not bound to a matcher: call Rebind with the
// matcher the hits will come from.
func New(opts Options) *Stats {
	mg := opts.MaxGone
	if mg == 0 {
		mg = DefaultMaxGone
	}
	return &Stats{extra: map[Key]*acc{}, start: opts.Start, maxGone: mg}
}

// chunkBits: the slots are allocated in chunks of 1<<chunkBits (64) IDs, on
// the first hit of an ID of the chunk.
const chunkBits = 6

type chunk [1 << chunkBits]slot

// slot are the counters of one entry of the bound matcher. Times are Unix
// nanoseconds, 0 when none.
type slot struct {
	count  atomic.Int64
	first  atomic.Int64
	last   atomic.Int64
	pcount atomic.Int64 // within the current period
	pfirst atomic.Int64
	seq    atomic.Uint64 // the Record call that last counted it (dedupe)
}

// binding is a matcher and the slots of its entries.
type binding struct {
	m      *match.Matcher
	chunks []atomic.Pointer[chunk]
}

func newBinding(m *match.Matcher) *binding {
	return &binding{m: m, chunks: make([]atomic.Pointer[chunk], (m.Len()+len(chunk{})-1)>>chunkBits)}
}

// slot returns the slot of id, allocating its chunk if need be.
func (b *binding) slot(id match.ID) *slot {
	p := &b.chunks[id>>chunkBits]
	c := p.Load()
	if c == nil {
		nc := new(chunk)
		if p.CompareAndSwap(nil, nc) {
			c = nc
		} else {
			c = p.Load()
		}
	}
	return &c[id&(1<<chunkBits-1)]
}

// peek returns the slot of id, or nil when its chunk has none.
func (b *binding) peek(id match.ID) *slot {
	c := b.chunks[id>>chunkBits].Load()
	if c == nil {
		return nil
	}
	return &c[id&(1<<chunkBits-1)]
}

// each calls f for every slot with a hit.
func (b *binding) each(f func(id match.ID, s *slot)) {
	for i := range b.chunks {
		c := b.chunks[i].Load()
		if c == nil {
			continue
		}
		for j := range c {
			if c[j].count.Load() != 0 || c[j].pcount.Load() != 0 {
				f(match.ID(i<<chunkBits|j), &c[j])
			}
		}
	}
}

// acc are counters outside the slots, under Stats.mu.
type acc struct {
	count, first, last, pcount, pfirst int64
	info                               info // where it was last seen
}

// info is what an EntryStats says of an entry besides its counts.
type info struct {
	sources, ids, lists []string
}

func (a *acc) add(count, first, last, pcount, pfirst int64) {
	a.count += count
	a.pcount += pcount
	a.first = minTime(a.first, first)
	a.pfirst = minTime(a.pfirst, pfirst)
	a.last = max(a.last, last)
}

// minTime is the earlier of two Unix-nanosecond times, 0 being none.
func minTime(a, b int64) int64 {
	if a == 0 || (b != 0 && b < a) {
		return b
	}
	return a
}

// nanos is t in Unix nanoseconds, 0 for the zero time (and 1 for the
// epoch itself, so that it is not taken for none).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	n := t.UnixNano()
	if n == 0 {
		n = 1
	}
	return n
}

func timeOf(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// casMin stores v in a when a holds no time or a later one.
func casMin(a *atomic.Int64, v int64) {
	for {
		o := a.Load()
		if o != 0 && o <= v {
			return
		}
		if a.CompareAndSwap(o, v) {
			return
		}
	}
}

// casMax stores v in a when a holds an earlier time.
func casMax(a *atomic.Int64, v int64) {
	for {
		o := a.Load()
		if o >= v {
			return
		}
		if a.CompareAndSwap(o, v) {
			return
		}
	}
}

// dedupeLinear is the number of matches up to which Record finds the
// repeats of an entry within a call by comparing IDs; above it, through
// the slots' sequence numbers.
const dedupeLinear = 16

// Record counts one hit, at now, for each distinct entry of xs: the
// matches of one line that m reported (AppendMatches …): m must be the
// matcher that gave them, whether bound or not. Call it only for lines
// with matches: it does nothing for an empty xs, and the hot path of
// lines without a match is untouched. A line matched in pieces
// (match.LineStream) counts once per call: give Record all of the line's
// matches at once to count it once.
//
// When m is the bound matcher (Rebind), Record takes a shared lock and
// does a few atomic operations per match, without allocating, but on the
// first hit of an ID of a block of 64 IDs (3 KiB of counters, then).
// For any other matcher (an older one still in use by a goroutine while
// a reload swaps the sets, or before Rebind), it takes the exclusive lock
// and counts by key: slower, nothing lost. Matches whose ID is not one of
// m's are ignored. Safe for concurrent use.
func (s *Stats) Record(m *match.Matcher, xs []match.Match, now time.Time) {
	if len(xs) == 0 || m == nil {
		return
	}
	t := nanos(now)
	s.mu.RLock()
	b := s.cur
	if b == nil || b.m != m {
		s.mu.RUnlock()
		s.recordSlow(m, xs, t)
		return
	}
	var seq uint64
	if len(xs) > dedupeLinear {
		seq = s.seq.Add(1)
	}
	n := m.Len()
	for i := range xs {
		id := xs[i].ID
		if int(id) >= n {
			continue
		}
		if seq == 0 {
			if repeated(xs[:i], id) {
				continue
			}
		}
		sl := b.slot(id)
		if seq != 0 && sl.seq.Swap(seq) == seq {
			continue
		}
		if t != 0 {
			casMin(&sl.first, t)
			casMin(&sl.pfirst, t)
			casMax(&sl.last, t)
		}
		sl.pcount.Add(1)
		sl.count.Add(1)
	}
	s.mu.RUnlock()
}

func repeated(xs []match.Match, id match.ID) bool {
	for j := range xs {
		if xs[j].ID == id {
			return true
		}
	}
	return false
}

// recordSlow counts xs by key, for a matcher that is not the bound one.
func (s *Stats) recordSlow(m *match.Matcher, xs []match.Match, t int64) {
	n := m.Len()
	var seen map[match.ID]bool
	if len(xs) > dedupeLinear {
		seen = map[match.ID]bool{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range xs {
		id := xs[i].ID
		if int(id) >= n {
			continue
		}
		if seen != nil {
			if seen[id] {
				continue
			}
			seen[id] = true
		} else if repeated(xs[:i], id) {
			continue
		}
		typ, v := m.Key(id)
		a := s.extra[Key{typ, v}]
		if a == nil {
			a = &acc{info: infoOf(m, id)}
			s.extra[Key{typ, strings.Clone(v)}] = a // not the matcher's string: it holds every value
		}
		a.add(1, t, t, 1, t)
	}
}

// infoOf returns what m says of entry id, in strings of their own (so
// that they do not keep m's memory alive).
func infoOf(m *match.Matcher, id match.ID) info {
	e := m.Entry(id)
	var ids []string
	var recs []indicator.Indicator
	for from := 0; from < e.Records && len(ids) < MaxIDs; from += 64 {
		recs = m.AppendIndicators(recs[:0], id, from, 64)
		for i := range recs {
			if x := recs[i].ID; x != "" && !slices.Contains(ids, x) && len(ids) < MaxIDs {
				ids = append(ids, strings.Clone(x))
			}
		}
	}
	return info{sources: cloneAll(e.Sources()), ids: ids, lists: cloneAll(m.View(id).Lists)}
}

func cloneAll(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strings.Clone(x)
	}
	return out
}

// Bound returns the matcher the Stats are bound to, or nil.
func (s *Stats) Bound() *match.Matcher {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cur == nil {
		return nil
	}
	return s.cur.m
}

// Dropped returns the number of gone entries whose counts were dropped
// (Options.MaxGone).
func (s *Stats) Dropped() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dropped
}

// Rebind binds the Stats to m, the matcher that Record's hits will come
// from from now on: the first call binds, later ones follow a reload.
// The counts of every entry that m still holds (same canonical type and
// value) move to m's entry, whatever its new ID; the counts of the
// entries m does not hold are kept as history, Current false in a
// Snapshot (at most Options.MaxGone of them), and come back if a later
// matcher holds the entry again. Nothing recorded is lost, including the
// hits that goroutines still matching with the old matcher record while
// or after Rebind runs (they are counted by key).
//
// Cost: one pass over m's entries (match.Matcher.Key and a map lookup
// each, about 30 ms for 1M entries) done without blocking Record, then a
// pass over the entries with hits under the exclusive lock, during which
// Record waits; 8 bytes per 64 entries of m up front.
func (s *Stats) Rebind(m *match.Matcher) {
	if m == nil {
		return
	}
	// the keys with counts now, mapped to m's IDs without the lock
	s.mu.Lock()
	old := s.cur
	if old != nil && old.m == m {
		s.mu.Unlock()
		return
	}
	want := make(map[Key]match.ID, len(s.extra))
	for k := range s.extra {
		want[k] = ^match.ID(0)
	}
	if old != nil {
		old.each(func(id match.ID, _ *slot) {
			typ, v := old.m.Key(id)
			want[Key{typ, v}] = ^match.ID(0)
		})
	}
	s.mu.Unlock()
	if len(want) > 0 {
		found := 0
		for id := range m.Len() {
			typ, v := m.Key(match.ID(id))
			if _, ok := want[Key{typ, v}]; ok {
				want[Key{typ, v}] = match.ID(id)
				if found++; found == len(want) {
					break
				}
			}
		}
	}

	nb := newBinding(m)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old != s.cur { // another Rebind ran meanwhile: drain that one
		old = s.cur
	}
	var drained map[*acc]match.ID // accs made from old's slots: described only if they stay
	if old != nil {
		drained = map[*acc]match.ID{}
		old.each(func(id match.ID, sl *slot) {
			typ, v := old.m.Key(id)
			k := Key{typ, v}
			a := s.extra[k]
			if a == nil {
				a = &acc{}
				drained[a] = id
				k.Value = strings.Clone(v)
				s.extra[k] = a
			}
			a.add(sl.count.Load(), sl.first.Load(), sl.last.Load(), sl.pcount.Load(), sl.pfirst.Load())
		})
	}
	for k, a := range s.extra {
		id, ok := want[k]
		if !ok || id == ^match.ID(0) {
			id, ok = find(m, k)
		}
		if !ok {
			if oid, ok := drained[a]; ok { // gone: keep what old said of it
				a.info = infoOf(old.m, oid)
			}
			continue
		}
		sl := nb.slot(id)
		sl.count.Add(a.count)
		sl.pcount.Add(a.pcount)
		if a.first != 0 {
			casMin(&sl.first, a.first)
		}
		if a.pfirst != 0 {
			casMin(&sl.pfirst, a.pfirst)
		}
		casMax(&sl.last, a.last)
		delete(s.extra, k)
	}
	s.cur = nb
	s.trimGone()
}

// find returns the ID of the entry of m with key k, through m's field
// lookups (which leave out an entry outside its validity window now).
func find(m *match.Matcher, k Key) (match.ID, bool) {
	for _, id := range m.Lookup(k.Type, k.Value) {
		if typ, v := m.Key(id); typ == k.Type && v == k.Value {
			return id, true
		}
	}
	return 0, false
}

// trimGone drops the gone entries beyond maxGone, the oldest last hits
// first. Under mu.
func (s *Stats) trimGone() {
	lim := max(s.maxGone, 0)
	if len(s.extra) <= lim {
		return
	}
	keys := make([]Key, 0, len(s.extra))
	for k := range s.extra {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int {
		if c := cmp.Compare(s.extra[a].last, s.extra[b].last); c != 0 {
			return c
		}
		return compareKeys(a, b)
	})
	for _, k := range keys[:len(keys)-lim] {
		delete(s.extra, k)
		s.dropped++
	}
}

func compareKeys(a, b Key) int {
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

// Restore adds the counts of entries, e.g. read back with ReadFile from
// the file a previous process wrote, so that statistics survive a
// restart: to the bound matcher's entry of the same key when there is
// one, else as history (Current false) until a matcher holds the entry.
// Counts add up; first and last hits widen. An entry whose type is
// invalid, value empty or count not positive is ignored. The entries not
// in the bound matcher count against Options.MaxGone: restore after the
// first Rebind, so that only those really gone do.
func (s *Stats) Restore(entries []EntryStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range entries {
		e := &entries[i]
		if e.Type == indicator.Invalid || e.Value == "" || e.Count <= 0 {
			continue
		}
		first, last := nanos(e.FirstHit), nanos(e.LastHit)
		if since := nanos(e.Since); since != 0 {
			first = minTime(first, since)
		}
		if s.cur != nil {
			if id, ok := find(s.cur.m, e.Key()); ok {
				sl := s.cur.slot(id)
				sl.count.Add(e.Count)
				if first != 0 {
					casMin(&sl.first, first)
				}
				casMax(&sl.last, last)
				continue
			}
		}
		k := e.Key()
		a := s.extra[k]
		if a == nil {
			a = &acc{info: info{sources: slices.Clone(e.Sources), ids: slices.Clone(e.IDs), lists: slices.Clone(e.Lists)}}
			s.extra[k] = a
		}
		a.add(e.Count, first, last, 0, 0)
	}
	s.trimGone()
}

// Snapshot returns the statistics of every entry with a hit since the
// Stats began (restored counts included), the bound matcher's entries
// (Current) and the gone ones, ordered by Count (highest first), then
// type and value. It holds the exclusive lock while it reads the counters
// (Record waits), for a time linear in the blocks of 64 IDs holding a
// hit, and allocates the result.
func (s *Stats) Snapshot() []EntryStats {
	return s.collect(false, time.Time{}).Entries
}

// Period are the hits of a period: From (the previous Cut, or
// Options.Start, or the first hit) to To (this Cut).
type Period struct {
	From, To time.Time
	// Entries are the entries with a hit in the period, their Count,
	// FirstHit and LastHit within it, Since their first hit ever, in the
	// order of Snapshot.
	Entries []EntryStats
}

// Cut returns the hits since the previous Cut (or since the Stats
// began), and begins a new period at now: for exports per period, such
// as sightings (package sightings), while Snapshot goes on counting from
// the start. A hit recorded while Cut runs is in one period or the next,
// never both, never none.
func (s *Stats) Cut(now time.Time) Period {
	return s.collect(true, now)
}

// item is an entry read under the lock, described after it.
type item struct {
	k                                  Key
	count, first, last, pcount, pfirst int64
	id                                 match.ID
	bound                              bool
	info                               info
}

func (s *Stats) collect(cut bool, now time.Time) Period {
	var items []item
	s.mu.Lock()
	b := s.cur
	if b != nil {
		b.each(func(id match.ID, sl *slot) {
			it := item{count: sl.count.Load(), first: sl.first.Load(), last: sl.last.Load(), id: id, bound: true}
			if cut {
				it.pcount, it.pfirst = sl.pcount.Swap(0), sl.pfirst.Swap(0)
			}
			items = append(items, it)
		})
	}
	for k, a := range s.extra {
		it := item{k: k, count: a.count, first: a.first, last: a.last, pcount: a.pcount, pfirst: a.pfirst, info: a.info}
		if cut {
			a.pcount, a.pfirst = 0, 0
		}
		items = append(items, it)
	}
	p := Period{From: s.start, To: now}
	if cut {
		s.start = now
	}
	s.mu.Unlock()

	// describe the bound entries (the matcher is immutable) and merge by
	// key those counted in both places
	byKey := make(map[Key]int, len(items))
	out := make([]EntryStats, 0, len(items))
	var earliest int64
	for i := range items {
		it := &items[i]
		n, first := it.count, it.first
		if cut {
			n, first = it.pcount, it.pfirst
		}
		if n == 0 {
			continue
		}
		earliest = minTime(earliest, first)
		if it.bound {
			typ, v := b.m.Key(it.id)
			it.k = Key{typ, v}
		}
		if j, ok := byKey[it.k]; ok {
			e := &out[j]
			e.Count += n
			e.FirstHit = timeOf(minTime(nanos(e.FirstHit), first))
			e.Since = timeOf(minTime(nanos(e.Since), it.first))
			if l := timeOf(it.last); l.After(e.LastHit) {
				e.LastHit = l
			}
			e.Current = e.Current || it.bound
			if it.bound {
				setInfo(e, infoOf(b.m, it.id))
			}
			continue
		}
		e := EntryStats{Type: it.k.Type, Value: it.k.Value, Count: n, FirstHit: timeOf(first), LastHit: timeOf(it.last), Since: timeOf(it.first), Current: it.bound}
		if it.bound {
			e.Value = strings.Clone(e.Value)
			setInfo(&e, infoOf(b.m, it.id))
		} else {
			// a key counted by the slow path for a matcher that is not
			// bound may be an entry of the bound one
			if b != nil {
				if _, ok := find(b.m, it.k); ok {
					e.Current = true
				}
			}
			setInfo(&e, it.info)
		}
		byKey[it.k] = len(out)
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b EntryStats) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return compareKeys(a.Key(), b.Key())
	})
	if p.From.IsZero() && cut {
		p.From = timeOf(earliest)
	}
	p.Entries = out
	return p
}

func setInfo(e *EntryStats, in info) {
	e.Sources, e.IDs, e.Lists = in.sources, in.ids, in.lists
}
