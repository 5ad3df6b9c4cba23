//go:build amd64 && !purego

#include "textflag.h"

DATA bconst<>+0(SB)/4, $0x7fffffff
DATA bconst<>+4(SB)/4, $0x00800000
GLOBL bconst<>(SB), RODATA|NOPTR, $8

// func bracketBlockAVX2(dst []uint32, src []float32, lo, hi uint32) (n, below int, flags uint32)
//
// For the first len(src)&^7 weights, with x the bit pattern of |w|: counts
// x < lo (below), appends x ∈ [lo, hi] to dst (n of them; len(dst) must be
// at least len(src)), and ORs x + 2²³ into flags (bit 31: a NaN or Inf).
// Eight weights a step; the rare steps with a weight in range append it.
TEXT ·bracketBlockAVX2(SB), NOSPLIT, $0-76
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	SHRQ         $3, CX
	MOVL         lo+48(FP), R8
	VMOVD        R8, X10
	VPBROADCASTD X10, Y10
	MOVL         hi+52(FP), R8
	VMOVD        R8, X11
	VPBROADCASTD X11, Y11
	VPBROADCASTD bconst<>+0(SB), Y12
	VPBROADCASTD bconst<>+4(SB), Y13
	VPXOR        Y14, Y14, Y14           // below, per lane
	VPXOR        Y15, Y15, Y15           // flags, per lane
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           reduce

loop:
	VMOVDQU   (SI), Y0
	VPAND     Y12, Y0, Y0                // x
	VPADDD    Y13, Y0, Y1
	VPOR      Y1, Y15, Y15
	VPCMPGTD  Y0, Y10, Y2                // lo > x
	VPSUBD    Y2, Y14, Y14               // below += 1 there
	VPCMPGTD  Y11, Y0, Y3                // x > hi
	VPOR      Y2, Y3, Y3                 // out of [lo, hi]
	VMOVMSKPS Y3, BX
	XORL      $0xff, BX                  // lanes in range
	JNZ       gather

next:
	ADDQ $32, SI
	DECQ CX
	JNZ  loop
	JMP  reduce

gather:
	TZCNTL BX, DX
	MOVL   (SI)(DX*4), R8
	ANDL   $0x7fffffff, R8
	MOVL   R8, (DI)(AX*4)
	INCQ   AX
	BLSRL  BX, BX
	JNZ    gather
	JMP    next

reduce:
	VEXTRACTI128 $1, Y14, X0
	VPADDD       X0, X14, X14
	VPSHUFD      $0x4e, X14, X0
	VPADDD       X0, X14, X14
	VPSHUFD      $0xb1, X14, X0
	VPADDD       X0, X14, X14
	VMOVD        X14, R9
	VEXTRACTI128 $1, Y15, X0
	VPOR         X0, X15, X15
	VPSHUFD      $0x4e, X15, X0
	VPOR         X0, X15, X15
	VPSHUFD      $0xb1, X15, X0
	VPOR         X0, X15, X15
	VMOVD        X15, R10
	VZEROUPPER
	MOVQ         AX, n+56(FP)
	MOVQ         R9, below+64(FP)
	MOVL         R10, flags+72(FP)
	RET

// func maskRowAVX2(dst []uint8, src []float32, tauBits uint32)
//
// Bit y of dst[j] is 1 when the bit pattern of |src[8j+y]| is at least
// tauBits (1 ≤ tauBits < 2³¹), for the first len(src)&^7 weights.
TEXT ·maskRowAVX2(SB), NOSPLIT, $0-52
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	SHRQ         $3, CX
	JZ           mdone
	MOVL         tauBits+48(FP), R8
	DECL         R8
	VMOVD        R8, X10
	VPBROADCASTD X10, Y10                // tauBits − 1
	VPBROADCASTD bconst<>+0(SB), Y12

mloop:
	VMOVDQU   (SI), Y0
	VPAND     Y12, Y0, Y0
	VPCMPGTD  Y10, Y0, Y0                // x > tauBits − 1
	VMOVMSKPS Y0, BX
	MOVB      BX, (DI)
	ADDQ      $32, SI
	INCQ      DI
	DECQ      CX
	JNZ       mloop
	VZEROUPPER

mdone:
	RET
