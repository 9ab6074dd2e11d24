//go:build !purego

#include "textflag.h"

// One 32-byte half of a block: the bytes at off(SI) classified, their
// masks stored as the 32-bit half at moff of each mask word of the block
// at DI (blockMasks: tok 0, dot 8, colon 16, digit 24, hex 32, alpha 40).
// Constants: Y0 '.', Y1 ':', Y2 '_', Y3 '-', Y4 '0', Y5 9, Y6 0x20,
// Y7 'a', Y8 25, Y9 5. Unsigned ranges: c in [lo, lo+k] when
// min(c-lo, k) == c-lo.
#define HALF(off, moff) \
	VMOVDQU  off(SI), Y10 \
	VPCMPEQB Y10, Y0, Y11 \
	VPMOVMSKB Y11, AX \
	MOVL     AX, (8+moff)(DI) \
	VPCMPEQB Y10, Y1, Y12 \
	VPMOVMSKB Y12, AX \
	MOVL     AX, (16+moff)(DI) \
	VPOR     Y12, Y11, Y11 \
	VPCMPEQB Y10, Y2, Y12 \
	VPOR     Y12, Y11, Y11 \
	VPCMPEQB Y10, Y3, Y12 \
	VPOR     Y12, Y11, Y11 \
	VPSUBB   Y4, Y10, Y12 \
	VPMINUB  Y5, Y12, Y13 \
	VPCMPEQB Y13, Y12, Y13 \
	VPMOVMSKB Y13, AX \
	MOVL     AX, (24+moff)(DI) \
	VPOR     Y13, Y11, Y11 \
	VPOR     Y6, Y10, Y12 \
	VPSUBB   Y7, Y12, Y12 \
	VPMINUB  Y8, Y12, Y14 \
	VPCMPEQB Y14, Y12, Y14 \
	VPMOVMSKB Y14, AX \
	MOVL     AX, (40+moff)(DI) \
	VPOR     Y14, Y11, Y11 \
	VPMOVMSKB Y11, AX \
	MOVL     AX, (0+moff)(DI) \
	VPMINUB  Y9, Y12, Y15 \
	VPCMPEQB Y15, Y12, Y15 \
	VPOR     Y13, Y15, Y15 \
	VPMOVMSKB Y15, AX \
	MOVL     AX, (32+moff)(DI)

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
	HALF(0, 0)
	HALF(32, 4)
	ADDQ $64, SI
	ADDQ $48, DI
	DECQ CX
	JNZ  loop
	VZEROUPPER
done:
	RET
