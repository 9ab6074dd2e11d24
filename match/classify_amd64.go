//go:build !purego

package match

import "golang.org/x/sys/cpu"

// hasAVX2 tells whether classify uses the AVX2 code (classify_amd64.s).
// Tests set it to false to run the portable path.
var hasAVX2 = cpu.X86.HasAVX2

func useSIMD() bool { return hasAVX2 }

// simdAvailable reports whether the CPU has the SIMD path (for tests).
func simdAvailable() bool { return cpu.X86.HasAVX2 }

// setSIMD turns the SIMD path on (when the CPU has it) or off, and
// returns the previous setting (for tests).
func setSIMD(on bool) bool {
	old := hasAVX2
	hasAVX2 = on && cpu.X86.HasAVX2
	return old
}

// classifyAVX2 writes the masks of the n 64-byte blocks at src to dst[0:n].
//
//go:noescape
func classifyAVX2(dst *blockMasks, src *byte, n int)

func classifySIMD(dst *chunkMasks, text []byte, base, end int) int {
	full := (end - base) / 64
	if full > 0 {
		classifyAVX2(&dst[0], &text[base], full)
	}
	rem := (end - base) % 64
	if rem == 0 {
		return full
	}
	if end >= 64 {
		// the last 64 bytes up to end, shifted: no copy, no read past end
		d := &dst[full]
		classifyAVX2(d, &text[end-64], 1)
		sh := uint(64 - rem)
		d.tok >>= sh
		d.dot >>= sh
		d.colon >>= sh
		d.digit >>= sh
		d.hex >>= sh
		d.alpha >>= sh
		return full + 1
	}
	var buf [64]byte // zero bytes past the end are in no class
	copy(buf[:], text[base:end])
	classifyAVX2(&dst[full], &buf[0], 1)
	return full + 1
}
