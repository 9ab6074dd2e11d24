//go:build !purego

#include "textflag.h"

// Byte shuffles that turn a 16-byte window, copied into both 128-bit
// lanes, into 8 little-endian words: startLo gives w[k] = window[k:k+4],
// startHi gives window[k+4:k+8], k = 0..7.
DATA startLo<>+0(SB)/8, $0x0403020103020100
DATA startLo<>+8(SB)/8, $0x0605040305040302
DATA startLo<>+16(SB)/8, $0x0807060507060504
DATA startLo<>+24(SB)/8, $0x0a09080709080706
GLOBL startLo<>(SB), RODATA|NOPTR, $32

DATA startHi<>+0(SB)/8, $0x0807060507060504
DATA startHi<>+8(SB)/8, $0x0a09080709080706
DATA startHi<>+16(SB)/8, $0x0c0b0a090b0a0908
DATA startHi<>+24(SB)/8, $0x0e0d0c0b0d0c0b0a
GLOBL startHi<>(SB), RODATA|NOPTR, $32

// The multipliers of longHash beyond the first (which startHash shares).
DATA startC2<>+0(SB)/8, $0x85EBCA7785EBCA77
DATA startC2<>+8(SB)/8, $0x85EBCA7785EBCA77
DATA startC2<>+16(SB)/8, $0x85EBCA7785EBCA77
DATA startC2<>+24(SB)/8, $0x85EBCA7785EBCA77
GLOBL startC2<>(SB), RODATA|NOPTR, $32

DATA startC3<>+0(SB)/8, $0xC2B2AE3DC2B2AE3D
DATA startC3<>+8(SB)/8, $0xC2B2AE3DC2B2AE3D
DATA startC3<>+16(SB)/8, $0xC2B2AE3DC2B2AE3D
DATA startC3<>+24(SB)/8, $0xC2B2AE3DC2B2AE3D
GLOBL startC3<>(SB), RODATA|NOPTR, $32

// BITS tests, for the 8 hashes in H, their bits of the bit set at BASE
// with the lanes of MASK (sign bits; the register is cleared), and leaves
// in OUT the sign bit set where the bit is; IDX and DST are scratch, H is
// overwritten.
#define BITS(BASE, H, MASK, IDX, DST, OUT) \
	VPSRLD   $5, H, IDX \
	VPAND    Y14, H, H \
	VPXOR    DST, DST, DST \
	VPGATHERDD MASK, (BASE)(IDX*4), DST \
	VPSRLVD  H, DST, DST \
	VPSLLD   $31, DST, OUT

// func nextStartAVX2(long, short *[startWords]uint64, text []byte, i int, kMask uint32) int
//
// 16 positions per step, eight per 256-bit register: the words of the
// positions i..i+15 hashed as longHash and startHash do, their bits of
// the filter read with gathers (the second bit of long only for the
// positions whose first bit is set). It returns the first position that
// passes, or the first i with i+24 > len(text), where the caller goes on.
TEXT ·nextStartAVX2(SB), NOSPLIT, $0-64
	MOVQ long+0(FP), R8
	MOVQ short+8(FP), R10
	MOVQ text_base+16(FP), SI
	MOVQ text_len+24(FP), DX
	MOVQ i+40(FP), AX
	MOVL kMask+48(FP), BX

	VMOVDQU startLo<>(SB), Y10
	VMOVDQU startHi<>(SB), Y9
	MOVL    $0x20202020, CX
	MOVD    CX, X11
	VPBROADCASTD X11, Y11
	MOVD    BX, X12
	VPBROADCASTD X12, Y12
	MOVL    $0x9E3779B1, CX
	MOVD    CX, X13
	VPBROADCASTD X13, Y13
	MOVL    $31, CX
	MOVD    CX, X14
	VPBROADCASTD X14, Y14

	SUBQ $24, DX // the last i with i+24 <= len(text)

loop:
	CMPQ AX, DX
	JGT  done
	VBROADCASTI128 (SI)(AX*1), Y0
	VBROADCASTI128 8(SI)(AX*1), Y1
	VPSHUFB Y9, Y0, Y2  // high words of positions 0-7
	VPSHUFB Y9, Y1, Y3  // of 8-15
	VPSHUFB Y10, Y0, Y0 // low words of positions 0-7
	VPSHUFB Y10, Y1, Y1 // of 8-15
	VPOR    Y11, Y0, Y0
	VPOR    Y11, Y1, Y1
	VPOR    Y11, Y2, Y2
	VPOR    Y11, Y3, Y3
	TESTQ   R8, R8
	JZ      nolong

	// long: v = lo*C1 ^ hi*C2, the first bit v>>12
	VPMULLD Y13, Y0, Y4
	VPMULLD startC2<>(SB), Y2, Y2
	VPXOR   Y2, Y4, Y4
	VPMULLD Y13, Y1, Y5
	VPMULLD startC2<>(SB), Y3, Y3
	VPXOR   Y3, Y5, Y5
	VPSRLD  $12, Y4, Y2
	VPSRLD  $12, Y5, Y3
	VPCMPEQD Y8, Y8, Y8
	BITS(R8, Y2, Y8, Y6, Y15, Y2)
	VPCMPEQD Y8, Y8, Y8
	BITS(R8, Y3, Y8, Y6, Y15, Y3)
	VPOR    Y2, Y3, Y6
	VPTEST  Y6, Y6
	JZ      short

	// the second bit (v*C3)>>12, where the first is set
	VPMULLD startC3<>(SB), Y4, Y4
	VPSRLD  $12, Y4, Y4
	VPMULLD startC3<>(SB), Y5, Y5
	VPSRLD  $12, Y5, Y5
	VMOVDQU Y2, Y8
	BITS(R8, Y4, Y8, Y6, Y15, Y2)
	VMOVDQU Y3, Y8
	BITS(R8, Y5, Y8, Y6, Y15, Y3)
	JMP     short

nolong:
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3

short:
	TESTQ R10, R10
	JZ    test
	VPAND   Y12, Y0, Y0
	VPAND   Y12, Y1, Y1
	VPMULLD Y13, Y0, Y0
	VPMULLD Y13, Y1, Y1
	VPSRLD  $12, Y0, Y0
	VPSRLD  $12, Y1, Y1
	VPCMPEQD Y8, Y8, Y8
	BITS(R10, Y0, Y8, Y6, Y15, Y4)
	VPOR    Y4, Y2, Y2
	VPCMPEQD Y8, Y8, Y8
	BITS(R10, Y1, Y8, Y6, Y15, Y5)
	VPOR    Y5, Y3, Y3

test:
	VMOVMSKPS Y2, CX
	VMOVMSKPS Y3, R9
	SHLL    $8, R9
	ORL     R9, CX
	JNZ     found
	ADDQ    $16, AX
	JMP     loop

found:
	BSFL CX, CX
	ADDQ CX, AX

done:
	VZEROUPPER
	MOVQ AX, ret+56(FP)
	RET

// VPERMB indices that turn a 64-byte window into 16 little-endian words:
// avxLo0 gives window[j:j+4] and avxHi0 window[j+4:j+8] (j = 0..15),
// avxLo1 and avxHi1 the same 16 bytes further on.
DATA avxLo0<>+0(SB)/8, $0x0403020103020100
DATA avxLo0<>+8(SB)/8, $0x0605040305040302
DATA avxLo0<>+16(SB)/8, $0x0807060507060504
DATA avxLo0<>+24(SB)/8, $0x0a09080709080706
DATA avxLo0<>+32(SB)/8, $0x0c0b0a090b0a0908
DATA avxLo0<>+40(SB)/8, $0x0e0d0c0b0d0c0b0a
DATA avxLo0<>+48(SB)/8, $0x100f0e0d0f0e0d0c
DATA avxLo0<>+56(SB)/8, $0x1211100f11100f0e
GLOBL avxLo0<>(SB), RODATA|NOPTR, $64

DATA avxHi0<>+0(SB)/8, $0x0807060507060504
DATA avxHi0<>+8(SB)/8, $0x0a09080709080706
DATA avxHi0<>+16(SB)/8, $0x0c0b0a090b0a0908
DATA avxHi0<>+24(SB)/8, $0x0e0d0c0b0d0c0b0a
DATA avxHi0<>+32(SB)/8, $0x100f0e0d0f0e0d0c
DATA avxHi0<>+40(SB)/8, $0x1211100f11100f0e
DATA avxHi0<>+48(SB)/8, $0x1413121113121110
DATA avxHi0<>+56(SB)/8, $0x1615141315141312
GLOBL avxHi0<>(SB), RODATA|NOPTR, $64

DATA avxLo1<>+0(SB)/8, $0x1413121113121110
DATA avxLo1<>+8(SB)/8, $0x1615141315141312
DATA avxLo1<>+16(SB)/8, $0x1817161517161514
DATA avxLo1<>+24(SB)/8, $0x1a19181719181716
DATA avxLo1<>+32(SB)/8, $0x1c1b1a191b1a1918
DATA avxLo1<>+40(SB)/8, $0x1e1d1c1b1d1c1b1a
DATA avxLo1<>+48(SB)/8, $0x201f1e1d1f1e1d1c
DATA avxLo1<>+56(SB)/8, $0x2221201f21201f1e
GLOBL avxLo1<>(SB), RODATA|NOPTR, $64

DATA avxHi1<>+0(SB)/8, $0x1817161517161514
DATA avxHi1<>+8(SB)/8, $0x1a19181719181716
DATA avxHi1<>+16(SB)/8, $0x1c1b1a191b1a1918
DATA avxHi1<>+24(SB)/8, $0x1e1d1c1b1d1c1b1a
DATA avxHi1<>+32(SB)/8, $0x201f1e1d1f1e1d1c
DATA avxHi1<>+40(SB)/8, $0x2221201f21201f1e
DATA avxHi1<>+48(SB)/8, $0x2423222123222120
DATA avxHi1<>+56(SB)/8, $0x2625242325242322
GLOBL avxHi1<>(SB), RODATA|NOPTR, $64
// HASH16 computes, from the 16 low words LO and high words HI (both
// OR-ed with 0x20), the first bits of longHash in H1, and the values v
// whose second bits are (v*C3)>>12 in V; HI is overwritten.
#define HASH16(LO, HI, V, H1) \
	VPMULLD Z22, LO, V \
	VPMULLD Z23, HI, HI \
	VPXORD  HI, V, V \
	VPSRLD  $12, V, H1

// TEST16 leaves in OUT, of the lanes of MASK (the register is cleared),
// those whose bit H (overwritten) of the bit set at BASE is set; IDX and
// DST are scratch.
#define TEST16(BASE, H, MASK, IDX, DST, OUT) \
	VPSRLD   $5, H, IDX \
	VPANDD   Z25, H, H \
	VPXORD   DST, DST, DST \
	KMOVW    MASK, K7 \
	VPGATHERDD (BASE)(IDX*4), K7, DST \
	VPSRLVD  H, DST, DST \
	VPTESTMD Z26, DST, MASK, OUT

// VPERMB indices of the windows of a long2 filter: 16 words of the even
// positions 2j of a 64-byte window, avxEvLo window[2j:2j+4], avxEvHi
// window[2j+4:2j+8] (its last byte then cleared: 7-byte keys).
DATA avxEvLo<>+0(SB)/8, $0x0504030203020100
DATA avxEvLo<>+8(SB)/8, $0x0908070607060504
DATA avxEvLo<>+16(SB)/8, $0x0d0c0b0a0b0a0908
DATA avxEvLo<>+24(SB)/8, $0x11100f0e0f0e0d0c
DATA avxEvLo<>+32(SB)/8, $0x1514131213121110
DATA avxEvLo<>+40(SB)/8, $0x1918171617161514
DATA avxEvLo<>+48(SB)/8, $0x1d1c1b1a1b1a1918
DATA avxEvLo<>+56(SB)/8, $0x21201f1e1f1e1d1c
GLOBL avxEvLo<>(SB), RODATA|NOPTR, $64

DATA avxEvHi<>+0(SB)/8, $0x0908070607060504
DATA avxEvHi<>+8(SB)/8, $0x0d0c0b0a0b0a0908
DATA avxEvHi<>+16(SB)/8, $0x11100f0e0f0e0d0c
DATA avxEvHi<>+24(SB)/8, $0x1514131213121110
DATA avxEvHi<>+32(SB)/8, $0x1918171617161514
DATA avxEvHi<>+40(SB)/8, $0x1d1c1b1a1b1a1918
DATA avxEvHi<>+48(SB)/8, $0x21201f1e1f1e1d1c
DATA avxEvHi<>+56(SB)/8, $0x2524232223222120
GLOBL avxEvHi<>(SB), RODATA|NOPTR, $64
// func nextStartAVX512L2(long, short *[startWords]uint64, text []byte, i int, kMask uint32, k uint32) int
//
// nextStartAVX512 for a long2 filter: the 16 windows at the even
// positions a, a+2, …, a+30 (a = i rounded down to even) in one register,
// a window at e standing for the positions e-1 and e, so one gather (two
// where a first bit is set) covers 31 positions; the short bits of the 32
// positions from a as in nextStartAVX512. It steps 30 positions at a
// time. It returns the first position at or after i that passes, or
// len(text).
TEXT ·nextStartAVX512L2(SB), NOSPLIT, $0-64
	MOVQ long+0(FP), R8
	MOVQ short+8(FP), R10
	MOVQ text_base+16(FP), SI
	MOVQ text_len+24(FP), DX
	MOVQ i+40(FP), AX
	MOVL kMask+48(FP), BX
	MOVL k+52(FP), R11

	VMOVDQU64 avxEvLo<>(SB), Z16
	VMOVDQU64 avxEvHi<>(SB), Z17
	VMOVDQU64 avxLo0<>(SB), Z18
	VMOVDQU64 avxLo1<>(SB), Z19
	MOVL $0x20202020, CX
	VPBROADCASTD CX, Z20
	VPBROADCASTD BX, Z21
	MOVL $0x9E3779B1, CX
	VPBROADCASTD CX, Z22
	MOVL $0x85EBCA77, CX
	VPBROADCASTD CX, Z23
	MOVL $0xC2B2AE3D, CX
	VPBROADCASTD CX, Z24
	MOVL $31, CX
	VPBROADCASTD CX, Z25
	MOVL $1, CX
	VPBROADCASTD CX, Z26
	MOVL $0x00FFFFFF, CX
	VPBROADCASTD CX, Z27

	// R12: the last a to look at: n-6 for the windows, n-k for short
	MOVQ DX, R12
	SUBQ $6, R12
	TESTQ R10, R10
	JZ   l2bound
	MOVQ DX, CX
	SUBQ R11, CX
	CMPQ CX, R12
	CMOVQGT CX, R12
l2bound:
	MOVQ AX, R14
	ANDQ $-2, R14 // a

l2loop:
	CMPQ R14, R12
	JGT  l2none
	MOVQ DX, CX
	SUBQ R14, CX
	MOVQ $64, R13
	CMPQ CX, R13
	CMOVQGT R13, CX
	MOVQ $-1, R9
	BZHIQ CX, R9, R9
	KMOVQ R9, K1
	VMOVDQU8.Z (SI)(R14*1), K1, Z0 // zeroing: the bytes past the text are 0
	XORL R13, R13 // the positions that pass, one bit per offset from a

	TESTQ R8, R8
	JZ    l2short
	// K2: the windows j with a+2j+6 <= n (a window of six bytes at the
	// end is read with a 0 after them, as key7 does)
	MOVQ DX, CX
	SUBQ R14, CX
	SUBQ $6, CX
	JLT  l2short
	SHRQ $1, CX
	INCQ CX
	MOVQ $16, R9
	CMPQ CX, R9
	CMOVQGT R9, CX
	MOVL $-1, R9
	BZHIL CX, R9, R9
	KMOVW R9, K2
	VPERMB Z0, Z16, Z1
	VPERMB Z0, Z17, Z2
	VPORD  Z20, Z1, Z1
	VPORD  Z20, Z2, Z2
	VPANDD Z27, Z2, Z2
	HASH16(Z1, Z2, Z5, Z6)
	TEST16(R8, Z6, K2, Z9, Z10, K2)
	KORTESTW K2, K2
	JZ    l2short
	VPMULLD Z24, Z5, Z5
	VPSRLD  $12, Z5, Z5
	TEST16(R8, Z5, K2, Z9, Z10, K2)
	KMOVW K2, R9
	MOVL  $0x55555555, CX
	PDEPL CX, R9, R13 // window j: offset 2j
	MOVL  R13, R9
	SHRL  $1, R9      // and 2j-1
	ORL   R9, R13

l2short:
	TESTQ R10, R10
	JZ    l2test
	// K4, K5: the offsets where k bytes fit
	MOVQ DX, CX
	SUBQ R14, CX
	SUBQ R11, CX
	INCQ CX
	JLE  l2test
	MOVQ $32, R9
	CMPQ CX, R9
	CMOVQGT R9, CX
	MOVL $-1, R9
	BZHIL CX, R9, R9
	KMOVD R9, K4
	KSHIFTRD $16, K4, K5
	VPERMB  Z0, Z18, Z1
	VPERMB  Z0, Z19, Z3
	VPORD   Z20, Z1, Z1
	VPORD   Z20, Z3, Z3
	VPANDD  Z21, Z1, Z1
	VPANDD  Z21, Z3, Z3
	VPMULLD Z22, Z1, Z1
	VPMULLD Z22, Z3, Z3
	VPSRLD  $12, Z1, Z1
	VPSRLD  $12, Z3, Z3
	TEST16(R10, Z1, K4, Z9, Z10, K4)
	TEST16(R10, Z3, K5, Z11, Z12, K5)
	KMOVW K4, R9
	ORL   R9, R13
	KMOVW K5, R9
	SHLL  $16, R9
	ORL   R9, R13

l2test:
	// not the offsets before i (only at the first step, for an odd i)
	CMPQ AX, R14
	JLE  l2check
	ANDL $-2, R13
l2check:
	TESTL R13, R13
	JNZ   l2found
	ADDQ  $30, R14
	JMP   l2loop

l2found:
	BSFL R13, R13
	ADDQ R13, R14
	MOVQ R14, AX
	JMP  l2ret

l2none:
	MOVQ DX, AX

l2ret:
	VZEROUPPER
	MOVQ AX, ret+56(FP)
	RET
