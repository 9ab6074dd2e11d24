package workload

import (
	"fmt"
	"net/netip"

	"github.com/iocmatch/iocmatch/indicator"
)

// LookupKinds are the field-lookup kinds LookupKeys knows.
var LookupKinds = []string{"addr", "domain", "hash", "url"}

// LookupKeys returns up to n field values of the given kind (addr, domain,
// hash or url) for lookups in a matcher of inds: values that hit (taken
// from inds: addresses of ipv4 indicators and inside cidr ones, names two
// levels below a domain indicator so that the parent walk runs, sha256
// and md5 digests, urls) or that miss (documentation addresses, names
// under example.com, digests and urls not in any generated set). Hit keys
// can be fewer than n when inds holds few of the kind.
func LookupKeys(kind string, inds []indicator.Indicator, hit bool, n int) []string {
	keys := make([]string, 0, n)
	add := func(s string) {
		if len(keys) < n {
			keys = append(keys, s)
		}
	}
	if !hit {
		for i := 0; i < n; i++ {
			switch kind {
			case "addr":
				add(fmt.Sprintf("192.0.2.%d", i%256))
			case "domain":
				add(fmt.Sprintf("host%d.cdn.static.example.com", i))
			case "hash":
				if i%4 == 3 {
					add(fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15))
				} else {
					add(fmt.Sprintf("%064x", uint64(i)*0x9e3779b97f4a7c15))
				}
			case "url":
				add(fmt.Sprintf("https://www.example.com/static/js/app.%d.js?v=1", i))
			default:
				panic("workload: unknown lookup kind " + kind)
			}
		}
		return keys
	}
	if len(inds) == 0 {
		return keys
	}
	for i := 0; len(keys) < n && i < 64*n+len(inds); i++ {
		ind := inds[(i*7919)%len(inds)]
		switch kind {
		case "addr":
			switch ind.Type {
			case indicator.IPv4, indicator.IPv6:
				add(ind.Value)
			case indicator.CIDR:
				p := netip.MustParsePrefix(ind.Value)
				if p.Addr().Is4() {
					a := p.Addr().As4()
					if p.Bits() <= 24 {
						a[3] = byte(i)
					}
					add(netip.AddrFrom4(a).String())
				}
			}
		case "domain":
			if ind.Type == indicator.Domain {
				add("www.cdn." + ind.Value)
			}
		case "hash":
			if ind.Type == indicator.SHA256 || ind.Type == indicator.MD5 {
				add(ind.Value)
			}
		case "url":
			if ind.Type == indicator.URL {
				add(ind.Value)
			}
		default:
			panic("workload: unknown lookup kind " + kind)
		}
	}
	return keys
}
