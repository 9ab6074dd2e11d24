package match

import (
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
	exact4 map[[4]byte]ID
	exact6 map[[16]byte]ID
	cidrs  *bart.Table[uint64]
	ids    []ID
}

type addrBuilder struct {
	prefixes []netip.Prefix
	idOf     []ID
}

func (b *addrBuilder) add(t *addrTable, id ID, value string) {
	if a, err := netip.ParseAddr(value); err == nil {
		if a.Is4() {
			if t.exact4 == nil {
				t.exact4 = make(map[[4]byte]ID)
			}
			t.exact4[a.As4()] = id
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
	if len(b.prefixes) == 0 {
		return nil
	}
	own := new(bart.Table[ID])
	for i, p := range b.prefixes {
		own.Insert(p, b.idOf[i])
	}
	t.cidrs = new(bart.Table[uint64])
	for _, p := range b.prefixes {
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
		if id, ok := t.exact4[a.As4()]; ok {
			fn(id)
		}
	} else if t.exact6 != nil {
		if id, ok := t.exact6[a.As16()]; ok {
			fn(id)
		}
	}
	if t.cidrs == nil {
		return
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

func (t *addrTable) empty() bool { return t.exact4 == nil && t.exact6 == nil && t.cidrs == nil }
