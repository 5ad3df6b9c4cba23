package segraph

import (
	"fmt"
	"math"
	"strings"
)

// Kernel turns the distance δ = ‖α_ω − α_λ‖ between two segment features
// into an edge weight, with spread γ > 0.
type Kernel string

const (
	// KernelPaper is eq. (2) as printed, w = γ·exp(δ). It grows with the
	// distance, so the most different segments are joined most strongly;
	// it is offered to reproduce the paper, not as a similarity. Weights
	// above math.MaxFloat32 (δ ≳ 88 − ln γ) are clamped to it.
	KernelPaper Kernel = "paper"
	// KernelLaplacian is w = exp(−δ/γ), the default: the paper's
	// exponential read as a similarity, in (0, 1].
	KernelLaplacian Kernel = "laplacian"
	// KernelRBF is the Gaussian w = exp(−δ²/(2γ²)), in (0, 1].
	KernelRBF Kernel = "rbf"
)

// DefaultKernel is the kernel used when none is given.
const DefaultKernel = KernelLaplacian

// Kernels lists the kernels.
func Kernels() []Kernel { return []Kernel{KernelPaper, KernelLaplacian, KernelRBF} }

// ParseKernel returns the kernel named s ("paper", "laplacian", "rbf").
func ParseKernel(s string) (Kernel, error) {
	for _, k := range Kernels() {
		if strings.EqualFold(s, string(k)) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kernel %q: want one of paper, laplacian, rbf", s)
}

// CheckGamma returns an error unless γ is finite and positive.
func CheckGamma(gamma float64) error {
	if !(gamma > 0) || math.IsInf(gamma, 0) {
		return fmt.Errorf("kernel spread γ = %v: need a finite γ > 0", gamma)
	}
	return nil
}

// Weight returns the kernel's weight at distance d ≥ 0. It panics on an
// unknown kernel.
func (k Kernel) Weight(d, gamma float64) float64 {
	switch k {
	case KernelPaper:
		return min(gamma*math.Exp(d), math.MaxFloat32)
	case KernelLaplacian:
		return math.Exp(-d / gamma)
	case KernelRBF:
		return math.Exp(-d * d / (2 * gamma * gamma))
	}
	panic(fmt.Sprintf("segraph: unknown kernel %q", k))
}

// Weights sets dst[e] = k.Weight(dist[e], γ) for every edge.
func Weights(dst, dist []float32, k Kernel, gamma float64) {
	if len(dst) != len(dist) {
		panic(fmt.Sprintf("segraph.Weights: len(dst)=%d, len(dist)=%d", len(dst), len(dist)))
	}
	if err := CheckGamma(gamma); err != nil {
		panic(err)
	}
	for e, d := range dist {
		dst[e] = float32(k.Weight(float64(d), gamma))
	}
}

// Distances sets dst[e] to the root-mean-square distance between rows
// src[e] and tgt[e] of the features x (N×d, row-major):
//
//	δ_e = ‖x_src − x_tgt‖₂ / √d.
//
// Dividing by √d makes δ of two constant vectors equal to the difference of
// their values, so that a pooled length d does not change the scale of γ.
func Distances(dst, x []float32, d int, src, tgt []int32) {
	if len(src) != len(tgt) || len(dst) != len(src) {
		panic("segraph.Distances: edge arrays of different lengths")
	}
	inv := 1 / float64(d)
	parallel(len(src), func(lo, hi int) {
		for e := lo; e < hi; e++ {
			a, b := x[int(src[e])*d:int(src[e])*d+d], x[int(tgt[e])*d:int(tgt[e])*d+d]
			var s float64
			for j := range a {
				v := float64(a[j] - b[j])
				s += v * v
			}
			dst[e] = float32(math.Sqrt(s * inv))
		}
	})
}
