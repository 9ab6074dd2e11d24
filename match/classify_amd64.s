//go:build !purego

#include "textflag.h"

// One 32-byte half of a block: the bytes at off(SI) classified into the
// vector masks Y11 tok, Y13 digit, Y14 alpha, Y15 hex, and the dot and
// colon compares, each mask's 32 bits given to the macro OUT(mask
// register, field offset) through AX. Constants: Y0 '.', Y1 ':', Y2 '_',
// Y3 '-', Y4 '0', Y5 9, Y6 0x20, Y7 'a', Y8 25, Y9 5. Unsigned ranges: c
// in [lo, lo+k] when min(c-lo, k) == c-lo.
#define HALF(off, OUT) \
	VMOVDQU  off(SI), Y10 \
	VPCMPEQB Y10, Y0, Y11 \
	VPMOVMSKB Y11, AX \
	OUT(R8) \
	VPCMPEQB Y10, Y1, Y12 \
	VPMOVMSKB Y12, AX \
	OUT(R9) \
	VPOR     Y12, Y11, Y11 \
	VPCMPEQB Y10, Y2, Y12 \
	VPOR     Y12, Y11, Y11 \
	VPCMPEQB Y10, Y3, Y12 \
	VPOR     Y12, Y11, Y11 \
	VPSUBB   Y4, Y10, Y12 \
	VPMINUB  Y5, Y12, Y13 \
	VPCMPEQB Y13, Y12, Y13 \
	VPMOVMSKB Y13, AX \
	OUT(R10) \
	VPOR     Y13, Y11, Y11 \
	VPOR     Y6, Y10, Y12 \
	VPSUBB   Y7, Y12, Y12 \
	VPMINUB  Y8, Y12, Y14 \
	VPCMPEQB Y14, Y12, Y14 \
	VPMOVMSKB Y14, AX \
	OUT(R12) \
	VPOR     Y14, Y11, Y11 \
	VPMOVMSKB Y11, AX \
	OUT(BX) \
	VPMINUB  Y9, Y12, Y15 \
	VPCMPEQB Y15, Y12, Y15 \
	VPOR     Y13, Y15, Y15 \
	VPMOVMSKB Y15, AX \
	OUT(R11)

// the low half's mask bits: the register's 32 low bits
#define LOW(R) MOVQ AX, R
// the high half's: OR-ed above them
#define HIGH(R) SHLQ $32, AX \
	ORQ AX, R

#define BCAST(v, Y) \
	MOVL $v, AX \
	MOVQ AX, X15 \
	VPBROADCASTB X15, Y

// func classifyAVX2(dst *blockMasks, src *byte, n int)
TEXT ·classifyAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JLE  done
	BCAST(0x2e, Y0)
	BCAST(0x3a, Y1)
	BCAST(0x5f, Y2)
	BCAST(0x2d, Y3)
	BCAST(0x30, Y4)
	BCAST(9, Y5)
	BCAST(0x20, Y6)
	BCAST(0x61, Y7)
	BCAST(25, Y8)
	BCAST(5, Y9)
loop:
	HALF(0, LOW)
	HALF(32, HIGH)
	// one 64-bit store per mask (a load of a mask word is then forwarded
	// from one store, not two halves)
	MOVQ BX, 0(DI)
	MOVQ R8, 8(DI)
	MOVQ R9, 16(DI)
	MOVQ R10, 24(DI)
	MOVQ R11, 32(DI)
	MOVQ R12, 40(DI)
	ADDQ $64, SI
	ADDQ $48, DI
	DECQ CX
	JNZ  loop
	VZEROUPPER
done:
	RET

// One block of 64 bytes in Z10 classified with AVX-512BW: compares into
// mask registers, stored as the mask words of the block at DI.
// Constants: Z0 '.', Z1 ':', Z2 '_', Z3 '-', Z4 '0', Z5 0x20, Z6 'a',
// Z7 9, Z8 25, Z9 5.
#define BLOCK512 \
	VPCMPEQB Z0, Z10, K2 \
	KMOVQ    K2, 8(DI) \
	VPCMPEQB Z1, Z10, K3 \
	KMOVQ    K3, 16(DI) \
	VPCMPEQB Z2, Z10, K4 \
	VPCMPEQB Z3, Z10, K5 \
	VPSUBB   Z4, Z10, Z11 \
	VPCMPUB  $2, Z7, Z11, K6 \
	KMOVQ    K6, 24(DI) \
	VPORQ    Z5, Z10, Z12 \
	VPSUBB   Z6, Z12, Z12 \
	VPCMPUB  $2, Z8, Z12, K7 \
	KMOVQ    K7, 40(DI) \
	VPCMPUB  $2, Z9, Z12, K1 \
	KORQ     K6, K1, K1 \
	KMOVQ    K1, 32(DI) \
	KORQ     K2, K3, K2 \
	KORQ     K4, K5, K4 \
	KORQ     K6, K7, K6 \
	KORQ     K2, K4, K2 \
	KORQ     K2, K6, K2 \
	KMOVQ    K2, 0(DI)

#define BCAST512(v, Z) \
	MOVL $v, AX \
	VPBROADCASTB AX, Z

// func classifyAVX512(dst *blockMasks, src *byte, n int)
// classifies the n bytes at src (a last partial block by a masked load,
// which reads no byte past them) into dst[0:ceil(n/64)].
TEXT ·classifyAVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	TESTQ CX, CX
	JLE  done512
	BCAST512(0x2e, Z0)
	BCAST512(0x3a, Z1)
	BCAST512(0x5f, Z2)
	BCAST512(0x2d, Z3)
	BCAST512(0x30, Z4)
	BCAST512(0x20, Z5)
	BCAST512(0x61, Z6)
	BCAST512(9, Z7)
	BCAST512(25, Z8)
	BCAST512(5, Z9)
loop512:
	CMPQ CX, $64
	JB   tail512
	VMOVDQU8 (SI), Z10
	BLOCK512
	ADDQ $64, SI
	ADDQ $48, DI
	SUBQ $64, CX
	JNZ  loop512
	JMP  end512
tail512:
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	KMOVQ AX, K1
	VMOVDQU8.Z (SI), K1, Z10
	BLOCK512
end512:
	VZEROUPPER
done512:
	RET
