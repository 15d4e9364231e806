//go:build amd64 && !noasm && gc

#include "textflag.h"

// Hand-written AVX2 MinHash kernel.
//
// For every lane i and every mixed shingle x: mins[i] = min(mins[i], a[i]*x + b[i])
// (u32 arithmetic mod 2^32). Lanes are processed in passes over the shingle
// slice: passes of 32 lanes (4 YMM accumulators, their 4 a and 4 b vectors
// all held in registers, 2 shingles per iteration: 16 YMM registers), then
// passes of 8 lanes for what is left. The kernel is bit-identical to
// signPortable by construction (same wrap-around arithmetic, unsigned min).

// func minAVX2(mins *uint32, params *uint32, groups int, xs *uint32, n int)
TEXT ·minAVX2(SB), NOSPLIT, $0-40
	MOVQ mins+0(FP), DI
	MOVQ params+8(FP), SI
	MOVQ groups+16(FP), CX
	MOVQ xs+24(FP), R8
	MOVQ n+32(FP), R9
	TESTQ R9, R9
	JZ   done

pass32:
	CMPQ CX, $4
	JB   pass8
	VMOVDQU 0(DI), Y0
	VMOVDQU 32(DI), Y1
	VMOVDQU 64(DI), Y2
	VMOVDQU 96(DI), Y3
	VMOVDQU 0(SI), Y4
	VMOVDQU 32(SI), Y5
	VMOVDQU 64(SI), Y6
	VMOVDQU 96(SI), Y7
	VMOVDQU 128(SI), Y8
	VMOVDQU 160(SI), Y9
	VMOVDQU 192(SI), Y10
	VMOVDQU 224(SI), Y11
	MOVQ R8, AX
	MOVQ R9, BX

loop32x2:
	CMPQ BX, $2
	JB   tail32
	VPBROADCASTD 0(AX), Y12
	VPBROADCASTD 4(AX), Y13

	VPMULLD Y4, Y12, Y14
	VPMULLD Y4, Y13, Y15
	VPADDD  Y5, Y14, Y14
	VPADDD  Y5, Y15, Y15
	VPMINUD Y14, Y0, Y0
	VPMINUD Y15, Y0, Y0

	VPMULLD Y6, Y12, Y14
	VPMULLD Y6, Y13, Y15
	VPADDD  Y7, Y14, Y14
	VPADDD  Y7, Y15, Y15
	VPMINUD Y14, Y1, Y1
	VPMINUD Y15, Y1, Y1

	VPMULLD Y8, Y12, Y14
	VPMULLD Y8, Y13, Y15
	VPADDD  Y9, Y14, Y14
	VPADDD  Y9, Y15, Y15
	VPMINUD Y14, Y2, Y2
	VPMINUD Y15, Y2, Y2

	VPMULLD Y10, Y12, Y14
	VPMULLD Y10, Y13, Y15
	VPADDD  Y11, Y14, Y14
	VPADDD  Y11, Y15, Y15
	VPMINUD Y14, Y3, Y3
	VPMINUD Y15, Y3, Y3

	ADDQ $8, AX
	SUBQ $2, BX
	JMP  loop32x2

tail32:
	TESTQ BX, BX
	JZ    store32
	VPBROADCASTD 0(AX), Y12
	VPMULLD Y4, Y12, Y14
	VPADDD  Y5, Y14, Y14
	VPMINUD Y14, Y0, Y0
	VPMULLD Y6, Y12, Y14
	VPADDD  Y7, Y14, Y14
	VPMINUD Y14, Y1, Y1
	VPMULLD Y8, Y12, Y14
	VPADDD  Y9, Y14, Y14
	VPMINUD Y14, Y2, Y2
	VPMULLD Y10, Y12, Y14
	VPADDD  Y11, Y14, Y14
	VPMINUD Y14, Y3, Y3

store32:
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $256, SI
	SUBQ $4, CX
	JMP  pass32

pass8:
	TESTQ CX, CX
	JZ    done
	VMOVDQU 0(DI), Y0
	VMOVDQU 0(SI), Y4
	VMOVDQU 32(SI), Y5
	VMOVDQA Y0, Y1
	MOVQ R8, AX
	MOVQ R9, BX

loop8x2:
	CMPQ BX, $2
	JB   tail8
	VPBROADCASTD 0(AX), Y12
	VPBROADCASTD 4(AX), Y13
	VPMULLD Y4, Y12, Y14
	VPMULLD Y4, Y13, Y15
	VPADDD  Y5, Y14, Y14
	VPADDD  Y5, Y15, Y15
	VPMINUD Y14, Y0, Y0
	VPMINUD Y15, Y1, Y1
	ADDQ $8, AX
	SUBQ $2, BX
	JMP  loop8x2

tail8:
	TESTQ BX, BX
	JZ    store8
	VPBROADCASTD 0(AX), Y12
	VPMULLD Y4, Y12, Y14
	VPADDD  Y5, Y14, Y14
	VPMINUD Y14, Y0, Y0

store8:
	VPMINUD Y1, Y0, Y0
	VMOVDQU Y0, 0(DI)
	ADDQ $32, DI
	ADDQ $64, SI
	DECQ CX
	JMP  pass8

done:
	VZEROUPPER
	RET
