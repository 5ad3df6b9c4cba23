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
CONST4(sqrt2half, $0x3fe6a09e667f3bcd) // √½
CONST4(sqrt2off, $0x00095f619980c433)  // 1.0 − √½, as bit patterns
CONST4(one, $0x3ff0000000000000)
CONST4(ln2, $0x3fe62e42fefa39ef)
CONST4(c0, $0x4000000000000000)        // 2
CONST4(c1, $0x3fe5555555555555)        // 2/3
CONST4(c2, $0x3fd999999999999a)        // 2/5
CONST4(c3, $0x3fd2492492492492)        // 2/7
CONST4(c4, $0x3fcc71c71c71c71c)        // 2/9
CONST4(c5, $0x3fc745d1745d1746)        // 2/11
CONST4(zero, $0)

// LNR sets y = ln x for four positive float64 lanes (−1023·ln 2 for +0),
// using e, m, s, z as scratch (k and t are spare). With x = 2^e·m, m ∈ [√½, √2),
// s = (m−1)/(m+1): ln m = 2(s + s³/3 + … + s¹¹/11), truncation < 2e-11.
#define LNR(x, e, m, k, t, s, z, y) \
	VPADDQ      sqrt2off<>(SB), x, m \  // bits + (1.0 − √½) bits: e and m in one step
	VPSRLQ      $52, m, e \
	VPOR        magic<>(SB), e, e \
	VSUBPD      magicbias<>(SB), e, e \ // e = biased exponent − 1023
	VPAND       mant<>(SB), m, m \
	VPADDQ      sqrt2half<>(SB), m, m \ // m ∈ [√½, √2)
	VSUBPD      one<>(SB), m, s \
	VADDPD      one<>(SB), m, z \
	VDIVPD      z, s, s \               // s = (m − 1)/(m + 1)
	VMULPD      s, s, z \               // s²
	VMOVUPD     c5<>(SB), y \
	VFMADD213PD c4<>(SB), z, y \
	VFMADD213PD c3<>(SB), z, y \
	VFMADD213PD c2<>(SB), z, y \
	VFMADD213PD c1<>(SB), z, y \
	VFMADD213PD c0<>(SB), z, y \
	VMULPD      s, y, y \               // ln m
	VFMADD231PD ln2<>(SB), e, y              // + e·ln 2

#define LN LNR(Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8)

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
	MOVQ CX, DX
	SHRQ $3, CX                           // pairs of groups
	JZ   qone

qloop2: // two independent groups a step, for more instructions in flight
	VMOVUPS      (SI), X1
	VMOVUPS      16(SI), X9
	VANDPS       absmask32<>(SB), X1, X1
	VANDPS       absmask32<>(SB), X9, X9
	VCVTPS2PD    X1, Y1
	VCVTPS2PD    X9, Y9
	LNR(Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8)
	LNR(Y9, Y10, Y11, Y12, Y13, Y14, Y15, Y0)
	VMULPD       Y1, Y8, Y8
	VMULPD       Y9, Y0, Y0
	VHADDPD      Y8, Y1, Y5               // a0+a1, t0+t1, a2+a3, t2+t3
	VHADDPD      Y0, Y9, Y13
	VEXTRACTF128 $1, Y5, X6
	VEXTRACTF128 $1, Y13, X14
	VADDPD       X6, X5, X5               // Σ a, Σ a·ln a
	VADDPD       X14, X13, X13
	VMOVUPD      X5, (DI)
	VMOVUPD      X13, 16(DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          qloop2

qone:
	TESTQ        $4, DX                   // one group left
	JZ           qdone
	VMOVUPS      (SI), X0
	VANDPS       absmask32<>(SB), X0, X0
	VCVTPS2PD    X0, Y1
	LN
	VMULPD       Y1, Y8, Y8
	VHADDPD      Y8, Y1, Y9
	VEXTRACTF128 $1, Y9, X10
	VADDPD       X10, X9, X9
	VMOVUPD      X9, (DI)

qdone:
	VZEROUPPER
	RET
