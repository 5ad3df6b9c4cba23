package analysis

import (
	"fmt"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Prober computes the activation maps A of every layer: the mean over a
// fixed probe batch of each layer's post-activation output, with the
// weights of one snapshot. The graph is compiled once; each call loads new
// weights into the context's variables.
type Prober struct {
	arch   model.Arch
	ctx    *context.Context
	exec   *context.Exec
	images []float32
	n      int
	chunk  int
}

// probeChunk bounds the images per forward pass, to bound memory.
const probeChunk = 256

// NewProber prepares the forward graph of arch for the probe images
// (normalised, [P·28·28]).
func NewProber(b backends.Backend, arch model.Arch, images []float32) (*Prober, error) {
	side := model.ImageSize * model.ImageSize
	if len(images) == 0 || len(images)%side != 0 {
		return nil, fmt.Errorf("probe batch has %d values, not a whole number of 28×28 images", len(images))
	}
	p := &Prober{arch: arch, ctx: context.New()}
	n := len(images) / side
	// Chunks of equal size: the largest divisor of n up to probeChunk, or
	// the whole batch when that divisor is small.
	p.chunk = n
	for c := min(n, probeChunk); c >= 32; c-- {
		if n%c == 0 {
			p.chunk = c
			break
		}
	}
	p.images = images
	p.n = n
	var err error
	p.exec, err = context.NewExec(b, p.ctx.Reuse(), func(ctx *context.Context, batch *Node) []*Node {
		_, acts := model.Forward(ctx, arch, batch)
		sums := make([]*Node, len(acts))
		for i, a := range acts {
			sums[i] = ReduceSum(a, 0)
		}
		return sums
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Means loads weights (PyTorch names → flat values) and returns, per layer
// of model.Layers(arch), the mean post-activation output over the probe
// batch (conv [C·H·W], dense [N]).
func (p *Prober) Means(weights map[string][]float32) (means [][]float32, err error) {
	if err := model.SetWeights(p.ctx, p.arch, weights); err != nil {
		return nil, err
	}
	n, side := p.n, model.ImageSize*model.ImageSize
	var sums [][]float64
	for start := 0; start < n; start += p.chunk {
		batch := tensors.FromFlatDataAndDimensions(p.images[start*side:(start+p.chunk)*side], p.chunk, model.ImageSize, model.ImageSize)
		out, err := p.exec.Exec(batch)
		if err != nil {
			return nil, fmt.Errorf("probe forward pass: %w", err)
		}
		if sums == nil {
			sums = make([][]float64, len(out))
		}
		for i, t := range out {
			v := tensors.MustCopyFlatData[float32](t)
			t.MustFinalizeAll()
			if sums[i] == nil {
				sums[i] = make([]float64, len(v))
			}
			for j, x := range v {
				sums[i][j] += float64(x)
			}
		}
	}
	means = make([][]float32, len(sums))
	for i, s := range sums {
		means[i] = make([]float32, len(s))
		for j, x := range s {
			means[i][j] = float32(x / float64(n))
		}
	}
	return means, nil
}

// activationMaps returns the activation map A of each layer of r (indexed
// as r.Config.Layers; set for the selected ones) with the weights of snap:
// the maps the snapshot holds when it holds one for every selected layer
// (recorded is true: runs recorded by fracdyn/recorder), else the probe
// forward pass of prober (fracdyn's own architectures). One route for
// both: what segraph.Build reads as segraph.Layer.Activation.
func activationMaps(snap *run.Snapshot, r *run.Run, selected []int, prober *Prober) (means [][]float32, recorded bool, err error) {
	all := r.Config.Layers
	means = make([][]float32, len(all))
	var missing []string
	for _, i := range selected {
		if m, ok := snap.Activations[all[i].Name]; ok {
			means[i] = m
		} else {
			missing = append(missing, all[i].Name)
		}
	}
	if len(missing) == 0 {
		return means, true, nil
	}
	if prober == nil {
		return nil, false, fmt.Errorf("the snapshot of epoch %d holds no activation map of layer %s, and architecture %q is not one of fracdyn's, whose forward pass would give it (use data-free mode)",
			snap.Epoch, strings.Join(missing, ", "), r.Config.Arch)
	}
	w := map[string][]float32{}
	for k, v := range snap.Weights {
		w[k] = v.Float32s()
	}
	if means, err = prober.Means(w); err != nil {
		return nil, false, fmt.Errorf("epoch %d: %w", snap.Epoch, err)
	}
	return means, false, nil
}
