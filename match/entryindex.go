package match

import (
	"hash/maphash"
	"math/bits"

	"github.com/iocmatch/iocmatch/indicator"
)

// entryIndex is a Builder's index of its entries by (type, canonical
// value): an open-addressing table of 8-byte slots, each the low 32 bits
// of the key's hash (a tag) and the entry's ID + 1 (0: empty), probed
// linearly from a position taken from the hash's high bits. A tag that
// matches is checked against the entry itself (type, length, bytes), so
// two values whose hashes collide are two entries. It holds 8 bytes per
// slot at a load of at most 4/5: 10-12 bytes per entry, where a
// map[uint64]ID took 41 (at the peak of a reload of 1M indicators the
// old set, the new one and the index are all live). It grows by
// doubling, computing the hashes again from the entries' values.
type entryIndex struct {
	slots []idxSlot
	n     int // entries indexed
}

type idxSlot struct{ tag, id1 uint32 }

// entryKey is the hash of (t, v) under seed that an entryIndex is keyed by.
func entryKey(seed maphash.Seed, t indicator.Type, v string) uint64 {
	return maphash.String(seed, v) ^ uint64(t)*0x9e3779b97f4a7c15
}

// entryKeyBytes is entryKey of string(v) (maphash.Bytes and String hash
// the same bytes alike).
func entryKeyBytes(seed maphash.Seed, t indicator.Type, v []byte) uint64 {
	return maphash.Bytes(seed, v) ^ uint64(t)*0x9e3779b97f4a7c15
}

// minIndexSlots is the size of an entryIndex's first table.
const minIndexSlots = 1024

// reserve makes room for n entries without growing (it never shrinks);
// call it while the index is empty.
func (x *entryIndex) reserve(n int) {
	if x.n == 0 && n*5 > len(x.slots)*4 {
		x.slots = make([]idxSlot, max(minIndexSlots, n*10/7+1))
	}
}

// start is the first slot of key's probe sequence.
func (x *entryIndex) start(key uint64) int {
	hi, _ := bits.Mul64(key, uint64(len(x.slots)))
	return int(hi)
}

// lookup returns the entry of b whose value is (t, v), whose key is key.
func (x *entryIndex) lookup(b *Builder, key uint64, t indicator.Type, v string) (ID, bool) {
	if len(x.slots) == 0 {
		return 0, false
	}
	tag := uint32(key)
	for i := x.start(key); ; {
		s := x.slots[i]
		if s.id1 == 0 {
			return 0, false
		}
		if s.tag == tag {
			id := ID(s.id1 - 1)
			if e := &b.m.ents[id]; e.typ == t && int(e.n) == len(v) && b.vals.equal(e.off, uint32(e.n), v) {
				return id, true
			}
		}
		if i++; i == len(x.slots) {
			i = 0
		}
	}
}

// insert indexes entry id of b under key; the entry is not in the index
// (lookup said so). It grows the table first when it is full.
func (x *entryIndex) insert(b *Builder, key uint64, id ID) {
	if (x.n+1)*5 > len(x.slots)*4 {
		x.grow(b)
	}
	x.put(key, id)
	x.n++
}

func (x *entryIndex) put(key uint64, id ID) {
	for i := x.start(key); ; {
		if x.slots[i].id1 == 0 {
			x.slots[i] = idxSlot{tag: uint32(key), id1: uint32(id) + 1}
			return
		}
		if i++; i == len(x.slots) {
			i = 0
		}
	}
}

// grow doubles the table, hashing the entries' values again.
func (x *entryIndex) grow(b *Builder) {
	old := x.slots
	x.slots = make([]idxSlot, max(minIndexSlots, 2*len(old)))
	for _, s := range old {
		if s.id1 == 0 {
			continue
		}
		e := &b.m.ents[s.id1-1]
		x.put(entryKeyBytes(b.seed, e.typ, b.vals.at(e.off, uint32(e.n))), ID(s.id1-1))
	}
}
