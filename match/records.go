package match

import "github.com/iocmatch/iocmatch/indicator"

// Type returns the type of entry id. It panics if id is out of range,
// like an index expression.
func (m *Matcher) Type(id ID) indicator.Type { return m.ents[id].typ }

// Records returns the number of distinct source records of entry id
// (Entry.Records), without building the Entry. It panics if id is out of
// range, like an index expression.
func (m *Matcher) Records(id ID) int {
	e := &m.ents[id]
	if e.flags&fGroup == 0 {
		return 1
	}
	return len(m.groups[e.meta].metas)
}

// Record returns the metadata of record i of entry id, 0 ≤ i <
// Records(id), in input order (the i-th of AppendIndicators). It does not
// allocate: with Records it lets a caller on the match path (a score, a
// filter) walk every record of an entry at no cost. The Matcher keeps its
// records compactly and decodes the one asked for: the Meta is a copy,
// but the strings and slices inside are the Matcher's own, shared by
// the records that have the same (do not modify the slices' elements).
// Its times are the ones given, without their monotonic clock readings.
// It panics if id or i is out of range, like an index expression.
func (m *Matcher) Record(id ID, i int) (mt indicator.Meta) {
	e := &m.ents[id]
	k := e.meta
	if e.flags&fGroup == 0 {
		if i != 0 {
			panic("match: Record: record index out of range")
		}
	} else {
		k = m.groups[e.meta].metas[i]
	}
	m.metas.decode(k, &mt)
	return mt
}
