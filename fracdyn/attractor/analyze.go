package attractor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/fracdyn/fracdyn/internal/progress"
)

// ErrTooShort is wrapped by the errors of Analyze for a series too short
// to analyse: fewer than MinSteps steps, or fewer than MinPoints embedded
// points for the chosen lag and dimension.
var ErrTooShort = errors.New("too short")

// Smallest inputs Analyze supports.
const (
	// MinSteps is the fewest time steps Analyze accepts.
	MinSteps = 64
	// MinPoints is the fewest embedded points (steps − dimension·lag) the
	// Lyapunov and correlation estimates need.
	MinPoints = 32
)

// Class is the kind of attractor a trajectory settles on.
type Class string

const (
	FixedPoint    Class = "fixed-point"
	Periodic      Class = "periodic"
	QuasiPeriodic Class = "quasi-periodic"
	Chaotic       Class = "chaotic"
	// Stochastic: not a low-dimensional attractor (noise, or deterministic
	// dynamics of higher dimension than the data can resolve).
	Stochastic Class = "stochastic"
	// LinearNoise: the measures would claim a chaotic or low-dimensional
	// orbit, but the series does not beat its surrogates: it is
	// indistinguishable from linear (Gaussian, rescaled) noise with its
	// spectrum.
	LinearNoise Class = "linear-noise"
)

// Classes lists the classes in the order of the decision rules.
func Classes() []Class {
	return []Class{FixedPoint, Periodic, QuasiPeriodic, Chaotic, Stochastic, LinearNoise}
}

// Decision thresholds of Classify (see the package documentation).
const (
	// FixedPointContraction: a trajectory whose last quarter strays from
	// its median less than this fraction of the first quarter's median
	// distance from it converges to a fixed point.
	FixedPointContraction = 0.25
	// PeriodicPower: the fraction of power in the harmonics of one
	// fundamental that makes a trajectory periodic.
	PeriodicPower = 0.9
	// QuasiPeriodicPower: the fraction of power in a few lines that makes a
	// non-periodic trajectory quasi-periodic.
	QuasiPeriodicPower = 0.9
	// SaturationTolerance: D2 may grow by at most this much when the
	// embedding dimension grows by one for the attractor to count as
	// low-dimensional.
	SaturationTolerance = 0.5
	// MaxLowDimension is the largest D2 counted as low-dimensional.
	MaxLowDimension = 6.0
	// ChaosMinRise: a chaotic divergence curve rises by at least this much
	// (nats, so a factor e) over its fitted linear range.
	ChaosMinRise = 1.0
	// ChaosMinR2 is the least fit quality for a positive exponent to count.
	ChaosMinR2 = 0.9
)

// Options control Analyze. Zero values choose the documented defaults.
type Options struct {
	Lag      int     // delay in samples; 0: ChooseLag
	Dim      int     // embedding dimension; 0: ChooseDim
	Theiler  int     // Theiler window in samples; 0: the mean period, -1: none
	MaxLag   int     // lag search range; 0: min(N/10, 500)
	MaxDim   int     // FNN search range; 0: 10
	MaxSteps int     // divergence steps; 0: max(30, min(10·Theiler, N/4))
	MaxRefs  int     // reference points for FNN and C(r) (twice as many for λ); 0: 4000
	Dt       float64 // time per sample; 0: 1 (exponents per step)
	// Progress, when not nil, is told which stage runs and how many of
	// its reference points are done.
	Progress progress.Reporter
	// Surrogates is the number of surrogates of the surrogate test run
	// before a chaotic or D2-based periodic/quasi-periodic class is
	// claimed: 0 means DefaultSurrogates, a negative number no test (the
	// class then rests on the measures alone).
	Surrogates      int
	SurrogateMethod SurrogateMethod // "": IAAFT
	SurrogateSeed   uint64          // 0: 1
}

// Result is the attractor analysis of one trajectory.
type Result struct {
	N       int // time steps analysed
	Cols    int // dimensions of the input
	Lag     LagChoice
	Dim     DimChoice
	Theiler int
	Dt      float64

	// Lyapunov is the largest Lyapunov exponent per time unit (Slope/Dt of
	// LyapunovFit), fitted to Divergence.
	Lyapunov    float64
	LyapunovFit LineFit
	Divergence  Divergence

	// Correlation is the correlation dimension D2 in the chosen embedding;
	// CorrelationNext is D2 one embedding dimension higher (the saturation
	// check).
	Correlation, CorrelationNext DimensionFit

	Spectrum Spectrum
	// Contraction is the median distance of the last quarter from its
	// median over that of the first quarter from the same point.
	Contraction float64

	Class  Class
	Reason string // which rule decided Class

	// Surrogate is the surrogate test, run when the measures claim a
	// nonlinear class (NeedsSurrogates); nil otherwise.
	Surrogate *SurrogateTest
}

// Analyze embeds s, estimates its largest Lyapunov exponent, correlation
// dimension and spectrum, and classifies it. It needs at least MinSteps
// (64) steps and, after embedding, MinPoints (32) points; shorter series
// are refused with an error wrapping ErrTooShort.
func Analyze(s Series, o Options) (*Result, error) {
	return AnalyzeContext(context.Background(), s, o)
}

// AnalyzeContext is Analyze that stops with ctx's error once ctx is done.
// It checks ctx before each reference point of the neighbour searches
// (false neighbours, divergence, correlation sums), the only work that
// grows faster than the series.
func AnalyzeContext(ctx context.Context, s Series, o Options) (*Result, error) {
	n := s.Len()
	if s.Cols < 1 || len(s.Data) != n*s.Cols {
		return nil, fmt.Errorf("attractor: series of %d values does not have %d columns", len(s.Data), s.Cols)
	}
	if n < MinSteps {
		return nil, fmt.Errorf("attractor: %d time steps are %w (need at least %d)", n, ErrTooShort, MinSteps)
	}
	rep := o.Progress
	if rep == nil {
		rep = progress.Discard()
	}
	st := &stage{ctx: ctx, rep: rep}
	for _, v := range s.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("attractor: series holds %v", v)
		}
	}
	r := &Result{N: n, Cols: s.Cols, Dt: o.Dt}
	if r.Dt <= 0 {
		r.Dt = 1
	}
	refs := o.MaxRefs
	if refs <= 0 {
		refs = 4000
	}
	r.Spectrum = Spectral(s)
	r.Contraction = contraction(s)

	switch {
	case o.Theiler > 0:
		r.Theiler = o.Theiler
	case o.Theiler < 0:
		r.Theiler = 0
	default:
		r.Theiler = int(math.Round(r.Spectrum.MeanPeriod))
	}
	r.Theiler = min(r.Theiler, n/10)

	if o.Lag > 0 {
		r.Lag = LagChoice{Lag: o.Lag, Rule: "given"}
	} else {
		maxLag := o.MaxLag
		if maxLag <= 0 {
			maxLag = min(n/10, 500)
		}
		for c := 0; c < s.Cols; c++ {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			lc := ChooseLag(s.Column(c), maxLag)
			if c == 0 || lc.Lag < r.Lag.Lag {
				r.Lag = lc
			}
		}
	}
	maxDim := o.MaxDim
	if maxDim <= 0 {
		maxDim = 10
	}
	maxDim = max(1, min(maxDim, (n/2)/r.Lag.Lag))
	if o.Dim > 0 {
		r.Dim = DimChoice{Dim: o.Dim, Converged: true}
		f, err := falseNeighbours(st, s, r.Lag.Lag, o.Dim, r.Theiler, refs)
		if err != nil {
			return nil, err
		}
		if len(f) == o.Dim {
			r.Dim.Fractions = f
			r.Dim.Converged = f[o.Dim-1] < FNNFraction
		}
	} else {
		f, err := falseNeighbours(st, s, r.Lag.Lag, maxDim, r.Theiler, refs)
		if err != nil {
			return nil, err
		}
		r.Dim = chooseDim(f)
	}
	if n-(r.Dim.Dim)*r.Lag.Lag < MinPoints {
		return nil, fmt.Errorf("attractor: %d steps are %w for lag %d and dimension %d (need %d embedded points)",
			n, ErrTooShort, r.Lag.Lag, r.Dim.Dim, MinPoints)
	}
	e := Embed(s, r.Lag.Lag, r.Dim.Dim)

	steps := o.MaxSteps
	if steps <= 0 {
		steps = max(30, min(10*r.Theiler, e.N()/4))
	}
	st.name = "divergence"
	var err error
	if r.Divergence, err = divergenceCurve(st, e, r.Theiler, steps, 2*refs); err != nil {
		return nil, err
	}
	r.LyapunovFit = FitDivergence(r.Divergence, max(5, len(r.Divergence.MeanLog)/10))
	r.Lyapunov = r.LyapunovFit.Slope / r.Dt

	st.name = fmt.Sprintf("correlation sum m=%d", r.Dim.Dim)
	cs, err := correlate(st, e, r.Theiler, refs)
	if err != nil {
		return nil, err
	}
	r.Correlation = FitCorrelation(cs)
	st.name = fmt.Sprintf("correlation sum m=%d", r.Dim.Dim+1)
	if cs, err = correlate(st, Embed(s, r.Lag.Lag, r.Dim.Dim+1), r.Theiler, refs); err != nil {
		return nil, err
	}
	r.CorrelationNext = FitCorrelation(cs)
	r.Class, r.Reason = Classify(r)
	if o.Surrogates >= 0 && NeedsSurrogates(r) {
		t := TestSurrogates(s, r.Lag.Lag, r.Dim.Dim, r.Theiler, steps, r.Dt,
			SurrogateOptions{Method: o.SurrogateMethod, Count: o.Surrogates, Seed: o.SurrogateSeed})
		r.Surrogate = &t
		r.Class, r.Reason = Classify(r)
	}
	rep.Done(string(r.Class))
	return r, nil
}

// stage carries the cancellation and progress of one neighbour search.
type stage struct {
	ctx  context.Context
	rep  progress.Reporter
	name string
}

// step reports done of total reference points and returns ctx's error.
// A nil stage never stops.
func (st *stage) step(done, total int) error {
	if st == nil {
		return nil
	}
	if done%16 == 0 {
		st.rep.Update(done, fmt.Sprintf("%s: %d/%d reference points", st.name, done, total))
	}
	return st.ctx.Err()
}

// NeedsSurrogates reports whether r's class rests on the nonlinear
// measures (λ, D2): chaotic, or periodic/quasi-periodic by rule 6. Classes
// from the spectral rules 2–3 do not: a sum of tones is a linear process,
// and its surrogates share its spectrum.
func NeedsSurrogates(r *Result) bool {
	sp := r.Spectrum
	spectral := sp.Cycles >= SpectralMinCycles && (sp.HarmonicPower >= PeriodicPower || sp.LinePower >= QuasiPeriodicPower)
	switch r.Class {
	case Chaotic:
		return true
	case Periodic, QuasiPeriodic:
		return !spectral
	}
	return false
}

// Classify applies the decision rules of the package documentation, in
// order, to the measures in r, and returns the class and the deciding rule.
// The spectral rules (periodic, quasi-periodic) apply only to a spectrum of
// at least SpectralMinBins bins; a NaN correlation dimension in either
// embedding makes the series Stochastic (noise-like), never periodic.
func Classify(r *Result) (Class, string) {
	sp := r.Spectrum
	if r.Contraction < FixedPointContraction {
		return FixedPoint, fmt.Sprintf("contraction %.3g < %g", r.Contraction, FixedPointContraction)
	}
	// The line windows must cover at most half the spectrum, or white
	// noise scores as high as a line spectrum.
	resolved := sp.Bins >= SpectralMinBins
	if resolved && sp.Cycles >= SpectralMinCycles && sp.HarmonicPower >= PeriodicPower {
		return Periodic, fmt.Sprintf("%.3g of the power in harmonics of one frequency", sp.HarmonicPower)
	}
	if resolved && sp.Cycles >= SpectralMinCycles && sp.LinePower >= QuasiPeriodicPower {
		return QuasiPeriodic, fmt.Sprintf("%.3g of the power in %d lines, not harmonics of one", sp.LinePower, SpectralLines)
	}
	d2, d2next := r.Correlation.D2, r.CorrelationNext.D2
	switch {
	case !r.Dim.Converged:
		return Stochastic, "false nearest neighbours never vanish"
	case math.IsNaN(d2) || math.IsNaN(d2next):
		return Stochastic, "no correlation scaling range"
	case d2next-d2 > SaturationTolerance:
		return Stochastic, fmt.Sprintf("D2 does not saturate (%.3g then %.3g)", d2, d2next)
	case d2 > MaxLowDimension:
		return Stochastic, fmt.Sprintf("D2 %.3g > %g", d2, MaxLowDimension)
	}
	if t := r.Surrogate; t != nil && !t.Beats {
		return LinearNoise, fmt.Sprintf("indistinguishable from linear noise: D2 %.3g is not below all %d %s surrogates (p %.2g > %.2g)",
			float64(t.Correlation.Observed), t.Count, t.Method, t.Correlation.P, t.Level)
	}
	f := r.LyapunovFit
	rise := f.Slope * float64(f.To-f.From)
	if f.Slope > 0 && rise >= ChaosMinRise && f.R2 >= ChaosMinR2 {
		return Chaotic, fmt.Sprintf("λ > 0 (rise %.3g over the fit), D2 %.3g", rise, d2)
	}
	if d2 >= 1.5 {
		return QuasiPeriodic, fmt.Sprintf("no exponential divergence, D2 %.3g ≥ 1.5", d2)
	}
	return Periodic, fmt.Sprintf("no exponential divergence, D2 %.3g < 1.5", d2)
}

// contraction compares how far the last quarter of s strays from its
// median with how far the first quarter does: the median distance of the
// last quarter's rows from the last quarter's median row over the median
// distance of the first quarter's rows from it (Euclidean over columns).
// Medians make it robust to the loss spikes of a large learning rate.
func contraction(s Series) float64 {
	n := s.Len()
	q := max(1, n/4)
	center := make([]float64, s.Cols)
	for c := range center {
		center[c] = median(s.Column(c)[n-q:])
	}
	dist := func(from int) []float64 {
		d := make([]float64, q)
		for k := range d {
			row := s.Data[(from+k)*s.Cols : (from+k+1)*s.Cols]
			sum := 0.0
			for c, v := range row {
				sum += (v - center[c]) * (v - center[c])
			}
			d[k] = math.Sqrt(sum)
		}
		return d
	}
	head, tail := median(dist(0)), median(dist(n-q))
	if head == 0 {
		if tail == 0 {
			return 0 // at rest throughout
		}
		return math.Inf(1)
	}
	return tail / head
}

// median returns the median of x (the mean of the middle two for an even
// length); x is not modified.
func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Work bounds the neighbour searches of Analyze on n steps of cols
// columns under o: the number of pair distances and of coordinate
// differences they take when every pair of reference and point is
// compared, as in embeddings wider than 32 coordinates (a k-d tree at low
// width does far fewer). False neighbours compare about R·n pairs in each
// dimension m = 1…MaxDim, each of m·cols coordinates (R = min(n, MaxRefs)
// references); the divergence curve 2R·n and the two correlation sums
// 2R·n more, taken here at MaxDim. The cost is quadratic in n and linear
// in cols; --column, --max-dim and --max-refs of "fracdyn attractor" limit
// it.
func Work(n, cols int, o Options) (pairs, coords float64) {
	refs := o.MaxRefs
	if refs <= 0 {
		refs = 4000
	}
	maxDim := o.MaxDim
	if maxDim <= 0 {
		maxDim = 10
	}
	if o.Dim > 0 {
		maxDim = o.Dim
	}
	r, nn, c := float64(min(n, refs)), float64(n), float64(cols)
	md := float64(maxDim)
	pairs = r*nn*md + 4*r*nn
	coords = r*nn*c*md*(md+1)/2 + 4*r*nn*c*(md+0.5)
	return pairs, coords
}
