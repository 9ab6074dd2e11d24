package match

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// hashTable holds hash entries as raw digests, one open-addressing set per
// digest size. A slot holds the digest itself and the entry's ID, so that
// a lookup, hit or miss, usually reads one slot: one cache line.
type hashTable struct {
	sets    [4]hashSet // md5, sha1, sha256, sha512
	pending [4][]pendingHash
	n       int
}

type pendingHash struct {
	key []byte
	id  ID
}

// hashSet is an open-addressing (linear probing) set of digests of one
// size, at most half full. Slot i is slots[i*stride:(i+1)*stride]: the
// digest, then the ID plus one, little-endian (0: the slot is empty).
type hashSet struct {
	l, stride int
	slots     []byte
	mask      uint64
	seed      uint64
}

// hashKey is the slot hash of a digest: every 8-byte word of it (the last
// one overlapping for a 20-byte SHA-1) folded in with the set's seed. All
// bytes count, so a feed of crafted digests that share some bytes cannot
// pile them into one probe chain.
func (s *hashSet) hashKey(key []byte) uint64 {
	h := s.seed
	i := 0
	for ; i+8 <= len(key); i += 8 {
		h = (h ^ binary.LittleEndian.Uint64(key[i:])) * 0x9e3779b97f4a7c15
		h ^= h >> 32
	}
	if i < len(key) {
		h = (h ^ binary.LittleEndian.Uint64(key[len(key)-8:])) * 0x9e3779b97f4a7c15
	}
	h *= 0xff51afd7ed558ccd
	return h ^ h>>29
}

// sizeIndex returns the index in hashTable.sets of digests of n bytes.
func sizeIndex(n int) int {
	switch n {
	case 16:
		return 0
	case 20:
		return 1
	case 32:
		return 2
	case 64:
		return 3
	}
	return -1
}

func (h *hashTable) add(id ID, value string) {
	key, err := hex.DecodeString(value)
	i := sizeIndex(len(key))
	if err != nil || i < 0 {
		panic("match: canonical hash is not a digest: " + value)
	}
	h.pending[i] = append(h.pending[i], pendingHash{key, id})
	h.n++
}

func (h *hashTable) build() {
	seed := uint64(time.Now().UnixNano())
	for i, p := range h.pending {
		if len(p) == 0 {
			continue
		}
		s := &h.sets[i]
		s.l = len(p[0].key)
		s.stride = s.l + 4
		n := uint64(16)
		for n < 2*uint64(len(p)) {
			n *= 2
		}
		s.slots, s.mask, s.seed = make([]byte, n*uint64(s.stride)), n-1, seed
		for _, ph := range p {
			s.insert(ph.key, ph.id)
		}
		h.pending[i] = nil
	}
}

func (s *hashSet) insert(key []byte, id ID) {
	for i := s.hashKey(key) & s.mask; ; i = (i + 1) & s.mask {
		slot := s.slots[i*uint64(s.stride):][:s.stride]
		if binary.LittleEndian.Uint32(slot[s.l:]) == 0 {
			copy(slot, key)
			binary.LittleEndian.PutUint32(slot[s.l:], uint32(id)+1)
			return
		}
	}
}

// find returns the ID of digest key. It does not allocate.
func (s *hashSet) find(key []byte) (ID, bool) {
	if s.slots == nil {
		return 0, false
	}
	return s.findFrom(key, s.hashKey(key)&s.mask)
}

// findFrom is find from slot i, the first slot of key (s has slots).
func (s *hashSet) findFrom(key []byte, i uint64) (ID, bool) {
	for ; ; i = (i + 1) & s.mask {
		slot := s.slots[i*uint64(s.stride):][:s.stride]
		v := binary.LittleEndian.Uint32(slot[s.l:])
		if v == 0 {
			return 0, false
		}
		if bytes.Equal(slot[:s.l], key) {
			return ID(v - 1), true
		}
	}
}

// nibble is the value of each hex digit (either case); other bytes are
// 0x10.
// A table, not comparisons: the digits of a digest are random, and
// branches on them mispredict half the time.
var nibble = func() (t [256]byte) {
	for i := range t {
		t[i] = 0x10
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
		t[c-'a'+'A'] = c - 'a' + 10
	}
	return t
}()

func hexNibble(c byte) byte { return nibble[c] }

// lookup returns the entry of the hex digest x (32, 40, 64 or 128 hex
// digits, either case). It does not allocate.
func (h *hashTable) lookup(x []byte) (ID, bool) {
	var buf [64]byte
	n := len(x) / 2
	i := sizeIndex(n)
	if i < 0 || len(x) != 2*n || !decodeHex(buf[:n], x) {
		return 0, false
	}
	return h.sets[i].find(buf[:n])
}

// decodeHex decodes the hex digits x (either case; len(x) a multiple of 8)
// into dst (len(x)/2 bytes) and reports whether they were all hex digits.
// It takes 8 digits per step (SWAR), which is about 4 times faster than a
// table lookup per digit.
func decodeHex(dst, x []byte) bool {
	for k := 0; k+8 <= len(x); k += 8 {
		w := binary.LittleEndian.Uint64(x[k:])
		if !allHex(w) {
			return false
		}
		// digits: c&0xf; letters (0x40 set): c&0xf + 9
		v := w&lanes0f + (w>>6&lanes01)*9
		// byte 2j of t holds digit 2j<<4 | digit 2j+1
		t := (v<<4 | v>>8) & 0x00ff00ff00ff00ff
		t = (t | t>>8) & 0x0000ffff0000ffff
		t = t | t>>16
		binary.LittleEndian.PutUint32(dst[k/2:], uint32(t))
	}
	return true
}
