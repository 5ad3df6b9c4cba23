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

// Float32 constants, eight lanes (each 64-bit pattern holds two).
CONST4(absmask8, $0x7fffffff7fffffff)
CONST4(off8, $0x004afb0d004afb0d)      // 1.0 − √½, as float32 bit patterns
CONST4(bias8, $0x0000007f0000007f)     // 127
CONST4(mant8, $0x007fffff007fffff)
CONST4(sqrthalf8, $0x3f3504f33f3504f3) // √½
CONST4(one8, $0x3f8000003f800000)
CONST4(neghalf8, $0xbf000000bf000000)
CONST4(lnhi8, $0x3f3180003f318000)     // 0.693359375
CONST4(lnlo8, $0xb95e8083b95e8083)     // −2.12194440e-4 (ln 2 − 0.693359375)
CONST4(maxfinite8, $0x7f7fffff7f7fffff) // MaxFloat32
CONST4(lp0, $0x3d9021bb3d9021bb)       // Cephes logf: 7.0376836292e-2
CONST4(lp1, $0xbdebd1b8bdebd1b8)       // −1.1514610310e-1
CONST4(lp2, $0x3def251a3def251a)       // 1.1676998740e-1
CONST4(lp3, $0xbdfe5d4fbdfe5d4f)       // −1.2420140846e-1
CONST4(lp4, $0x3e11e9bf3e11e9bf)       // 1.4249322787e-1
CONST4(lp5, $0xbe2aae50be2aae50)       // −1.6668057665e-1
CONST4(lp6, $0x3e4cceac3e4cceac)       // 2.0000714765e-1
CONST4(lp7, $0xbe7ffffcbe7ffffc)       // −2.4999993993e-1
CONST4(lp8, $0x3eaaaaaa3eaaaaaa)       // 3.3333331174e-1

// LN8 sets y = ln a for eight float32 lanes a ≥ 0 (Cephes' logf
// polynomial: within about 2 ulp for normal a; finite for 0 and for
// subnormals, which are read as 2^−127·m), using e, f, z, b, c, d as
// scratch. With a = 2^e·m, m ∈ [√½, √2) by one integer add, f = m − 1:
// ln a = e·ln 2 + f − f²/2 + f³·P(f), P of degree 8 evaluated by Estrin's
// scheme (half the latency of Horner's), ln 2 split in two for the e term.
#define LN8(a, e, f, z, y, b, c, d) \
	VPADDD      off8<>(SB), a, f \
	VPSRLD      $23, f, e \
	VPSUBD      bias8<>(SB), e, e \
	VCVTDQ2PS   e, e \
	VPAND       mant8<>(SB), f, f \
	VPADDD      sqrthalf8<>(SB), f, f \
	VSUBPS      one8<>(SB), f, f \
	VMULPS      f, f, z \
	VMOVUPS     lp7<>(SB), y \
	VFMADD213PS lp8<>(SB), f, y \
	VMOVUPS     lp5<>(SB), b \
	VFMADD213PS lp6<>(SB), f, b \
	VMOVUPS     lp3<>(SB), c \
	VFMADD213PS lp4<>(SB), f, c \
	VMOVUPS     lp1<>(SB), d \
	VFMADD213PS lp2<>(SB), f, d \
	VFMADD231PS b, z, y \
	VFMADD231PS d, z, c \
	VMULPS      z, z, b \
	VFMADD231PS c, b, y \
	VMULPS      b, b, d \
	VFMADD231PS lp0<>(SB), d, y \
	VMULPS      f, z, b \
	VMULPS      b, y, y \
	VFMADD231PS neghalf8<>(SB), z, f \
	VFMADD231PS lnlo8<>(SB), e, y \
	VADDPS      f, y, y \
	VFMADD231PS lnhi8<>(SB), e, y

// func xlnxRowAVX2(dst []float64, src []float32)
//
// dst[i] = |src[i]|·ln|src[i]| (0 for 0) for i < len(src)&^7: ln in
// float32 (LN8), the product in float64; the caller does the rest.
TEXT ·xlnxRowAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $3, CX
	JZ   xdone

xloop:
	VMOVUPS      (SI), Y0
	VANDPS       absmask8<>(SB), Y0, Y0
	LN8(Y0, Y2, Y3, Y4, Y5, Y11, Y12, Y13)
	VCVTPS2PD    X0, Y6                   // a·ln a in float64: no overflow
	VCVTPS2PD    X5, Y8
	VMULPD       Y6, Y8, Y8
	VEXTRACTF128 $1, Y0, X7
	VEXTRACTF128 $1, Y5, X9
	VCVTPS2PD    X7, Y7
	VCVTPS2PD    X9, Y9
	VMULPD       Y7, Y9, Y9
	VMOVUPD      Y8, (DI)
	VMOVUPD      Y9, 32(DI)
	ADDQ         $32, SI
	ADDQ         $64, DI
	DECQ         CX
	JNZ          xloop
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

// func quadSumsAVX2(dst []float64, src []float32, scale float32) (flags uint32)
//
// For each group g of four weights a = scale·|src[4g…4g+3]|, g <
// len(src)/4: dst[2g] = Σ a and dst[2g+1] = Σ a·ln a (0·ln 0 = 0), in
// float32 (LN8), widened. len(dst) ≥ 2·g. flags is nonzero when a sum
// overflowed float32 (the caller then uses quadSumsGo).
TEXT ·quadSumsAVX2(SB), NOSPLIT, $0-60
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	MOVL         scale+48(FP), AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	VPXOR        Y14, Y14, Y14            // flags
	MOVQ         CX, DX
	SHRQ         $3, CX                   // pairs of groups
	JZ           qone

qloop2:
	VMOVUPS      (SI), Y0
	VANDPS       absmask8<>(SB), Y0, Y0
	VMULPS       Y15, Y0, Y0              // a
	LN8(Y0, Y2, Y3, Y4, Y5, Y11, Y12, Y13)
	VMULPS       Y0, Y5, Y5               // a·ln a
	VHADDPS      Y5, Y0, Y6               // a01 a23 t01 t23 | a45 a67 t45 t67
	VHADDPS      Y6, Y6, Y6               // a0123 t0123 … | a4567 t4567 …
	VANDPS       absmask8<>(SB), Y6, Y7
	VPCMPGTD     maxfinite8<>(SB), Y7, Y7 // Inf or NaN
	VPOR         Y7, Y14, Y14
	VPERMQ       $0x08, Y6, Y6            // a0123 t0123 a4567 t4567
	VCVTPS2PD    X6, Y7
	VMOVUPD      Y7, (DI)
	ADDQ         $32, SI
	ADDQ         $32, DI
	DECQ         CX
	JNZ          qloop2

qone:
	TESTQ        $4, DX                   // one group left
	JZ           qdone
	VMOVUPS      (SI), X0                 // upper lanes zero: ln finite, ·0 = 0
	VANDPS       absmask8<>(SB), Y0, Y0
	VMULPS       Y15, Y0, Y0
	LN8(Y0, Y2, Y3, Y4, Y5, Y11, Y12, Y13)
	VMULPS       Y0, Y5, Y5
	VHADDPS      Y5, Y0, Y6
	VHADDPS      Y6, Y6, Y6
	VANDPS       absmask8<>(SB), Y6, Y7
	VPCMPGTD     maxfinite8<>(SB), Y7, Y7
	VPOR         Y7, Y14, Y14
	VCVTPS2PD    X6, Y7
	VMOVUPD      X7, (DI)

qdone:
	VPMOVMSKB    Y14, AX
	MOVL         AX, flags+56(FP)
	VZEROUPPER
	RET

CONST4(big8, $0x7680000076800000)  // 2¹¹⁰, float32
CONST4(tiny8, $0x0d8000000d800000) // 2⁻¹⁰⁰, float32

// B2HALF accumulates one 8-column block of the two rows at r = 2: the on
// counts (−1 per weight with bits of |w| > Y15) into cnt, and with
// a = |w|·Y8, Σ a into s and Σ a·ln a into t, for the eight columns at
// off(SI) and off(DX).
#define B2HALF(off, cnt, s, t) \
	VMOVUPS     off(SI), Y0 \
	VANDPS      absmask8<>(SB), Y0, Y0 \
	VPCMPGTD    Y15, Y0, cnt \
	VMULPS      Y8, Y0, Y0 \
	VMOVAPS     Y0, s \
	LN8(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7) \
	VMULPS      Y0, Y4, t \
	VMOVUPS     off(DX), Y0 \
	VANDPS      absmask8<>(SB), Y0, Y0 \
	VPCMPGTD    Y15, Y0, Y1 \
	VPADDD      Y1, cnt, cnt \
	VMULPS      Y8, Y0, Y0 \
	VADDPS      Y0, s, s \
	LN8(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7) \
	VFMADD231PS Y4, Y0, t

// func band2AVX2(row0, row1, fd, fr2, h []float32, tau1 uint32, scale float32, tabs *[16]float32) (flags uint32)
//
// The r = 2 segments b < len(fd) (a multiple of 8) whose origins are
// columns 2b of row0 and row1: fd[b] = tabs[(−k) mod 8] and fr2[b] =
// tabs[8 + (−k) mod 8] for k on weights (bits of |w| > tau1), and h[b] =
// ln S − T/S (0 for S = 0) with S = Σ a and T = Σ a·ln a, a = scale·|w|,
// all in float32 (LN8). Eight segments (2×16 weights) a step. flags is
// nonzero when some segment's S is outside [2⁻¹⁰⁰, 2¹¹⁰) (and not 0),
// where float32 is not accurate enough: the caller then measures the band
// in float64.
TEXT ·band2AVX2(SB), NOSPLIT, $0-140
	MOVQ         row0_base+0(FP), SI
	MOVQ         row1_base+24(FP), DX
	MOVQ         fd_base+48(FP), DI
	MOVQ         fd_len+56(FP), CX
	MOVQ         fr2_base+72(FP), R8
	MOVQ         h_base+96(FP), R9
	MOVQ         tabs+128(FP), R10
	MOVL         tau1+120(FP), AX
	VMOVD        AX, X15
	VPBROADCASTD X15, Y15
	MOVL         scale+124(FP), AX
	VMOVD        AX, X8
	VPBROADCASTD X8, Y8
	XORQ         R12, R12                 // flags
	SHRQ         $3, CX
	JZ           b2done

b2loop:
	B2HALF(0, Y9, Y11, Y10)
	B2HALF(32, Y12, Y14, Y13)
	VHADDPS      Y10, Y11, Y0             // SA01 SA23 TA01 TA23 | SA45 SA67 TA45 TA67
	VHADDPS      Y13, Y14, Y1             // the same for columns 8–15
	VSHUFPS      $0x44, Y1, Y0, Y2        // S of segments 0 1 4 5 | 2 3 6 7
	VSHUFPS      $0xEE, Y1, Y0, Y3        // T, the same order
	VPERMQ       $0xD8, Y2, Y2            // S of segments 0…7
	VPERMQ       $0xD8, Y3, Y3
	VPHADDD      Y12, Y9, Y4              // −k, segments 0 1 4 5 | 2 3 6 7
	VPERMQ       $0xD8, Y4, Y4
	VPERMPS      (R10), Y4, Y5
	VPERMPS      32(R10), Y4, Y6
	VMOVUPS      Y5, (DI)
	VMOVUPS      Y6, (R8)
	VCMPPS       $0x1d, big8<>(SB), Y2, Y5 // S ≥ 2¹¹⁰
	VCMPPS       $0x11, tiny8<>(SB), Y2, Y6 // S < 2⁻¹⁰⁰
	VCMPPS       $0x1e, zero<>(SB), Y2, Y7  // S > 0
	VANDPS       Y7, Y6, Y6
	VORPS        Y6, Y5, Y5
	VPMOVMSKB    Y5, R11
	ORQ          R11, R12
	VDIVPS       Y2, Y3, Y3               // T/S (NaN for S = 0)
	LN8(Y2, Y0, Y1, Y4, Y5, Y6, Y7, Y9)
	VSUBPS       Y3, Y5, Y5               // ln S − T/S
	VMAXPS       zero<>(SB), Y5, Y5       // ≥ 0, and NaN → 0
	VMOVUPS      Y5, (R9)
	ADDQ         $64, SI
	ADDQ         $64, DX
	ADDQ         $32, DI
	ADDQ         $32, R8
	ADDQ         $32, R9
	DECQ         CX
	JNZ          b2loop

b2done:
	MOVL         R12, flags+136(FP)
	VZEROUPPER
	RET
