package match

import (
	"slices"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// ID identifies an entry of a Matcher: the dense index of one canonical
// (type, value). IDs run from 0 to Len()-1.
type ID uint32

// Match is one match in a line: which entry matched, its type, and the
// byte offsets [Start, End) of the text that matched. It holds no pointers,
// so a []Match is cheap to keep and reuse.
type Match struct {
	ID    ID
	Type  indicator.Type
	Start int
	End   int
}

// Entry is one canonical indicator of a Matcher with its source records.
// An entry holds each distinct record once (Records of them); identical
// records, same metadata, given to Compile several times are one record,
// counted in Duplicates.
type Entry struct {
	ID    ID
	Type  indicator.Type
	Value string

	// Indicators are the first MaxEntryIndicators records, in input
	// order: all of them when Records is not more. Matcher.AppendIndicators
	// pages through the others.
	Indicators []indicator.Indicator

	// Records is the number of distinct source records of the entry.
	Records int

	// Duplicates is the number of records given to Compile that were
	// identical to one of the entry's records, and merged into it.
	Duplicates int

	// ExactOnly is true for a domain entry that is a public suffix
	// ("duckdns.org", "co.uk"): it matches that name only, never its
	// subdomains (see Matcher.ExactOnly).
	ExactOnly bool

	sources []string // set by Matcher.Entry: the sources of every record
	srcSet  bool
}

// MaxEntryIndicators is the most records Matcher.Entry puts in
// Entry.Indicators, so that Entry costs the same whatever the number of
// sources of an entry: 16.
const MaxEntryIndicators = 16

// Sources returns the distinct non-empty source names of every record of
// the entry, sorted. For an Entry from Matcher.Entry it does not allocate
// and covers every record, not only those in Indicators; the slice is
// shared with the Matcher: do not modify it. For an Entry built by hand
// it is computed from Indicators.
func (e Entry) Sources() []string {
	if e.srcSet {
		return e.sources
	}
	return sourcesOf(e.Indicators, func(ind *indicator.Indicator) string { return ind.Source })
}

// sourcesOf returns the distinct non-empty names that src gives for the
// elements of s, sorted.
func sourcesOf[T any](s []T, src func(*T) string) []string {
	var out []string
	for i := range s {
		if name := src(&s[i]); name != "" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return slices.Clip(slices.Compact(out))
}

// Options configures Compile. The zero value means the documented defaults.
type Options struct {
	// MinConfidence drops indicators whose confidence is known and below
	// it. Indicators of unknown confidence are kept. 0 keeps everything.
	MinConfidence int

	// Now is the clock used to decide whether an indicator is within its
	// validity window when it matches. Nil means time.Now.
	Now func() time.Time

	// SubdomainsOfPublicSuffixes makes a domain indicator that is a
	// public suffix ("duckdns.org", "co.uk", see Matcher.ExactOnly) match
	// its subdomains too, like any other domain indicator, as before this
	// rule existed. By default (false) it matches its exact name only.
	SubdomainsOfPublicSuffixes bool

	// MaxMatchesPerLine caps the matches AppendMatches (and
	// AppendMatchesTruncated, LineStream) finds in one line: once that many
	// are found, the scan of the line stops, so that the work and memory a
	// line costs are bounded by the cap and the line's length whatever it
	// holds (100 overlapping string indicators on a 1 MB line would
	// otherwise give some 100M matches). AppendMatchesTruncated reports
	// whether a line was cut short. 0 means DefaultMaxMatchesPerLine; a
	// negative value means no cap (only for trusted input).
	MaxMatchesPerLine int
}

// DefaultMaxMatchesPerLine is the cap on the matches of one line when
// Options.MaxMatchesPerLine is 0.
const DefaultMaxMatchesPerLine = 10000

// Matcher is a compiled set of indicators. It is immutable and safe for
// concurrent use.
type Matcher struct {
	ents   []entryRec          // per entry
	vals   string              // every entry's value, back to back
	metas  metaStore           // metadata records, in chunks
	groups []group             // entries with several records, or duplicates
	srcOne map[string][]string // each source name alone: the Sources of a one-record entry
	now    func() time.Time
	maxHit int // matches per line at most (Options.MaxMatchesPerLine); < 0: no cap
	counts [indicator.NumTypes]int
	window bool // some entry has fWindow

	addrs   addrTable
	domains domainTable
	urls    urlTable
	emails  map[string]ID
	hashes  hashTable
	strs    stringTable
}

// entryRec is an entry, compactly: its value is vals[off:off+n]; meta is
// an index into metas, or with fGroup into groups.
type entryRec struct {
	off   uint32
	meta  uint32
	n     uint16
	typ   indicator.Type
	flags uint8
}

const (
	fGroup  = 1 << iota // meta indexes groups: the entry has several records, or duplicates
	fWindow             // some indicator has a validity window
	fExact              // a domain that is a public suffix: its exact name only
)

// group are the records of an entry with several of them, or with
// duplicates.
type group struct {
	metas []uint32 // indexes in Matcher.metas of its distinct records, in input order
	dups  int      // identical records merged into them
	srcs  []string // the distinct non-empty sources of its records, sorted (shared)

	// with fWindow: the union of its records' validity windows, as
	// disjoint windows sorted by start, so that validAt costs a binary
	// search however many records there are
	windows []window
}

// window is a validity window [from, until); a zero bound is open.
type window struct{ from, until time.Time }

// value returns the canonical value of entry id, without allocating.
func (m *Matcher) value(id ID) string {
	e := &m.ents[id]
	return m.vals[e.off : e.off+uint32(e.n)]
}

// Len returns the number of entries (distinct canonical indicators).
func (m *Matcher) Len() int { return len(m.ents) }

// Count returns the number of entries of type t.
func (m *Matcher) Count(t indicator.Type) int {
	if int(t) >= len(m.counts) {
		return 0
	}
	return m.counts[t]
}

// Entry returns the entry with the given ID: its value, its first
// MaxEntryIndicators source records, the number of records and of
// duplicates, and (Entry.Sources) the sources of all its records. It
// panics if id is out of range, like an index expression. Its cost does
// not depend on the number of records: it allocates one slice of at most
// MaxEntryIndicators indicators (the Matcher keeps values and metadata
// compactly, not as indicator.Indicator values), and Sources is computed
// by Compile. The strings and slices inside are shared with the Matcher:
// do not modify them.
func (m *Matcher) Entry(id ID) Entry {
	e := &m.ents[id]
	ent := Entry{ID: id, Type: e.typ, Value: m.value(id), Records: 1, srcSet: true, ExactOnly: e.flags&fExact != 0}
	if e.flags&fGroup == 0 {
		ent.sources = m.srcOne[m.metas.source(e.meta)]
		ent.Indicators = []indicator.Indicator{{Type: e.typ, Value: ent.Value, Meta: m.metas.meta(e.meta)}}
		return ent
	}
	g := &m.groups[e.meta]
	ent.Records, ent.Duplicates, ent.sources = len(g.metas), g.dups, g.srcs
	ent.Indicators = m.AppendIndicators(make([]indicator.Indicator, 0, min(len(g.metas), MaxEntryIndicators)), id, 0, MaxEntryIndicators)
	return ent
}

// ExactOnly reports whether entry id is a domain that matches its exact
// name only, never a subdomain, because it is a public suffix: a name of
// the Public Suffix List (golang.org/x/net/publicsuffix, its ICANN and
// private sections) under which anyone can register names, such as
// "co.uk", "duckdns.org" or "amplifyapp.com", where every customer's name
// would otherwise match. Compile decides it once per domain entry, unless
// Options.SubdomainsOfPublicSuffixes is set (then it is false for every
// entry). It panics if id is out of range, like an index expression.
func (m *Matcher) ExactOnly(id ID) bool { return m.ents[id].flags&fExact != 0 }

// AppendIndicators appends to dst the records of entry id from the one at
// index from (0 is the first, in input order) on, at most n of them, and
// returns it: with Entry.Records, it pages through the records of an
// entry however many there are. It does not allocate when dst has room. It
// panics if id is out of range; from past the last record appends nothing.
// The strings and slices inside are shared with the Matcher: do not modify
// them.
func (m *Matcher) AppendIndicators(dst []indicator.Indicator, id ID, from, n int) []indicator.Indicator {
	e := &m.ents[id]
	metas := []uint32{e.meta}
	if e.flags&fGroup != 0 {
		metas = m.groups[e.meta].metas
	}
	from = max(from, 0)
	if from >= len(metas) || n <= 0 {
		return dst
	}
	v := m.value(id)
	for _, k := range metas[from:min(len(metas), from+n)] {
		dst = append(dst, indicator.Indicator{Type: e.typ, Value: v, Meta: m.metas.meta(k)})
	}
	return dst
}

// validAt reports whether entry id may match at the instant the caller's
// lazily read clock gives: whether one of its indicators is valid then.
func (m *Matcher) validAt(id ID, now *int64) bool {
	e := &m.ents[id]
	if !m.window || e.flags&fWindow == 0 {
		return true
	}
	if *now == 0 {
		*now = m.now().UnixNano()
	}
	t := time.Unix(0, *now)
	if e.flags&fGroup == 0 {
		from, until := m.metas.window(e.meta)
		return (from.IsZero() || !t.Before(from)) && (until.IsZero() || t.Before(until)) // indicator.Meta.ValidAt
	}
	w := m.groups[e.meta].windows
	// the last window starting at t or before
	i, _ := slices.BinarySearchFunc(w, t, func(w window, t time.Time) int {
		if t.Before(w.from) {
			return 1
		}
		return -1
	})
	return i > 0 && (w[i-1].until.IsZero() || t.Before(w[i-1].until))
}

// mergeWindows returns the union of the validity windows of metas, as
// disjoint windows sorted by start.
func mergeWindows(metas *metaStore, ks []uint32) []window {
	var ws []window
	for _, k := range ks {
		from, until := metas.window(k)
		if !from.IsZero() && !until.IsZero() && !from.Before(until) {
			continue // never valid
		}
		ws = append(ws, window{from, until})
	}
	slices.SortFunc(ws, func(a, b window) int { return a.from.Compare(b.from) }) // a zero start, open, first
	out := ws[:0]
	for _, w := range ws {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.until.IsZero() {
				break // open to the end: it holds every later window
			}
			if !last.until.Before(w.from) { // overlapping or adjacent
				if w.until.IsZero() || w.until.After(last.until) {
					last.until = w.until
				}
				continue
			}
		}
		out = append(out, w)
	}
	return slices.Clip(out)
}
