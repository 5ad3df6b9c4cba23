package model

import (
	"math"
	"testing"
)

func TestInitWeights(t *testing.T) {
	a, b := InitWeights(MLP, 7), InitWeights(MLP, 7)
	for _, l := range Layers(MLP) {
		bound := 1 / math.Sqrt(float64(prod(l.WeightShape[1:])))
		w := a[StateName(l, "weight")]
		if len(w) != prod(l.WeightShape) || len(a[StateName(l, "bias")]) != prod(l.BiasShape) {
			t.Fatalf("%s: %d weights, %d biases; want %v and %v", l.Name, len(w), len(a[StateName(l, "bias")]), l.WeightShape, l.BiasShape)
		}
		lo, hi := 0.0, 0.0
		for i, v := range w {
			if v != b[StateName(l, "weight")][i] {
				t.Fatalf("%s: seed 7 gave two different weights at %d", l.Name, i)
			}
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
		// Uniform on [−b, b]: the extremes of thousands of draws lie near ±b.
		if lo < -bound || hi > bound || lo > -0.9*bound || hi < 0.9*bound {
			t.Errorf("%s: weights span [%g, %g], want about ±%g", l.Name, lo, hi, bound)
		}
	}
	if InitWeights(MLP, 8)["fc1.weight"][0] == a["fc1.weight"][0] {
		t.Error("seeds 7 and 8 gave the same first weight")
	}
}
