package attractor

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat"
)

// Settings of the spectral test.
const (
	// SpectralHalfWidth is how many bins either side of a line count as
	// that line (a Hann window spreads a pure tone over ±2 bins).
	SpectralHalfWidth = 3
	// SpectralHarmonics is how many harmonics of the fundamental are summed.
	SpectralHarmonics = 10
	// SpectralLines is how many of the strongest peaks form the line
	// spectrum.
	SpectralLines = 10
	// SpectralMinCycles is the fewest cycles of the fundamental the series
	// must hold for the periodicity test to apply.
	SpectralMinCycles = 8
	// SpectralMinBins is the fewest frequency bins for the spectral rules
	// of Classify to apply: twice the bins the line windows can cover
	// (SpectralLines·(2·SpectralHalfWidth+1) = 70), so that white noise,
	// which scores about that coverage, stays well below the 90% rules.
	// Series of fewer than 2·SpectralMinBins = 280 steps are classified
	// without the spectral rules.
	SpectralMinBins = 2 * SpectralLines * (2*SpectralHalfWidth + 1)
)

// Spectrum summarises the power spectrum of a series: where its power lies
// and how line-like it is. Frequencies are in cycles per sample.
type Spectrum struct {
	// Fundamental is the frequency of the strongest peak (refined by
	// parabolic interpolation), Cycles the number of its periods in the
	// series.
	Fundamental, Cycles float64
	// HarmonicPower is the fraction of power within SpectralHalfWidth bins
	// of the first SpectralHarmonics multiples of Fundamental.
	HarmonicPower float64
	// LinePower is the fraction of power within SpectralHalfWidth bins of
	// the SpectralLines strongest local maxima.
	LinePower float64
	// Flatness is the geometric over the arithmetic mean of the power
	// (1 for white noise, near 0 for lines).
	Flatness float64
	// MeanPeriod is 1/(power-weighted mean frequency), in samples.
	MeanPeriod float64
	// Bins is the number of non-zero frequency bins (half the FFT length).
	Bins int
}

// Spectral computes the Spectrum of s. Each column is detrended (least
// squares line), scaled to unit variance and Hann-windowed; the power
// spectra of the columns are summed and the zero frequency dropped. Only
// the last fftLength(Len()) steps are used, a length whose prime factors
// are 2, 3 and 5, so that the FFT stays O(n log n) (a prime length would
// make it quadratic); that drops at most a few percent of the steps.
func Spectral(s Series) Spectrum {
	var sp Spectrum
	if s.Len() < 8 {
		return sp
	}
	n := fftLength(s.Len())
	s = Series{Data: s.Data[(s.Len()-n)*s.Cols:], Cols: s.Cols}
	fft := fourier.NewFFT(n)
	power := make([]float64, n/2+1)
	buf := make([]float64, n)
	tt := make([]float64, n)
	for t := range tt {
		tt[t] = float64(t)
	}
	var coef []complex128
	for c := 0; c < s.Cols; c++ {
		x := s.Column(c)
		a, b := stat.LinearRegression(tt, x, nil, false)
		for t := range x {
			x[t] -= a + b*float64(t)
		}
		sd := stat.PopStdDev(x, nil)
		if sd == 0 {
			continue
		}
		for t := range x {
			buf[t] = x[t] / sd * 0.5 * (1 - math.Cos(2*math.Pi*float64(t)/float64(n-1)))
		}
		coef = fft.Coefficients(coef, buf)
		for k := range power {
			power[k] += real(coef[k])*real(coef[k]) + imag(coef[k])*imag(coef[k])
		}
	}
	power[0] = 0
	total, wsum, logSum := 0.0, 0.0, 0.0
	k0 := 1
	for k := 1; k < len(power); k++ {
		total += power[k]
		wsum += power[k] * float64(k) / float64(n)
		logSum += math.Log(power[k] + 1e-300)
		if power[k] > power[k0] {
			k0 = k
		}
	}
	if total == 0 {
		return sp
	}
	m := float64(len(power) - 1)
	sp.Bins = len(power) - 1
	sp.Flatness = math.Exp(logSum/m) / (total / m)
	sp.MeanPeriod = total / wsum
	// Parabolic refinement of the peak on log power.
	f0 := float64(k0)
	if k0 > 1 && k0+1 < len(power) {
		l, c, r := math.Log(power[k0-1]+1e-300), math.Log(power[k0]), math.Log(power[k0+1]+1e-300)
		if den := l - 2*c + r; den < 0 {
			f0 += 0.5 * (l - r) / den
		}
	}
	sp.Fundamental = f0 / float64(n)
	sp.Cycles = f0
	covered := make([]bool, len(power))
	mark := func(center float64) {
		k := int(math.Round(center))
		for q := max(1, k-SpectralHalfWidth); q <= min(len(power)-1, k+SpectralHalfWidth); q++ {
			covered[q] = true
		}
	}
	for h := 1; h <= SpectralHarmonics && float64(h)*f0 < float64(len(power)); h++ {
		mark(float64(h) * f0)
	}
	sp.HarmonicPower = coveredPower(power, covered) / total
	clear(covered)
	var peaks []int
	for k := 1; k < len(power); k++ {
		if (k == 1 || power[k] >= power[k-1]) && (k == len(power)-1 || power[k] > power[k+1]) {
			peaks = append(peaks, k)
		}
	}
	sort.Slice(peaks, func(a, b int) bool { return power[peaks[a]] > power[peaks[b]] })
	for _, k := range peaks[:min(len(peaks), SpectralLines)] {
		mark(float64(k))
	}
	sp.LinePower = coveredPower(power, covered) / total
	return sp
}

func coveredPower(power []float64, covered []bool) float64 {
	s := 0.0
	for k, c := range covered {
		if c {
			s += power[k]
		}
	}
	return s
}

// fftLength returns the largest m ≤ n whose only prime factors are 2, 3
// and 5.
func fftLength(n int) int {
	for m := n; m > 1; m-- {
		k := m
		for _, p := range []int{2, 3, 5} {
			for k%p == 0 {
				k /= p
			}
		}
		if k == 1 {
			return m
		}
	}
	return 1
}
