package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestXlnxRow checks XlnxRow (the AVX2 kernel where the CPU has it) against
// math.Log on normals, subnormals, zeros, both signs, powers of two, values
// next to √2·2^e, and every length mod 8.
func TestXlnxRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	src := make([]float32, 0, 100003)
	for e := -149; e < 128; e++ {
		p := float32(math.Ldexp(1, e))
		s2 := float32(math.Ldexp(math.Sqrt2, e))
		src = append(src, p, -p, s2, math.Nextafter32(s2, 0), math.Nextafter32(s2, 1))
	}
	src = append(src, 0, float32(math.Copysign(0, -1)), math.MaxFloat32, math.SmallestNonzeroFloat32)
	for len(src) < cap(src) {
		v := float32(math.Exp(rng.Float64()*170 - 100))
		if rng.IntN(2) == 0 {
			v = -v
		}
		src = append(src, v)
	}
	for _, n := range []int{len(src), 1, 2, 3, 4, 5, 7, 8, 9, 15, 16} {
		dst := make([]float64, n+1)
		dst[n] = 42
		XlnxRow(dst, src[:n])
		for i, v := range src[:n] {
			a := math.Abs(float64(v))
			want := 0.0
			if a > 0 {
				want = a * math.Log(a)
			}
			if d := math.Abs(dst[i] - want); d > xlnxTol(a, want) {
				t.Fatalf("n=%d: XlnxRow(%v) = %v, want %v (error %g, AVX2 %v)", n, v, dst[i], want, d, HasAVX2)
			}
		}
		if dst[n] != 42 {
			t.Fatalf("n=%d: wrote past len(src)", n)
		}
	}
}

// xlnxTol bounds the error of a·ln a = want from XlnxRow and QuadSums: the
// AVX2 kernels take a and ln a in float32 (Cephes' logf, about 2 ulp: 3e-7
// relative, plus 2e-7·a from rounding a near 1 where ln a is near 0, and
// up to 1e-36 absolute for subnormal a, read as 2^−127·m); the pure-Go
// ones are within 3e-13·a.
func xlnxTol(a, want float64) float64 {
	if HasAVX2 {
		return 3e-7*math.Abs(want) + 2e-7*a + 1e-36
	}
	return 2e-11*a + 1e-15*math.Abs(want)
}

// TestEntropyRow checks EntropyRow (the AVX2 kernel where the CPU has it)
// against LnPos, zero sums included, for every length mod 4.
func TestEntropyRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n = 1003
	s, tt := make([]float64, n), make([]float64, n)
	for i := range s {
		seg := make([]float64, 1+rng.IntN(16))
		for j := range seg {
			seg[j] = math.Exp(rng.Float64()*40 - 30)
		}
		if i%7 == 0 {
			clear(seg)
		}
		for _, a := range seg {
			s[i] += a
			if a > 0 {
				tt[i] += a * math.Log(a)
			}
		}
	}
	for _, m := range []int{n, 1, 2, 3, 4, 5} {
		h := make([]float32, m+1)
		h[m] = 42
		EntropyRow(h[:m], s, tt)
		for i := range m {
			want := 0.0
			if s[i] > 0 {
				want = max(math.Log(s[i])-tt[i]/s[i], 0)
			}
			if math.Abs(float64(h[i])-want) > 1e-6*max(1, want) {
				t.Fatalf("m=%d: h[%d] = %v, want %v (s %v, t %v)", m, i, h[i], want, s[i], tt[i])
			}
		}
		if h[m] != 42 {
			t.Fatalf("m=%d: wrote past len(h)", m)
		}
	}
}

// TestQuadSums checks QuadSums (the AVX2 kernel where the CPU has it)
// against math.Log on groups of four with zeros, subnormals and both signs,
// at several scales, and on weights whose float32 sums would overflow (the
// float64 fallback).
func TestQuadSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	src := make([]float32, 4011) // a partial last group, left alone
	for i := range src {
		src[i] = float32(math.Exp(rng.Float64()*120 - 100))
		if rng.IntN(2) == 0 {
			src[i] = -src[i]
		}
		if i%11 == 0 {
			src[i] = 0
		}
	}
	for _, scale := range []float64{1, 37.5, 1e-3} {
		for _, n := range []int{len(src), len(src) - 4, 4, 3} { // pairs of groups, one more, one, none
			quadSumsCheck(t, src[:n], scale)
		}
	}
	huge := []float32{3e38, -1e38, 2e38, 5, 1, 2, 3, 4}
	quadSumsCheck(t, huge, 1)
	quadSumsCheck(t, huge, 1e3)
}

func quadSumsCheck(t *testing.T, src []float32, scale float64) {
	t.Helper()
	dst := make([]float64, len(src)/4*2+1)
	dst[len(dst)-1] = 42
	QuadSums(dst, src, scale)
	for g := 0; g+3 < len(src); g += 4 {
		var s, tt, absT, bound float64
		for _, v := range src[g : g+4] {
			a := math.Abs(float64(v)) * scale
			s += a
			if a > 0 {
				tt += a * math.Log(a)
				absT += math.Abs(a * math.Log(a))
				bound += xlnxTol(a, a*math.Log(a))
			}
		}
		sTol, tTol := 1e-15*s, bound+1e-15*absT
		if HasAVX2 {
			sTol, tTol = 2.5e-7*s, bound+2.5e-7*absT // float32 sums of four
		}
		if math.Abs(dst[g/2]-s) > sTol || math.Abs(dst[g/2+1]-tt) > tTol {
			t.Fatalf("n=%d scale %g group %d: sums %v %v, want %v %v", len(src), scale, g/4, dst[g/2], dst[g/2+1], s, tt)
		}
	}
	if dst[len(dst)-1] != 42 {
		t.Fatal("wrote past the last whole group")
	}
}

// TestBracketScanMatchesGo holds bracketScan (the AVX2 kernel where the CPU
// has it) to bracketScanGo: the same gathered patterns in the same order,
// the same count below and the same non-finite flag, for every length
// mod 8 and for open brackets.
func TestBracketScanMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	w := make([]float32, 10007)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	lo, hi := AbsBits(0.6), AbsBits(0.7)
	for _, tc := range []struct {
		n      int
		lo, hi uint32
	}{{len(w), lo, hi}, {len(w) - 3, lo, hi}, {7, lo, hi}, {4099, 0, hi}, {len(w), lo, math.MaxInt32}} {
		part := w[:tc.n]
		got, gb, gf := bracketScan(part, tc.lo, tc.hi, nil)
		want, wb, wf := bracketScanGo(part, tc.lo, tc.hi, nil)
		if !slices.Equal(got, want) || gb != wb || gf>>31 != wf>>31 {
			t.Fatalf("n=%d [%#x, %#x]: %d gathered, %d below, flag %v; Go: %d, %d, %v",
				tc.n, tc.lo, tc.hi, len(got), gb, gf>>31, len(want), wb, wf>>31)
		}
	}
	w[5000] = float32(math.Inf(1))
	if _, _, f := bracketScan(w, lo, hi, nil); f>>31 != 1 {
		t.Fatal("Inf not flagged")
	}
}
