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
}

// Matcher is a compiled set of indicators. It is immutable and safe for
// concurrent use.
type Matcher struct {
	entries []Entry
	valid   []validity // per entry
	now     func() time.Time
	counts  [indicator.NumTypes]int

	addrs   addrTable
	domains domainTable
	urls    urlTable
	emails  map[string]ID
	hashes  hashTable
	strs    stringTable
}

// validity is when an entry may match, as unix nanoseconds: always when
// windows is nil.
type validity struct {
	windows []window
}

type window struct{ from, until int64 } // 0 = open

func (v *validity) at(now int64) bool {
	if v.windows == nil {
		return true
	}
	for _, w := range v.windows {
		if (w.from == 0 || now >= w.from) && (w.until == 0 || now < w.until) {
			return true
		}
	}
	return false
}

// Len returns the number of entries (distinct canonical indicators).
func (m *Matcher) Len() int { return len(m.entries) }

// Count returns the number of entries of type t.
func (m *Matcher) Count(t indicator.Type) int {
	if int(t) >= len(m.counts) {
		return 0
	}
	return m.counts[t]
}

// Entry returns the entry with the given ID. It panics if id is out of
// range, like an index expression. The returned Entry shares its
// Indicators with the Matcher: do not modify them.
func (m *Matcher) Entry(id ID) Entry { return m.entries[id] }

// validAt reports whether entry id may match at the instant the
// caller's lazily read clock gives.
func (m *Matcher) validAt(id ID, now *int64) bool {
	v := &m.valid[id]
	if v.windows == nil {
		return true
	}
	if *now == 0 {
		*now = m.now().UnixNano()
	}
	return v.at(*now)
}
