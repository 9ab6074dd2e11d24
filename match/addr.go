package match

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/gaissmai/bart"
)

// addrTable finds, for an address, its address entry (an open-addressing
// set for IPv4, a map for IPv6: one probe) and every CIDR entry containing
// it (one longest-prefix lookup: cidr4Index for IPv4, a bart table for
// IPv6; each stored prefix's value is the list, in ids, of all stored
// prefixes that contain it, itself included, most specific first, packed
// as offset<<32 | count).
type addrTable struct {
	exact4 addr4Set
	exact6 map[[16]byte]ID
	cidrs  *bart.Table[uint64]
	ids    []ID

	cidrs4 *cidr4Index // the IPv4 CIDRs (cidrs holds the IPv6 ones)
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
	seed  uint64 // random per table: a crafted feed cannot aim at one slot
}

// slot is the first slot of a: the address XOR the table's seed, through
// a full 64-bit mixer, so that addresses chosen against one seed do not
// cluster under another.
func (s *addr4Set) slot(a uint32) uint64 {
	h := uint64(a) ^ s.seed
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return (h ^ h>>33) & s.mask
}

func (s *addr4Set) build(v4 []uint64) {
	s.buildSeeded(v4, uint64(time.Now().UnixNano())*0x9e3779b97f4a7c15)
}

func (s *addr4Set) buildSeeded(v4 []uint64, seed uint64) {
	if len(v4) == 0 {
		return
	}
	n := uint64(16)
	for n < 2*uint64(len(v4)) {
		n *= 2
	}
	s.slots, s.mask, s.seed = make([]uint64, n), n-1, seed
	for _, v := range v4 {
		a, id := uint32(v>>32), uint32(v)
		for i := s.slot(a); ; i = (i + 1) & s.mask {
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
	for i := s.slot(a); ; i = (i + 1) & s.mask {
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

// build fills t. The lists of containing prefixes are packed as a 32-bit
// offset into t.ids and a count: their total, at most maxRefs, is checked
// (each prefix has at most 129 prefixes containing it, itself included, so
// it takes more than 33 million nested IPv6 prefixes to pass 2^32).
func (b *addrBuilder) build(t *addrTable, maxRefs int) error {
	t.exact4.build(b.v4)
	b.v4 = nil
	if len(b.prefixes) == 0 {
		return nil
	}
	own := new(bart.Table[ID])
	for i, p := range b.prefixes {
		own.Insert(p, b.idOf[i])
	}
	var ps4 []netip.Prefix
	var vals4 []uint64
	for _, p := range b.prefixes {
		off := len(t.ids)
		for _, id := range own.Supernets(p) {
			t.ids = append(t.ids, id)
		}
		n := len(t.ids) - off
		if n == 0 {
			return fmt.Errorf("match: internal error: prefix %v not found in its own table", p)
		}
		if len(t.ids) > maxRefs {
			return fmt.Errorf("match: the cidr entries' lists of containing prefixes take more than %d IDs in total (32-bit offsets), at %v", maxRefs, p)
		}
		v := uint64(off)<<32 | uint64(n)
		if p.Addr().Is4() {
			ps4, vals4 = append(ps4, p), append(vals4, v)
			continue
		}
		if t.cidrs == nil {
			t.cidrs = new(bart.Table[uint64])
		}
		t.cidrs.Insert(p, v)
	}
	if len(ps4) > 0 {
		t.cidrs4 = buildCIDR4(ps4, vals4)
	}
	return nil
}

// find returns the entries matching a, an unmapped address without a
// zone: its address entry (ok), and the CIDR entries containing it, most
// specific first (a part of t.ids, not to be modified). It does not
// allocate.
func (t *addrTable) find(a netip.Addr) (id ID, ok bool, cidrs []ID) {
	var v uint64
	var found bool
	if a.Is4() {
		b4 := a.As4()
		x := binary.BigEndian.Uint32(b4[:])
		id, ok = t.exact4.find(x)
		if t.cidrs4 == nil {
			return id, ok, nil
		}
		v, found = t.cidrs4.lookup(x)
	} else {
		if t.exact6 != nil {
			id, ok = t.exact6[a.As16()]
		}
		if t.cidrs == nil {
			return id, ok, nil
		}
		v, found = t.cidrs.Lookup(a)
	}
	if found {
		off, n := int(v>>32), int(uint32(v))
		cidrs = t.ids[off : off+n]
	}
	return id, ok, cidrs
}

func (t *addrTable) empty() bool {
	return t.exact4.slots == nil && t.exact6 == nil && t.cidrs == nil && t.cidrs4 == nil
}
