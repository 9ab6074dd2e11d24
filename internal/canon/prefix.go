package canon

import (
	"net/netip"
	"strings"
)

// PrefixOf returns the prefix of an address or CIDR value (an address is a
// full-length prefix), masked, with IPv4-mapped IPv6 as IPv4 and without
// a zone; ok is false when v is neither.
func PrefixOf(v string) (p netip.Prefix, ok bool) {
	if strings.IndexByte(v, '/') >= 0 {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, false
		}
		a, bits := p.Addr(), p.Bits()
		if a.Is4In6() && bits >= 96 {
			a, bits = a.Unmap(), bits-96
		}
		return netip.PrefixFrom(a, bits).Masked(), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.WithZone("").Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}
