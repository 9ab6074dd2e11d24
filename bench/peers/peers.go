package peers

import (
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/cloudflare/ahocorasick"
	"github.com/iocmatch/iocmatch/indicator"
	"github.com/yl2chen/cidranger"
)

// AhoCorasick is a cloudflare/ahocorasick matcher over literal patterns.
// It is not safe for concurrent use (Match keeps state in the trie).
type AhoCorasick struct {
	m *ahocorasick.Matcher
}

// NewAhoCorasick builds the automaton for patterns.
func NewAhoCorasick(patterns []string) *AhoCorasick {
	return &AhoCorasick{m: ahocorasick.NewStringMatcher(patterns)}
}

// Count returns the number of distinct patterns found in line.
func (a *AhoCorasick) Count(line []byte) int { return len(a.m.Match(line)) }

// Contains reports whether any pattern occurs in line.
func (a *AhoCorasick) Contains(line []byte) bool { return a.m.Contains(line) }

// CIDRRanger is a yl2chen/cidranger trie of the address indicators (IPv4
// and IPv6 addresses as full-length prefixes, and CIDRs).
type CIDRRanger struct {
	r cidranger.Ranger
	n int
}

// NewCIDRRanger inserts the address indicators of inds; other types are
// ignored.
func NewCIDRRanger(inds []indicator.Indicator) (*CIDRRanger, error) {
	r := cidranger.NewPCTrieRanger()
	n := 0
	for _, ind := range inds {
		if !ind.Type.IsAddress() {
			continue
		}
		p, err := netip.ParsePrefix(ind.Value)
		if err != nil {
			a, err := netip.ParseAddr(ind.Value)
			if err != nil {
				return nil, err
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		p = p.Masked()
		ipn := net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
		if err := r.Insert(cidranger.NewBasicRangerEntry(ipn)); err != nil {
			return nil, err
		}
		n++
	}
	return &CIDRRanger{r: r, n: n}, nil
}

// Len returns the number of prefixes inserted.
func (c *CIDRRanger) Len() int { return c.n }

// Contains reports whether ip is in any prefix. Pass a 4-byte net.IP for
// IPv4.
func (c *CIDRRanger) Contains(ip net.IP) bool {
	ok, _ := c.r.Contains(ip)
	return ok
}

// Naive is a regexp token extractor followed by map lookups: the matcher a
// first attempt produces. It knows domains (with parent walk), IPv4 and
// IPv6 addresses, CIDRs (one map per prefix length present), URLs (exact,
// with and without scheme) and hashes; it ignores the string kinds.
type Naive struct {
	re      *regexp.Regexp
	addrs   map[netip.Addr]struct{}
	cidrs   map[netip.Prefix]struct{}
	bits    []int // prefix lengths present in cidrs
	domains map[string]struct{}
	urls    map[string]struct{}
	hashes  map[string]struct{}
}

// naiveRE matches, in order of preference: a URL with scheme, a dotted
// quad, a hex digest, a host name.
var naiveRE = `(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>]+|\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b|\b[0-9a-f]{32,128}\b|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]\b`

// NewNaive builds the maps for inds.
func NewNaive(inds []indicator.Indicator) *Naive {
	n := &Naive{
		re:      regexp.MustCompile(naiveRE),
		addrs:   map[netip.Addr]struct{}{},
		cidrs:   map[netip.Prefix]struct{}{},
		domains: map[string]struct{}{},
		urls:    map[string]struct{}{},
		hashes:  map[string]struct{}{},
	}
	for _, ind := range inds {
		v := ind.Value
		switch t := ind.Type; {
		case t == indicator.IPv4 || t == indicator.IPv6:
			if a, err := netip.ParseAddr(v); err == nil {
				n.addrs[a] = struct{}{}
			}
		case t == indicator.CIDR:
			if p, err := netip.ParsePrefix(v); err == nil {
				n.cidrs[p.Masked()] = struct{}{}
				if !slices.Contains(n.bits, p.Bits()) {
					n.bits = append(n.bits, p.Bits())
				}
			}
		case t == indicator.Domain:
			n.domains[strings.ToLower(v)] = struct{}{}
		case t == indicator.URL:
			n.urls[stripScheme(strings.ToLower(v))] = struct{}{}
		case t.IsHash():
			n.hashes[strings.ToLower(v)] = struct{}{}
		}
	}
	return n
}

func stripScheme(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		return u[i+3:]
	}
	return u
}

// Count returns the number of tokens of line that match an indicator.
func (n *Naive) Count(line []byte) int {
	c := 0
	for _, tok := range n.re.FindAll(line, -1) {
		s := strings.ToLower(string(tok))
		switch {
		case strings.Contains(s, "://"):
			u := stripScheme(s)
			if _, ok := n.urls[u]; ok {
				c++
			}
			host := u
			if i := strings.IndexAny(host, "/:?#"); i >= 0 {
				host = host[:i]
			}
			c += n.domain(host)
		case s[0] >= '0' && s[0] <= '9' && strings.Count(s, ".") == 3:
			if a, err := netip.ParseAddr(s); err == nil {
				c += n.addr(a)
				break
			}
			c += n.domain(s)
		case len(s) >= 32 && !strings.Contains(s, "."):
			if _, ok := n.hashes[s]; ok {
				c++
			}
		default:
			c += n.domain(s)
		}
	}
	return c
}

func (n *Naive) addr(a netip.Addr) int {
	c := 0
	if _, ok := n.addrs[a]; ok {
		c++
	}
	for _, b := range n.bits {
		p, _ := a.Prefix(b)
		if _, ok := n.cidrs[p]; ok {
			c++
		}
	}
	return c
}

func (n *Naive) domain(s string) int {
	c := 0
	for {
		if _, ok := n.domains[s]; ok {
			c++
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return c
		}
		s = s[i+1:]
	}
}
