package boundary

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/internal/progress"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX style
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// TestStepGradient checks MSEStep's update against central differences of
// its own loss: w − lr·∇L, with ∇L by finite differences, for each
// nonlinearity, on a batch of two networks of width 4 with different
// learning rates.
func TestStepGradient(t *testing.T) {
	b := backend.MustNew()
	for _, nl := range []Nonlinearity{NonlinearityTanh, NonlinearityRelu, NonlinearityIdentity} {
		c := Config{Width: 4, Nonlinearity: nl, Seed: 3}
		p := NewProblem(c)
		ctx := mlctx.New()
		ctx.SetParam(ParamNonlinearity, string(nl))
		exec, err := mlctx.NewExec(b, ctx, func(ctx *mlctx.Context, x, y, w0, w1, lr0, lr1 *Node) []*Node {
			a, b, l := MSEStep(ctx, x, y, nil, nil, w0, w1, lr0, lr1)
			return []*Node{a, b, l}
		})
		if err != nil {
			t.Fatal(err)
		}
		const nb, w = 2, 4
		w0 := make([]float32, w*nb*w)
		w1 := make([]float32, nb*w)
		for r := range w {
			for k := range nb {
				for col := range w {
					w0[(r*nb+k)*w+col] = p.W0[r*w+col] * float32(1+k)
				}
			}
		}
		for k := range nb {
			copy(w1[k*w:], p.W1)
		}
		lr := []float32{0.5, 2}
		run := func(w0, w1, lr0, lr1 []float32) (n0, n1, loss []float32) {
			out := exec.MustExec(tensors.FromFlatDataAndDimensions(p.X, p.Points, w), tensors.FromFlatDataAndDimensions(p.Y, p.Points),
				tensors.FromFlatDataAndDimensions(w0, w, nb, w), tensors.FromFlatDataAndDimensions(w1, nb, w),
				tensors.FromFlatDataAndDimensions(lr0, nb), tensors.FromFlatDataAndDimensions(lr1, nb))
			return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), tensors.MustCopyFlatData[float32](out[2])
		}
		n0, n1, _ := run(w0, w1, lr, lr)
		zero := []float32{0, 0}
		const eps = 1e-2
		check := func(name string, ws []float32, newW []float32, idx, net int, perturb func(float32) ([]float32, []float32)) {
			p0, p1 := perturb(eps)
			m0, m1 := perturb(-eps)
			_, _, lp := run(p0, p1, zero, zero)
			_, _, lm := run(m0, m1, zero, zero)
			grad := (float64(lp[net]) - float64(lm[net])) / (2 * eps)
			want := float64(ws[idx]) - float64(lr[net])*grad
			if d := math.Abs(float64(newW[idx]) - want); d > 2e-3*math.Max(1, math.Abs(grad)) {
				t.Errorf("%s %s[%d] (net %d): stepped to %.6g, finite differences give %.6g", nl, name, idx, net, newW[idx], want)
			}
		}
		for _, idx := range []int{0, 5, (2*nb+1)*w + 3} {
			net := (idx / w) % nb
			check("w0", w0, n0, idx, net, func(e float32) ([]float32, []float32) {
				v := append([]float32(nil), w0...)
				v[idx] += e
				return v, w1
			})
		}
		for _, idx := range []int{1, w + 2} {
			net := idx / w
			check("w1", w1, n1, idx, net, func(e float32) ([]float32, []float32) {
				v := append([]float32(nil), w1...)
				v[idx] += e
				return w0, v
			})
		}
		exec.Finalize()
	}
}

// TestConvexControl: the quadratic loss's boundary is straight (two lines
// in the log learning-rate plane), so its box-counting dimension is 1.
// Grid: 48×48, 60 steps, window x ∈ [1.5, 3], y ∈ [1.5, 3.2].
func TestConvexControl(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 2,304 networks")
	}
	c := DefaultConfig()
	c.Loss, c.Resolution, c.Steps = Quadratic, 48, 60
	c.Window = Window{1.5, 3, 1.5, 3.2}
	res, err := Train(context.Background(), backend.MustNew(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, fit, err := res.Boundary()
	if err != nil {
		t.Fatal(err)
	}
	if fit.Cells == 0 || res.Converged == 0 || res.Converged == len(res.Scores) {
		t.Fatalf("no boundary in the window: %d of %d converged", res.Converged, len(res.Scores))
	}
	if math.Abs(fit.Dimension-1) > 0.1 {
		t.Errorf("convex control: D = %.3f (R² %.3f), want 1 ± 0.1", fit.Dimension, fit.R2)
	}
	t.Logf("convex control: D = %.3f, R² = %.3f, %d boundary cells, %d/%d converged", fit.Dimension, fit.R2, fit.Cells, res.Converged, len(res.Scores))
}

// TestTanhFractal: the paper's tanh network (width 16, full batch, 272
// points) has a boundary of dimension within the paper's range
// [1.17, 1.98]. Grid: 32×32, 100 steps, window x ∈ [2.4, 3.6], y ∈
// [2.05, 2.2] (log10 learning rates of the input and output layers).
func TestTanhFractal(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 1,024 networks")
	}
	c := DefaultConfig()
	c.Resolution, c.Steps = 32, 100
	c.Window = Window{2.4, 3.6, 2.05, 2.2}
	res, err := Train(context.Background(), backend.MustNew(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, fit, err := res.Boundary()
	if err != nil {
		t.Fatal(err)
	}
	if fit.Dimension < 1.17 || fit.Dimension > 1.98 {
		t.Errorf("tanh: D = %.3f (R² %.3f), want within the paper's [1.17, 1.98]", fit.Dimension, fit.R2)
	}
	t.Logf("tanh: D = %.3f, R² = %.3f, %d boundary cells, %d/%d converged", fit.Dimension, fit.R2, fit.Cells, res.Converged, len(res.Scores))
}

// TestChunksIdentical: the scores do not depend on how the grid is cut
// into chunks, nor on the chunks running concurrently, nor on the steps
// being split over graph calls (30 steps: one call of StepsPerCall = 20,
// one of 10). Grid: 12×12, 30 steps, default window; chunks of 5 (29
// chunks, the last of 4) against one chunk of 144; each network's
// arithmetic is the same in both, so the scores must be equal exactly.
func TestChunksIdentical(t *testing.T) {
	c := DefaultConfig()
	c.Resolution, c.Steps = 12, 30
	b := backend.MustNew()
	one, err := Train(context.Background(), b, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Chunk = 5
	many, err := Train(context.Background(), b, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if one.Converged == 0 || one.Converged == len(one.Scores) {
		t.Fatalf("no boundary in the window: %d of %d converged", one.Converged, len(one.Scores))
	}
	for i := range one.Scores {
		if one.Scores[i] != many.Scores[i] {
			t.Fatalf("grid point %d: score %g in one chunk, %g in chunks of 5", i, one.Scores[i], many.Scores[i])
		}
	}
}

// TestTrainCancel: cancelling the context stops the concurrent chunks
// with the context's error, before the grid is done (chunks of 10 of a
// 20×20 grid of 200 steps, cancelled after the first call's progress).
func TestTrainCancel(t *testing.T) {
	c := DefaultConfig()
	c.Resolution, c.Steps, c.Chunk = 20, 200, 10
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rep := &cancelAfter{cancel: cancel}
	_, err := Train(ctx, backend.MustNew(), c, rep)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Train after cancel: error %v, want context.Canceled", err)
	}
	if total := TotalSteps(c); rep.last >= total {
		t.Errorf("progress reached %d of %d steps: the cancel did not stop training", rep.last, total)
	}
}

// cancelAfter cancels at its first progress update and records the last.
type cancelAfter struct {
	progress.Reporter
	cancel func()
	last   int
}

func (r *cancelAfter) Update(done int, _ string) { r.last = done; r.cancel() }
