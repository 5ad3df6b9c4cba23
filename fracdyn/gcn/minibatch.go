package gcn

import (
	gocontext "context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Hyperparameters of FitMinibatch, read from the context like the others.
const (
	// ParamBatchEdges is the number of training edges in each minibatch
	// step of FitMinibatch (default 1024); each step also draws
	// ParamNegatives times as many non-edges.
	ParamBatchEdges = "gcn_batch_edges"
	// ParamFanout is the number of neighbours FitMinibatch samples per node
	// and layer (default 10).
	ParamFanout = "gcn_fanout"
	// ParamBatches caps the steps of each FitMinibatch epoch (default 0:
	// one pass over the training edges); on a large graph an epoch can
	// then be a fixed number of steps over a random share of the edges.
	ParamBatches = "gcn_batches"
)

// Defaults of the minibatch hyperparameters.
const (
	DefaultBatchEdges = 1024
	DefaultFanout     = 10
)

// MaxBatchNodes bounds the nodes of one minibatch's computation graph:
// the 2·batchEdges·(1+negatives) endpoints of its pairs, each layer adding
// at most fanout sampled neighbours per node, capped at the n nodes of the
// graph:
//
//	min(n, 2·B·(1+k)·(1+fanout)^layers).
//
// Every buffer of a FitMinibatch step is at most this many rows.
func MaxBatchNodes(n, batchEdges, negatives, fanout, layers int) int {
	b := float64(2*batchEdges*(1+negatives)) * math.Pow(float64(1+fanout), float64(layers))
	return int(min(b, float64(n)))
}

// block is one layer's sampled messages: from the layer's nSrc input nodes
// into its nDst output nodes, which are the first nDst input nodes. Row i
// holds messages rowStart[i]..rowStart[i+1] with input-local sources.
type block struct {
	nSrc, nDst int
	rowStart   []int32
	src        []int32
	coef       []float32
}

// apply sets dst (nDst×f) to B·x (x: nSrc×f).
func (b *block) apply(dst, x []float32, f int) { b.applyRows(dst, x, nil, f) }

// applyRows is apply with x's rows gathered: source j of the block is row
// rows[j] of x; nil rows means row j.
func (b *block) applyRows(dst, x []float32, rows []int32, f int) {
	for i := range b.nDst {
		out := dst[i*f : (i+1)*f]
		clear(out)
		for k := b.rowStart[i]; k < b.rowStart[i+1]; k++ {
			src := b.src[k]
			if rows != nil {
				src = rows[src]
			}
			c, s := b.coef[k], int(src)*f
			row := x[s : s+f]
			row = row[:len(out)]
			for j := range out {
				out[j] += c * row[j]
			}
		}
	}
}

// applyT sets dst (nSrc×f) to Bᵀ·y (y: nDst×f), in message order.
func (b *block) applyT(dst, y []float32, f int) {
	clear(dst[:b.nSrc*f])
	for i := range b.nDst {
		in := y[i*f : (i+1)*f]
		for k := b.rowStart[i]; k < b.rowStart[i+1]; k++ {
			c, s := b.coef[k], int(b.src[k])*f
			out := dst[s : s+f]
			out = out[:len(in)]
			for j := range in {
				out[j] += c * in[j]
			}
		}
	}
}

// neighbourSampler draws the sampled computation graph of a minibatch
// from the training graph's propagation.
type neighbourSampler struct {
	p      *Propagation
	fanout int
	rng    *rand.Rand
	pos    []int32  // global node → index in the current layer's list
	mark   []uint32 // generation in which pos was set
	gen    uint32
	pick   []int32
	// Each layer's node list and block, reused from one sample to the next.
	lists  [][]int32
	blocks []block
}

// sample returns, for targets (distinct nodes), the node list of each
// layer's input (nodes[layers] = targets) and each layer's block. Each
// node keeps its self loop and up to fanout neighbours drawn uniformly
// without replacement; when it has deg > fanout neighbours their
// coefficients are scaled by deg/fanout, so that the sampled row is an
// unbiased estimate of the row of Â. The lists and blocks returned are
// valid until the next call.
func (s *neighbourSampler) sample(targets []int32, layers int) ([][]int32, []*block) {
	nodes := make([][]int32, layers+1)
	blocks := make([]*block, layers)
	nodes[layers] = targets
	if len(s.lists) < layers {
		s.lists, s.blocks = make([][]int32, layers), make([]block, layers)
	}
	for l := layers - 1; l >= 0; l-- {
		s.gen++
		dst := nodes[l+1]
		list := append(s.lists[l][:0], dst...)
		for i, v := range dst {
			s.pos[v], s.mark[v] = int32(i), s.gen
		}
		// Room for every message at once: growing by appends would copy
		// a whole receptive field's lists several times over.
		msgs := 0
		for _, v := range dst {
			msgs += 1 + min(int(s.p.RowStart[v+1]-s.p.RowStart[v])-1, s.fanout)
		}
		list = slices.Grow(list, msgs)
		b := &s.blocks[l]
		b.nDst, b.rowStart = len(dst), append(slices.Grow(b.rowStart[:0], len(dst)+1), 0)
		b.src, b.coef = slices.Grow(b.src[:0], msgs), slices.Grow(b.coef[:0], msgs)
		for _, v := range dst {
			lo, hi := int(s.p.RowStart[v]), int(s.p.RowStart[v+1])
			// Message lo is the self loop (Normalize puts it first).
			b.src, b.coef = append(b.src, s.pos[v]), append(b.coef, s.p.Coef[lo])
			deg := hi - lo - 1
			s.pick = s.pick[:0]
			scale := float32(1)
			if deg <= s.fanout {
				for k := lo + 1; k < hi; k++ {
					s.pick = append(s.pick, int32(k))
				}
			} else {
				// Floyd's algorithm: fanout distinct of deg, in draw order.
				for j := deg - s.fanout; j < deg; j++ {
					t := int32(lo + 1 + s.rng.IntN(j+1))
					for _, q := range s.pick {
						if q == t {
							t = int32(lo + 1 + j)
							break
						}
					}
					s.pick = append(s.pick, t)
				}
				scale = float32(deg) / float32(s.fanout)
			}
			for _, k := range s.pick {
				u := s.p.Src[k]
				if s.mark[u] != s.gen {
					s.pos[u], s.mark[u] = int32(len(list)), s.gen
					list = append(list, u)
				}
				b.src, b.coef = append(b.src, s.pos[u]), append(b.coef, scale*s.p.Coef[k])
			}
			b.rowStart = append(b.rowStart, int32(len(b.src)))
		}
		b.nSrc = len(list)
		s.lists[l], nodes[l], blocks[l] = list, list, b
	}
	return nodes, blocks
}

// grow returns buf resized to n, reallocated only when too small.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n, n+n/4)
	}
	return buf[:n]
}

// batchState holds one minibatch step's activations and gradients; its
// buffers grow to the largest batch and are reused.
type batchState struct {
	x0                    []float32   // gathered input features
	in, ain, out, dm, din [][]float32 // per layer
	dw, db                [][]float32
	dz                    []float32
	lossBufs              [][]float32
}

// forwardBlocks runs the encoder over the blocks of a computation graph
// (see neighbourSampler.sample) and returns the last layer's output, one
// row per node of nodes[len(blocks)], in st's buffers; st keeps each
// layer's input and output for the backward pass.
func (m *nativeGCN) forwardBlocks(x []float32, nodes [][]int32, blocks []*block, st *batchState) []float32 {
	layers := len(m.w)
	if len(st.in) != layers {
		st.in, st.ain, st.out = make([][]float32, layers), make([][]float32, layers), make([][]float32, layers)
		st.dm, st.din = make([][]float32, layers), make([][]float32, layers)
	}
	// The first layer's input rows are gathered from x: by the block itself
	// when it propagates first (B·X needs no copy of X's rows; the
	// backward pass reads B·X, not X), into x0 otherwise.
	f := m.dims[0]
	h, rows := x, nodes[0]
	if !m.propagateFirst(0) {
		st.x0 = grow(st.x0, len(nodes[0])*f)
		for i, v := range nodes[0] {
			copy(st.x0[i*f:(i+1)*f], x[int(v)*f:(int(v)+1)*f])
		}
		h, rows = st.x0, nil
	}
	for l, b := range blocks {
		fi, fo := m.dims[l], m.dims[l+1]
		st.in[l] = h
		y := grow(st.out[l], b.nDst*fo)
		st.out[l] = y
		if m.propagateFirst(l) {
			st.ain[l] = grow(st.ain[l], b.nDst*fi)
			b.applyRows(st.ain[l], h, rows, fi)
			backend.Gemm(false, false, b.nDst, fo, fi, st.ain[l], m.w[l], y)
		} else {
			st.dm[l] = grow(st.dm[l], b.nSrc*max(fi, fo))
			mm := st.dm[l][:b.nSrc*fo]
			backend.Gemm(false, false, b.nSrc, fo, fi, h, m.w[l], mm)
			b.apply(y, mm, fo)
		}
		bias := m.b[l]
		for i := range b.nDst {
			row := y[i*fo : (i+1)*fo]
			for j := range row {
				row[j] += bias[j]
			}
		}
		if l < layers-1 {
			activate(m.act, y)
		}
		h, rows = y, nil
	}
	return h
}

// batchStep runs the forward pass over the sampled blocks, the loss of pairs
// (indices into the last layer's nodes) and the backward pass, and
// returns the loss; the gradients are left in st.dw, st.db.
func (m *nativeGCN) batchStep(x []float32, nodes [][]int32, blocks []*block, pairs []int32, labels []float32, st *batchState) float64 {
	layers := len(m.w)
	if st.dw == nil {
		for l := range layers {
			st.dw = append(st.dw, make([]float32, m.dims[l]*m.dims[l+1]))
			st.db = append(st.db, make([]float32, m.dims[l+1]))
		}
	}
	h := m.forwardBlocks(x, nodes, blocks, st)
	d := m.dims[layers]
	st.dz = grow(st.dz, len(nodes[layers])*d)
	clear(st.dz)
	for len(st.lossBufs) < lossChunks-1 {
		st.lossBufs = append(st.lossBufs, nil)
	}
	for i := range st.lossBufs {
		st.lossBufs[i] = grow(st.lossBufs[i], len(st.dz))
	}
	loss := pairLossGrad(h, d, pairs, labels, st.dz, st.lossBufs)

	dh := st.dz
	for l := layers - 1; l >= 0; l-- {
		b := blocks[l]
		fi, fo := m.dims[l], m.dims[l+1]
		if l < layers-1 {
			activateGrad(m.act, dh, st.out[l])
		}
		db := st.db[l]
		clear(db)
		for i := range b.nDst {
			for j, v := range dh[i*fo : (i+1)*fo] {
				db[j] += v
			}
		}
		st.din[l] = grow(st.din[l], b.nSrc*fi)
		din := st.din[l]
		if m.propagateFirst(l) {
			// Y = (B·H)·W: ∂W = (B·H)ᵀ·dY, ∂H = Bᵀ·(dY·Wᵀ).
			backend.Gemm(true, false, fi, fo, b.nDst, st.ain[l], dh, st.dw[l])
			if l == 0 {
				break
			}
			st.dm[l] = grow(st.dm[l], b.nSrc*max(fi, fo))
			dm := st.dm[l][:b.nDst*fi]
			backend.Gemm(false, true, b.nDst, fi, fo, dh, m.w[l], dm)
			b.applyT(din, dm, fi)
		} else {
			// Y = B·(H·W): ∂W = Hᵀ·(Bᵀ·dY), ∂H = (Bᵀ·dY)·Wᵀ.
			dm := st.dm[l][:b.nSrc*fo]
			b.applyT(dm, dh, fo)
			backend.Gemm(true, false, fi, fo, b.nSrc, st.in[l], dm, st.dw[l])
			if l == 0 {
				break
			}
			backend.Gemm(false, true, b.nSrc, fi, fo, dm, m.w[l], din)
		}
		dh = din
	}
	return loss
}

// embedNodes computes the exact embeddings of targets (distinct nodes) over
// the full training propagation: exact is a neighbourSampler with no
// fanout limit (every neighbour, coefficients as in Â), so each row is
// that of the full-graph encoder, H ← act(Â·H·W + b), restricted to the
// targets' receptive field.
func (m *nativeGCN) embedNodes(exact *neighbourSampler, x []float32, targets []int32) []float32 {
	nodes, blocks := exact.sample(targets, len(m.w))
	st := inferenceStates.Get().(*batchState)
	defer inferenceStates.Put(st)
	return slices.Clone(m.forwardBlocks(x, nodes, blocks, st))
}

// inferenceStates keeps embedNodes's layer buffers from one call (and one
// fit) to the next: a large graph's receptive fields span hundreds of
// thousands of nodes, and fresh buffers each time cost their page faults.
var inferenceStates = sync.Pool{New: func() any { return new(batchState) }}

// FitMinibatch trains the autoencoder of Fit with minibatches of sampled
// neighbourhoods (GraphSAGE's node-wise sampling, Hamilton et al. 2017),
// so that training memory is bounded by MaxBatchNodes rows per layer
// instead of the graph's N. Each epoch visits the training edges of g once
// (or only ParamBatches steps' worth), in a seeded random order,
// ParamBatchEdges at a time; each step adds
// ParamNegatives times as many non-edges drawn by sample (not training
// edges), takes the pairs' distinct endpoints as targets, samples
// ParamFanout neighbours per node and layer (see neighbourSampler), and
// takes one Adam step on the mean binary cross-entropy of the step's
// pairs. The Autoencoder embeds nodes on demand, exactly, over the whole
// training graph (see Autoencoder.Embed). Losses holds each epoch's mean step loss.
//
// Only the native engine and no dropout are supported. The seed fixes the
// initial weights, edge order, negatives and neighbour samples: the same
// seed gives the same embeddings, whatever the number of CPUs.
func FitMinibatch(cancel gocontext.Context, ctx *context.Context, x []float32, f int, g *Edges, sample PairSampler, seed uint64) (*Autoencoder, error) {
	if len(x) != g.N*f {
		return nil, fmt.Errorf("gcn.FitMinibatch: features have %d values, want N·f = %d·%d", len(x), g.N, f)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	ne := g.NumEdges()
	if ne == 0 {
		return nil, fmt.Errorf("gcn.FitMinibatch: the training graph has no edges")
	}
	epochs := context.GetParamOr(ctx, ParamEpochs, DefaultEpochs)
	negRatio := context.GetParamOr(ctx, ParamNegatives, DefaultNegatives)
	lr := context.GetParamOr(ctx, ParamLearningRate, DefaultLearningRate)
	batch := context.GetParamOr(ctx, ParamBatchEdges, DefaultBatchEdges)
	fanout := context.GetParamOr(ctx, ParamFanout, DefaultFanout)
	steps := context.GetParamOr(ctx, ParamBatches, 0)
	if epochs < 1 || negRatio < 1 || !(lr > 0) || batch < 1 || fanout < 1 || steps < 0 {
		return nil, fmt.Errorf("gcn.FitMinibatch: need %s >= 1, %s >= 1, %s > 0, %s >= 1, %s >= 1, %s >= 0; got %d, %d, %v, %d, %d, %d",
			ParamEpochs, ParamNegatives, ParamLearningRate, ParamBatchEdges, ParamFanout, ParamBatches, epochs, negRatio, lr, batch, fanout, steps)
	}
	epochEdges := ne
	if steps > 0 {
		epochEdges = min(ne, steps*batch)
	}
	if e := Engine(context.GetParamOr(ctx, ParamEngine, string(EngineNative))); e != EngineNative {
		return nil, fmt.Errorf("gcn.FitMinibatch: only the %q engine trains minibatches, not %q", EngineNative, e)
	}
	rng := rand.New(rand.NewPCG(seed, 0x1417))
	m, err := newNativeGCN(ctx, f, rng)
	if err != nil {
		return nil, err
	}
	if m.dropout > 0 {
		return nil, fmt.Errorf("gcn.FitMinibatch: %s = %v; minibatch training has no dropout", ParamDropout, m.dropout)
	}
	prop := Normalize(g)
	train := NewEdgeSet(g)
	negRng := rand.New(rand.NewPCG(seed, 0xae))
	ns := &neighbourSampler{p: prop, fanout: fanout, rng: rand.New(rand.NewPCG(seed, 0x5a3e)),
		pos: make([]int32, g.N), mark: make([]uint32, g.N)}
	opt := &adam{lr: lr, b1: 0.9, b2: 0.999, eps: 1e-7}
	st := &batchState{}
	target := make([]int32, g.N) // global node → target index, stamped by tmark
	tmark := make([]uint32, g.N)
	var tgen uint32
	ae := &Autoencoder{N: g.N}
	layers := len(m.w)
	// Each epoch's edges: the first epochEdges of order after a partial
	// Fisher–Yates shuffle (a uniform sample without replacement), so an
	// epoch of a few steps costs O(steps·batch), not O(edges).
	order := make([]int32, ne)
	for i := range order {
		order[i] = int32(i)
	}
	for ep := range epochs {
		for i := range epochEdges {
			j := i + rng.IntN(ne-i)
			order[i], order[j] = order[j], order[i]
		}
		var sum float64
		done := 0
		for lo := 0; lo < epochEdges; lo += batch {
			if err := cancel.Err(); err != nil {
				return nil, fmt.Errorf("gcn.FitMinibatch: stopped in epoch %d: %w", ep, err)
			}
			idx := order[lo:min(lo+batch, epochEdges)]
			negs, err := SampleNonEdges(negRng, sample, negRatio*len(idx), train)
			if err != nil {
				return nil, fmt.Errorf("gcn.FitMinibatch: %w", err)
			}
			tgen++
			var targets []int32
			local := func(v int32) int32 {
				if tmark[v] != tgen {
					target[v], tmark[v] = int32(len(targets)), tgen
					targets = append(targets, v)
				}
				return target[v]
			}
			np := len(idx) + len(negs)
			pairs, labels := make([]int32, 0, 2*np), make([]float32, 0, np)
			for _, e := range idx {
				pairs = append(pairs, local(g.Src[e]), local(g.Dst[e]))
				labels = append(labels, 1)
			}
			for _, p := range negs {
				pairs = append(pairs, local(p[0]), local(p[1]))
				labels = append(labels, 0)
			}
			nodes, blocks := ns.sample(targets, layers)
			ae.MaxBatchNodes = max(ae.MaxBatchNodes, len(nodes[0]))
			loss := m.batchStep(x, nodes, blocks, pairs, labels, st)
			if math.IsNaN(loss) {
				return nil, fmt.Errorf("gcn.FitMinibatch: the loss became NaN in epoch %d; lower %s", ep, ParamLearningRate)
			}
			params := append(append([][]float32{}, m.w...), m.b...)
			grads := append(append([][]float32{}, st.dw...), st.db...)
			opt.step(params, grads)
			sum += loss
			done++
		}
		ae.Losses = append(ae.Losses, sum/float64(done))
	}
	// Training is over: Embed reuses the sampler's node buffers.
	ae.Dim, ae.encoder, ae.x = m.dims[layers], m, x
	ae.exact = &neighbourSampler{p: prop, fanout: math.MaxInt, pos: ns.pos, mark: ns.mark, gen: ns.gen}
	return ae, nil
}
