package ac

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// The start filter lets Scan skip most of a text without stepping the
// automaton. It is a superset of the positions where a pattern starts,
// made of two bit sets of 2^20 bits, in which every byte of the text and
// of the patterns is OR-ed with 0x20 (a coarser fold than the
// automaton's, so a position where a pattern starts always passes):
//
//   - long, for the patterns of at least longLen (8) bytes: two bits per
//     pattern, longHash of its first 8 bytes; a position passes when both
//     bits of the 8 bytes there are set;
//   - short, for the shorter patterns: one bit per pattern, startHash of
//     its first k bytes (k = min(shortest pattern, 4), at least 2); a
//     position passes when the bit of the k bytes there is set.
//
// Without a SIMD loop (useAVX2 false when the filter is built: other
// CPUs, the purego build tag) every pattern goes into short: per position
// the portable loop pays for each bit it reads, and one bit of 4 bytes,
// four positions per step, measured faster there.
//
// Two bits of 8 bytes let far fewer positions of a text pass by chance
// than one bit of 4 bytes did (measured on JSON events with 10k string
// patterns: one position in 49 passed with 4 bytes; with 8, the chance
// is the square of the share of bits set, some 1 in 2,500), and most
// string indicators are 8 bytes or longer.
//
// At the root, Scan moves on to the next position that passes. Away from
// the root, the automaton's state is the longest suffix of the text read
// that begins some pattern, of length depth; when no position among that
// suffix's last depth ones passes the filter, no pattern can begin there,
// the state is as good as the root, and Scan goes back to skipping. Every
// position is filtered at most once, so a scan stays linear; the state
// carries its depth (Automaton.eBits) so that the check costs no load.

// startBits is log2 of the number of bits of each part of the start
// filter: 2^20 bits (128 KiB, within L2). A fixed size lets the scan loop
// go without bounds checks (measured: 500 against 430 MB/s on firewall
// log lines).
const (
	startBits  = 20
	startWords = 1 << startBits / 64
	longLen    = 8
)

// startMaxPass is the highest share of random positions that may pass the
// filter (estimated from the bits set: short's share plus the square of
// long's) for it to be used: past it, positions pass often enough that
// the plain automaton is faster. Measured with one 4-byte bit on JSON
// events with the generated string sets (filter on / off): 10k patterns
// 247 / 196 MB/s, 20k 183 / 179, 30k 153 / 173, 50k 132 / 160, 100k
// 97 / 124, the break-even near one position in 128.
const startMaxPass = 1.0 / 128

// startFilter is the start filter of an Automaton.
type startFilter struct {
	// long2: long holds, for each pattern, the bits of its 7-byte windows
	// at offsets 0 and 1 instead of its first 8 bytes, and is tested at
	// even positions only (see key7): half the reads per byte, for the
	// AVX-512 loop.
	long2 bool
	long  *[startWords]uint64 // nil: no pattern of longLen bytes or more
	short *[startWords]uint64 // nil: no shorter pattern
	k     int                 // bytes short looks at (0 without short)
	kMask uint32              // the low k bytes of a word
}

// startHash maps a start word to a bit of the short filter.
func startHash(x uint32) uint32 {
	return (x * 0x9E3779B1) >> (32 - startBits)
}

// longHash maps the 8 bytes x (little-endian, each OR-ed with 0x20) to
// their two bits of the long filter.
func longHash(x uint64) (uint32, uint32) {
	v := uint32(x)*0x9E3779B1 ^ uint32(x>>32)*0x85EBCA77
	return v >> (32 - startBits), (v * 0xC2B2AE3D) >> (32 - startBits)
}

// key7 returns the first 7 bytes of b (len(b) >= 6: a missing seventh
// byte is 0), each OR-ed with 0x20, little-endian, the eighth byte 0: the
// key of a window of the long2 filter.
func key7(b []byte) uint64 {
	var x uint64
	if len(b) >= 8 {
		x = binary.LittleEndian.Uint64(b)
	} else {
		for j := range min(7, len(b)) {
			x |= uint64(b[j]) << (8 * j)
		}
	}
	return (x | 0x2020202020202020) & (1<<56 - 1)
}

// long2Min is the shortest pattern that goes into long in the long2
// layout: a 7-byte pattern has its window at offset 0, and at offset 1
// six of its bytes and the byte after it, which may be any: the window is
// set for every value of that byte (128 once OR-ed with 0x20), so that
// the few 7-byte patterns of a set (filenames, mutexes) do not keep a
// short part with its own gathers in every step. A window at the end of a
// text with six bytes there is read with a 0 as its seventh (see key7),
// which those 128 cover.
const long2Min = 7

// max7 is the most 7-byte patterns that go into long (see long2Min): each
// sets up to 258 of its bits, so that many would fill it; with more they
// stay in short.
const max7 = 128

// few7 reports whether patterns has at most max7 patterns of 7 bytes.
func few7(patterns [][]byte) bool {
	n := 0
	for _, p := range patterns {
		if len(p) == long2Min {
			n++
		}
	}
	return n <= max7
}

// longHash1 is the first bit of longHash.
func longHash1(x uint64) uint32 {
	return (uint32(x)*0x9E3779B1 ^ uint32(x>>32)*0x85EBCA77) >> (32 - startBits)
}

func has(set *[startWords]uint64, h uint32) bool { return set[h>>6]&(1<<(h&63)) != 0 }

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
// shorter than two bytes, when it would let too many positions pass
// (startMaxPass), or when the encoded states leave too few bits for a
// depth.
func (a *Automaton) buildStart(patterns [][]byte, n uint32) []uint32 {
	a.eBits, a.eMask = 32, ^uint32(0)
	// Without a SIMD loop, two bits of 8 bytes cost more per position
	// than the positions they spare: every pattern goes into short, one
	// bit of its first 2 to 4 bytes, tested four positions per step.
	long := longLen
	switch {
	case !useAVX2:
		long = math.MaxInt
	case useAVX512 && few7(patterns):
		long = long2Min
	}
	minShort, nLong := 0, 0
	for _, p := range patterns {
		switch {
		case len(p) >= long:
			nLong++
		case len(p) > 0 && (minShort == 0 || len(p) < minShort):
			minShort = len(p)
		}
	}
	eBits := uint32(bits.Len32(a.denseLim + n))
	if minShort == 1 || minShort == 0 && nLong == 0 || eBits > 32-4 {
		return nil
	}
	f := &startFilter{long2: useAVX512 && useAVX2}
	if nLong > 0 {
		f.long = new([startWords]uint64)
	}
	if minShort > 0 {
		f.short = new([startWords]uint64)
		f.k = min(minShort, 4)
		f.kMask = uint32(1<<(8*f.k) - 1)
	}
	var w [longLen]byte
	for _, p := range patterns {
		if len(p) == 0 {
			continue
		}
		m := min(len(p), longLen)
		for j := range m {
			w[j] = fold[p[j]] | 0x20
		}
		switch {
		case len(p) >= long && f.long2:
			for off := range 2 {
				var x uint64
				for j := range min(7, len(p)-off) {
					x |= uint64(fold[p[off+j]]|0x20) << (8 * j)
				}
				if off+7 <= len(p) {
					f.setLong(x)
					continue
				}
				// a 7-byte pattern at offset 1: any seventh byte
				for c := range 256 {
					if c|0x20 == c {
						f.setLong(x | uint64(c)<<48)
					}
				}
			}
		case len(p) >= long:
			h1, h2 := longHash(binary.LittleEndian.Uint64(w[:]))
			f.long[h1>>6] |= 1 << (h1 & 63)
			f.long[h2>>6] |= 1 << (h2 & 63)
		default:
			h := startHash(startWord(w[:f.k], f.k))
			f.short[h>>6] |= 1 << (h & 63)
		}
	}
	if f.passRate() > startMaxPass {
		return nil // too many starts for the filter to pay (see startMaxPass)
	}
	a.start = f
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

// setLong sets the two bits of the 8-byte key x in long.
func (f *startFilter) setLong(x uint64) {
	h1, h2 := longHash(x)
	f.long[h1>>6] |= 1 << (h1 & 63)
	f.long[h2>>6] |= 1 << (h2 & 63)
}

// passRate estimates the share of random positions that pass f.
func (f *startFilter) passRate() float64 {
	share := func(s *[startWords]uint64) float64 {
		if s == nil {
			return 0
		}
		set := 0
		for _, x := range s {
			set += bits.OnesCount64(x)
		}
		return float64(set) / (startWords * 64)
	}
	l := share(f.long)
	return share(f.short) + l*l
}

// depthBits returns the depth of state t as encoded in a state (0 without
// a start filter).
func (a *Automaton) depthBits(depth []uint32, t uint32) uint32 {
	if depth == nil {
		return 0
	}
	return min(depth[t], a.dInf) << a.eBits
}

// passes reports whether a pattern may start at text[i] (the start filter
// passes there).
func (f *startFilter) passes(text []byte, i int) bool {
	n := len(text) - i
	if f.long2 {
		// a pattern at an even i has its window at offset 0 at i, at an
		// odd one its window at offset 1 at i+1
		if e := i + i&1; f.long != nil && len(text)-e >= long2Min-1 {
			h1, h2 := longHash(key7(text[e:]))
			if has(f.long, h1) && has(f.long, h2) {
				return true
			}
		}
	} else if f.long != nil && n >= longLen {
		h1, h2 := longHash(binary.LittleEndian.Uint64(text[i:]) | 0x2020202020202020)
		if has(f.long, h1) && has(f.long, h2) {
			return true
		}
	}
	return f.short != nil && n >= f.k && has(f.short, startHash(startWord(text[i:], f.k)))
}

// nextStart returns the first position at or after i that passes the start
// filter, or len(text).
func (f *startFilter) nextStart(text []byte, i int) int {
	i, done := skipSIMD(f, text, i) // 16 or 32 positions per step, where the CPU can
	if done {
		return i
	}
	long, short, kMask := f.long, f.short, f.kMask
	if f.long2 {
		for ; i < len(text); i++ { // only where the AVX-512 loop is off (tests)
			if f.passes(text, i) {
				return i
			}
		}
		return len(text)
	}
	if long != nil {
		// Four positions per step from two 8-byte loads; only the first
		// bit of long is tested for the four, with one branch, and the
		// four are tested in full when it is set for one.
		for ; i+16 <= len(text); i += 4 {
			w0 := binary.LittleEndian.Uint64(text[i:]) | 0x2020202020202020
			w1 := binary.LittleEndian.Uint64(text[i+8:]) | 0x2020202020202020
			h0 := longHash1(w0)
			h1 := longHash1(w0>>8 | w1<<56)
			h2 := longHash1(w0>>16 | w1<<48)
			h3 := longHash1(w0>>24 | w1<<40)
			b := long[h0>>6]>>(h0&63) | long[h1>>6]>>(h1&63) | long[h2>>6]>>(h2&63) | long[h3>>6]>>(h3&63)
			if short != nil {
				s0 := startHash(uint32(w0) & kMask)
				s1 := startHash(uint32(w0>>8) & kMask)
				s2 := startHash(uint32(w0>>16) & kMask)
				s3 := startHash(uint32(w0>>24) & kMask)
				b |= short[s0>>6]>>(s0&63) | short[s1>>6]>>(s1&63) | short[s2>>6]>>(s2&63) | short[s3>>6]>>(s3&63)
			}
			if b&1 != 0 {
				for k := i; k < i+4; k++ {
					if f.passes(text, k) {
						return k
					}
				}
			}
		}
	} else {
		// Four positions per 8-byte load, one branch for the four.
		for ; i+8 <= len(text); i += 4 {
			w := binary.LittleEndian.Uint64(text[i:i+8]) | 0x2020202020202020
			h0 := startHash(uint32(w) & kMask)
			h1 := startHash(uint32(w>>8) & kMask)
			h2 := startHash(uint32(w>>16) & kMask)
			h3 := startHash(uint32(w>>24) & kMask)
			if (short[h0>>6]>>(h0&63)|short[h1>>6]>>(h1&63)|short[h2>>6]>>(h2&63)|short[h3>>6]>>(h3&63))&1 != 0 {
				for k := i; k < i+4; k++ {
					if f.passes(text, k) {
						return k
					}
				}
			}
		}
	}
	for ; i < len(text); i++ {
		if f.passes(text, i) {
			return i
		}
	}
	return len(text)
}

// scanFiltered is ScanGated with the start filter.
func (a *Automaton) scanFiltered(text []byte, to *sink) {
	dense, class, outLim, denseLim := a.dense, &a.class, a.outLim, a.denseLim
	f, eBits, eMask, dInf := a.start, a.eBits, a.eMask, int(a.dInf)
	n := len(text)
	var e uint32            // encoded state with its depth
	cand, checked := -1, -1 // the last position that passed; positions up to checked are filtered
	for i := 0; i < n; i++ {
		if e == 0 {
			// Skip to the next position that passes the filter.
			if i = f.nextStart(text, max(i, checked+1)); i >= n {
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
				if f.passes(text, s) {
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

// memory returns the bytes of f's bit sets.
func (f *startFilter) memory() int {
	if f == nil {
		return 0
	}
	n := 0
	if f.long != nil {
		n += 8 * startWords
	}
	if f.short != nil {
		n += 8 * startWords
	}
	return n
}
