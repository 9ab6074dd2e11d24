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

// Entry is one canonical indicator of a Matcher with every source's view
// of it.
type Entry struct {
	ID         ID
	Type       indicator.Type
	Value      string
	Indicators []indicator.Indicator // one per source record, in input order
}

// Sources returns the distinct non-empty source names of e, sorted.
func (e Entry) Sources() []string {
	var s []string
	for i := range e.Indicators {
		if src := e.Indicators[i].Source; src != "" {
			s = append(s, src)
		}
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// Options configures Compile. The zero value means the documented defaults.
type Options struct {
	// MinConfidence drops indicators whose confidence is known and below
	// it. Indicators of unknown confidence are kept. 0 keeps everything.
	MinConfidence int

	// Now is the clock used to decide whether an indicator is within its
	// validity window when it matches. Nil means time.Now.
	Now func() time.Time

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
	ents   []entryRec       // per entry
	vals   string           // every entry's value, back to back
	metas  []indicator.Meta // distinct metadata records
	groups [][]uint32       // the metas of entries with several indicators
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
	fGroup  = 1 << iota // meta indexes groups: the entry has several indicators
	fWindow             // some indicator has a validity window
)

// value returns the canonical value of entry id, without allocating.
func (m *Matcher) value(id ID) string {
	e := &m.ents[id]
	return m.vals[e.off : e.off+uint32(e.n)]
}

// metaIdx calls fn with the index in metas of each indicator of entry id,
// in input order, until fn returns false.
func (m *Matcher) metaIdx(id ID, fn func(k uint32) bool) {
	e := &m.ents[id]
	if e.flags&fGroup == 0 {
		fn(e.meta)
		return
	}
	for _, k := range m.groups[e.meta] {
		if !fn(k) {
			return
		}
	}
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

// Entry returns the entry with the given ID: its value and every
// indicator (source record) it holds. It panics if id is out of range, like
// an index expression. It allocates the Indicators slice (the Matcher keeps
// values and metadata compactly, not as indicator.Indicator values); the
// strings and slices inside are shared with the Matcher: do not modify
// them.
func (m *Matcher) Entry(id ID) Entry {
	e := &m.ents[id]
	v := m.value(id)
	ent := Entry{ID: id, Type: e.typ, Value: v}
	m.metaIdx(id, func(k uint32) bool {
		ent.Indicators = append(ent.Indicators, indicator.Indicator{Type: e.typ, Value: v, Meta: m.metas[k]})
		return true
	})
	return ent
}

// validAt reports whether entry id may match at the instant the caller's
// lazily read clock gives: whether one of its indicators is valid then.
func (m *Matcher) validAt(id ID, now *int64) bool {
	if !m.window || m.ents[id].flags&fWindow == 0 {
		return true
	}
	if *now == 0 {
		*now = m.now().UnixNano()
	}
	t := time.Unix(0, *now)
	valid := false
	m.metaIdx(id, func(k uint32) bool {
		valid = m.metas[k].ValidAt(t)
		return !valid
	})
	return valid
}
