package match

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/gaissmai/bart"
)

// addrTable finds, for an address, its address entry (a hash map: one
// probe) and every CIDR entry containing it (one longest-prefix lookup in
// a bart table of the CIDRs alone, each stored prefix's value being the
// list, in ids, of all stored prefixes that contain it, itself included,
// most specific first, packed as offset<<32 | count).
type addrTable struct {
	exact4 addr4Set
	exact6 map[[16]byte]ID
	cidrs  *bart.Table[uint64]
	ids    []ID

	// cover16 has bit a>>16 set for every IPv4 address a inside some
	// IPv4 CIDR entry (8 KiB): the CIDR lookup of an address outside
	// them all is skipped.
	cover16 *[1 << 16 / 64]uint64
}

type addrBuilder struct {
	prefixes []netip.Prefix
	idOf     []ID
	v4       []uint64 // address<<32 | id, until build
}

// addr4Set is an open-addressing (linear probing, at most half full) set
// of IPv4 addresses, a slot holding the address and its entry: a lookup
// reads one slot, or a few in one cache line.
type addr4Set struct {
	slots []uint64 // address<<32 | ID+1; 0: empty
	mask  uint64
}

func addr4Slot(a uint32, mask uint64) uint64 {
	h := uint64(a) * 0x9e3779b97f4a7c15
	return (h ^ h>>29) & mask
}

func (s *addr4Set) build(v4 []uint64) {
	if len(v4) == 0 {
		return
	}
	n := uint64(16)
	for n < 2*uint64(len(v4)) {
		n *= 2
	}
	s.slots, s.mask = make([]uint64, n), n-1
	for _, v := range v4 {
		a, id := uint32(v>>32), uint32(v)
		for i := addr4Slot(a, s.mask); ; i = (i + 1) & s.mask {
			if s.slots[i] == 0 {
				s.slots[i] = uint64(a)<<32 | uint64(id+1)
				break
			}
		}
	}
}

func (s *addr4Set) find(a uint32) (ID, bool) {
	if s.slots == nil {
		return 0, false
	}
	for i := addr4Slot(a, s.mask); ; i = (i + 1) & s.mask {
		v := s.slots[i]
		if v == 0 {
			return 0, false
		}
		if uint32(v>>32) == a {
			return ID(uint32(v) - 1), true
		}
	}
}

func (b *addrBuilder) add(t *addrTable, id ID, value string) {
	if a, err := netip.ParseAddr(value); err == nil {
		if a.Is4() {
			b4 := a.As4()
			b.v4 = append(b.v4, uint64(binary.BigEndian.Uint32(b4[:]))<<32|uint64(id))
		} else {
			if t.exact6 == nil {
				t.exact6 = make(map[[16]byte]ID)
			}
			t.exact6[a.As16()] = id
		}
		return
	}
	b.prefixes = append(b.prefixes, netip.MustParsePrefix(value)) // canonical values always parse
	b.idOf = append(b.idOf, id)
}

func (b *addrBuilder) build(t *addrTable) error {
	t.exact4.build(b.v4)
	b.v4 = nil
	if len(b.prefixes) == 0 {
		return nil
	}
	own := new(bart.Table[ID])
	for i, p := range b.prefixes {
		own.Insert(p, b.idOf[i])
	}
	t.cidrs = new(bart.Table[uint64])
	t.cover16 = new([1 << 16 / 64]uint64)
	for _, p := range b.prefixes {
		if p.Addr().Is4() {
			b4 := p.Addr().As4()
			first := int(b4[0])<<8 | int(b4[1])
			n := 1 // the /16s p covers
			if p.Bits() < 16 {
				n = 1 << (16 - p.Bits())
			}
			for x := first; x < first+n; x++ {
				t.cover16[x>>6] |= 1 << (x & 63)
			}
		}
		off := len(t.ids)
		for _, id := range own.Supernets(p) {
			t.ids = append(t.ids, id)
		}
		n := len(t.ids) - off
		if n == 0 {
			return fmt.Errorf("match: internal error: prefix %v not found in its own table", p)
		}
		t.cidrs.Insert(p, uint64(off)<<32|uint64(n))
	}
	return nil
}

// each calls fn with the ids of the entries matching a, an unmapped
// address: its address entry, then the CIDR entries containing it, most
// specific first. It does not allocate.
func (t *addrTable) each(a netip.Addr, fn func(ID)) {
	if a.Is4() {
		b4 := a.As4()
		if id, ok := t.exact4.find(binary.BigEndian.Uint32(b4[:])); ok {
			fn(id)
		}
		if t.cidrs == nil {
			return
		}
		if x := int(b4[0])<<8 | int(b4[1]); t.cover16[x>>6]&(1<<(x&63)) == 0 {
			return
		}
	} else {
		if t.exact6 != nil {
			if id, ok := t.exact6[a.As16()]; ok {
				fn(id)
			}
		}
		if t.cidrs == nil {
			return
		}
	}
	v, ok := t.cidrs.Lookup(a)
	if !ok {
		return
	}
	off, n := int(v>>32), int(uint32(v))
	for _, id := range t.ids[off : off+n] {
		fn(id)
	}
}

func (t *addrTable) empty() bool {
	return t.exact4.slots == nil && t.exact6 == nil && t.cidrs == nil
}
