package match

import (
	"cmp"
	"math/bits"
	"net/netip"
	"slices"

	"github.com/gaissmai/bart"
)

// cidr4Index finds the most specific IPv4 CIDR entry containing an
// address. The address space is cut into its 65536 /16 blocks. A prefix of
// /16 or longer lies in one block: each block it touches has a bucket of
// such prefixes, most specific first, and a bitset says which blocks have
// one; most addresses of a log line are in none and cost one bit test,
// the others scan a bucket of a prefix or two (on real and generated
// sets) instead of walking a trie. Prefixes shorter than /16 (at most
// 65535 of them) are in a bart table, looked up only for an address in a
// block one of them covers (a second bitset) and with no match in its
// bucket, which would be more specific. Memory is linear in the number of
// prefixes.
type cidr4Index struct {
	cover [1 << 16 / 64]uint64 // bit b: block b has a bucket
	rank  [1 << 16 / 64]uint32 // buckets before the blocks of cover[w]
	start []uint32             // bucket k: ents[start[k]:start[k+1]]
	ents  []cidr4Ent

	wideCover [1 << 16 / 64]uint64 // bit b: a wide prefix covers block b
	wide      *bart.Table[uint64]  // the prefixes shorter than /16
}

// cidr4Ent is a prefix of a bucket and its value (the packed list of the
// entries containing it, as stored in addrTable.ids).
type cidr4Ent struct {
	net, mask uint32
	val       uint64
}

// buildCIDR4 indexes the IPv4 prefixes ps, with values vals.
func buildCIDR4(ps []netip.Prefix, vals []uint64) *cidr4Index {
	type item struct {
		bits int
		e    cidr4Ent
	}
	x := new(cidr4Index)
	var items []item
	for i, p := range ps {
		b4 := p.Addr().As4()
		a := uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3])
		if p.Bits() < 16 {
			if x.wide == nil {
				x.wide = new(bart.Table[uint64])
			}
			x.wide.Insert(p, vals[i])
			for b := a >> 16; b < a>>16+1<<(16-p.Bits()); b++ {
				x.wideCover[b>>6] |= 1 << (b & 63)
			}
			continue
		}
		mask := ^(^uint32(0) >> p.Bits()) // p.Bits() == 32: all ones (a Go shift by 32 is 0)
		items = append(items, item{p.Bits(), cidr4Ent{a, mask, vals[i]}})
	}
	slices.SortFunc(items, func(u, v item) int {
		if c := cmp.Compare(u.e.net>>16, v.e.net>>16); c != 0 {
			return c
		}
		return cmp.Compare(v.bits, u.bits) // most specific first
	})
	x.ents = make([]cidr4Ent, len(items))
	for i, it := range items {
		x.ents[i] = it.e
		if b := it.e.net >> 16; i == 0 || items[i-1].e.net>>16 != b {
			x.cover[b>>6] |= 1 << (b & 63)
			x.start = append(x.start, uint32(i))
		}
	}
	x.start = append(x.start, uint32(len(items)))
	r := uint32(0)
	for w := range x.cover {
		x.rank[w] = r
		r += uint32(bits.OnesCount64(x.cover[w]))
	}
	return x
}

// lookup returns the value of the most specific prefix containing a. It
// does not allocate.
func (x *cidr4Index) lookup(a uint32) (uint64, bool) {
	b := a >> 16
	if w := x.cover[b>>6]; w&(1<<(b&63)) != 0 {
		k := x.rank[b>>6] + uint32(bits.OnesCount64(w&(1<<(b&63)-1)))
		for _, e := range x.ents[x.start[k]:x.start[k+1]] {
			if a&e.mask == e.net {
				return e.val, true
			}
		}
	}
	if x.wideCover[b>>6]&(1<<(b&63)) == 0 {
		return 0, false
	}
	return x.wide.Lookup(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}))
}
