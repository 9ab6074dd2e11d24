//go:build !purego

package match

import "golang.org/x/sys/cpu"

// The SIMD code of classify (classify_amd64.s): simdAVX512 (AVX-512BW,
// 64 bytes per compare, the last partial block by a masked load) where
// the CPU has it, else simdAVX2 (two halves of 32 bytes per block), else
// none (the portable classifyGo).
const (
	simdNone = iota
	simdAVX2
	simdAVX512
)

// bestSIMD is the best SIMD code of this CPU.
var bestSIMD = func() int {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW:
		return simdAVX512
	case cpu.X86.HasAVX2:
		return simdAVX2
	}
	return simdNone
}()

// simdLevel is the SIMD code classify uses; tests lower it to run the
// other paths.
var simdLevel = bestSIMD

func useSIMD() bool { return simdLevel != simdNone }

// simdAvailable reports whether the CPU has a SIMD path (for tests).
func simdAvailable() bool { return bestSIMD != simdNone }

// setSIMD turns the best SIMD path of the CPU on, or the portable path,
// and returns whether a SIMD path was on before (for tests).
func setSIMD(on bool) bool {
	old := simdLevel != simdNone
	simdLevel = simdNone
	if on {
		simdLevel = bestSIMD
	}
	return old
}

// classifyAVX2 writes the masks of the n 64-byte blocks at src to dst[0:n].
//
//go:noescape
func classifyAVX2(dst *blockMasks, src *byte, n int)

// classifyAVX512 writes the masks of the n bytes at src to
// dst[0:ceil(n/64)], reading no byte past them.
//
//go:noescape
func classifyAVX512(dst *blockMasks, src *byte, n int)

func classifySIMD(dst *chunkMasks, text []byte, base, end int) int {
	if simdLevel == simdAVX512 {
		if end > base {
			classifyAVX512(&dst[0], &text[base], end-base)
		}
		return (end - base + 63) / 64
	}
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

// forEachSIMD calls f with each SIMD code of the CPU in use in turn, then
// restores the one in use (for tests).
func forEachSIMD(f func(name string)) {
	old := simdLevel
	defer func() { simdLevel = old }()
	for _, l := range []struct {
		level int
		name  string
	}{{simdAVX2, "AVX2"}, {simdAVX512, "AVX-512"}} {
		if l.level <= bestSIMD {
			simdLevel = l.level
			f(l.name)
		}
	}
}
