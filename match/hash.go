package match

import (
	"encoding/hex"

	"github.com/bits-and-blooms/bloom/v3"
)

// hashTable holds hash entries as raw bytes, one exact map per digest
// size, behind a Bloom filter of all digests: a line full of hex that is
// in no feed costs one filter test per candidate. A filter hit alone is
// never reported: the exact map decides.
type hashTable struct {
	filter *bloom.BloomFilter
	md5    map[[16]byte]ID
	sha1   map[[20]byte]ID
	sha256 map[[32]byte]ID
	sha512 map[[64]byte]ID
	n      int
}

func (h *hashTable) add(id ID, value string) {
	var buf [64]byte
	n, err := hex.Decode(buf[:], []byte(value))
	if err != nil {
		panic("match: canonical hash is not hex: " + value)
	}
	switch n {
	case 16:
		if h.md5 == nil {
			h.md5 = make(map[[16]byte]ID)
		}
		h.md5[[16]byte(buf[:16])] = id
	case 20:
		if h.sha1 == nil {
			h.sha1 = make(map[[20]byte]ID)
		}
		h.sha1[[20]byte(buf[:20])] = id
	case 32:
		if h.sha256 == nil {
			h.sha256 = make(map[[32]byte]ID)
		}
		h.sha256[[32]byte(buf[:32])] = id
	case 64:
		if h.sha512 == nil {
			h.sha512 = make(map[[64]byte]ID)
		}
		h.sha512[[64]byte(buf[:64])] = id
	}
	h.n++
}

func (h *hashTable) build() {
	if h.n == 0 {
		return
	}
	h.filter = bloom.NewWithEstimates(uint(h.n), 0.01)
	for k := range h.md5 {
		h.filter.Add(k[:])
	}
	for k := range h.sha1 {
		h.filter.Add(k[:])
	}
	for k := range h.sha256 {
		h.filter.Add(k[:])
	}
	for k := range h.sha512 {
		h.filter.Add(k[:])
	}
}

func hexNibble(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// lookup returns the entry of the hex digest h (32, 40, 64 or 128 hex
// digits, either case). It does not allocate.
func (h *hashTable) lookup(x []byte) (ID, bool) {
	if h.filter == nil {
		return 0, false
	}
	var buf [64]byte
	n := len(x) / 2
	if n > len(buf) {
		return 0, false
	}
	for i := 0; i < n; i++ {
		buf[i] = hexNibble(x[2*i])<<4 | hexNibble(x[2*i+1])
	}
	if !h.filter.Test(buf[:n]) {
		return 0, false
	}
	var id ID
	var ok bool
	switch n {
	case 16:
		id, ok = h.md5[[16]byte(buf[:16])]
	case 20:
		id, ok = h.sha1[[20]byte(buf[:20])]
	case 32:
		id, ok = h.sha256[[32]byte(buf[:32])]
	case 64:
		id, ok = h.sha512[[64]byte(buf[:64])]
	}
	return id, ok
}
