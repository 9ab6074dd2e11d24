package allow

import "net/netip"

// reservedRanges are the special-purpose ranges that are not globally
// reachable, from the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and the RFCs named below; the entries whose
// "Globally Reachable" is False), plus the multicast ranges (IANA IPv4
// and IPv6 multicast registries) and IPv6 site-local (deprecated). An
// address in one is never a host on the Internet: an indicator naming it
// matches internal traffic only.
//
// 192.0.0.0/24 is there without 192.0.0.9 and 192.0.0.10 (Port Control
// Protocol anycast, RFC 7723; TURN anycast, RFC 8155), which are
// globally reachable. Left out as globally reachable or "N/A": the
// AS112 ranges (192.31.196.0/24, 192.175.48.0/24, 2001:4:112::/48),
// AMT (192.52.193.0/24, 2001:3::/32), the deprecated 6to4 relay anycast
// 192.88.99.0/24, 64:ff9b::/96, TEREDO 2001::/32, 6to4 2002::/16 and the
// rest of 2001::/23. IPv4-mapped IPv6 addresses (::ffff:0:0/96) are
// checked as the IPv4 address they map.
var reservedRanges = []rangeDef{
	{"0.0.0.0/8", "this network (RFC 791 §3.2)"},
	{"10.0.0.0/8", "private use (RFC 1918)"},
	{"100.64.0.0/10", "shared address space (RFC 6598)"},
	{"127.0.0.0/8", "loopback (RFC 1122 §3.2.1.3)"},
	{"169.254.0.0/16", "link local (RFC 3927)"},
	{"172.16.0.0/12", "private use (RFC 1918)"},
	// 192.0.0.0/24, IETF protocol assignments (RFC 6890 §2.1), without
	// 192.0.0.9/32 and 192.0.0.10/32
	{"192.0.0.0/29", "IETF protocol assignments (RFC 6890, RFC 7335)"},
	{"192.0.0.8/32", "IETF protocol assignments (RFC 6890, RFC 7600)"},
	{"192.0.0.11/32", "IETF protocol assignments (RFC 6890)"},
	{"192.0.0.12/30", "IETF protocol assignments (RFC 6890)"},
	{"192.0.0.16/28", "IETF protocol assignments (RFC 6890)"},
	{"192.0.0.32/27", "IETF protocol assignments (RFC 6890)"},
	{"192.0.0.64/26", "IETF protocol assignments (RFC 6890)"},
	{"192.0.0.128/25", "IETF protocol assignments (RFC 6890, RFC 8880)"},
	{"192.168.0.0/16", "private use (RFC 1918)"},
	{"198.18.0.0/15", "benchmarking (RFC 2544)"},
	{"224.0.0.0/4", "multicast (RFC 5771)"},
	{"240.0.0.0/4", "reserved (RFC 1112 §4)"},
	{"255.255.255.255/32", "limited broadcast (RFC 919 §7, RFC 8190)"},

	{"::/128", "unspecified address (RFC 4291)"},
	{"::1/128", "loopback (RFC 4291)"},
	{"64:ff9b:1::/48", "local-use IPv4/IPv6 translation (RFC 8215)"},
	{"100::/64", "discard-only (RFC 6666)"},
	{"100:0:0:1::/64", "dummy IPv6 prefix (RFC 9780)"},
	{"2001:2::/48", "benchmarking (RFC 5180)"},
	{"5f00::/16", "segment routing SIDs (RFC 9602)"},
	{"fc00::/7", "unique local (RFC 4193)"},
	{"fe80::/10", "link-local unicast (RFC 4291)"},
	{"fec0::/10", "site-local, deprecated (RFC 3879)"},
	{"ff00::/8", "multicast (RFC 4291)"},
}

// documentationRanges are the address blocks reserved for documentation
// (IANA special-purpose registries): examples and tests use them.
var documentationRanges = []rangeDef{
	{"192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"},
	{"198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"},
	{"203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"},
	{"2001:db8::/32", "documentation (RFC 3849)"},
	{"3fff::/20", "documentation (RFC 9637)"},
}

type rangeDef struct{ prefix, what string }

// ReservedRanges returns the built-in reserved ranges (Options.NoReserved
// turns them off), in a new slice.
func ReservedRanges() []netip.Prefix { return prefixes(reservedRanges) }

// DocumentationRanges returns the built-in documentation ranges
// (Options.Documentation turns them on), in a new slice.
func DocumentationRanges() []netip.Prefix { return prefixes(documentationRanges) }

func prefixes(defs []rangeDef) []netip.Prefix {
	out := make([]netip.Prefix, len(defs))
	for i, d := range defs {
		out[i] = netip.MustParsePrefix(d.prefix)
	}
	return out
}
