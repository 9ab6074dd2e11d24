package match

import (
	"fmt"
	"math/bits"
	"net/netip"
	"slices"
	"strings"
	"unsafe"

	"github.com/iocmatch/iocmatch/indicator"
	"github.com/iocmatch/iocmatch/internal/canon"
)

// bytesOf returns the bytes of s without copying. The result must only be
// read.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// field runs one lookup for the Append… methods: it collects ids of valid
// entries.
type field struct {
	m   *Matcher
	dst []ID
	now int64
}

func (f *field) add(id ID) {
	if f.m.validAt(id, &f.now) {
		f.dst = append(f.dst, id)
	}
}

// AppendAddr appends the IDs of the entries that match the address a: its
// ipv4 or ipv6 entry and every cidr entry that contains it. An IPv4-mapped
// IPv6 address is taken as IPv4 and a zone is ignored. The IDs come from
// the most specific prefix to the least. It does not allocate when nothing
// matches or dst has room.
func (m *Matcher) AppendAddr(dst []ID, a netip.Addr) []ID {
	f := field{m: m, dst: dst}
	id, ok, cidrs := m.addrs.find(fieldAddr(a))
	if ok {
		f.add(id)
	}
	for _, id := range cidrs {
		f.add(id)
	}
	return f.dst
}

// fieldAddr returns a as the address lookups take it: unmapped, no zone.
func fieldAddr(a netip.Addr) netip.Addr {
	if a = a.Unmap(); a.Zone() != "" {
		a = a.WithZone("")
	}
	return a
}

// AppendDomain appends the IDs of the domain entries that name (any case,
// trailing dot allowed) equals or is a subdomain of, from the name itself
// to its shortest parent; an entry that is a public suffix (ExactOnly) only
// when name equals it. It does not allocate when nothing matches or dst
// has room.
func (m *Matcher) AppendDomain(dst []ID, name string) []ID {
	f := field{m: m, dst: dst}
	name = strings.TrimSuffix(name, ".")
	if m.domains.empty() || len(name) == 0 {
		return dst
	}
	from := max(0, len(name)-m.domains.maxLen-1)
	var buf [canon.MaxDomainLen + 1]byte
	tok := canon.AppendLower(buf[:0], bytesOf(name[from:]))
	m.domains.each(tok, f.add)
	slices.Reverse(f.dst[len(dst):]) // each gives the shortest first
	return f.dst
}

// AppendURL appends the IDs of the url entries that match u, a URL with or
// without scheme, compared like URLs in free text (scheme ignored; an
// entry without query matches any query). It does not allocate when
// nothing matches or dst has room.
func (m *Matcher) AppendURL(dst []ID, u string) []ID {
	if m.urls.empty() {
		return dst
	}
	p, ok := canon.SplitURL(bytesOf(u))
	if !ok {
		return dst
	}
	f := field{m: m, dst: dst}
	var buf [512]byte
	key := canon.AppendURLKey(buf[:0], p)
	m.urls.each(m.urls.noQuery, key, f.add)
	if p.HasQuery && len(p.Query) > 0 {
		key = append(key, '?')
		key = append(key, p.Query...)
		m.urls.each(m.urls.withQuery, key, f.add)
	}
	return f.dst
}

// AppendHash appends the ID of the hash entry with hex digest h (32, 40, 64
// or 128 hex digits, any case). It does not allocate when nothing matches
// or dst has room.
func (m *Matcher) AppendHash(dst []ID, h string) []ID {
	f := field{m: m, dst: dst}
	if id, ok := m.hashes.lookup(bytesOf(h)); ok {
		f.add(id)
	}
	return f.dst
}

// AppendEmail appends the ID of the email entry equal to addr (any case).
// It does not allocate when nothing matches or dst has room.
func (m *Matcher) AppendEmail(dst []ID, addr string) []ID {
	if m.emails == nil || len(addr) > 320 {
		return dst
	}
	var buf [320]byte
	key := canon.AppendLower(buf[:0], bytesOf(addr))
	f := field{m: m, dst: dst}
	if id, ok := m.emails[string(key)]; ok {
		f.add(id)
	}
	return f.dst
}

// AppendString appends the IDs of the entries of string kind t found in
// value under that kind's free-text rule (a filename entry "evil.exe"
// matches the value `C:\Temp\evil.exe`; a regkey entry matches a value
// that holds the key or one of its subkeys). Each ID is appended once, in
// order of first occurrence. It does not allocate when nothing matches or
// dst has room, unless more than 64 entries match (it then keeps a table
// of the IDs found). Its work is linear in the occurrences of the kinds'
// entries in value: each is checked against the IDs found in constant
// time.
func (m *Matcher) AppendString(dst []ID, t indicator.Type, value string) []ID {
	return m.appendString(dst, t, value, nil)
}

// appendString is AppendString; when work is not nil, it adds to *work
// the steps the removal of repeated IDs took (for tests).
func (m *Matcher) appendString(dst []ID, t indicator.Type, value string, work *int) []ID {
	if m.strs.empty() || !t.IsString() {
		return dst
	}
	f := field{m: m, dst: dst}
	var seen idSet
	text := bytesOf(value)
	m.strs.ac.ScanGated(text, strGate, func(p, end int) bool {
		sp := m.strs.pats[p]
		if sp.t != t || !stringBoundary(text, t, end-m.strs.ac.PatternLen(p), end) {
			return true
		}
		if seen.add(sp.id, work) {
			f.add(sp.id)
		}
		return true
	})
	return f.dst
}

// idSet is a set of IDs for AppendString: an open-addressing hash table,
// in the struct (on the stack) up to idSetSmall/2 IDs, then on the heap,
// doubled whenever it is half full.
type idSet struct {
	small [idSetSmall]uint32 // ID+1 per slot, 0: empty
	big   []uint32           // the table once grown, nil before
	n     int
}

const idSetSmall = 128

// add adds id and reports whether it was not in the set; *work (when not
// nil) counts the slots looked at.
func (s *idSet) add(id ID, work *int) bool {
	tab := s.big
	if tab == nil {
		tab = s.small[:]
	}
	if !idInsert(tab, uint32(id)+1, work) {
		return false
	}
	s.n++
	if 2*s.n > len(tab) {
		bigger := make([]uint32, 2*len(tab))
		for _, x := range tab {
			if x != 0 {
				idInsert(bigger, x, nil)
			}
		}
		s.big = bigger
	}
	return true
}

// idInsert inserts x (not 0) in the table tab (a power of two long, less
// than full) and reports whether it was not there.
func idInsert(tab []uint32, x uint32, work *int) bool {
	mask := uint64(len(tab) - 1)
	// Fibonacci hashing: the top bits of the product, as many as the
	// table's size needs.
	for i := uint64(x) * 0x9E3779B97F4A7C15 >> (64 - bits.Len64(mask)); ; i = (i + 1) & mask {
		if work != nil {
			*work++
		}
		switch tab[i] {
		case x:
			return false
		case 0:
			tab[i] = x
			return true
		}
	}
}

// Append dispatches on t to AppendAddr (ipv4, ipv6, cidr: value is an
// address; a prefix is looked up by its first address), AppendDomain,
// AppendURL, AppendEmail, AppendHash or AppendString. A value that does not
// parse as its type matches nothing.
func (m *Matcher) Append(dst []ID, t indicator.Type, value string) []ID {
	switch {
	case t.IsAddress():
		a, err := netip.ParseAddr(value)
		if err != nil {
			p, err := netip.ParsePrefix(value)
			if err != nil {
				return dst
			}
			a = p.Masked().Addr()
		}
		return m.AppendAddr(dst, a)
	case t == indicator.Domain:
		return m.AppendDomain(dst, value)
	case t == indicator.URL:
		return m.AppendURL(dst, value)
	case t == indicator.Email:
		return m.AppendEmail(dst, value)
	case t.IsHash():
		if len(value) != t.HashLen() {
			return dst
		}
		return m.AppendHash(dst, value)
	case t.IsString():
		return m.AppendString(dst, t, value)
	}
	return dst
}

// Lookup is Append with a new slice: nil when nothing matches.
func (m *Matcher) Lookup(t indicator.Type, value string) []ID {
	return m.Append(nil, t, value)
}

// LookupAddr is AppendAddr with a new slice.
func (m *Matcher) LookupAddr(a netip.Addr) []ID { return m.AppendAddr(nil, a) }

// LookupDomain is AppendDomain with a new slice.
func (m *Matcher) LookupDomain(name string) []ID { return m.AppendDomain(nil, name) }

// LookupURL is AppendURL with a new slice.
func (m *Matcher) LookupURL(u string) []ID { return m.AppendURL(nil, u) }

// LookupHash is AppendHash with a new slice.
func (m *Matcher) LookupHash(h string) []ID { return m.AppendHash(nil, h) }

// LookupEmail is AppendEmail with a new slice.
func (m *Matcher) LookupEmail(addr string) []ID { return m.AppendEmail(nil, addr) }

// LookupString is AppendString with a new slice.
func (m *Matcher) LookupString(t indicator.Type, value string) []ID {
	return m.AppendString(nil, t, value)
}

// String returns a summary such as "match.Matcher{12 entries: 3 domain, 9 ipv4}".
func (m *Matcher) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "match.Matcher{%d entries", len(m.ents))
	sep := ": "
	for _, t := range indicator.Types() {
		if n := m.counts[t]; n > 0 {
			fmt.Fprintf(&b, "%s%d %s", sep, n, t)
			sep = ", "
		}
	}
	b.WriteString("}")
	return b.String()
}
