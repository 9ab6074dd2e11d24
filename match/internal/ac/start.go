package ac

import (
	"encoding/binary"
	"math/bits"
)

// The start filter lets Scan skip most of a text without stepping the
// automaton. Bit startHash(w) of Automaton.start is set for the first
// startLen bytes w of every pattern (startLen = min(shortest pattern, 4),
// at least 2), each byte OR-ed with 0x20: a coarser fold than the
// automaton's, so a position where a pattern starts always passes.
//
// At the root, Scan moves on to the next position that passes. Away from
// the root, the automaton's state is the longest suffix of the text read
// that begins some pattern, of length depth; when no position among that
// suffix's last depth ones passes the filter, no pattern can begin there,
// the state is as good as the root, and Scan goes back to skipping. Every
// position is filtered at most once, so a scan stays linear; the state
// carries its depth (Automaton.eBits) so that the check costs no load.

// startBits is log2 of the number of bits of the start filter: 2^20 bits
// (128 KiB, within L2), so that with 10k patterns a text position passes
// by chance about once in 100. A fixed size lets the scan loop go without
// bounds checks (measured: 500 against 430 MB/s on firewall log lines).
const (
	startBits  = 20
	startWords = 1 << startBits / 64
)

// startMaxSet is the most bits of the start filter that may be set for it
// to be used (1/128 of them, which some 15k–20k patterns of distinct
// starts set): past it, positions pass often enough that the plain
// automaton is faster. Measured on JSON events with the generated string
// sets (filter on / off): 10k patterns 247 / 196 MB/s, 20k 183 / 179,
// 30k 153 / 173, 50k 132 / 160, 100k 97 / 124.
const startMaxSet = startWords * 64 / 128

// startHash maps a start word to a bit of the start filter.
func startHash(x uint32) uint32 {
	return (x * 0x9E3779B1) >> (32 - startBits)
}

// startWord returns the first k (2 to 4) bytes of b, little-endian, each
// OR-ed with 0x20; len(b) >= k.
func startWord(b []byte, k int) uint32 {
	var x uint32
	if len(b) >= 4 {
		x = binary.LittleEndian.Uint32(b)
	} else {
		for j := range k {
			x |= uint32(b[j]) << (8 * j)
		}
	}
	x |= 0x20202020
	if k < 4 {
		x &= 1<<(8*k) - 1
	}
	return x
}

// buildStart computes the depth of the n states, builds the start filter
// and chooses the depth encoding (eBits, eMask, dInf, sdepth). It returns
// the depths, for the dense rows; the filter is left out when a pattern is
// shorter than two bytes or the encoded states leave too few bits for a
// depth.
func (a *Automaton) buildStart(patterns [][]byte, n uint32) []uint32 {
	a.eBits, a.eMask = 32, ^uint32(0)
	minLen := 0
	for _, p := range patterns {
		if len(p) > 0 && (minLen == 0 || len(p) < minLen) {
			minLen = len(p)
		}
	}
	eBits := uint32(bits.Len32(a.denseLim + n))
	if minLen < 2 || eBits > 32-4 {
		return nil
	}
	k := min(minLen, 4)
	start := new([startWords]uint64)
	var w [4]byte
	for _, p := range patterns {
		if len(p) == 0 {
			continue
		}
		for j := range k {
			w[j] = fold[p[j]]
		}
		h := startHash(startWord(w[:k], k))
		start[h>>6] |= 1 << (h & 63)
	}
	set := 0
	for _, x := range start {
		set += bits.OnesCount64(x)
	}
	if set > startMaxSet {
		return nil // too many starts for the filter to pay (see startMaxSet)
	}
	a.start, a.startLen = start, k
	a.eBits, a.eMask, a.dInf = eBits, 1<<eBits-1, 1<<(32-eBits)-1
	depth := make([]uint32, n)
	for p := range n {
		for c := a.first[p]; c < a.first[p+1]; c++ {
			depth[c] = depth[p] + 1
		}
	}
	a.sdepth = make([]uint16, n-a.nDense)
	for k := range a.sdepth {
		a.sdepth[k] = uint16(min(depth[a.nDense+uint32(k)], 1<<16-1))
	}
	return depth
}

// depthBits returns the depth of state t as encoded in a state (0 without
// a start filter).
func (a *Automaton) depthBits(depth []uint32, t uint32) uint32 {
	if depth == nil {
		return 0
	}
	return min(depth[t], a.dInf) << a.eBits
}

// starts reports whether a pattern may start at text[i] (the start filter
// passes there).
func (a *Automaton) starts(text []byte, i int) bool {
	if len(text)-i < a.startLen {
		return false
	}
	h := startHash(startWord(text[i:], a.startLen))
	return a.start[h>>6]&(1<<(h&63)) != 0
}

// nextStart returns the first position at or after i that passes the start
// filter, or len(text); kMask keeps the low startLen bytes of a word.
func (a *Automaton) nextStart(kMask uint32, text []byte, i int) int {
	start := a.start
	// Four positions per 8-byte load, one branch for the four.
	for ; i+8 <= len(text); i += 4 {
		w := binary.LittleEndian.Uint64(text[i:i+8]) | 0x2020202020202020
		h0 := startHash(uint32(w) & kMask)
		h1 := startHash(uint32(w>>8) & kMask)
		h2 := startHash(uint32(w>>16) & kMask)
		h3 := startHash(uint32(w>>24) & kMask)
		if (start[h0>>6]>>(h0&63)|start[h1>>6]>>(h1&63)|start[h2>>6]>>(h2&63)|start[h3>>6]>>(h3&63))&1 != 0 {
			break
		}
	}
	for ; i+4 <= len(text); i++ {
		x := (binary.LittleEndian.Uint32(text[i:]) | 0x20202020) & kMask
		if h := startHash(x); start[h>>6]&(1<<(h&63)) != 0 {
			return i
		}
	}
	for ; i < len(text); i++ { // the last 3 positions
		if a.starts(text, i) {
			return i
		}
	}
	return len(text)
}

// scanFiltered is ScanGated with the start filter.
func (a *Automaton) scanFiltered(text []byte, to *sink) {
	dense, class, outLim, denseLim := a.dense, &a.class, a.outLim, a.denseLim
	k, eBits, eMask, dInf := a.startLen, a.eBits, a.eMask, int(a.dInf)
	var kMask uint32 = 1<<(8*k) - 1
	if k == 4 {
		kMask = ^uint32(0)
	}
	n := len(text)
	var e uint32            // encoded state with its depth
	cand, checked := -1, -1 // the last position that passed; positions up to checked are filtered
	for i := 0; i < n; i++ {
		if e == 0 {
			// Skip to the next position that passes the filter.
			if i = a.nextStart(kMask, text, max(i, checked+1)); i >= n {
				return
			}
			cand, checked = i, i
			e = dense[class[text[i]]]
		} else if x := e & eMask; x < denseLim {
			e = dense[x+uint32(class[text[i]])]
		} else {
			e = a.step(x-denseLim, fold[text[i]])
		}
		x := e & eMask
		if x >= outLim {
			var s uint32
			if x < denseLim {
				s = a.rowState[x/a.stride]
			} else {
				s = x - denseLim
			}
			if o := a.out[s]; o != none {
				if g := to.g; g != nil && a.chainMax[o] != 0 {
					if lv := g.level(text, i+1); lv < a.chainMax[o] {
						if !a.gatedOutputs(o, lv, i+1, to.fn) {
							return
						}
						o = none
					}
				}
				for ; o != none; o = a.next[o] {
					if !to.fn(int(o), i+1) {
						return
					}
				}
			}
		}
		// The state's suffix is text[i-d+1:i+1]: with no position there
		// that passes, it begins no pattern.
		if d := int(e >> eBits); d <= i-cand && d != dInf && e != 0 {
			for s := max(checked+1, i-d+1); s <= i; s++ {
				if a.starts(text, s) {
					cand = s
				}
			}
			checked = i
			if d <= i-cand {
				e = 0
			}
		}
	}
}

func startBytes(s *[startWords]uint64) int {
	if s == nil {
		return 0
	}
	return 8 * startWords
}
