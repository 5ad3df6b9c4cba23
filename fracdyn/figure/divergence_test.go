package figure

import (
	"bytes"
	"math"
	"strconv"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
)

// TestDivergence: the logistic map's curve is drawn with its λ ≈ ln 2 in
// the legend; mismatched inputs are errors.
func TestDivergence(t *testing.T) {
	res, err := attractor.Analyze(attractor.Logistic(4, 0.2, 4000, 100), attractor.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Lyapunov-math.Ln2) > 0.15 {
		t.Fatalf("logistic map λ = %v, want about ln 2", res.Lyapunov)
	}
	p, err := Divergence("maps", "k (steps)", []*attractor.Result{res}, []string{"logistic"}, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	var svg bytes.Buffer
	if err := Encode(&svg, p, "svg"); err != nil {
		t.Fatal(err)
	}
	want := []byte("logistic: λ = " + formatLambda(res.Lyapunov))
	if !bytes.Contains(svg.Bytes(), want) {
		t.Errorf("SVG lacks the legend %q", want)
	}
	if _, err := Divergence("x", "k", []*attractor.Result{res}, nil, []float64{1}); err == nil {
		t.Error("no names: no error")
	}
}

func formatLambda(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
