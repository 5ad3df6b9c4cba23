package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
)

// TestProberMeans checks the chunked probe means against a hand
// computation: with fc1's bias at 10 every pre-activation is positive, so
// the mean of relu(W·x + b) over the batch is W·x̄ + b.
func TestProberMeans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n = 300 // two chunks of 150
	images := make([]float32, n*784)
	for i := range images {
		images[i] = float32(rng.NormFloat64())
	}
	weights := map[string][]float32{}
	for _, l := range model.Layers(model.MLP) {
		w := make([]float32, l.WeightShape[0]*l.WeightShape[1])
		for i := range w {
			w[i] = float32(rng.NormFloat64() * 0.01)
		}
		b := make([]float32, l.BiasShape[0])
		for i := range b {
			b[i] = 10
		}
		weights[model.StateName(l, "weight")], weights[model.StateName(l, "bias")] = w, b
	}
	p, err := NewProber(backend.MustNew(), model.MLP, images)
	if err != nil {
		t.Fatal(err)
	}
	if p.chunk != 150 {
		t.Fatalf("chunk %d, want 150", p.chunk)
	}
	means, err := p.Means(weights)
	if err != nil {
		t.Fatal(err)
	}
	xbar := make([]float64, 784)
	for i := range n {
		for j := range 784 {
			xbar[j] += float64(images[i*784+j]) / n
		}
	}
	w := weights["fc1.weight"]
	for u := range 256 {
		want := 10.0
		for j := range 784 {
			want += float64(w[u*784+j]) * xbar[j]
		}
		if math.Abs(float64(means[0][u])-want) > 1e-3 {
			t.Fatalf("fc1 unit %d: mean %v, want %v", u, means[0][u], want)
		}
	}
	if len(means) != 3 || len(means[2]) != 10 {
		t.Errorf("got %d layers, last of %d values", len(means), len(means[len(means)-1]))
	}
}
