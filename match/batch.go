package match

import (
	"encoding/binary"
	"net/netip"
	"runtime"
	"slices"

	"github.com/iocmatch/iocmatch/internal/canon"
)

// KeyID is one result of a batch lookup (AppendAddrs, AppendHashes,
// AppendDomains): the entry ID matches the key keys[Key] of the batch.
type KeyID struct {
	Key int // index of the key in the batch
	ID  ID
}

// batchKeys is how many keys a batch lookup touches before it looks any
// of them up: enough independent loads in flight to cover a cache miss.
const batchKeys = 16

// batchField collects the valid entries of one key of a batch lookup.
type batchField struct {
	m   *Matcher
	dst []KeyID
	key int
	now int64
}

func (f *batchField) add(id ID) {
	if f.m.validAt(id, &f.now) {
		f.dst = append(f.dst, KeyID{f.key, id})
	}
}

// AppendAddrs appends, for each address of addrs in order, the IDs that
// AppendAddr appends for it (same order), each with the address's index.
//
// It reads the first table slot of up to 16 addresses before it compares
// any: the loads do not depend on one another, so their cache misses
// overlap, where lookups one after the other pay one miss after the other
// (in a table larger than the caches). It does not allocate when nothing
// matches or dst has room.
func (m *Matcher) AppendAddrs(dst []KeyID, addrs []netip.Addr) []KeyID {
	f := batchField{m: m, dst: dst}
	s := &m.addrs.exact4
	for base := 0; base < len(addrs); base += batchKeys {
		chunk := addrs[base:min(base+batchKeys, len(addrs))]
		if s.slots != nil {
			var touched uint64
			for _, a := range chunk {
				if a = a.Unmap(); a.Is4() {
					b4 := a.As4()
					touched |= s.slots[s.slot(binary.BigEndian.Uint32(b4[:]))]
				}
			}
			runtime.KeepAlive(touched)
		}
		for k, a := range chunk {
			f.key = base + k
			id, ok, cidrs := m.addrs.find(fieldAddr(a))
			if ok {
				f.add(id)
			}
			for _, id := range cidrs {
				f.add(id)
			}
		}
	}
	return f.dst
}

// AppendHashes appends, for each hex digest of hashes in order, the ID
// that AppendHash appends for it, with the digest's index. Like
// AppendAddrs it reads the slots of up to 16 digests before it compares
// any. It does not allocate when nothing matches or dst has room.
func (m *Matcher) AppendHashes(dst []KeyID, hashes []string) []KeyID {
	f := batchField{m: m, dst: dst}
	h := &m.hashes
	var keys [batchKeys][64]byte
	var sets [batchKeys]*hashSet
	var first [batchKeys]uint64
	for base := 0; base < len(hashes); base += batchKeys {
		chunk := hashes[base:min(base+batchKeys, len(hashes))]
		var touched byte
		for k, x := range chunk {
			sets[k] = nil
			n := len(x) / 2
			i := sizeIndex(n)
			if i < 0 || len(x) != 2*n || h.sets[i].slots == nil || !decodeHex(keys[k][:n], bytesOf(x)) {
				continue
			}
			s := &h.sets[i]
			sets[k], first[k] = s, s.hashKey(keys[k][:n])&s.mask
			touched |= s.slots[first[k]*uint64(s.stride)]
		}
		runtime.KeepAlive(touched)
		for k, s := range sets[:len(chunk)] {
			if s == nil {
				continue
			}
			if id, ok := s.findFrom(keys[k][:s.l], first[k]); ok {
				f.key = base + k
				f.add(id)
			}
		}
	}
	return f.dst
}

// AppendDomains appends, for each name of names in order, the IDs that
// AppendDomain appends for it (same order), each with the name's index.
// It looks the names up one after the other: a parent walk's reads
// depend on the ones before (whether an indicator is below a parent), and
// reading the first slots ahead, as AppendAddrs does, measured slower
// (the hashing done twice cost more than the overlap saved). It does not
// allocate when nothing matches or dst has room.
func (m *Matcher) AppendDomains(dst []KeyID, names []string) []KeyID {
	f := batchField{m: m, dst: dst}
	d := &m.domains
	if d.empty() {
		return dst
	}
	var buf [canon.MaxDomainLen + 1]byte
	for k, name := range names {
		name = trimDot(name)
		if name == "" {
			continue
		}
		from := max(0, len(name)-d.maxLen-1)
		tok := canon.AppendLower(buf[:0], bytesOf(name[from:]))
		f.key = k
		n0 := len(f.dst)
		d.each(tok, f.add)
		slices.Reverse(f.dst[n0:]) // each gives the shortest first
	}
	return f.dst
}

func trimDot(name string) string {
	if len(name) > 0 && name[len(name)-1] == '.' {
		return name[:len(name)-1]
	}
	return name
}
