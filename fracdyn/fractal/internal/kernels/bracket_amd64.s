//go:build amd64 && !purego

#include "textflag.h"

DATA bconst<>+0(SB)/4, $0x7fffffff
DATA bconst<>+4(SB)/4, $0x00800000
GLOBL bconst<>(SB), RODATA|NOPTR, $8

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

// func maskRow2AVX2(hiPlane, inPlane []uint8, src []float32, lo, hi uint32, dst []uint32, pack *[256]uint64) (n, below int, flags uint32)
//
// For the first len(src)&^7 weights, with x the bit pattern of |w|: bit y
// of hiPlane[j] is x > hi and bit y of inPlane[j] is lo ≤ x ≤ hi, for
// x = |src[8j+y]|; appends the x in [lo, hi] to dst in order (n of them;
// len(dst) must be at least len(src) + 8), counts x < lo (below) and ORs
// x + 2²³ into flags (bit 31: a NaN or Inf). Branch-free: each step stores
// all eight lanes, left-packed by VPERMD with the lane order pack[mask]
// (eight byte indices), at dst[n], and advances n by the popcount. The
// threshold's gathering pass (bracketScan) is this with throwaway planes.
TEXT ·maskRow2AVX2(SB), NOSPLIT, $0-132
	MOVQ         hiPlane_base+0(FP), R12
	MOVQ         inPlane_base+24(FP), R13
	MOVQ         src_base+48(FP), SI
	MOVQ         src_len+56(FP), CX
	SHRQ         $3, CX
	MOVL         lo+72(FP), R8
	VMOVD        R8, X10
	VPBROADCASTD X10, Y10
	MOVL         hi+76(FP), R8
	VMOVD        R8, X11
	VPBROADCASTD X11, Y11
	MOVQ         dst_base+80(FP), DI
	MOVQ         pack+104(FP), R14
	VPBROADCASTD bconst<>+0(SB), Y12
	VPBROADCASTD bconst<>+4(SB), Y13
	VPXOR        Y14, Y14, Y14           // below, per lane
	VPXOR        Y15, Y15, Y15           // flags, per lane
	XORQ         AX, AX
	TESTQ        CX, CX
	JZ           m2reduce

m2loop:
	VMOVDQU   (SI), Y0
	VPAND     Y12, Y0, Y0                // x
	VPADDD    Y13, Y0, Y1
	VPOR      Y1, Y15, Y15
	VPCMPGTD  Y0, Y10, Y2                // lo > x
	VPSUBD    Y2, Y14, Y14               // below += 1 there
	VPCMPGTD  Y11, Y0, Y3                // x > hi
	VMOVMSKPS Y3, R11
	MOVB      R11, (R12)
	VPOR      Y2, Y3, Y3                 // out of [lo, hi]
	VMOVMSKPS Y3, BX
	XORL      $0xff, BX                  // lanes in range
	MOVB      BX, (R13)
	VPMOVZXBD (R14)(BX*8), Y4            // their lane order
	VPERMD    Y0, Y4, Y5
	VMOVDQU   Y5, (DI)(AX*4)
	POPCNTL   BX, BX
	ADDQ      BX, AX
	ADDQ      $32, SI
	INCQ      R12
	INCQ      R13
	DECQ      CX
	JNZ       m2loop

m2reduce:
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
	MOVQ         AX, n+112(FP)
	MOVQ         R9, below+120(FP)
	MOVL         R10, flags+128(FP)
	RET

// func resolveBMI2(dst, hiPlane, inPlane []uint8, rows, stride, words int, ge []uint64, p int) int
//
// For each of rows rows (stride bytes apart) and words 64-bit words of
// each: dst = hi | pdep(next bits of ge from bit p, in), consuming one ge
// bit per set bit of in. Returns the next p. ge holds one word of slack.
TEXT ·resolveBMI2(SB), NOSPLIT, $0-136
	MOVQ dst_base+0(FP), DI
	MOVQ hiPlane_base+24(FP), SI
	MOVQ inPlane_base+48(FP), DX
	MOVQ rows+72(FP), R8
	MOVQ stride+80(FP), R9
	MOVQ words+88(FP), R10
	MOVQ ge_base+96(FP), R11
	MOVQ p+120(FP), R12
	TESTQ R8, R8
	JZ    rdone
	TESTQ R10, R10
	JZ    rdone

rrow:
	XORQ R13, R13                 // word index

rword:
	MOVQ    (DX)(R13*8), BX       // in
	MOVQ    R12, R14
	SHRQ    $6, R14
	MOVQ    (R11)(R14*8), AX      // ge word holding bit p
	MOVQ    8(R11)(R14*8), R15
	MOVQ    R12, CX
	SHRQ    CX, R15, AX           // AX = ge bits from p on (SHRD)
	PDEPQ   BX, AX, AX
	ORQ     (SI)(R13*8), AX
	MOVQ    AX, (DI)(R13*8)
	POPCNTQ BX, BX
	ADDQ    BX, R12
	INCQ    R13
	CMPQ    R13, R10
	JLT     rword
	ADDQ    R9, DI
	ADDQ    R9, SI
	ADDQ    R9, DX
	DECQ    R8
	JNZ     rrow

rdone:
	MOVQ R12, ret+128(FP)
	RET
