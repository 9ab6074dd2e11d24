package match

import "math/bits"

// The classification front end of the token pass: a chunk of text (at
// most chunkLen bytes) is turned into bit masks, one bit per byte and one
// 64-bit word per 64-byte block, so that the token pass finds separators,
// the extent of the token around one and the classes of its bytes with
// bit operations instead of a loop over its bytes. classify computes the
// masks with SIMD instructions where the CPU has them (classify_amd64.s)
// and in portable Go (classifyGo) otherwise; both give the same masks.

// chunkBlocks is the number of 64-byte blocks classified per call, and
// chunkLen the bytes of a chunk.
const (
	chunkBlocks = 8
	chunkLen    = 64 * chunkBlocks
)

// blockMasks are the masks of one block of 64 bytes: bit k of a mask is
// set when byte k of the block is in its class. Bits past the end of the
// text are 0. The field order is the assembly's (offsets 0, 8, … 40).
type blockMasks struct {
	tok   uint64 // [A-Za-z0-9_.:-] (cTok)
	dot   uint64 // '.'
	colon uint64 // ':'
	digit uint64 // [0-9]
	hex   uint64 // [0-9A-Fa-f]
	alpha uint64 // [A-Za-z]
}

// chunkMasks are the masks of a chunk of chunkLen bytes.
type chunkMasks [chunkBlocks]blockMasks

// classify computes the masks of text[base:end] (at most chunkLen bytes)
// into the first blocks of dst and returns the number of blocks,
// ceil((end-base)/64). The masks of a last, partial block have no bit
// past end. The bytes of text before base may be read (not classified).
func classify(dst *chunkMasks, text []byte, base, end int) int {
	if base < 0 || end < base || end > len(text) || end-base > chunkLen {
		panic("match: classify out of a chunk") // unreachable: the caller cuts chunks
	}
	if useSIMD() {
		return classifySIMD(dst, text, base, end)
	}
	return classifyGo(dst, text[base:end])
}

// classifyGo is the portable classify: 8 bytes per step (SWAR), each
// class a test on the lanes of a uint64 whose 0x80 bits are gathered
// into 8 mask bits by a multiplication.
func classifyGo(dst *chunkMasks, text []byte) int {
	nb := (len(text) + 63) / 64
	for b := range nb {
		blk := text[b*64:]
		var m blockMasks
		for g := 0; g < 64 && g < len(blk); g += 8 {
			var w uint64
			if len(blk)-g >= 8 {
				w = uint64(blk[g]) | uint64(blk[g+1])<<8 | uint64(blk[g+2])<<16 | uint64(blk[g+3])<<24 |
					uint64(blk[g+4])<<32 | uint64(blk[g+5])<<40 | uint64(blk[g+6])<<48 | uint64(blk[g+7])<<56
			} else {
				for k := len(blk) - g - 1; k >= 0; k-- {
					w = w<<8 | uint64(blk[g+k]) // zero bytes past the end: in no class
				}
			}
			ascii := ^w & lanes80 // bytes >= 0x80 are in no class
			w7 := w &^ lanes80
			lw := w7 | 0x20*lanes01
			dot := zeroLanes(w^'.'*lanes01) & ascii
			colon := zeroLanes(w^':'*lanes01) & ascii
			digit := inRange(w7, '0', '9') & ascii
			alpha := inRange(lw, 'a', 'z') & ascii
			hex := digit | inRange(lw, 'a', 'f')&ascii
			tok := dot | colon | digit | alpha | (zeroLanes(w^'_'*lanes01)|zeroLanes(w^'-'*lanes01))&ascii
			m.tok |= gather80(tok) << g
			m.dot |= gather80(dot) << g
			m.colon |= gather80(colon) << g
			m.digit |= gather80(digit) << g
			m.hex |= gather80(hex) << g
			m.alpha |= gather80(alpha) << g
		}
		dst[b] = m
	}
	return nb
}

// gather80 returns the 0x80 bits of the 8 lanes of x (which has no other
// bit) as the 8 low bits, lane 0 in bit 0.
func gather80(x uint64) uint64 {
	return (x >> 7) * 0x0102040810204080 >> 56
}

// firstHexBlock returns the offset in the line of the first 16-byte block,
// at an offset (base + 16·k, base a multiple of 16) of the nb blocks of m,
// whose bytes are all hex digits, or -1. Every hex run of at least 32
// digits covers one.
func firstHexBlock(m *chunkMasks, nb, base int) int {
	const ones16, high16 = 0x0001000100010001, 0x8000800080008000
	for b := range nb {
		x := ^m[b].hex // a lane of 16 zero bits: a block of 16 hex digits
		// The lowest lane flagged is exact (a borrow only flags lanes
		// above a zero one).
		if z := (x - ones16) &^ x & high16; z != 0 {
			return base + b*64 + bits.TrailingZeros64(z)/16*16
		}
	}
	return -1
}
