//go:build !purego

package ac

import "golang.org/x/sys/cpu"

// useAVX2 and useAVX512 select the AVX2 and the AVX-512 start filter
// (nextStartAVX2, nextStartAVX512L2; the latter when both are set, for
// the long2 layout it builds); tests clear them to run the others.
var (
	useAVX2   = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI && cpu.X86.HasBMI2
)

// nextStartAVX2 is the skip of startFilter.nextStart over the positions
// i, i+1, … while i+24 <= len(text): it returns the first position that
// passes the filter of the bit sets long and short (either may be nil;
// kMask keeps the low k bytes of short's words), or the first i past
// that bound. Written in start_amd64.s.
//
//go:noescape
func nextStartAVX2(long, short *[startWords]uint64, text []byte, i int, kMask uint32) int

// nextStartAVX512L2 is startFilter.nextStart (f.long, f.short, f.kMask,
// f.k) over text from i, all of it, for a long2 filter (the layout the
// filter has when it is built where useAVX512 is set). Written in
// start_amd64.s.
//
//go:noescape
func nextStartAVX512L2(long, short *[startWords]uint64, text []byte, i int, kMask uint32, k uint32) int

// skipSIMD skips, as nextStart does, the positions from i that fail the
// filter, as far as the SIMD loop goes; it returns where the portable
// loop goes on, or nextStart's answer and true.
func skipSIMD(f *startFilter, text []byte, i int) (int, bool) {
	if useAVX512 && useAVX2 && f.long2 {
		return nextStartAVX512L2(f.long, f.short, text, i, f.kMask, uint32(f.k)), true
	}
	if useAVX2 && !f.long2 && i+24 <= len(text) {
		return nextStartAVX2(f.long, f.short, text, i, f.kMask), false
	}
	return i, false
}
