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

// paddedMasks are the masks of a chunk (blocks 1 to chunkBlocks) between
// two blocks of no class, so that a window of 64 bits at any offset of
// the chunk reads blocks that exist.
type paddedMasks [chunkBlocks + 2]blockMasks

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

// classifyGo is the portable classify: each byte's classes are one
// table lookup (classSpread: the bit of mask m in byte m), the 8 bytes of
// a group of 8 OR-ed at shifts 0 to 7, so that byte m of the group's word
// holds mask m's 8 bits for the group; the 8 words of a block, an 8×8
// matrix of bytes, are transposed so that word m is mask m.
func classifyGo(dst *chunkMasks, text []byte) int {
	nb := (len(text) + 63) / 64
	for b := range nb {
		var blk [64]byte // zero bytes past the end are in no class
		if len(text)-b*64 >= 64 {
			blk = [64]byte(text[b*64:])
		} else {
			copy(blk[:], text[b*64:])
		}
		w0, w1, w2, w3 := spread8(blk[0:8]), spread8(blk[8:16]), spread8(blk[16:24]), spread8(blk[24:32])
		w4, w5, w6, w7 := spread8(blk[32:40]), spread8(blk[40:48]), spread8(blk[48:56]), spread8(blk[56:64])
		// transpose: swap the 4×4, then 2×2, then 1×1 blocks of bytes
		const lo32, lo16, lo8 = 0x00000000ffffffff, 0x0000ffff0000ffff, 0x00ff00ff00ff00ff
		w0, w4 = w0&lo32|w4<<32, w0>>32|w4&^lo32
		w1, w5 = w1&lo32|w5<<32, w1>>32|w5&^lo32
		w2, w6 = w2&lo32|w6<<32, w2>>32|w6&^lo32
		w3, w7 = w3&lo32|w7<<32, w3>>32|w7&^lo32
		w0, w2 = w0&lo16|(w2&lo16)<<16, w0>>16&lo16|w2&^lo16
		w1, w3 = w1&lo16|(w3&lo16)<<16, w1>>16&lo16|w3&^lo16
		w4, w6 = w4&lo16|(w6&lo16)<<16, w4>>16&lo16|w6&^lo16
		w5, w7 = w5&lo16|(w7&lo16)<<16, w5>>16&lo16|w7&^lo16
		w0, w1 = w0&lo8|(w1&lo8)<<8, w0>>8&lo8|w1&^lo8
		w2, w3 = w2&lo8|(w3&lo8)<<8, w2>>8&lo8|w3&^lo8
		w4, w5 = w4&lo8|(w5&lo8)<<8, w4>>8&lo8|w5&^lo8
		dst[b] = blockMasks{tok: w0, dot: w1, colon: w2, digit: w3, hex: w4, alpha: w5}
	}
	return nb
}

// spread8 ORs the classSpread words of the 8 bytes of g at shifts 0 to 7:
// byte m of the result is mask m's 8 bits for them.
func spread8(g []byte) uint64 {
	_ = g[7]
	return classSpread[g[0]] | classSpread[g[1]]<<1 | classSpread[g[2]]<<2 | classSpread[g[3]]<<3 |
		classSpread[g[4]]<<4 | classSpread[g[5]]<<5 | classSpread[g[6]]<<6 | classSpread[g[7]]<<7
}

// classSpread gives, for each byte, bit 8·m set when it is in the class
// of mask m of blockMasks (tok, dot, colon, digit, hex, alpha).
var classSpread = func() (t [256]uint64) {
	for c := range t {
		for m, bit := range []uint32{cTok, cDot, cColon, cDigit, cHex, cAlpha} {
			if class[c]&bit != 0 {
				t[c] |= 1 << (8 * m)
			}
		}
	}
	return t
}()

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
