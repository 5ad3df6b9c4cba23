package attractor

import (
	"math"
	"strconv"
)

// Float is a float64 that marshals NaN and ±Inf as JSON null.
type Float float64

// MarshalJSON writes f, or null when it is not finite.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// Report is the flat, JSON-ready summary of a Result (what
// "fracdyn attractor --json" prints).
type Report struct {
	Class       Class   `json:"class"`
	Reason      string  `json:"reason"`
	Steps       int     `json:"steps"`
	Columns     int     `json:"columns"`
	Dt          float64 `json:"dt"`
	Lyapunov    Float   `json:"lyapunov"`     // per time unit
	LyapunovR2  Float   `json:"lyapunov_r2"`  // fit quality over the range
	LyapunovFit [2]int  `json:"lyapunov_fit"` // fitted steps, first and last
	// CorrelationDimension is D2 in the embedding, with the scaling range
	// [CorrelationRange[0], CorrelationRange[1]] in r.
	CorrelationDimension Float        `json:"correlation_dimension"`
	CorrelationR2        Float        `json:"correlation_r2"`
	CorrelationRange     [2]Float     `json:"correlation_range"`
	CorrelationNext      Float        `json:"correlation_dimension_next"`
	Embedding            EmbedReport  `json:"embedding"`
	Spectrum             SpectrumJSON `json:"spectrum"`
	Contraction          Float        `json:"contraction"`
	// SurrogateTest is the surrogate test behind a nonlinear class; null
	// when none was needed (or it was turned off).
	SurrogateTest *SurrogateTest `json:"surrogate_test"`
}

// EmbedReport is the embedding part of a Report.
type EmbedReport struct {
	Lag          int       `json:"lag"`
	Dimension    int       `json:"dimension"`
	Theiler      int       `json:"theiler"`
	LagRule      string    `json:"lag_rule"`
	MIMinimum    int       `json:"mi_minimum"`
	ACFCrossing  int       `json:"acf_crossing"`
	FNN          []float64 `json:"fnn"`
	FNNConverged bool      `json:"fnn_converged"`
}

// SpectrumJSON is the spectral part of a Report.
type SpectrumJSON struct {
	Fundamental   Float `json:"fundamental"` // cycles per sample
	Cycles        Float `json:"cycles"`
	HarmonicPower Float `json:"harmonic_power"`
	LinePower     Float `json:"line_power"`
	Flatness      Float `json:"flatness"`
	MeanPeriod    Float `json:"mean_period"`
}

// Report flattens r.
func (r *Result) Report() Report {
	sp := r.Spectrum
	return Report{
		Class: r.Class, Reason: r.Reason, Steps: r.N, Columns: r.Cols, Dt: r.Dt,
		Lyapunov: Float(r.Lyapunov), LyapunovR2: Float(r.LyapunovFit.R2),
		LyapunovFit:          [2]int{r.LyapunovFit.From, r.LyapunovFit.To},
		CorrelationDimension: Float(r.Correlation.D2), CorrelationR2: Float(r.Correlation.R2),
		CorrelationRange: [2]Float{Float(r.Correlation.RMin), Float(r.Correlation.RMax)},
		CorrelationNext:  Float(r.CorrelationNext.D2),
		Embedding: EmbedReport{Lag: r.Lag.Lag, Dimension: r.Dim.Dim, Theiler: r.Theiler,
			LagRule: r.Lag.Rule, MIMinimum: r.Lag.MIMinimum, ACFCrossing: r.Lag.ACFCrossing,
			FNN: r.Dim.Fractions, FNNConverged: r.Dim.Converged},
		Spectrum: SpectrumJSON{Fundamental: Float(sp.Fundamental), Cycles: Float(sp.Cycles),
			HarmonicPower: Float(sp.HarmonicPower), LinePower: Float(sp.LinePower),
			Flatness: Float(sp.Flatness), MeanPeriod: Float(sp.MeanPeriod)},
		Contraction:   Float(r.Contraction),
		SurrogateTest: r.Surrogate,
	}
}
