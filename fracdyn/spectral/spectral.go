package spectral

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Eigenvalues returns the eigenvalues of WᵀW for the n×m row-major matrix
// w, in increasing order: the squared singular values σ_i² of W,
// min(n, m) of them, computed by gonum's SVD (values only). w is not
// modified.
func Eigenvalues(w []float64, n, m int) ([]float64, error) {
	if n < 1 || m < 1 || len(w) != n*m {
		return nil, fmt.Errorf("spectral: matrix %d×%d needs %d values, have %d", n, m, n*m, len(w))
	}
	for _, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("spectral: matrix %d×%d holds a NaN or Inf", n, m)
		}
	}
	// Factorize works on its own copy: w is left as it is. A tall matrix is
	// factorised as its transpose (same singular values), which gonum's
	// SVD does about 3× faster.
	var a mat.Matrix = mat.NewDense(n, m, w)
	if n > m {
		a = a.T()
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		return nil, fmt.Errorf("spectral: SVD of a %d×%d matrix did not converge", n, m)
	}
	sv := svd.Values(nil)
	ev := make([]float64, len(sv))
	for i, s := range sv {
		ev[i] = s * s
	}
	sort.Float64s(ev)
	return ev, nil
}

// Details are WeightWatcher-style spectral metrics of one matrix (the
// columns of WeightWatcher's "details" table of the same names).
type Details struct {
	Rows, Cols int
	// NumEvals is min(Rows, Cols), the number of eigenvalues of WᵀW.
	NumEvals int
	// Fit is the power-law fit of the eigenvalue tail; Alpha, Xmin, KS (D)
	// and Sigma as in WeightWatcher. FitErr is set when no fit exists.
	Fit    PowerLawFit
	FitErr error
	// LambdaMax is the largest eigenvalue, the squared spectral norm.
	LambdaMax float64
	// LogSpectralNorm is log10(LambdaMax).
	LogSpectralNorm float64
	// AlphaWeighted is α·log10(LambdaMax).
	AlphaWeighted float64
	// LogNorm is log10 of the squared Frobenius norm Σλ.
	LogNorm float64
	// StableRank is Σλ / λ_max.
	StableRank float64
	// Entropy is the matrix entropy −Σ p_i ln p_i / ln(NumEvals) with
	// p_i = λ_i/Σλ, 1 for a flat spectrum and 0 for rank one.
	Entropy float64
}

// Analyze returns the spectral details of the n×m row-major matrix w.
// The power-law fit is attempted on all nonzero eigenvalues; a matrix with
// fewer than MinTail of them gets FitErr = ErrTooFew and NaN α.
func Analyze(w []float64, n, m int) (Details, error) {
	ev, err := Eigenvalues(w, n, m)
	if err != nil {
		return Details{}, err
	}
	return FromEigenvalues(ev, n, m), nil
}

// FromEigenvalues returns the details of an ESD given directly: ev sorted
// increasingly, for matrices of n×m (pooled ESDs, such as the kh·kw slices
// of a convolution kernel, pass all their eigenvalues).
func FromEigenvalues(ev []float64, n, m int) Details {
	d := Details{Rows: n, Cols: m, NumEvals: len(ev)}
	if len(ev) == 0 {
		d.Fit.Alpha, d.AlphaWeighted, d.FitErr = math.NaN(), math.NaN(), ErrTooFew
		return d
	}
	sum := 0.0
	for _, v := range ev {
		sum += v
	}
	d.LambdaMax = ev[len(ev)-1]
	d.LogSpectralNorm = math.Log10(d.LambdaMax)
	d.LogNorm = math.Log10(sum)
	if d.LambdaMax > 0 {
		d.StableRank = sum / d.LambdaMax
	}
	if len(ev) > 1 && sum > 0 {
		h := 0.0
		for _, v := range ev {
			if p := v / sum; p > 0 {
				h -= p * math.Log(p)
			}
		}
		d.Entropy = h / math.Log(float64(len(ev)))
	}
	d.Fit, d.FitErr = PowerLaw(ev)
	if d.FitErr != nil {
		nan := math.NaN()
		d.Fit.Alpha, d.Fit.Sigma, d.Fit.KS, d.Fit.Xmin, d.AlphaWeighted = nan, nan, nan, nan, nan
	} else {
		d.AlphaWeighted = d.Fit.Alpha * d.LogSpectralNorm
	}
	return d
}

// MarchenkoPasturEdges returns the support [λ−, λ+] of the eigenvalues of
// WᵀW/N for an N×M matrix (N ≥ M) of i.i.d. entries of variance σ²:
// λ± = σ²(1 ± √(M/N))².
func MarchenkoPasturEdges(n, m int, sigma2 float64) (lo, hi float64) {
	if n < m {
		n, m = m, n
	}
	q := math.Sqrt(float64(m) / float64(n))
	return sigma2 * (1 - q) * (1 - q), sigma2 * (1 + q) * (1 + q)
}
