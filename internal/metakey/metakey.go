// Package metakey hashes and compares indicators and their metadata field
// by field, for the loader and the matcher to merge identical source
// records: two records are identical when every field is equal (strings
// and string slices element by element, times as instants: time.Time.Equal).
package metakey

import (
	"hash/maphash"
	"time"

	"github.com/iocmatch/iocmatch/indicator"
)

// Seed returns a new random seed for Meta and Indicator.
func Seed() maphash.Seed { return maphash.MakeSeed() }

// Indicator returns the hash of ind under seed: equal for identical
// indicators (same type, value and metadata, see Equal).
func Indicator(seed maphash.Seed, ind *indicator.Indicator) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteByte(byte(ind.Type))
	str(&h, ind.Value)
	meta(&h, &ind.Meta)
	return h.Sum64()
}

// Meta returns the hash of m under seed: equal for equal metadata (see
// MetaEqual).
func Meta(seed maphash.Seed, m *indicator.Meta) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	meta(&h, m)
	return h.Sum64()
}

// Equal reports whether a and b are identical: same type, value and
// metadata (MetaEqual).
func Equal(a, b *indicator.Indicator) bool {
	return a.Type == b.Type && a.Value == b.Value && MetaEqual(&a.Meta, &b.Meta)
}

// MetaEqual reports whether every field of a and b is equal: strings and
// the elements of string slices (a nil and an empty slice are equal),
// times as instants.
func MetaEqual(a, b *indicator.Meta) bool {
	return a.Source == b.Source && a.ID == b.ID && a.Description == b.Description &&
		a.Reference == b.Reference && a.Confidence == b.Confidence && a.Severity == b.Severity &&
		a.TLP == b.TLP && a.ThreatActor == b.ThreatActor && a.MalwareFamily == b.MalwareFamily &&
		strsEqual(a.Tags, b.Tags) && strsEqual(a.Techniques, b.Techniques) &&
		a.FirstSeen.Equal(b.FirstSeen) && a.LastSeen.Equal(b.LastSeen) &&
		a.ValidFrom.Equal(b.ValidFrom) && a.ValidUntil.Equal(b.ValidUntil)
}

func strsEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func meta(h *maphash.Hash, m *indicator.Meta) {
	str(h, m.Source)
	str(h, m.ID)
	str(h, m.Description)
	str(h, m.Reference)
	h.WriteByte(byte(m.Confidence))
	h.WriteByte(byte(m.Severity))
	str(h, string(m.TLP))
	str(h, m.ThreatActor)
	str(h, m.MalwareFamily)
	strs(h, m.Tags)
	strs(h, m.Techniques)
	instant(h, m.FirstSeen)
	instant(h, m.LastSeen)
	instant(h, m.ValidFrom)
	instant(h, m.ValidUntil)
}

// str writes s with its length, so that fields cannot run into each other.
func str(h *maphash.Hash, s string) {
	u64(h, uint64(len(s)))
	h.WriteString(s)
}

func strs(h *maphash.Hash, s []string) {
	u64(h, uint64(len(s)))
	for _, v := range s {
		str(h, v)
	}
}

// instant writes t as an instant: equal for times that are Equal.
func instant(h *maphash.Hash, t time.Time) {
	u64(h, uint64(t.Unix()))
	u64(h, uint64(t.Nanosecond()))
}

func u64(h *maphash.Hash, v uint64) {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	h.Write(b[:])
}
