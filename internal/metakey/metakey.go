// Package metakey hashes and compares indicators and their metadata field
// by field, for the loader and the matcher to merge identical source
// records: two records are identical when every field is equal (strings
// and string slices element by element, times as instants: time.Time.Equal).
package metakey

import (
	"encoding/binary"
	"hash/maphash"
	"time"
	"unsafe"

	"github.com/iocmatch/iocmatch/indicator"
)

// Hasher hashes records under a random seed of its own. It remembers the
// hash of the last Tags and Techniques slices it saw, so that records
// sharing one slice (the indicators of one STIX pattern or CSV row) cost
// its hashing once, however long it is. A Hasher is not safe for
// concurrent use.
type Hasher struct {
	seed maphash.Seed
	memo [2]struct {
		p *string // the slice's first element, and its length
		n int
		h uint64
	}
}

// NewHasher returns a Hasher with a new random seed.
func NewHasher() *Hasher { return &Hasher{seed: maphash.MakeSeed()} }

// Indicator returns the hash of ind: equal for identical indicators (same
// type, value and metadata, see Equal).
func (x *Hasher) Indicator(ind *indicator.Indicator) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteByte(byte(ind.Type))
	str(&h, ind.Value)
	x.meta(&h, &ind.Meta)
	return h.Sum64()
}

// Meta returns the hash of m: equal for equal metadata (see MetaEqual).
func (x *Hasher) Meta(m *indicator.Meta) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	x.meta(&h, m)
	return h.Sum64()
}

// String returns the hash of s.
func (x *Hasher) String(s string) uint64 { return maphash.String(x.seed, s) }

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
		a.ValidFrom.Equal(b.ValidFrom) && a.ValidUntil.Equal(b.ValidUntil) &&
		a.File == b.File && a.FileName == b.FileName
}

func strsEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || unsafe.SliceData(a) == unsafe.SliceData(b) {
		return true // one slice, shared
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (x *Hasher) meta(h *maphash.Hash, m *indicator.Meta) {
	// the fixed-size part in one write: the lengths of the strings (so
	// that fields cannot run into each other), the small fields, the
	// slices' hashes and the instants; then the strings
	strs := [...]string{m.Source, m.ID, m.Description, m.Reference, string(m.TLP), m.ThreatActor, m.MalwareFamily, m.File, m.FileName}
	var b [len(strs)*8 + 2 + 2*8 + 4*12]byte
	p := b[:0]
	for _, s := range strs {
		p = binary.LittleEndian.AppendUint64(p, uint64(len(s)))
	}
	p = append(p, byte(m.Confidence), byte(m.Severity))
	p = binary.LittleEndian.AppendUint64(p, x.strs(0, m.Tags))
	p = binary.LittleEndian.AppendUint64(p, x.strs(1, m.Techniques))
	for _, t := range [...]time.Time{m.FirstSeen, m.LastSeen, m.ValidFrom, m.ValidUntil} {
		// as an instant: equal for times that are Equal
		p = binary.LittleEndian.AppendUint64(p, uint64(t.Unix()))
		p = binary.LittleEndian.AppendUint32(p, uint32(t.Nanosecond()))
	}
	h.Write(p)
	for _, s := range strs {
		h.WriteString(s)
	}
}

// strs returns the hash of s, remembered in memo[i].
func (x *Hasher) strs(i int, s []string) uint64 {
	if len(s) == 0 {
		return 0
	}
	p, memo := unsafe.SliceData(s), &x.memo[i]
	if memo.p == p && memo.n == len(s) {
		return memo.h
	}
	var h maphash.Hash
	h.SetSeed(x.seed)
	u64(&h, uint64(len(s)))
	for _, v := range s {
		str(&h, v)
	}
	memo.p, memo.n, memo.h = p, len(s), h.Sum64()
	return memo.h
}

// str writes s with its length, so that fields cannot run into each other.
func str(h *maphash.Hash, s string) {
	u64(h, uint64(len(s)))
	h.WriteString(s)
}

func u64(h *maphash.Hash, v uint64) {
	var b [8]byte
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	h.Write(b[:])
}
