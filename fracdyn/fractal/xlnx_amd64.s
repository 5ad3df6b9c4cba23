//go:build amd64 && !purego

#include "textflag.h"

// Constants, four float64 lanes each (float32 lanes for the sign mask).
DATA absmask32<>+0(SB)/8, $0x7fffffff7fffffff
DATA absmask32<>+8(SB)/8, $0x7fffffff7fffffff
GLOBL absmask32<>(SB), RODATA|NOPTR, $16

#define CONST4(name, v) \
	DATA name<>+0(SB)/8, v \
	DATA name<>+8(SB)/8, v \
	DATA name<>+16(SB)/8, v \
	DATA name<>+24(SB)/8, v \
	GLOBL name<>(SB), RODATA|NOPTR, $32

CONST4(magic, $0x4330000000000000)     // 2^52 as bits
CONST4(magicbias, $0x43300000000003ff) // 2^52 + 1023 as float64
CONST4(mant, $0x000fffffffffffff)
CONST4(sqrt2mant, $0x0006a09e667f3bcd) // mantissa bits of √2
CONST4(one, $0x3ff0000000000000)
CONST4(half, $0x3fe0000000000000)
CONST4(ln2, $0x3fe62e42fefa39ef)
CONST4(c0, $0x4000000000000000)        // 2
CONST4(c1, $0x3fe5555555555555)        // 2/3
CONST4(c2, $0x3fd999999999999a)        // 2/5
CONST4(c3, $0x3fd2492492492492)        // 2/7
CONST4(c4, $0x3fcc71c71c71c71c)        // 2/9
CONST4(c5, $0x3fc745d1745d1746)        // 2/11
CONST4(zero, $0)

// LN sets Y8 = ln Y1 for four positive float64 lanes (−1023·ln 2 for +0),
// using Y2–Y7. With x = 2^e·m, m ∈ [√½, √2], s = (m−1)/(m+1):
// ln m = 2(s + s³/3 + … + s¹¹/11), truncation < 2e-11.
#define LN \
	VPSRLQ      $52, Y1, Y2 \
	VPOR        magic<>(SB), Y2, Y2 \
	VSUBPD      magicbias<>(SB), Y2, Y2 \ // e = biased exponent − 1023
	VPAND       mant<>(SB), Y1, Y3 \
	VPCMPGTQ    sqrt2mant<>(SB), Y3, Y4 \ // mantissa > √2's
	VPOR        one<>(SB), Y3, Y3 \       // m ∈ [1, 2)
	VANDPD      one<>(SB), Y4, Y5 \
	VADDPD      Y5, Y2, Y2 \              // e += 1 where m > √2
	VMULPD      half<>(SB), Y3, Y6 \
	VANDPD      Y4, Y6, Y6 \
	VSUBPD      Y6, Y3, Y3 \              // m /= 2 where m > √2
	VSUBPD      one<>(SB), Y3, Y6 \
	VADDPD      one<>(SB), Y3, Y7 \
	VDIVPD      Y7, Y6, Y6 \              // s = (m − 1)/(m + 1)
	VMULPD      Y6, Y6, Y7 \              // s²
	VMOVUPD     c5<>(SB), Y8 \
	VFMADD213PD c4<>(SB), Y7, Y8 \
	VFMADD213PD c3<>(SB), Y7, Y8 \
	VFMADD213PD c2<>(SB), Y7, Y8 \
	VFMADD213PD c1<>(SB), Y7, Y8 \
	VFMADD213PD c0<>(SB), Y7, Y8 \
	VMULPD      Y6, Y8, Y8 \              // ln m
	VFMADD231PD ln2<>(SB), Y2, Y8          // + e·ln 2

// func xlnxRowAVX2(dst []float64, src []float32)
//
// dst[i] = |src[i]|·ln|src[i]| (0 for 0) for i < len(src)&^3; the caller
// does the rest.
TEXT ·xlnxRowAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $2, CX
	JZ   xdone

xloop:
	VMOVUPS   (SI), X0
	VANDPS    absmask32<>(SB), X0, X0
	VCVTPS2PD X0, Y1
	LN
	VMULPD    Y1, Y8, Y8
	VMOVUPD   Y8, (DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       xloop
	VZEROUPPER

xdone:
	RET

// func entropyRowAVX2(h []float32, s, t []float64)
//
// h[i] = max(ln s[i] − t[i]/s[i], 0) for s[i] > 0, else 0, for
// i < len(h)&^3 (s and t at least as long); the caller does the rest.
TEXT ·entropyRowAVX2(SB), NOSPLIT, $0-72
	MOVQ h_base+0(FP), DI
	MOVQ h_len+8(FP), CX
	MOVQ s_base+24(FP), SI
	MOVQ t_base+48(FP), DX
	SHRQ $2, CX
	JZ   edone

eloop:
	VMOVUPD    (SI), Y1
	LN
	VMOVUPD    (DX), Y9
	VDIVPD     Y1, Y9, Y9                // t/s
	VSUBPD     Y9, Y8, Y8                // ln s − t/s
	VCMPPD     $0x1e, zero<>(SB), Y1, Y10 // s > 0
	VANDPD     Y10, Y8, Y8
	VMAXPD     zero<>(SB), Y8, Y8
	VCVTPD2PSY Y8, X8
	VMOVUPS    X8, (DI)
	ADDQ       $32, SI
	ADDQ       $32, DX
	ADDQ       $16, DI
	DECQ       CX
	JNZ        eloop
	VZEROUPPER

edone:
	RET

// func quadSumsAVX2(dst []float64, src []float32)
//
// For each group g of four weights a = |src[4g…4g+3]|, g < len(src)/4:
// dst[2g] = Σ a and dst[2g+1] = Σ a·ln a (0·ln 0 = 0). len(dst) ≥ 2·g.
TEXT ·quadSumsAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $2, CX
	JZ   qdone

qloop:
	VMOVUPS      (SI), X0
	VANDPS       absmask32<>(SB), X0, X0
	VCVTPS2PD    X0, Y1
	LN
	VMULPD       Y1, Y8, Y8
	VHADDPD      Y8, Y1, Y9               // a0+a1, t0+t1, a2+a3, t2+t3
	VEXTRACTF128 $1, Y9, X10
	VADDPD       X10, X9, X9              // Σ a, Σ a·ln a
	VMOVUPD      X9, (DI)
	ADDQ         $16, SI
	ADDQ         $16, DI
	DECQ         CX
	JNZ          qloop
	VZEROUPPER

qdone:
	RET
