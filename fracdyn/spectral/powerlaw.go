package spectral

import (
	"errors"
	"math"
	"sort"
)

// MinTail is the fewest values a tail may hold for PowerLaw to consider
// its xmin: shorter tails give α estimates dominated by noise.
const MinTail = 10

// PowerLawFit is a power-law fit p(x) ∝ x^(-α) for x ≥ Xmin.
type PowerLawFit struct {
	Alpha float64 // exponent α of the density
	Sigma float64 // standard error of α, (α−1)/√NTail
	Xmin  float64 // lower end of the tail
	Xmax  float64 // largest value
	KS    float64 // Kolmogorov–Smirnov distance D between tail and fit
	NTail int     // values ≥ Xmin
	N     int     // values in all
}

// ErrTooFew is returned when there are fewer than MinTail positive values.
var ErrTooFew = errors.New("spectral: too few positive values for a power-law fit")

// PowerLaw fits a continuous power law to the positive values of x by the
// method of Clauset, Shalizi and Newman (SIAM Review 51, 2009), as
// WeightWatcher and the powerlaw package do: for each candidate xmin among
// the distinct values (leaving at least MinTail values in the tail) the
// maximum-likelihood exponent is
//
//	α = 1 + n / Σ_{x_i ≥ xmin} ln(x_i / xmin),
//
// and the xmin kept is the one minimising the KS distance
//
//	D = max_{x ≥ xmin} |S(x) − P(x)|,   P(x) = 1 − (x/xmin)^(1−α),
//
// between the empirical CDF S of the tail and the fitted CDF P. x is not
// modified. The cost is O(n²) in the number of values.
func PowerLaw(x []float64) (PowerLawFit, error) {
	v := make([]float64, 0, len(x))
	for _, xi := range x {
		if xi > 0 && !math.IsInf(xi, 0) {
			v = append(v, xi)
		}
	}
	n := len(v)
	if n < MinTail {
		return PowerLawFit{N: n}, ErrTooFew
	}
	sort.Float64s(v)
	logs := make([]float64, n)
	for i, xi := range v {
		logs[i] = math.Log(xi)
	}
	// suffix[i] = Σ_{j≥i} ln x_j.
	suffix := make([]float64, n+1)
	for i := n - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + logs[i]
	}
	best := PowerLawFit{KS: math.Inf(1), N: n, Xmax: v[n-1]}
	for i := 0; i <= n-MinTail; i++ {
		if i > 0 && v[i] == v[i-1] {
			continue // same xmin as before
		}
		nt := n - i
		sumLog := suffix[i] - float64(nt)*logs[i]
		if sumLog <= 0 {
			continue // all tail values equal
		}
		alpha := 1 + float64(nt)/sumLog
		d := ksDistance(v[i:], logs[i:], alpha)
		if d < best.KS {
			best.Alpha, best.Xmin, best.KS, best.NTail = alpha, v[i], d, nt
		}
	}
	if math.IsInf(best.KS, 1) {
		return PowerLawFit{N: n}, ErrTooFew
	}
	best.Sigma = (best.Alpha - 1) / math.Sqrt(float64(best.NTail))
	return best, nil
}

// ksDistance returns the KS distance between the sorted tail (with its
// logarithms) and the power law of exponent alpha starting at tail[0].
func ksDistance(tail, logs []float64, alpha float64) float64 {
	nt := float64(len(tail))
	l0 := logs[0]
	d := 0.0
	for k := range tail {
		p := 1 - math.Exp((1-alpha)*(logs[k]-l0))
		// The empirical CDF steps from k/nt to (k+1)/nt at tail[k].
		d = max(d, math.Abs(p-float64(k)/nt), math.Abs(p-float64(k+1)/nt))
	}
	return d
}
