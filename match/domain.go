package match

import (
	"strings"
	"time"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// domainTable is a hash set of canonical domain names. A candidate token
// is looked up as itself and as each suffix after a dot, but only after a
// filter of the last labels ("com", "ru" …) of all indicators has accepted
// the token's last label, which rejects most tokens of a log line.
//
// The set is an open-addressing table (linear probing, at most half full)
// of 8-byte slots: a 32-bit fingerprint of the name's hash, a flag and the
// entry's ID. The hash of a token and of all its suffixes comes from one
// pass from the right (see suffixP). The table also holds every parent of
// an indicator with at least two labels ("corp.example" for
// "vpn.corp.example") as a marker without an entry, and the flag of a name
// says that some indicator is below it. Suffixes are looked up from the
// shortest ("corp.example") to the token itself, and the walk stops at the
// first one that is neither an entry nor a marker, or has nothing below
// it: most tokens cost one slot read, a hit one comparison with the
// entry's value.
type domainTable struct {
	m       *Matcher // the entries' values, for the comparison
	pending []ID     // the entries, until build
	slots   []uint64 // fingerprint<<32 | below<<31 | (ID+1 or marker); 0: empty
	smask   uint64
	seed    uint64

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

// nameHash is the hash of a name (lower case), from its last byte to its
// first: h = h*suffixP + byte+1, so that one pass gives the hash of every
// suffix.
func nameHash(name string) uint64 {
	h := uint64(0)
	for i := len(name) - 1; i >= 0; i-- {
		h = h*suffixP + uint64(name[i]) + 1
	}
	return h
}

// build fills the table, once every name is added: the entries, then the
// parents as markers or flags.
func (d *domainTable) build(m *Matcher) {
	if len(d.pending) == 0 {
		return
	}
	names := 0
	for _, id := range d.pending {
		names += strings.Count(m.value(id), ".")
	}
	n := uint64(16)
	for n < 2*uint64(names) {
		n *= 2
	}
	d.m, d.slots, d.smask, d.seed = m, make([]uint64, n), n-1, uint64(time.Now().UnixNano())|1
	for _, id := range d.pending {
		x := d.mix(nameHash(m.value(id)))
		for i := x & d.smask; ; i = (i + 1) & d.smask {
			if d.slots[i] == 0 {
				d.slots[i] = x&^0xffffffff | (uint64(id) + 1)
				break
			}
		}
	}
	for _, id := range d.pending {
		// every parent with two labels or more
		for rest := m.value(id); ; {
			_, rest, _ = strings.Cut(rest, ".")
			if !strings.Contains(rest, ".") {
				break
			}
			d.markBelow(rest)
		}
	}
	d.pending = nil
}

// markBelow records that an indicator is below the name: it sets the flag
// of its entry, or of a marker already there (its own, or another name's
// with the same fingerprint, which then stands for both: a marker only
// makes a walk go on), or adds a marker.
func (d *domainTable) markBelow(name string) {
	x := d.mix(nameHash(name))
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

// eachSuffix is each for names with many labels, from the name to its
// shortest parent, hashing each suffix on its own.
func (d *domainTable) eachSuffix(tok []byte, last int, fn func(ID)) {
	if len(tok) <= d.maxLen {
		if id, ok, _ := d.lookupHashed(tok, nameHash(string(tok))); ok {
			fn(id)
		}
	}
	for i := 0; i < last-1; i++ {
		if tok[i] != '.' || len(tok)-i-1 > d.maxLen {
			continue
		}
		if id, ok, _ := d.lookupHashed(tok[i+1:], nameHash(string(tok[i+1:]))); ok {
			fn(id)
		}
	}
}

// suffixP is the multiplier of nameHash.
const suffixP = 0x100000001b3

// mix scrambles a name hash with the table's seed.
func (d *domainTable) mix(h uint64) uint64 {
	h ^= d.seed
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// lookupHashed returns the entry of the name s (lower case), whose
// nameHash is h, and whether some indicator is below s (or may be: a
// marker of a name with the same fingerprint also says so). It does not
// allocate.
func (d *domainTable) lookupHashed(s []byte, h uint64) (id ID, ok, below bool) {
	x := d.mix(h)
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
	// The hashes of tok and of each suffix after a dot, in one pass from
	// the right; then the lookups, shortest suffix first, as long as
	// something is below the last one; the entries found are reported
	// longest name first. A name with more suffixes than the arrays hold
	// (rare) is looked up suffix by suffix.
	var at [16]int32
	var hs [16]uint64
	n := 0
	h := uint64(0)
	for i := len(tok) - 1; i >= 0; i-- {
		if tok[i] == '.' && i < last-1 && len(tok)-i-1 <= d.maxLen {
			if n == len(at) {
				d.eachSuffix(tok, last, fn)
				return
			}
			at[n], hs[n] = int32(i+1), h
			n++
		}
		h = h*suffixP + uint64(tok[i]) + 1
	}
	var found [len(at) + 1]ID
	nf := 0
	below := true
	for k := 0; k < n && below; k++ {
		var id ID
		var ok bool
		if id, ok, below = d.lookupHashed(tok[at[k]:], hs[k]); ok {
			found[nf] = id
			nf++
		}
	}
	if below && len(tok) <= d.maxLen {
		if id, ok, _ := d.lookupHashed(tok, h); ok {
			found[nf] = id
			nf++
		}
	}
	for k := nf - 1; k >= 0; k-- {
		fn(found[k])
	}
}
