package live

import (
	"cmp"
	"slices"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/metakey"
	"github.com/iocmatch/iocmatch/match"
)

// fingerprint is an entry of a set, compactly: the hash of its canonical
// (type, value), the hash of its records' metadata (a sum, so that the
// order of the records does not count) and its ID.
type fingerprint struct {
	key, meta uint64
	id        match.ID
}

// fingerprints returns the fingerprints of m's entries sorted by key: 24
// bytes per entry (with 64-bit hashes, two different entries share a key
// with a probability of about n²/2⁶⁵: 3·10⁻⁸ for 1M entries).
func fingerprints(m *match.Matcher, h *metakey.Hasher) []fingerprint {
	fps := make([]fingerprint, m.Len())
	var buf []indicator.Indicator
	for i := range fps {
		id := match.ID(i)
		buf = m.AppendIndicators(buf[:0], id, 0, 1<<30)
		ind := &buf[0]
		key := h.String(ind.Value) ^ uint64(ind.Type)*0x9e3779b97f4a7c15
		var meta uint64
		for j := range buf {
			meta += h.Meta(&buf[j].Meta)
		}
		fps[i] = fingerprint{key: key, meta: meta, id: id}
	}
	clear(buf)
	slices.SortFunc(fps, func(a, b fingerprint) int { return cmp.Compare(a.key, b.key) })
	return fps
}

// diff compares the entries of two sets, by their fingerprints, and
// lists the entries new in next.
func diff(prev, next *Set) Diff {
	var d Diff
	a, b := prev.fps, next.fps
	var added []match.ID
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].key < b[j].key:
			d.Removed++
			i++
		case i == len(a) || b[j].key < a[i].key:
			added = append(added, b[j].id)
			j++
		default:
			if a[i].meta != b[j].meta {
				d.Changed++
			}
			i++
			j++
		}
	}
	d.Added = len(added)
	slices.Sort(added)
	d.AddedIDs = added
	return d
}
