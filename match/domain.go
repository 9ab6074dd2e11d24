package match

import (
	"hash/maphash"
	"strings"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// domainTable is a hash set of canonical domain names. A candidate token
// is looked up as itself and as each suffix after a dot, but only after a
// set of the last labels ("com", "ru" …) of all indicators has accepted
// the token's last label, which rejects most tokens of a log line.
//
// In front of the set, a one-hash Bloom filter of the names (8 bits per
// name, small enough to stay in cache) rejects most suffixes that are no
// entry without touching the set; the set decides.
type domainTable struct {
	names  map[string]ID
	tlds   map[string]struct{}
	maxLen int
	maxTLD int // longest last label

	// tldBits has bit tldHash(l) set for every last label l: most labels
	// of a log line ("js", "html", "1") are rejected by it alone.
	tldBits *[1 << 10]uint64

	filter []uint64
	fmask  uint64
	seed   maphash.Seed
}

// build sets up the filter, once every name is added.
func (d *domainTable) build() {
	if d.empty() {
		return
	}
	n := uint64(64)
	for n < 8*uint64(len(d.names)) {
		n *= 2
	}
	d.filter, d.fmask, d.seed = make([]uint64, n/64), n-1, maphash.MakeSeed()
	for name := range d.names {
		x := maphash.String(d.seed, name) & d.fmask
		d.filter[x>>6] |= 1 << (x & 63)
	}
}

// lookup returns the entry of the name s (lower case). It does not
// allocate.
func (d *domainTable) lookup(s []byte) (ID, bool) {
	x := maphash.Bytes(d.seed, s) & d.fmask
	if d.filter[x>>6]&(1<<(x&63)) == 0 {
		return 0, false
	}
	id, ok := d.names[string(s)]
	return id, ok
}

// tldHash is a 16-bit hash of label lower-cased (FNV-1a).
func tldHash(label []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range label {
		h ^= uint32(canon.LowerTable[c])
		h *= 16777619
	}
	return (h ^ h>>16) & 0xffff
}

// hasTLD reports whether some indicator's last label is label, in any
// case. It does not allocate.
func (d *domainTable) hasTLD(label []byte) bool {
	if len(label) > d.maxTLD {
		return false
	}
	if x := tldHash(label); d.tldBits[x>>6]&(1<<(x&63)) == 0 {
		return false
	}
	var buf [canon.MaxDomainLen]byte
	_, ok := d.tlds[string(canon.AppendLower(buf[:0], label))]
	return ok
}

func (d *domainTable) add(id ID, name string) {
	if d.names == nil {
		d.names = make(map[string]ID)
		d.tlds = make(map[string]struct{})
	}
	d.names[name] = id
	tld := name[strings.LastIndexByte(name, '.')+1:]
	d.tlds[tld] = struct{}{}
	if d.tldBits == nil {
		d.tldBits = new([1 << 10]uint64)
	}
	x := tldHash([]byte(tld))
	d.tldBits[x>>6] |= 1 << (x & 63)
	d.maxTLD = max(d.maxTLD, len(tld))
	d.maxLen = max(d.maxLen, len(name))
}

func (d *domainTable) empty() bool { return d.names == nil }

// each calls fn with the id of every domain entry that tok (lower case,
// at most maxDomainScan bytes: the tail of a longer token) equals or is a
// subdomain of. It does not allocate.
func (d *domainTable) each(tok []byte, fn func(ID)) {
	last := len(tok)
	for last > 0 && tok[last-1] != '.' {
		last--
	}
	if last == 0 {
		return // one label: no indicator is that short
	}
	if !d.hasTLD(tok[last:]) {
		return
	}
	if len(tok) <= d.maxLen {
		if id, ok := d.lookup(tok); ok {
			fn(id)
		}
	}
	for i := 0; i < last-1; i++ {
		if tok[i] != '.' {
			continue
		}
		s := tok[i+1:]
		if len(s) > d.maxLen {
			continue
		}
		if id, ok := d.lookup(s); ok {
			fn(id)
		}
	}
}
