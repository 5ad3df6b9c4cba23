package attractor

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"

	"gonum.org/v1/gonum/dsp/fourier"
)

// SurrogateMethod names a way of making surrogate data: series that share
// a trajectory's linear properties (power spectrum, and for AAFT and IAAFT
// its value distribution) and nothing else (Theiler et al. 1992;
// Schreiber & Schmitz 1996).
type SurrogateMethod string

const (
	// FT: phase-randomised Fourier transform. Keeps the periodogram
	// exactly; the values become Gaussian.
	FT SurrogateMethod = "ft"
	// AAFT: amplitude-adjusted FT. The series is rank-mapped onto a
	// Gaussian, phase-randomised and rank-mapped back, so it keeps the
	// value distribution exactly and the spectrum approximately.
	AAFT SurrogateMethod = "aaft"
	// IAAFT: iterated AAFT. Alternately imposes the periodogram and the
	// value distribution until the ranks settle (fewer than one in
	// IAAFTSettled changes in a round; at most IAAFTMaxIter rounds); ends
	// on the exact value distribution.
	IAAFT SurrogateMethod = "iaaft"
)

// Defaults of the surrogate test.
const (
	// DefaultSurrogates is the number of surrogates: with 19, a one-sided
	// rank test has level 1/20 = 0.05.
	DefaultSurrogates = 19
	// SurrogateRefs is the number of reference points used for λ and D2
	// of the series and of each surrogate alike (fewer than Analyze's, so
	// that 20 estimates cost about what one full analysis does).
	SurrogateRefs = 500
	// IAAFTMaxIter bounds the IAAFT iterations, which stop earlier once
	// fewer than one rank in IAAFTSettled changes in a round.
	IAAFTMaxIter = 100
	IAAFTSettled = 1000
)

// ParseSurrogateMethod returns the method named s.
func ParseSurrogateMethod(s string) (SurrogateMethod, error) {
	switch m := SurrogateMethod(s); m {
	case FT, AAFT, IAAFT:
		return m, nil
	}
	return "", fmt.Errorf("unknown surrogate method %q (want ft, aaft or iaaft)", s)
}

// spectralTool holds an FFT of one length and its buffers.
type spectralTool struct {
	fft   *fourier.FFT
	orig  []complex128 // X_k of the series
	coeff []complex128
	amp   []float64 // |X_k|
}

func newSpectralTool(x []float64) *spectralTool {
	t := &spectralTool{fft: fourier.NewFFT(len(x))}
	t.orig = t.fft.Coefficients(nil, x)
	t.coeff = make([]complex128, len(t.orig))
	t.amp = make([]float64, len(t.orig))
	for k, c := range t.orig {
		t.amp[k] = cmplx.Abs(c)
	}
	return t
}

// randomPhases writes to out the inverse transform of the series'
// coefficients with their phases shifted by the given random phases
// (X_k·e^{iφ_k}), keeping the zero frequency (the mean) and, for an even
// length, the Nyquist term real. Shifting rather than replacing the phases
// keeps the phase differences, and so the cross-spectrum, of columns
// shifted alike (Prichard & Theiler 1994).
func (t *spectralTool) randomPhases(out []float64, phases []float64) {
	n := len(out)
	for k, c := range t.orig {
		switch {
		case k == 0:
			t.coeff[k] = c
		case n%2 == 0 && k == n/2:
			t.coeff[k] = complex(real(c)*sign(math.Cos(phases[k])), 0)
		default:
			t.coeff[k] = c * cmplx.Rect(1, phases[k])
		}
	}
	t.fft.Sequence(out, t.coeff)
	for i := range out {
		out[i] /= float64(n)
	}
}

// imposeAmplitudes replaces the Fourier amplitudes of x by the series',
// keeping x's phases.
func (t *spectralTool) imposeAmplitudes(x []float64) {
	n := len(x)
	t.fft.Coefficients(t.coeff, x)
	for k, c := range t.coeff {
		if a := cmplx.Abs(c); a > 0 {
			t.coeff[k] = c * complex(t.amp[k]/a, 0)
		} else {
			t.coeff[k] = complex(t.amp[k], 0)
		}
	}
	t.fft.Sequence(x, t.coeff)
	for i := range x {
		x[i] /= float64(n)
	}
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// drawPhases returns uniform phases in [0, 2π) for the coefficients of a
// series of length n.
func drawPhases(n int, rng *rand.Rand) []float64 {
	p := make([]float64, n/2+1)
	for k := range p {
		p[k] = 2 * math.Pi * rng.Float64()
	}
	return p
}

// PhaseRandomized sets dst to an FT surrogate of x: the same Fourier
// amplitudes under uniform random phases.
func PhaseRandomized(dst, x []float64, rng *rand.Rand) {
	newSpectralTool(x).randomPhases(dst, drawPhases(len(x), rng))
}

// rankMap sets dst[i] to the value of sorted whose rank is the rank of
// ref[i] in ref: dst has ref's order and sorted's values. idx receives the
// order (idx[r] is the index of rank r); keys is scratch of len(ref).
func rankMap(dst, ref, sorted []float64, idx []int, keys []rankKey) {
	for i, v := range ref {
		keys[i] = rankKey{v, int32(i)}
	}
	slices.SortFunc(keys, func(a, b rankKey) int { return cmp.Compare(a.v, b.v) })
	for r, k := range keys {
		idx[r] = int(k.i)
		dst[k.i] = sorted[r]
	}
}

type rankKey struct {
	v float64
	i int32
}

// AAFTSurrogate sets dst to an AAFT surrogate of x.
func AAFTSurrogate(dst, x []float64, rng *rand.Rand) {
	surrogateColumn(dst, x, AAFT, drawPhases(len(x), rng), rng)
}

// IAAFTSurrogate sets dst to an IAAFT surrogate of x and returns the
// iterations it took.
func IAAFTSurrogate(dst, x []float64, rng *rand.Rand) int {
	return surrogateColumn(dst, x, IAAFT, drawPhases(len(x), rng), rng)
}

// surrogateColumn makes one surrogate of x by method with the given random
// phases (shared by the columns of a multivariate series, which keeps
// their cross-spectrum under FT; Prichard & Theiler 1994). It returns the
// IAAFT iterations (0 otherwise).
func surrogateColumn(dst, x []float64, method SurrogateMethod, phases []float64, rng *rand.Rand) int {
	n := len(x)
	sorted := append([]float64(nil), x...)
	sort.Float64s(sorted)
	idx := make([]int, n)
	keys := make([]rankKey, n)
	switch method {
	case FT:
		newSpectralTool(x).randomPhases(dst, phases)
		return 0
	case AAFT:
		// Gaussian values in x's order, phase-randomised, x's values in
		// their order.
		g := make([]float64, n)
		for i := range g {
			g[i] = rng.NormFloat64()
		}
		sort.Float64s(g)
		y := make([]float64, n)
		rankMap(y, x, g, idx, keys)
		newSpectralTool(y).randomPhases(y, phases)
		rankMap(dst, y, sorted, idx, keys)
		return 0
	}
	// IAAFT: start from a random shuffle's spectrum (here: the FT
	// surrogate), then alternate.
	t := newSpectralTool(x)
	y := make([]float64, n)
	t.randomPhases(y, phases)
	rankMap(dst, y, sorted, idx, keys)
	prev := make([]int, n)
	it := 0
	for it < IAAFTMaxIter {
		it++
		copy(y, dst)
		t.imposeAmplitudes(y)
		copy(prev, idx)
		rankMap(dst, y, sorted, idx, keys)
		changed := 0
		for i := range idx {
			if idx[i] != prev[i] {
				changed++
			}
		}
		if changed*IAAFTSettled <= n {
			break
		}
	}
	return it
}

// Surrogate returns surrogate number i of s by method: every column by
// surrogateColumn with phases shared across columns, from a generator
// seeded by (seed, i).
func Surrogate(s Series, method SurrogateMethod, seed uint64, i int) Series {
	rng := rand.New(rand.NewPCG(seed, uint64(i)+0x5eed))
	n := s.Len()
	phases := drawPhases(n, rng)
	out := Series{Data: make([]float64, len(s.Data)), Cols: s.Cols}
	col := make([]float64, n)
	for c := range s.Cols {
		surrogateColumn(col, s.Column(c), method, phases, rng)
		for t, v := range col {
			out.Data[t*s.Cols+c] = v
		}
	}
	return out
}

// SurrogateOptions tune TestSurrogates. The zero value gives the defaults.
type SurrogateOptions struct {
	Method SurrogateMethod // "": IAAFT
	Count  int             // surrogates; 0: DefaultSurrogates
	Seed   uint64          // 0: 1
	Refs   int             // reference points for λ and D2; 0: SurrogateRefs
}

// StatisticTest is a one-sided rank test of one statistic of a series
// against its surrogates.
type StatisticTest struct {
	Observed   Float   `json:"observed"`
	Surrogates []Float `json:"surrogates"`
	// P = (1 + #{surrogates at least as extreme as the series})/(1 + N),
	// "extreme" meaning lower for D2 and higher for λ; a surrogate with no
	// estimate counts as at least as extreme (conservative).
	P     float64 `json:"p"`
	Beats bool    `json:"beats"` // P ≤ the test's level
}

// SurrogateTest is the surrogate test of a trajectory: its correlation
// dimension D2 (the discriminating statistic) and its largest Lyapunov
// exponent λ against those of Count surrogates, all estimated in the
// series' embedding (lag, dimension, Theiler window; a scalar series
// embedded in one dimension is tested in two, where D2 can tell a curve
// from noise) with Refs reference points, on the last Steps steps (a
// length the FFT factors). The series
// beats its surrogates when its D2 is lower than every surrogate's: a
// one-sided rank test at Level = 1/(Count+1). λ is tested alike (higher
// than every surrogate's) and reported, but does not decide: a linear
// process's nearest neighbours diverge too.
type SurrogateTest struct {
	Method      SurrogateMethod `json:"method"`
	Count       int             `json:"surrogates"`
	Level       float64         `json:"level"`
	Steps       int             `json:"steps"`
	Refs        int             `json:"refs"`
	Correlation StatisticTest   `json:"correlation_dimension"`
	Lyapunov    StatisticTest   `json:"lyapunov"`
	Beats       bool            `json:"beats"`
}

// TestSurrogates runs the surrogate test of s in the embedding (lag, dim,
// theiler), with divergence curves of steps steps and dt per sample.
// Surrogates are analysed concurrently, each from its own seeded
// generator, so the result does not depend on scheduling.
func TestSurrogates(s Series, lag, dim, theiler, steps int, dt float64, o SurrogateOptions) SurrogateTest {
	if o.Method == "" {
		o.Method = IAAFT
	}
	if o.Count <= 0 {
		o.Count = DefaultSurrogates
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Refs <= 0 {
		o.Refs = SurrogateRefs
	}
	if dt <= 0 {
		dt = 1
	}
	n := fftLength(s.Len())
	s = Series{Data: s.Data[(s.Len()-n)*s.Cols:], Cols: s.Cols}
	if dim*s.Cols < 2 {
		dim = 2 // in one dimension every series has D2 ≤ 1: nothing to tell apart
	}
	stats := func(x Series) (d2, lambda float64) {
		e := Embed(x, lag, dim)
		d2 = FitCorrelation(Correlate(e, theiler, o.Refs)).D2
		div := DivergenceCurve(e, theiler, steps, 2*o.Refs)
		lambda = FitDivergence(div, max(5, len(div.MeanLog)/10)).Slope / dt
		return d2, lambda
	}
	t := SurrogateTest{Method: o.Method, Count: o.Count, Level: 1 / float64(o.Count+1), Steps: n, Refs: o.Refs}
	d2, lam := stats(s)
	sd2, slam := make([]float64, o.Count), make([]float64, o.Count)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range o.Count {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			sd2[i], slam[i] = stats(Surrogate(s, o.Method, o.Seed, i))
		})
	}
	wg.Wait()
	t.Correlation = rankTest(d2, sd2, -1, t.Level)
	t.Lyapunov = rankTest(lam, slam, +1, t.Level)
	t.Beats = t.Correlation.Beats
	return t
}

// rankTest builds the one-sided test of obs against surr: dir −1 asks for
// obs lower than the surrogates, +1 higher.
func rankTest(obs float64, surr []float64, dir float64, level float64) StatisticTest {
	st := StatisticTest{Observed: Float(obs), P: math.NaN()}
	extreme := 0
	for _, v := range surr {
		st.Surrogates = append(st.Surrogates, Float(v))
		if math.IsNaN(v) || dir*(v-obs) >= 0 {
			extreme++
		}
	}
	if math.IsNaN(obs) {
		return st
	}
	st.P = float64(1+extreme) / float64(1+len(surr))
	st.Beats = st.P <= level+1e-12
	return st
}
