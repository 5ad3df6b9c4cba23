package attractor

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSpectral(t *testing.T) {
	// A pure tone: all power in its line, at its frequency.
	sp := Spectral(Sine(25, 5000))
	if math.Abs(sp.Fundamental-1.0/25) > 1e-4 || sp.HarmonicPower < 0.999 || sp.LinePower < 0.999 {
		t.Errorf("tone: %+v", sp)
	}
	// The periodogram of white noise is exponentially distributed, so its
	// geometric over arithmetic mean is e^{−γ} ≈ 0.5615.
	sp = Spectral(whiteNoise(1<<15, 5))
	if math.Abs(sp.Flatness-math.Exp(-0.5772156649)) > 0.03 {
		t.Errorf("white noise flatness %.4f, want 0.5615", sp.Flatness)
	}
	if sp.LinePower > 0.02 || sp.HarmonicPower > 0.02 {
		t.Errorf("white noise line power %.3f, harmonic %.3f", sp.LinePower, sp.HarmonicPower)
	}
	// Its mean frequency is a quarter cycle per sample: mean period 4.
	if math.Abs(sp.MeanPeriod-4) > 0.1 {
		t.Errorf("white noise mean period %.3f, want 4", sp.MeanPeriod)
	}
}

// Uniform points fill their dimension: D2 of a segment is 1, of a square 2,
// of a cube 3.
func TestCorrelationDimensionOfUniformSets(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for d := 1; d <= 3; d++ {
		pts := make([]float64, 8000*d)
		for i := range pts {
			pts[i] = rng.Float64()
		}
		e := &Embedding{Lag: 1, Dim: 1, Cols: d, Points: pts}
		f := FitCorrelation(Correlate(e, 0, 4000))
		if math.Abs(f.D2-float64(d)) > 0.1 || f.R2 < 0.99 || !(f.RMin < f.RMax) {
			t.Errorf("uniform in %d dimensions: %+v", d, f)
		}
	}
}

func TestDivergenceCurveExcludesTheilerWindow(t *testing.T) {
	// A slow ramp: every point's nearest neighbour is its time neighbour,
	// unless the Theiler window forbids it; then it is ≥ W+1 steps away.
	x := make([]float64, 400)
	for i := range x {
		x[i] = float64(i % 200) // two passes over the same values
	}
	e := Embed(Univariate(x), 1, 1)
	d := DivergenceCurve(e, 10, 5, 0)
	// With W = 10 the nearest allowed neighbour is the same value on the
	// other pass (distance 0, excluded) or ±11 steps away: the mean log
	// distance at k = 0 is at least ln 1 = 0 and pairs exist.
	if len(d.MeanLog) != 6 || d.Pairs[0] == 0 || d.MeanLog[0] < 0 {
		t.Errorf("curve %+v", d)
	}
	// On a ramp neighbours keep their distance: the curve is flat.
	for k := 1; k < len(d.MeanLog); k++ {
		if math.Abs(d.MeanLog[k]-d.MeanLog[0]) > 0.5 {
			t.Errorf("ramp divergence not flat: %v", d.MeanLog)
			break
		}
	}
}

func TestFitDivergenceFindsTheSlope(t *testing.T) {
	// A transient, a straight rise of slope 0.3, then a plateau.
	var d Divergence
	for k := 0; k <= 100; k++ {
		y := -6.0
		switch {
		case k < 5:
			y += 0.05 * float64(k)
		case k < 25:
			y += 0.25 + 0.3*float64(k-5)
		default:
			y += 6.25
		}
		d.Steps = append(d.Steps, float64(k))
		d.MeanLog = append(d.MeanLog, y)
		d.Pairs = append(d.Pairs, 1)
	}
	// Growing the steepest window may take in a point or two of the bends
	// (slope drift ≤ 3%), never the transient or the plateau.
	f := FitDivergence(d, 10)
	if math.Abs(f.Slope-0.3) > 0.03*0.3 || f.From < 2 || f.To > 25 || f.To-f.From < 15 {
		t.Errorf("fit %+v, want slope 0.3 ± 3%% over about steps 5–25", f)
	}
}
