package match

import (
	"bytes"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// isPublicSuffix reports whether name (a canonical domain: lower case,
// punycode, two labels or more) is a public suffix, a rule of the Public
// Suffix List's ICANN or private section ("co.uk", "duckdns.org", or
// "x.ck" under the wildcard "*.ck"; not "www.ck", an exception). The
// list's default rule for a top-level domain it does not know ("*": the
// last label is a suffix) never makes such a name one, since it gives a
// single label: "corp.internal" is not a public suffix, and no single
// label is a domain indicator (New needs two labels), so that question
// does not arise.
func isPublicSuffix(name string) bool {
	ps, _ := publicsuffix.PublicSuffix(name)
	return ps == name
}

// domainTable is a hash set of canonical domain names. A candidate token
// is looked up as itself and as each suffix after a dot, but only after a
// filter of the last labels ("com", "ru" …) of all indicators has accepted
// the token's last label, which rejects most tokens of a log line.
//
// The set is an open-addressing table (linear probing, at most half full)
// of 8-byte slots: a 32-bit fingerprint of the name's hash, a flag and the
// entry's ID. The hash of a name is keyed with the table's random seed
// over all its bytes, and the hashes of a token's suffixes come from one
// pass from the right, each label hashed once (see suffixHash), so that
// neither a crafted feed nor a crafted log line can pile names into one
// probe chain, and a token costs time linear in its length whatever its
// labels. The table also holds the parents of an indicator that have two
// to markDepth labels ("corp.example" for "vpn.corp.example") as markers
// without an entry, and the flag of a name says that some indicator is
// below it. Suffixes are looked up from the shortest ("corp.example") to
// the token itself, and the walk stops at the first one that is neither
// an entry nor a marker, or has nothing below it: most tokens cost one
// slot read, a hit one comparison with the entry's value. Below a name of
// markDepth labels with the flag there are no markers: the walk looks up
// every longer suffix, so that an indicator costs at most markDepth slots
// whatever its number of labels. An entry that is a public suffix has
// fExact in its entryRec (not in the slot: the hit's comparison reads the
// entryRec anyway) and is reported for the whole token only; it is still a
// parent for the walk, so names below it are found.
type domainTable struct {
	m       *Matcher // the entries' values, for the comparison
	pending []ID     // the entries, until build
	slots   []uint64 // fingerprint<<32 | below<<31 | (ID+1 or marker); 0: empty
	smask   uint64

	// The keys of the hash, random per table (see suffixHash).
	seed   maphash.Seed
	k1, k2 uint64

	maxLen int
	maxTLD int // longest last label

	// tldBits has bit tldHash(l) set for every last label l: most labels
	// of a log line ("js", "html", "1") are rejected by it alone.
	tldBits *[1 << 10]uint64
}

// The low 32 bits of a slot: slotBelow says some indicator is below the
// name; the low 31 bits are the entry's ID+1, or slotMarker for a parent
// that is no entry (Compile keeps IDs below 2^31-2, so ID+1 < slotMarker).
const (
	slotBelow  = 1 << 31
	slotMarker = 1<<31 - 1
)

// markDepth is the most labels of a parent that gets a marker: a deeper
// indicator sets the flag of its parent of markDepth labels, below which
// lookups go on without markers. Deeper names are rare in feeds and logs;
// it bounds the slots an indicator takes, and so compile time and memory.
const markDepth = 8

// labelHash is the keyed hash of one label, over all its bytes.
func (d *domainTable) labelHash(label []byte) uint64 {
	return maphash.Bytes(d.seed, label)
}

// suffixHash is the hash of the name label.parent from the hash l of its
// first label and h of its parent: a keyed mixer of the two (the 128-bit
// product of both with their keys, folded), so that the hash of every
// suffix of a name comes from one pass from the right. The hash of a name
// of one label is its labelHash.
func (d *domainTable) suffixHash(l, parent uint64) uint64 {
	hi, lo := bits.Mul64(l^d.k1, parent^d.k2)
	return hi ^ lo
}

// build fills the table, once every name is added: the entries, then the
// parents as markers or flags. The keys of the hash are new random ones.
func (d *domainTable) build(m *Matcher) {
	if len(d.pending) == 0 {
		return
	}
	names := 0
	for _, id := range d.pending {
		names += min(strings.Count(m.value(id), "."), markDepth)
	}
	n := uint64(16)
	for n < 2*uint64(names) {
		n *= 2
	}
	d.m, d.slots, d.smask = m, make([]uint64, n), n-1
	d.seed, d.k1, d.k2 = maphash.MakeSeed(), rand.Uint64(), rand.Uint64()
	var ps suffixes
	for _, id := range d.pending {
		x := d.parents(m.value(id), &ps, true)
		for i := x & d.smask; ; i = (i + 1) & d.smask {
			if d.slots[i] == 0 {
				d.slots[i] = x&^0xffffffff | (uint64(id) + 1)
				break
			}
		}
	}
	for _, id := range d.pending {
		// every parent with two to markDepth labels
		v := m.value(id)
		d.parents(v, &ps, false)
		for j := 2; j < ps.n; j++ {
			d.markBelow(v[ps.at[j]:], ps.h[j])
		}
	}
	d.pending = nil
}

// suffixes are the parents of a name with up to markDepth labels: the
// one of j labels is name[at[j]:], its hash h[j], for 1 <= j < n.
type suffixes struct {
	at [markDepth + 1]int
	h  [markDepth + 1]uint64
	n  int
}

// parents sets ps to the parents of name (lower case), in one pass from
// the right, each label hashed once, and returns the hash of name; with
// full false it stops after the parent of markDepth labels (and returns
// 0), so that the labels beyond are not hashed.
func (d *domainTable) parents(name string, ps *suffixes, full bool) uint64 {
	b := bytesOf(name)
	end := len(b)
	ps.n = 1
	var h uint64
	for depth := 1; ; depth++ {
		i := bytes.LastIndexByte(b[:end], '.')
		l := d.labelHash(b[i+1 : end])
		if depth == 1 {
			h = l
		} else {
			h = d.suffixHash(l, h)
		}
		if i < 0 {
			return h
		}
		if depth <= markDepth {
			ps.at[depth], ps.h[depth], ps.n = i+1, h, depth+1
		} else if !full {
			return 0
		}
		end = i
	}
}

// markBelow records that an indicator is below the name, whose hash is x:
// it sets the flag of its entry, or of a marker already there (its own,
// or another name's with the same fingerprint, which then stands for
// both: a marker only makes a walk go on), or adds a marker.
func (d *domainTable) markBelow(name string, x uint64) {
	fp := x >> 32
	for i := x & d.smask; ; i = (i + 1) & d.smask {
		v := d.slots[i]
		if v == 0 {
			d.slots[i] = x&^0xffffffff | slotBelow | slotMarker
			return
		}
		if v>>32 != fp {
			continue
		}
		if low := uint32(v) &^ slotBelow; low == slotMarker || d.m.value(ID(low-1)) == name {
			d.slots[i] |= slotBelow
			return
		}
	}
}

// lookupHashed returns the entry of the name s (lower case), whose hash
// is x, and whether some indicator is below s (or may be: a marker of a
// name with the same fingerprint also says so). It does not allocate.
func (d *domainTable) lookupHashed(s []byte, x uint64) (id ID, ok, below bool) {
	fp := x >> 32
	for i := x & d.smask; ; i = (i + 1) & d.smask {
		v := d.slots[i]
		if v == 0 {
			return 0, false, below
		}
		if v>>32 != fp {
			continue
		}
		low := uint32(v) &^ slotBelow
		if low == slotMarker {
			below = true
			continue
		}
		if id := ID(low - 1); d.m.value(id) == string(s) {
			return id, true, uint32(v)&slotBelow != 0
		}
	}
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

// hasTLD reports whether some indicator's last label may be label (any
// case): a filter, with false positives (a 16-bit hash), which the
// lookups of the names then settle. It does not allocate.
func (d *domainTable) hasTLD(label []byte) bool {
	if len(label) > d.maxTLD {
		return false
	}
	x := tldHash(label)
	return d.tldBits[x>>6]&(1<<(x&63)) != 0
}

func (d *domainTable) add(id ID, name string) {
	d.pending = append(d.pending, id)
	tld := name[strings.LastIndexByte(name, '.')+1:]
	if d.tldBits == nil {
		d.tldBits = new([1 << 10]uint64)
	}
	x := tldHash([]byte(tld))
	d.tldBits[x>>6] |= 1 << (x & 63)
	d.maxTLD = max(d.maxTLD, len(tld))
	d.maxLen = max(d.maxLen, len(name))
}

func (d *domainTable) empty() bool { return d.slots == nil }

// each calls fn with the id of every domain entry that tok (lower case,
// at most maxLen+1 bytes: the tail of a longer token) equals or is a
// subdomain of, the shortest first; an exact-only entry (fExact, a public
// suffix) only when tok equals it. It does not allocate, and takes time
// linear in len(tok): each label is hashed once, from the right, and
// each suffix up to the longest entry looked up once at most.
func (d *domainTable) each(tok []byte, fn func(ID)) {
	last := bytes.LastIndexByte(tok, '.') + 1
	if last == 0 {
		return // one label: no indicator is that short
	}
	if !d.hasTLD(tok[last:]) {
		return
	}
	// The suffixes, shortest first, as long as something is below the
	// last one (or, past markDepth labels, up to the longest entry).
	h := d.labelHash(tok[last:])
	end := last - 1 // the dot before the suffix done
	for depth := 2; ; depth++ {
		i := bytes.LastIndexByte(tok[:end], '.')
		if len(tok)-i-1 > d.maxLen {
			return
		}
		h = d.suffixHash(d.labelHash(tok[i+1:end]), h)
		id, ok, below := d.lookupHashed(tok[i+1:], h)
		// an exact-only entry (a public suffix) matches tok itself only;
		// when i < 0 the suffix is the whole of tok, and tok the whole
		// token (a tail cut from a longer one has more than maxLen bytes,
		// so the walk has stopped above)
		if ok && (i < 0 || d.m.ents[id].flags&fExact == 0) {
			fn(id)
		}
		if i < 0 || !below && depth <= markDepth {
			return
		}
		end = i
	}
}
