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
// bucket, which would be more specific; so are the prefixes of a block
// with more than maxBucket of them, so that a crafted feed cannot make a
// lookup scan a long bucket. Memory is linear in the number of prefixes.
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
		p netip.Prefix
		e cidr4Ent
	}
	x := new(cidr4Index)
	toWide := func(p netip.Prefix, v uint64) {
		if x.wide == nil {
			x.wide = new(bart.Table[uint64])
		}
		x.wide.Insert(p, v)
		b4 := p.Addr().As4()
		first := uint32(b4[0])<<8 | uint32(b4[1])
		for b := first; b < first+1<<(16-min(p.Bits(), 16)); b++ {
			x.wideCover[b>>6] |= 1 << (b & 63)
		}
	}
	var items []item
	for i, p := range ps {
		if p.Bits() < 16 {
			toWide(p, vals[i])
			continue
		}
		b4 := p.Addr().As4()
		a := uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3])
		mask := ^(^uint32(0) >> p.Bits()) // p.Bits() == 32: all ones (a Go shift by 32 is 0)
		items = append(items, item{p, cidr4Ent{a, mask, vals[i]}})
	}
	slices.SortFunc(items, func(u, v item) int {
		if c := cmp.Compare(u.e.net>>16, v.e.net>>16); c != 0 {
			return c
		}
		return cmp.Compare(v.p.Bits(), u.p.Bits()) // most specific first
	})
	for lo := 0; lo < len(items); {
		b := items[lo].e.net >> 16
		hi := lo + 1
		for hi < len(items) && items[hi].e.net>>16 == b {
			hi++
		}
		if hi-lo > maxBucket {
			// A crowded block goes to the bart table, so that no lookup
			// scans more than maxBucket entries.
			for _, it := range items[lo:hi] {
				toWide(it.p, it.e.val)
			}
		} else {
			x.cover[b>>6] |= 1 << (b & 63)
			x.start = append(x.start, uint32(len(x.ents)))
			for _, it := range items[lo:hi] {
				x.ents = append(x.ents, it.e)
			}
		}
		lo = hi
	}
	x.start = append(x.start, uint32(len(x.ents)))
	r := uint32(0)
	for w := range x.cover {
		x.rank[w] = r
		r += uint32(bits.OnesCount64(x.cover[w]))
	}
	return x
}

// maxBucket is the most prefixes a /16 block's bucket holds; the prefixes
// of a block with more are looked up in the bart table instead.
const maxBucket = 16

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
