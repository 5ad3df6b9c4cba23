package boundary

import (
	"context"
	"fmt"
	"time"

	"github.com/fracdyn/fracdyn/internal/progress"
	"github.com/gomlx/gomlx/backends"
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
// networks at a time in one compiled step, and scores each loss trajectory.
// Progress (in steps of all chunks) goes to rep, which may be nil. It stops
// with ctx's error when ctx is cancelled.
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
	defer t.exec.Finalize()
	res = &Result{Config: c, Scores: make([]float64, total)}
	for k := range chunks {
		lo, hi := k*chunk, min(total, (k+1)*chunk)
		scores, err := t.run(ctx, lo, hi, func(step int) {
			rep.Update(k*c.Steps+step, fmt.Sprintf("chunk %d/%d", k+1, chunks))
		})
		if err != nil {
			return nil, err
		}
		copy(res.Scores[lo:hi], scores)
	}
	for _, s := range res.Scores {
		if s < 0 {
			res.Converged++
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// trainer holds the compiled step and the inputs shared by all chunks.
type trainer struct {
	c       Config
	p       *Problem
	exec    *mlctx.Exec
	x, y    *tensors.Tensor
	batches [][]int
}

func newTrainer(b backends.Backend, c Config, p *Problem) (*trainer, error) {
	ctx := mlctx.New()
	ctx.SetParam(ParamNonlinearity, string(c.Nonlinearity))
	ctx.SetParam(ParamLoss, string(c.Loss))
	mini := c.Minibatch > 0
	exec, err := mlctx.NewExec(b, ctx, func(ctx *mlctx.Context, in []*Node) []*Node {
		x, y, rest := in[0], in[1], in[2:]
		var xg, yg *Node
		if mini {
			xg, yg, rest = rest[0], rest[1], rest[2:]
		}
		var w0, w1, loss *Node
		if c.Loss == Quadratic {
			w0, w1, loss = QuadraticStep(ctx, x, y, xg, yg, rest[0], rest[1], rest[2], rest[3], rest[4])
		} else {
			w0, w1, loss = MSEStep(ctx, x, y, xg, yg, rest[0], rest[1], rest[2], rest[3])
		}
		return []*Node{w0, w1, loss}
	})
	if err != nil {
		return nil, fmt.Errorf("boundary: compiling the training step: %w", err)
	}
	t := &trainer{c: c, p: p, exec: exec,
		x: tensors.FromFlatDataAndDimensions(p.X, p.Points, p.Width),
		y: tensors.FromFlatDataAndDimensions(p.Y, p.Points)}
	if mini {
		t.batches = p.Minibatches(c.Steps, c.Minibatch)
	}
	return t, nil
}

// run trains grid points [lo, hi) and returns their scores.
func (t *trainer) run(ctx context.Context, lo, hi int, stepDone func(int)) (scores []float64, err error) {
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
	defer func() { tlr0.FinalizeAll(); tlr1.FinalizeAll() }()
	var tinit *tensors.Tensor
	if c.Loss == Quadratic {
		tinit = tensors.FromFlatDataAndDimensions(p.W0, w, w)
		defer tinit.FinalizeAll()
	}
	losses := make([]float64, c.Steps*nb) // [step][network]
	for step := range c.Steps {
		if err := ctx.Err(); err != nil {
			tw0.FinalizeAll()
			tw1.FinalizeAll()
			return nil, err
		}
		args := []any{t.x, t.y}
		if t.batches != nil {
			xg, yg := p.rows(t.batches[step])
			args = append(args, tensors.FromFlatDataAndDimensions(xg, len(yg), w), tensors.FromFlatDataAndDimensions(yg, len(yg)))
		}
		args = append(args, tw0, tw1, tlr0, tlr1)
		if tinit != nil {
			args = append(args, tinit)
		}
		out, err := t.exec.Exec(args...)
		if err != nil {
			return nil, fmt.Errorf("boundary: step %d: %w", step, err)
		}
		tw0.FinalizeAll()
		tw1.FinalizeAll()
		tw0, tw1 = out[0], out[1]
		tensors.ConstFlatData(out[2], func(l []float32) {
			row := losses[step*nb : (step+1)*nb]
			for k, v := range l {
				row[k] = float64(v)
			}
		})
		out[2].FinalizeAll()
		stepDone(step + 1)
	}
	tw0.FinalizeAll()
	tw1.FinalizeAll()
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
