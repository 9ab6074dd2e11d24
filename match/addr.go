package match

import (
	"fmt"
	"net/netip"

	"github.com/gaissmai/bart"
)

// addrTable finds, for an address, its address entry and every CIDR entry
// containing it with one longest-prefix lookup: each stored prefix's value
// is the list (in ids) of all stored prefixes that contain it, itself
// included, packed as offset<<32 | count.
type addrTable struct {
	t   *bart.Table[uint64]
	ids []ID
}

type addrBuilder struct {
	prefixes []netip.Prefix
	idOf     []ID
}

func (b *addrBuilder) add(id ID, value string) {
	var p netip.Prefix
	if a, err := netip.ParseAddr(value); err == nil {
		p = netip.PrefixFrom(a, a.BitLen())
	} else {
		p = netip.MustParsePrefix(value) // canonical values always parse
	}
	b.prefixes = append(b.prefixes, p)
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
	t.t = new(bart.Table[uint64])
	for _, p := range b.prefixes {
		off := len(t.ids)
		for _, id := range own.Supernets(p) {
			t.ids = append(t.ids, id)
		}
		n := len(t.ids) - off
		if n == 0 {
			return fmt.Errorf("match: internal error: prefix %v not found in its own table", p)
		}
		t.t.Insert(p, uint64(off)<<32|uint64(n))
	}
	return nil
}

// lookup returns the ids of the entries matching a, an unmapped address.
// It does not allocate.
func (t *addrTable) lookup(a netip.Addr) []ID {
	if t.t == nil {
		return nil
	}
	v, ok := t.t.Lookup(a)
	if !ok {
		return nil
	}
	off, n := int(v>>32), int(uint32(v))
	return t.ids[off : off+n]
}

func (t *addrTable) empty() bool { return t.t == nil }
