package match

import (
	"slices"
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// View is the merged view of every source record of one entry: what its
// sources say about it together, for triage, without walking
// Entry.Indicators (which holds at most MaxEntryIndicators records) or
// paging with AppendIndicators by hand. Unknown values in a record never
// override known ones in another.
type View struct {
	// Confidence is the highest known confidence of the records, or
	// unknown when none gives one.
	Confidence indicator.Confidence
	// Severity is the highest severity of the records.
	Severity indicator.Severity
	// TLP is the strictest marking of the records (red, amber+strict,
	// amber, green, clear, in that order), or unknown when none is marked.
	TLP indicator.TLP

	// Sources are the distinct non-empty source names, sorted (the same
	// slice as Entry.Sources: shared with the Matcher, do not modify it).
	Sources []string
	// Tags, Techniques, ThreatActors and MalwareFamilies are the unions of
	// the records' values, distinct non-empty values sorted.
	Tags            []string
	Techniques      []string
	ThreatActors    []string
	MalwareFamilies []string

	// Lists are the warninglists that annotate the entry (the union of
	// the records' lists: their tags that start with
	// indicator.WarninglistTag, without it), sorted.
	Lists []string

	// FirstSeen is the earliest non-zero FirstSeen of the records, and
	// LastSeen the latest non-zero LastSeen; zero when none has one.
	FirstSeen time.Time
	LastSeen  time.Time

	// Description and Reference are those of the first record, in input
	// order, that has one.
	Description string
	Reference   string

	// Records is the number of distinct records merged (Entry.Records).
	Records int
}

// tlpRank orders the TLP markings by strictness; unknown is 0.
func tlpRank(t indicator.TLP) int {
	switch t {
	case indicator.TLPClear:
		return 1
	case indicator.TLPGreen:
		return 2
	case indicator.TLPAmber:
		return 3
	case indicator.TLPAmberStrict:
		return 4
	case indicator.TLPRed:
		return 5
	}
	return 0
}

// View returns the merged view of entry id over all its records, however
// many there are. It panics if id is out of range, like an index
// expression.
//
// Cost: View is computed on each call, in time linear in the entry's
// records (plus sorting the unions); it allocates only the unions that are
// not empty (none for an entry whose records carry no tags, techniques,
// actors or families). A host that shows the same entries over and over,
// like iocscan, keeps what it derives from a View per ID: the Matcher is
// immutable, so a View never goes stale.
func (m *Matcher) View(id ID) View {
	e := &m.ents[id]
	if e.flags&fGroup == 0 {
		mt := m.metas.meta(e.meta)
		v := View{Records: 1, Sources: m.srcOne[mt.Source]}
		v.add(&mt)
		v.finish()
		return v
	}
	g := &m.groups[e.meta]
	v := View{Records: len(g.metas), Sources: g.srcs}
	for _, k := range g.metas {
		mt := m.metas.meta(k)
		v.add(&mt)
	}
	v.finish()
	return v
}

// add merges the record mt into v.
func (v *View) add(mt *indicator.Meta) {
	if mt.Confidence.Known() && (!v.Confidence.Known() || mt.Confidence.Value() > v.Confidence.Value()) {
		v.Confidence = mt.Confidence
	}
	v.Severity = max(v.Severity, mt.Severity)
	if tlpRank(mt.TLP) > tlpRank(v.TLP) {
		v.TLP = mt.TLP
	}
	v.Tags = appendNonEmpty(v.Tags, mt.Tags...)
	v.Techniques = appendNonEmpty(v.Techniques, mt.Techniques...)
	v.ThreatActors = appendNonEmpty(v.ThreatActors, mt.ThreatActor)
	v.MalwareFamilies = appendNonEmpty(v.MalwareFamilies, mt.MalwareFamily)
	for _, t := range mt.Tags {
		if l, ok := strings.CutPrefix(t, indicator.WarninglistTag); ok {
			v.Lists = appendNonEmpty(v.Lists, l)
		}
	}
	if !mt.FirstSeen.IsZero() && (v.FirstSeen.IsZero() || mt.FirstSeen.Before(v.FirstSeen)) {
		v.FirstSeen = mt.FirstSeen
	}
	if mt.LastSeen.After(v.LastSeen) {
		v.LastSeen = mt.LastSeen
	}
	if v.Description == "" {
		v.Description = mt.Description
	}
	if v.Reference == "" {
		v.Reference = mt.Reference
	}
}

// finish sorts the unions and drops repeated values.
func (v *View) finish() {
	for _, s := range []*[]string{&v.Tags, &v.Techniques, &v.ThreatActors, &v.MalwareFamilies, &v.Lists} {
		slices.Sort(*s)
		*s = slices.Clip(slices.Compact(*s))
	}
}

func appendNonEmpty(dst []string, s ...string) []string {
	for _, x := range s {
		if x != "" {
			dst = append(dst, x)
		}
	}
	return dst
}
