package fractal

// The fast kernels of internal/kernels against the reference code of this
// package: the threshold against Quantile, the fast logarithms against
// math.Log, and the kernels' segment entropy (Σ|w| and Σ|w|·ln|w| by
// XlnxRow, then EntropyRow) against Entropy. The fused layer kernels are
// compared with the per-segment estimators in TestLayerSegmentsMatchesReference
// and TestOnePassMatchesClassic.

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
)

func TestThresholdQuantileExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, n := range []int{1, 2, 7, 1000, 200001} {
		w := make([]float32, n)
		w64 := make([]float64, n)
		for i := range w {
			w[i] = float32(rng.NormFloat64() * 0.05)
			if i%5 == 0 {
				w[i] = w[max(i-1, 0)] // ties
			}
			w64[i] = float64(w[i])
		}
		for _, q := range []float64{0.01, 0.25, 0.5, 0.9, 1} {
			tau, bad, err := kernels.ThresholdAbs32(w, q, 0, 2)
			want := Quantile(w64, q)
			if err != nil || bad >= 0 || math.Abs(float64(tau)-want) > 1e-7*math.Max(want, 1e-30) {
				t.Errorf("n=%d q=%v: τ = %v, want %v (%v %v)", n, q, tau, want, bad, err)
			}
		}
	}
}

func TestLnPos(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range 200000 {
		x := math.Exp(rng.Float64()*1400 - 700)
		if i < 64 {
			x = math.Ldexp(1, i-32) // exact powers of two
		}
		if d := math.Abs(kernels.LnPos(x) - math.Log(x)); d > 3e-13+1e-15*math.Abs(math.Log(x)) {
			t.Fatalf("kernels.LnPos(%v) = %v, want %v (error %g)", x, kernels.LnPos(x), math.Log(x), d)
		}
	}
	for i := range 200000 {
		a := float32(math.Exp(rng.Float64()*200 - 150)) // normals and subnormals
		if i == 0 {
			a = 0
		}
		want := 0.0
		if a > 0 {
			want = float64(a) * math.Log(float64(a))
		}
		if d := math.Abs(kernels.Xlogx32(a) - want); d > 3e-13*float64(a) {
			t.Fatalf("kernels.Xlogx32(%v) = %v, want %v", a, kernels.Xlogx32(a), want)
		}
	}
}

// TestEntropyRowMatchesEntropy: the entropy of a segment from the kernels'
// sums (H = ln S − T/S with S = Σ|w|, T = Σ|w|·ln|w|) is Entropy's to
// within the float32 of the result, on segments of 1 to 64 weights with
// zeros and ties.
func TestEntropyRowMatchesEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	const segs = 203 // not a multiple of the kernels' step
	var s, tt []float64
	var want []float64
	for i := range segs {
		n := 1 + i%64
		w := make([]float32, n)
		for j := range w {
			w[j] = float32(rng.NormFloat64() * 0.05)
			if j%7 == 3 {
				w[j] = 0
			}
			if j%5 == 4 {
				w[j] = w[j-1]
			}
		}
		if i == 7 {
			clear(w) // all zero: H = 0
		}
		xl := make([]float64, n)
		kernels.XlnxRow(xl, w)
		var si, ti float64
		w64 := make([]float64, n)
		for j, v := range w {
			si += math.Abs(float64(v))
			ti += xl[j]
			w64[j] = float64(v)
		}
		s, tt = append(s, si), append(tt, ti)
		want = append(want, Entropy(w64))
	}
	h := make([]float32, segs)
	kernels.EntropyRow(h, s, tt)
	for i, got := range h {
		if d := math.Abs(float64(got) - want[i]); d > 2e-6*math.Max(want[i], 1) {
			t.Errorf("segment %d: H = %v from the kernels, %v from Entropy (error %g)", i, got, want[i], d)
		}
	}
}
