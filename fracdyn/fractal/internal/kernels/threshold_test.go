package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestThresholdBracket checks the one-pass sampled bracket on layers large
// enough to use it, against a sort: Gaussian weights with ties and zeros, and
// a layer built so that the sample misses the median (the sampled runs hold
// only large weights), which must fall back to the radix selection and still
// be exact.
func TestThresholdBracket(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	n := BracketMin + 12345
	gauss := make([]float32, n)
	for i := range gauss {
		gauss[i] = float32(rng.NormFloat64() * 0.02)
		if i%9 == 0 {
			gauss[i] = gauss[max(i-1, 0)]
		}
		if i%31 == 0 {
			gauss[i] = 0
		}
	}
	skewed := make([]float32, n)
	for i := range skewed {
		skewed[i] = float32(rng.Float64() * 1e-3)
	}
	for c := range BracketChunks { // the sampled runs: large weights only
		at := (n - BracketRun) * c / (BracketChunks - 1)
		for j := at; j < at+BracketRun; j++ {
			skewed[j] = float32(1 + rng.Float64())
		}
	}
	for name, w := range map[string][]float32{"gauss": gauss, "skewed": skewed} {
		sorted := make([]float64, n)
		for i, v := range w {
			sorted[i] = math.Abs(float64(v))
		}
		slices.Sort(sorted)
		qs := []float64{0.001, 0.1, 0.5, 0.9, 0.999, 1}
		if name == "skewed" {
			qs = []float64{0.5} // the bracket misses
		}
		for _, q := range qs {
			pos := q * float64(n-1)
			k := int(pos)
			_, _, bad, ok := bracketRanks(w, q, k, min(k+1, n-1), 2)
			if want := name == "gauss"; ok != want || bad >= 0 {
				t.Errorf("%s q=%v: bracket hit %v, want %v (bad %d)", name, q, ok, want, bad)
			}
			tau, bad, err := ThresholdAbs32(w, q, 0, 2)
			want := sorted[k]
			if k+1 < n {
				want += (pos - float64(k)) * (sorted[k+1] - sorted[k])
			}
			if err != nil || bad >= 0 || math.Abs(float64(tau)-want) > 1e-7*want {
				t.Errorf("%s q=%v: τ = %v, want %v (%v %v)", name, q, tau, want, bad, err)
			}
		}
	}
	for _, at := range []int{n - 7, n / 3, 5} { // the scalar tail, mid-block
		gauss[at] = float32(math.Inf(-1))
		if at != 5 {
			gauss[at] = float32(math.NaN())
		}
		if _, bad, _ := ThresholdAbs32(gauss, 0.5, 0, 2); bad != at {
			t.Errorf("non-finite at %d: bad = %d", at, bad)
		}
	}
}

// TestSelectRanks: the selection of small tensors gives RadixRanks' order
// statistics and a sort's, on sizes from one weight to SelectMax with ties,
// zeros and both signs, and finds the first non-finite weight as it does.
func TestSelectRanks(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	for _, n := range []int{1, 2, 7, 288, 1280, 65536, SelectMax} {
		w := make([]float32, n)
		for i := range w {
			w[i] = float32(math.Round(rng.NormFloat64()*40) / 400) // ties and zeros
		}
		sorted := make([]uint32, n)
		for i, v := range w {
			sorted[i] = AbsBits(v)
		}
		slices.Sort(sorted)
		for _, q := range []float64{0, 0.3, 0.5, 0.9, 1} {
			k, k1, _ := QuantileRanks(n, q)
			vk, vk1, bad := selectRanks(w, k, k1)
			rk, rk1, rbad := RadixRanks(w, k, k1, 2)
			if vk != sorted[k] || vk1 != sorted[k1] || vk != rk || vk1 != rk1 || bad != -1 || rbad != -1 {
				t.Fatalf("n=%d q=%v: ranks %d, %d: select %x %x (bad %d), radix %x %x (bad %d), sort %x %x",
					n, q, k, k1, vk, vk1, bad, rk, rk1, rbad, sorted[k], sorted[k1])
			}
		}
		if n > 2 {
			w[n/2], w[n-1] = float32(math.Inf(-1)), float32(math.NaN())
			if _, _, bad := selectRanks(w, 0, 1); bad != n/2 {
				t.Errorf("n=%d: first non-finite at %d, want %d", n, bad, n/2)
			}
		}
	}
}
