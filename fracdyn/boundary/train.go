package boundary

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fracdyn/fracdyn/internal/progress"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX style
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// Result is a trained grid.
type Result struct {
	Config Config
	// Scores are the Resolution×Resolution convergence scores (see Score),
	// row-major: row i is the y value Axis(YMin, YMax, Resolution)[i], so
	// row 0 is the bottom of a picture; column j is the x value.
	Scores    []float64
	Converged int           // grid points with a negative score
	Elapsed   time.Duration // training time, compiling included
}

// NetworkSteps is the number of single-network gradient steps r took.
func (r *Result) NetworkSteps() int {
	return r.Config.Resolution * r.Config.Resolution * r.Config.Steps
}

// Boundary returns the boundary mask of r's scores ((R−1)×(R−1), see Mask)
// and its box-counting fit.
func (r *Result) Boundary() (mask []bool, fit Fit, err error) {
	n := r.Config.Resolution
	mask, err = Mask(r.Scores, n, n)
	if err != nil {
		return nil, Fit{}, err
	}
	f, err := Dimension(mask, n-1, n-1)
	if err != nil {
		return nil, Fit{}, err
	}
	return mask, Fit{Dimension: f.Dimension, R2: f.R2, Sizes: f.Sizes, Counts: f.Counts, Cells: countOn(mask)}, nil
}

// Fit is the box-counting fit of a boundary, in the form written to JSON.
type Fit struct {
	Dimension float64   `json:"dimension"`
	R2        float64   `json:"r2"`
	Sizes     []float64 `json:"box_sizes"`
	Counts    []float64 `json:"box_counts"`
	Cells     int       `json:"boundary_cells"`
}

func countOn(mask []bool) int {
	n := 0
	for _, on := range mask {
		if on {
			n++
		}
	}
	return n
}

// Train trains one network per grid point of c on backend b, c.Chunk
// networks at a time in one compiled graph of several steps, and scores
// each loss trajectory. On the pure-Go backend chunks run concurrently,
// one per core (GOMAXPROCS). Progress (in steps of all chunks) goes to
// rep, which may be nil. It stops with ctx's error when ctx is cancelled.
func Train(ctx context.Context, b backends.Backend, c Config, rep progress.Reporter) (res *Result, err error) {
	if err := c.Check(); err != nil {
		return nil, fmt.Errorf("boundary config: %w", err)
	}
	if rep == nil {
		rep = progress.Discard()
	}
	start := time.Now()
	p := NewProblem(c)
	total := c.Resolution * c.Resolution
	chunk := min(c.chunk(), total)
	chunks := (total + chunk - 1) / chunk
	t, err := newTrainer(b, c, p)
	if err != nil {
		return nil, err
	}
	defer t.finalize()
	res = &Result{Config: c, Scores: make([]float64, total)}
	workers := 1
	if b.Name() == simplego.BackendName {
		workers = min(runtime.GOMAXPROCS(0), chunks)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		done     int // steps finished, over all chunks
		finished int // chunks finished
		firstErr error
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= chunks {
					return
				}
				lo, hi := k*chunk, min(total, (k+1)*chunk)
				scores, err := t.run(ctx, lo, hi, func(steps int) {
					mu.Lock()
					done += steps
					rep.Update(done, fmt.Sprintf("chunks %d/%d", finished, chunks))
					mu.Unlock()
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				finished++
				mu.Unlock()
				if err != nil {
					return
				}
				copy(res.Scores[lo:hi], scores)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for _, s := range res.Scores {
		if s < 0 {
			res.Converged++
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// StepsPerCall is the most gradient steps one call of the compiled graph
// takes (unrolled in the graph): fewer calls, fewer per-call costs.
const StepsPerCall = 20

// trainer holds the compiled graphs and the inputs shared by all chunks.
type trainer struct {
	c       Config
	p       *Problem
	execs   map[int]*mlctx.Exec // by steps per call
	x, y    *tensors.Tensor
	batches [][]int
}

func newTrainer(b backends.Backend, c Config, p *Problem) (*trainer, error) {
	t := &trainer{c: c, p: p, execs: map[int]*mlctx.Exec{},
		x: tensors.FromFlatDataAndDimensions(p.X, p.Points, p.Width),
		y: tensors.FromFlatDataAndDimensions(p.Y, p.Points)}
	if c.Minibatch > 0 {
		t.batches = p.Minibatches(c.Steps, c.Minibatch)
	}
	for _, k := range []int{min(StepsPerCall, c.Steps), c.Steps % StepsPerCall} {
		if k == 0 || t.execs[k] != nil {
			continue
		}
		exec, err := newStepsExec(b, c, k)
		if err != nil {
			t.finalize()
			return nil, err
		}
		t.execs[k] = exec
	}
	return t, nil
}

func (t *trainer) finalize() {
	for _, e := range t.execs {
		e.Finalize()
	}
	t.x.FinalizeAll()
	t.y.FinalizeAll()
}

// newStepsExec compiles k steps of c's training as one graph. Inputs: x,
// y, then for minibatches xg [k, m, d] and yg [k, m], then w0, w1, lr0,
// lr1, then for the quadratic loss init. Outputs: w0, w1 after the k steps
// and the loss before each, [k, B].
func newStepsExec(b backends.Backend, c Config, k int) (*mlctx.Exec, error) {
	ctx := mlctx.New()
	ctx.SetParam(ParamNonlinearity, string(c.Nonlinearity))
	ctx.SetParam(ParamLoss, string(c.Loss))
	mini := c.Minibatch > 0
	exec, err := mlctx.NewExec(b, ctx, func(ctx *mlctx.Context, in []*Node) []*Node {
		x, y, rest := in[0], in[1], in[2:]
		var xgs, ygs *Node
		if mini {
			xgs, ygs, rest = rest[0], rest[1], rest[2:]
		}
		w0, w1, lr0, lr1 := rest[0], rest[1], rest[2], rest[3]
		losses := make([]*Node, k)
		for s := range k {
			var xg, yg *Node
			if mini {
				xg = Squeeze(Slice(xgs, AxisElem(s)), 0)
				yg = Squeeze(Slice(ygs, AxisElem(s)), 0)
			}
			if c.Loss == Quadratic {
				w0, w1, losses[s] = QuadraticStep(ctx, x, y, xg, yg, w0, w1, lr0, lr1, rest[4])
			} else {
				w0, w1, losses[s] = MSEStep(ctx, x, y, xg, yg, w0, w1, lr0, lr1)
			}
		}
		return []*Node{w0, w1, Stack(losses, 0)}
	})
	if err != nil {
		return nil, fmt.Errorf("boundary: compiling the training step: %w", err)
	}
	return exec, nil
}

// run trains grid points [lo, hi) and returns their scores; stepsDone is
// called with the number of steps each call of the graph took.
func (t *trainer) run(ctx context.Context, lo, hi int, stepsDone func(int)) (scores []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("boundary: training step failed: %v", r)
		}
	}()
	c, p, w := t.c, t.p, t.p.Width
	nb := hi - lo
	w0 := make([]float32, w*nb*w)
	w1 := make([]float32, nb*w)
	lr0 := make([]float32, nb)
	lr1 := make([]float32, nb)
	for k := range nb {
		i, j := (lo+k)/c.Resolution, (lo+k)%c.Resolution
		a0, a1, off := c.Hyperparameters(i, j)
		lr0[k], lr1[k] = float32(a0), float32(a1)
		for r := range w {
			for col := range w {
				w0[(r*nb+k)*w+col] = p.W0[r*w+col] + float32(off)
			}
		}
		copy(w1[k*w:(k+1)*w], p.W1)
	}
	tw0 := tensors.FromFlatDataAndDimensions(w0, w, nb, w)
	tw1 := tensors.FromFlatDataAndDimensions(w1, nb, w)
	tlr0 := tensors.FromFlatDataAndDimensions(lr0, nb)
	tlr1 := tensors.FromFlatDataAndDimensions(lr1, nb)
	defer func() { tw0.FinalizeAll(); tw1.FinalizeAll(); tlr0.FinalizeAll(); tlr1.FinalizeAll() }()
	var tinit *tensors.Tensor
	if c.Loss == Quadratic {
		tinit = tensors.FromFlatDataAndDimensions(p.W0, w, w)
		defer tinit.FinalizeAll()
	}
	losses := make([]float64, c.Steps*nb) // [step][network]
	for step := 0; step < c.Steps; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := min(StepsPerCall, c.Steps-step)
		args := []any{t.x, t.y}
		if t.batches != nil {
			var xg, yg []float32
			for s := range k {
				xs, ys := p.rows(t.batches[step+s])
				xg, yg = append(xg, xs...), append(yg, ys...)
			}
			m := c.Minibatch
			args = append(args, tensors.FromFlatDataAndDimensions(xg, k, m, w), tensors.FromFlatDataAndDimensions(yg, k, m))
		}
		args = append(args, tw0, tw1, tlr0, tlr1)
		if tinit != nil {
			args = append(args, tinit)
		}
		out, err := t.execs[k].Exec(args...)
		if err != nil {
			return nil, fmt.Errorf("boundary: steps %d–%d: %w", step, step+k-1, err)
		}
		tw0.FinalizeAll()
		tw1.FinalizeAll()
		tw0, tw1 = out[0], out[1]
		tensors.ConstFlatData(out[2], func(l []float32) {
			row := losses[step*nb : (step+k)*nb]
			for i, v := range l {
				row[i] = float64(v)
			}
		})
		out[2].FinalizeAll()
		step += k
		stepsDone(k)
	}
	scores = make([]float64, nb)
	traj := make([]float64, c.Steps)
	for k := range nb {
		for step := range c.Steps {
			traj[step] = losses[step*nb+k]
		}
		scores[k] = Score(traj)
	}
	return scores, nil
}
