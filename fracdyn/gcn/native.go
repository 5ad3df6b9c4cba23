package gcn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Engine selects how the autoencoder is trained.
type Engine string

const (
	// EngineNative trains with plain-Go sparse message passing (CSR by
	// destination), gonum's float32 GEMM and a hand-written backward pass
	// and Adam: the default, much faster than GoMLX's pure-Go backend's
	// Gather/Scatter and with no per-edge message tensor.
	EngineNative Engine = "native"
	// EngineGoMLX trains the GoMLX graph (Encoder, Gather/ScatterSum
	// message passing, GoMLX autodiff and Adam) on the configured backend.
	EngineGoMLX Engine = "gomlx"
)

// nativeGCN is the GCN of Encoder with its parameters as plain slices.
type nativeGCN struct {
	dims    []int       // widths: [f, hidden, ..., embedding]
	w, b    [][]float32 // w[l]: dims[l]×dims[l+1] row-major; b[l]: dims[l+1]
	act     string
	dropout float64
}

// nativeActivation returns f(y) and f'(y) expressed through y; only the
// activations whose derivative is cheap are supported natively.
func checkNativeActivation(name string) error {
	switch name {
	case "relu", "tanh", "sigmoid", "none", "linear", "identity":
		return nil
	}
	return fmt.Errorf("gcn: activation %q is not supported by the native engine (relu, tanh, sigmoid, none); use the gomlx engine", name)
}

func activate(name string, y []float32) {
	switch name {
	case "relu":
		for i, v := range y {
			if v < 0 {
				y[i] = 0
			}
		}
	case "tanh":
		for i, v := range y {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case "sigmoid":
		for i, v := range y {
			y[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	}
}

// activateGrad multiplies dh in place by f'(y), with h = f(y) the output.
func activateGrad(name string, dh, h []float32) {
	switch name {
	case "relu":
		for i, v := range h {
			if v <= 0 {
				dh[i] = 0
			}
		}
	case "tanh":
		for i, v := range h {
			dh[i] *= 1 - v*v
		}
	case "sigmoid":
		for i, v := range h {
			dh[i] *= v * (1 - v)
		}
	}
}

// newNativeGCN reads the architecture from ctx and draws Glorot-uniform
// weights (zero biases) from rng.
func newNativeGCN(ctx *context.Context, f int, rng *rand.Rand) (*nativeGCN, error) {
	nLayers := context.GetParamOr(ctx, ParamLayers, DefaultLayers)
	hidden := context.GetParamOr(ctx, ParamHidden, DefaultHidden)
	embed := context.GetParamOr(ctx, ParamEmbedding, DefaultEmbedding)
	m := &nativeGCN{
		act:     context.GetParamOr(ctx, ParamActivation, DefaultActivation),
		dropout: context.GetParamOr(ctx, ParamDropout, DefaultDropout),
	}
	if nLayers < 1 || hidden < 1 || embed < 1 {
		return nil, fmt.Errorf("gcn: need %s, %s, %s >= 1; got %d, %d, %d", ParamLayers, ParamHidden, ParamEmbedding, nLayers, hidden, embed)
	}
	if !(m.dropout >= 0 && m.dropout < 1) {
		return nil, fmt.Errorf("gcn: %s = %v is not in [0,1)", ParamDropout, m.dropout)
	}
	if err := checkNativeActivation(m.act); err != nil {
		return nil, err
	}
	m.dims = []int{f}
	for l := range nLayers {
		if l == nLayers-1 {
			m.dims = append(m.dims, embed)
		} else {
			m.dims = append(m.dims, hidden)
		}
	}
	for l := range nLayers {
		in, out := m.dims[l], m.dims[l+1]
		lim := math.Sqrt(6 / float64(in+out))
		w := make([]float32, in*out)
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * lim)
		}
		m.w = append(m.w, w)
		m.b = append(m.b, make([]float32, out))
	}
	return m, nil
}

// gemm sets c = a·b (or with transposes), all row-major.
func gemm(tA, tB bool, ar, ac int, a []float32, br, bc int, b []float32, cr, cc int, c []float32) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	blas32.Gemm(ta, tb, 1,
		blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: a},
		blas32.General{Rows: br, Cols: bc, Stride: bc, Data: b},
		0, blas32.General{Rows: cr, Cols: cc, Stride: cc, Data: c})
}

// nativeState keeps the activations of one forward pass for the backward.
type nativeState struct {
	in   [][]float32 // dropped-out input of each layer
	keep [][]bool    // dropout masks (nil without dropout)
	out  [][]float32 // output of each layer (after activation)
}

// forward runs the encoder; with rng non-nil it applies dropout.
func (m *nativeGCN) forward(p *Propagation, x []float32, rng *rand.Rand) *nativeState {
	n := p.N
	st := &nativeState{}
	h := x
	for l := range m.w {
		fi, fo := m.dims[l], m.dims[l+1]
		in := h
		var keep []bool
		if rng != nil && m.dropout > 0 {
			in = make([]float32, len(h))
			keep = make([]bool, len(h))
			scale := float32(1 / (1 - m.dropout))
			for i, v := range h {
				if rng.Float64() > m.dropout {
					keep[i], in[i] = true, v*scale
				}
			}
		}
		mm := make([]float32, n*fo)
		gemm(false, false, n, fi, in, fi, fo, m.w[l], n, fo, mm)
		y := make([]float32, n*fo)
		p.Apply(y, mm, fo)
		b := m.b[l]
		for i := 0; i < n; i++ {
			row := y[i*fo : (i+1)*fo]
			for j := range row {
				row[j] += b[j]
			}
		}
		if l < len(m.w)-1 {
			activate(m.act, y)
		}
		st.in, st.keep, st.out = append(st.in, in), append(st.keep, keep), append(st.out, y)
		h = y
	}
	return st
}

// backward returns the gradients of the loss for dz = ∂loss/∂Z.
func (m *nativeGCN) backward(p *Propagation, st *nativeState, dz []float32) (dw, db [][]float32) {
	n := p.N
	dw, db = make([][]float32, len(m.w)), make([][]float32, len(m.w))
	dh := dz
	for l := len(m.w) - 1; l >= 0; l-- {
		fi, fo := m.dims[l], m.dims[l+1]
		if l < len(m.w)-1 {
			activateGrad(m.act, dh, st.out[l])
		}
		db[l] = make([]float32, fo)
		for i := 0; i < n; i++ {
			for j, v := range dh[i*fo : (i+1)*fo] {
				db[l][j] += v
			}
		}
		dm := make([]float32, n*fo)
		p.Apply(dm, dh, fo) // Â is symmetric: ∂/∂M of Â·M is Âᵀ·dY = Â·dY.
		dw[l] = make([]float32, fi*fo)
		gemm(true, false, n, fi, st.in[l], n, fo, dm, fi, fo, dw[l])
		if l > 0 {
			dhPrev := make([]float32, n*fi)
			gemm(false, true, n, fo, dm, fi, fo, m.w[l], n, fi, dhPrev)
			if keep := st.keep[l]; keep != nil {
				scale := float32(1 / (1 - m.dropout))
				for i, k := range keep {
					if k {
						dhPrev[i] *= scale
					} else {
						dhPrev[i] = 0
					}
				}
			}
			dh = dhPrev
		}
	}
	return dw, db
}

// lossChunks is the fixed number of chunks pairLossGrad splits the pairs
// into: partial sums are combined in chunk order, so the result does not
// depend on the number of CPUs.
const lossChunks = 4

// pairLossGrad returns the mean binary cross-entropy of σ(z_a·z_b) against
// labels and adds its gradient with respect to z into dz.
func pairLossGrad(z []float32, d int, pairs []int32, labels []float32, dz []float32) float64 {
	np := len(labels)
	chunks := lossChunks
	if np < 8192 {
		chunks = 1
	}
	losses := make([]float64, chunks)
	bufs := make([][]float32, chunks)
	bufs[0] = dz
	workers := min(runtime.GOMAXPROCS(0), chunks)
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				g := bufs[c]
				if g == nil {
					g = make([]float32, len(dz))
					bufs[c] = g
				}
				var loss float64
				for k := np * c / chunks; k < np*(c+1)/chunks; k++ {
					a, b := int(pairs[2*k])*d, int(pairs[2*k+1])*d
					za, zb := z[a:a+d], z[b:b+d]
					var s float32
					for j := range za {
						s += za[j] * zb[j]
					}
					x, y := float64(s), float64(labels[k])
					// softplus(x) − y·x, stable for large |x|.
					loss += max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) - y*x
					gl := float32((1/(1+math.Exp(-x)) - y) / float64(np))
					ga, gb := g[a:a+d], g[b:b+d]
					for j := range za {
						ga[j] += gl * zb[j]
						gb[j] += gl * za[j]
					}
				}
				losses[c] = loss
			}
		}()
	}
	wg.Wait()
	var loss float64
	for c := range chunks {
		loss += losses[c]
		if c > 0 {
			for i, v := range bufs[c] {
				dz[i] += v
			}
		}
	}
	return loss / float64(np)
}

// adam is GoMLX's Adam (bias-corrected moments, ε outside the root).
type adam struct {
	lr, b1, b2, eps float64
	t               int
	m, v            [][]float32
}

func (a *adam) step(params, grads [][]float32) {
	if a.m == nil {
		for _, p := range params {
			a.m, a.v = append(a.m, make([]float32, len(p))), append(a.v, make([]float32, len(p)))
		}
	}
	a.t++
	c1 := 1 / (1 - math.Pow(a.b1, float64(a.t)))
	c2 := 1 / (1 - math.Pow(a.b2, float64(a.t)))
	for i, p := range params {
		m, v, g := a.m[i], a.v[i], grads[i]
		for j := range p {
			gj := float64(g[j])
			mj := a.b1*float64(m[j]) + (1-a.b1)*gj
			vj := a.b2*float64(v[j]) + (1-a.b2)*gj*gj
			m[j], v[j] = float32(mj), float32(vj)
			p[j] -= float32(a.lr * mj * c1 / (math.Sqrt(vj*c2) + a.eps))
		}
	}
}

// trainEpoch runs one full-batch step: forward, loss over pairs, backward,
// Adam. It returns the loss before the update.
func (m *nativeGCN) trainEpoch(p *Propagation, x []float32, pairs []int32, labels []float32, opt *adam, rng *rand.Rand) float64 {
	var drop *rand.Rand
	if m.dropout > 0 {
		drop = rng
	}
	st := m.forward(p, x, drop)
	z := st.out[len(st.out)-1]
	d := m.dims[len(m.dims)-1]
	dz := make([]float32, len(z))
	loss := pairLossGrad(z, d, pairs, labels, dz)
	dw, db := m.backward(p, st, dz)
	params := append(append([][]float32{}, m.w...), m.b...)
	grads := append(append([][]float32{}, dw...), db...)
	opt.step(params, grads)
	return loss
}
