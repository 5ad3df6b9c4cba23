package figure

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/phaseflow"
)

// syntheticTraining is a converging run: 4 epochs of 200 steps, the loss
// decaying with minibatch noise and a segment's gradient norm following
// it.
func syntheticTraining() (loss, grad, epoch []float64, epochs []int) {
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 800; i++ {
		l := 0.05 + 2.25*math.Exp(-float64(i)/120)
		loss = append(loss, l*(1+0.2*rng.NormFloat64()))
		grad = append(grad, math.Sqrt(l)*(1+0.1*rng.NormFloat64()))
		epochs = append(epochs, 1+i/200)
	}
	return loss, grad, phaseflow.FractionalEpochs(epochs), epochs
}

func TestPhaseFlowGradLoss(t *testing.T) {
	loss, grad, epoch, _ := syntheticTraining()
	loss[5] = math.NaN() // dropped, not fatal
	cb, err := PhaseFlowGradLoss(loss, grad, epoch, PhaseFlowOptions{Path: true})
	if err != nil {
		t.Fatal(err)
	}
	p := cb.Plot
	if p.X.Label.Text != "loss L" || p.Y.Label.Text != "‖∂L/∂W_seg‖" {
		t.Errorf("labels %q, %q", p.X.Label.Text, p.Y.Label.Text)
	}
	lo, hi := flowRange(loss)
	if p.X.Min > lo || p.X.Max < hi {
		t.Errorf("x axis [%v, %v] does not hold the loss range [%v, %v]", p.X.Min, p.X.Max, lo, hi)
	}
	if cb.Bar.Y.Min != 0 || math.Abs(cb.Bar.Y.Max-epoch[len(epoch)-1]) > 1e-12 {
		t.Errorf("colour bar [%v, %v], want [0, %v]", cb.Bar.Y.Min, cb.Bar.Y.Max, epoch[len(epoch)-1])
	}
	// Same data, same bytes.
	render := func() []byte {
		var b bytes.Buffer
		if err := Encode(&b, cb, "svg"); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b := render(), render()
	if !bytes.Equal(a, b) || len(a) < 10000 {
		t.Errorf("SVG renders differ or are tiny (%d, %d bytes)", len(a), len(b))
	}
	path := filepath.Join(t.TempDir(), "fig3-left.png")
	if err := Save(cb, path); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() < 5000 {
		t.Errorf("PNG %s: %v, %v", path, st, err)
	}
	if os.Getenv("FRACDYN_KEEP_FIGURES") != "" {
		Save(cb, "/tmp/fig3-left.png")
	}
}

// syntheticDerivatives differentiates syntheticTraining's loss over steps
// (window 25) and returns the derivatives with each point's epoch.
func syntheticDerivatives(t *testing.T) (d phaseflow.Derivatives, ep []float64) {
	t.Helper()
	loss, _, epoch, _ := syntheticTraining()
	steps := make([]float64, len(loss))
	for i := range steps {
		steps[i] = float64(i + 1)
	}
	d, err := phaseflow.Differentiate(steps, loss, 25)
	if err != nil {
		t.Fatal(err)
	}
	ep = make([]float64, len(d.Index))
	for k, i := range d.Index {
		ep[k] = epoch[i]
	}
	return d, ep
}

func TestPhaseFlowLossDerivatives(t *testing.T) {
	d, ep := syntheticDerivatives(t)
	cb, err := PhaseFlowLossDerivatives(d.D1, d.D2, ep, PhaseFlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cb.Plot.X.Label.Text != "dL/dt" || cb.Plot.Y.Label.Text != "d²L/dt²" {
		t.Errorf("labels %q, %q", cb.Plot.X.Label.Text, cb.Plot.Y.Label.Text)
	}
	// A decaying loss flows from dL/dt < 0 towards 0.
	if cb.Plot.X.Min >= 0 {
		t.Errorf("x axis starts at %v, want negative dL/dt", cb.Plot.X.Min)
	}
	if os.Getenv("FRACDYN_KEEP_FIGURES") != "" {
		Save(cb, "/tmp/fig3-right.png")
	}
	if _, err := PhaseFlowLossDerivatives(d.D1, d.D2[:3], ep, PhaseFlowOptions{}); err == nil {
		t.Error("mismatched lengths: no error")
	}
	if _, err := PhaseFlowLossDerivatives([]float64{math.NaN(), 1}, []float64{1, 1}, []float64{0, 1}, PhaseFlowOptions{}); err == nil {
		t.Error("one plottable point: no error")
	}
}

func TestPhaseFlowGrid(t *testing.T) {
	loss, grad, epoch, _ := syntheticTraining()
	var panels []PhaseFlowPanel
	for k := 0; k < 5; k++ {
		g := make([]float64, len(grad))
		for i := range g {
			g[i] = grad[i] * float64(k+1)
		}
		panels = append(panels, PhaseFlowPanel{Title: "segment", Loss: loss, Grad: g, Epoch: epoch})
	}
	g, err := PhaseFlowGrid(panels, 3, PhaseFlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	grid := g.Plots
	if lo, hi := flowRange(epoch); g.Bar.Y.Min != lo || g.Bar.Y.Max != hi {
		t.Errorf("colour bar [%v, %v], want the epochs' [%v, %v]", g.Bar.Y.Min, g.Bar.Y.Max, lo, hi)
	}
	if len(grid) != 2 || len(grid[0]) != 3 || grid[1][2] != nil {
		t.Fatalf("grid shape wrong: %d rows", len(grid))
	}
	// x labels only where no panel is below, y labels on the left column.
	if grid[0][0].X.Label.Text != "" || grid[0][2].X.Label.Text != "loss L" || grid[1][0].X.Label.Text != "loss L" {
		t.Errorf("x labels %q %q %q", grid[0][0].X.Label.Text, grid[0][2].X.Label.Text, grid[1][0].X.Label.Text)
	}
	if grid[0][1].Y.Label.Text != "" || grid[1][0].Y.Label.Text == "" {
		t.Errorf("y labels %q %q", grid[0][1].Y.Label.Text, grid[1][0].Y.Label.Text)
	}
	path := filepath.Join(t.TempDir(), "grid.svg")
	if err := Save(g, path); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("FRACDYN_KEEP_FIGURES") != "" {
		Save(g, "/tmp/fig3-grid.png")
	}
}
