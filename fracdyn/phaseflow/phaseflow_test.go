package phaseflow

import (
	"fmt"
	"math"
	"testing"
)

// Three-point formulas are exact for quadratics, on any spacing.
func TestDifferentiateQuadratic(t *testing.T) {
	tt := []float64{0, 1, 3, 4, 7, 7.5, 10}
	y := make([]float64, len(tt))
	for i, v := range tt {
		y[i] = 2 - 3*v + 0.5*v*v
	}
	d, err := Differentiate(tt, y, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.D1) != len(tt)-2 {
		t.Fatalf("%d points, want %d", len(d.D1), len(tt)-2)
	}
	for k := range d.D1 {
		if want := -3 + d.T[k]; math.Abs(d.D1[k]-want) > 1e-12 {
			t.Errorf("dL/dt at t=%v: %v, want %v", d.T[k], d.D1[k], want)
		}
		if math.Abs(d.D2[k]-1) > 1e-12 {
			t.Errorf("d²L/dt² at t=%v: %v, want 1", d.T[k], d.D2[k])
		}
		if d.Index[k] != k+1 || d.L[k] != y[k+1] {
			t.Errorf("point %d: index %d, L %v", k, d.Index[k], d.L[k])
		}
	}
}

// An exponential decay L = e^{−t/τ} has dL/dt = −L/τ and d²L/dt² = L/τ²:
// its phase curve is the line d²L/dt² = −dL/dt / τ.
func TestDifferentiateExponential(t *testing.T) {
	const tau = 50.0
	n := 400
	tt := make([]float64, n)
	y := make([]float64, n)
	for i := range tt {
		tt[i] = float64(i)
		y[i] = math.Exp(-tt[i] / tau)
	}
	d, _ := Differentiate(tt, y, 0)
	for k := range d.D1 {
		if r := d.D2[k] / -d.D1[k]; math.Abs(r-1/tau) > 1e-4 {
			t.Fatalf("t=%v: d²L/dt² / (−dL/dt) = %v, want %v", d.T[k], r, 1/tau)
		}
	}
}

func TestDifferentiateErrors(t *testing.T) {
	if _, err := Differentiate([]float64{0, 1}, []float64{1, 2}, 0); err == nil {
		t.Error("two samples: no error")
	}
	if _, err := Differentiate([]float64{0, 1, 1}, []float64{1, 2, 3}, 0); err == nil {
		t.Error("repeated time: no error")
	}
	if _, err := Differentiate([]float64{0, 1, 2}, []float64{1, 2}, 0); err == nil {
		t.Error("length mismatch: no error")
	}
}

func TestMovingAverage(t *testing.T) {
	got := MovingAverage(nil, []float64{1, 2, 3, 10, 5}, 3)
	want := []float64{1, 2, 5, 6, 5}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("MovingAverage = %v, want %v", got, want)
	}
	// Even widths round up to odd; width 1 is the identity.
	if got := MovingAverage(nil, []float64{1, 2, 3, 10, 5}, 2); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("width 2 = %v, want %v", got, want)
	}
	if got := MovingAverage(nil, []float64{4, 1}, 1); got[0] != 4 || got[1] != 1 {
		t.Errorf("width 1 = %v", got)
	}
}

func TestEpochHelpers(t *testing.T) {
	ep := []int{1, 1, 1, 1, 2, 2}
	e, m := EpochMeans(ep, []float64{1, 2, 3, 4, 10, 20})
	if fmt.Sprint(e, m) != "[1 2] [2.5 15]" {
		t.Errorf("EpochMeans = %v %v", e, m)
	}
	if f := FractionalEpochs(ep); fmt.Sprint(f) != "[0 0.25 0.5 0.75 1 1.5]" {
		t.Errorf("FractionalEpochs = %v", f)
	}
	mx, my := ChunkMeans([]float64{0, 2, 4, 6}, []float64{1, 1, math.NaN(), 3}, 2)
	if fmt.Sprint(mx, my) != "[1 6] [1 3]" {
		t.Errorf("ChunkMeans = %v %v", mx, my)
	}
}

func ExampleDifferentiate() {
	// L = t² sampled at t = 0, 1, 2, 3: dL/dt = 2t, d²L/dt² = 2.
	d, _ := Differentiate([]float64{0, 1, 2, 3}, []float64{0, 1, 4, 9}, 0)
	fmt.Println(d.T, d.D1, d.D2)
	// Output: [1 2] [2 4] [2 2]
}
