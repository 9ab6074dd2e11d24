package allow

import (
	"net/netip"

	"github.com/gaissmai/bart"
)

// prefixSet is a set of IP prefixes that answers whether an address or a
// prefix lies wholly inside their union. Each prefix carries a label (the
// range's description, for the report).
type prefixSet struct {
	t bart.Table[string]
}

func (s *prefixSet) insert(p netip.Prefix, label string) {
	p = p.Masked()
	if _, ok := s.t.Get(p); !ok {
		s.t.Insert(p, label)
	}
}

func (s *prefixSet) empty() bool { return s.t.Size() == 0 }

// covers reports whether p lies wholly inside the union of the set, and
// the label of a prefix of the set holding p whole ("" when it takes
// several: 224.0.0.0/3 is 224.0.0.0/4 and 240.0.0.0/4).
func (s *prefixSet) covers(p netip.Prefix) (bool, string) {
	if _, label, ok := s.t.LookupPrefixLPM(p); ok {
		return true, label
	}
	return s.coveredBySubnets(p), ""
}

// coveredBySubnets reports whether the prefixes of the set inside p cover
// it: both halves of p are covered. It only descends into halves that
// hold a prefix of the set, so it visits at most twice the set's prefixes
// inside p for each bit of length.
func (s *prefixSet) coveredBySubnets(p netip.Prefix) bool {
	if p.Bits() >= p.Addr().BitLen() || !s.t.OverlapsPrefix(p) {
		return false
	}
	lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
	hi := netip.PrefixFrom(setBit(p.Addr(), p.Bits()), p.Bits()+1)
	return s.half(lo) && s.half(hi)
}

func (s *prefixSet) half(p netip.Prefix) bool {
	if _, ok := s.t.LookupPrefix(p); ok {
		return true
	}
	return s.coveredBySubnets(p)
}

// setBit returns a with bit i (0 the most significant) set.
func setBit(a netip.Addr, i int) netip.Addr {
	if a.Is4() {
		b := a.As4()
		b[i/8] |= 0x80 >> (i % 8)
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	b[i/8] |= 0x80 >> (i % 8)
	return netip.AddrFrom16(b)
}
