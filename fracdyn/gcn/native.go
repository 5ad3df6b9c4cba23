package gcn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Engine selects how the autoencoder is trained.
type Engine string

const (
	// EngineNative trains with plain-Go sparse message passing (CSR by
	// destination), fracdyn/backend's float32 GEMM and a hand-written backward pass
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
			y[i] = max(v, 0)
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
			// Branch-free: the signs of h are random, a branch mispredicts.
			keep := uint32(0)
			if v > 0 {
				keep = ^uint32(0)
			}
			dh[i] = math.Float32frombits(math.Float32bits(dh[i]) & keep)
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

// nativeState keeps one forward pass's activations for the backward, and
// the buffers every epoch reuses.
type nativeState struct {
	in   [][]float32 // input of each layer (after dropout)
	ain  [][]float32 // Â·in for layers that propagate before the product, else nil
	keep [][]bool    // dropout masks (nil without dropout)
	out  [][]float32 // output of each layer (after activation)
	// Backward buffers: the gradient through Â, of each layer's input, and
	// of the parameters.
	dm, din  [][]float32
	dw, db   [][]float32
	dz       []float32
	lossBufs [][]float32 // pairLossGrad's per-chunk gradients
	px       []float32   // Â·x, fixed: the first layer's ain without dropout
}

// propagateFirst reports whether layer l computes (Â·H)·W rather than
// Â·(H·W): the same product, cheaper when the layer widens (fewer columns
// pass through Â). Without dropout the first layer's Â·x is computed once.
func (m *nativeGCN) propagateFirst(l int) bool { return m.dims[l] < m.dims[l+1] }

// newState allocates the buffers of a forward and backward pass over n nodes.
func (m *nativeGCN) newState(n int) *nativeState {
	st := &nativeState{}
	for l := range m.w {
		fi, fo := m.dims[l], m.dims[l+1]
		var in, ain []float32
		var keep []bool
		if m.dropout > 0 {
			in, keep = make([]float32, n*fi), make([]bool, n*fi)
		}
		if m.propagateFirst(l) {
			ain = make([]float32, n*fi)
		}
		st.in, st.ain, st.keep = append(st.in, in), append(st.ain, ain), append(st.keep, keep)
		st.out = append(st.out, make([]float32, n*fo))
		st.dm = append(st.dm, make([]float32, n*max(fi, fo)))
		st.din = append(st.din, make([]float32, n*fi))
		st.dw, st.db = append(st.dw, make([]float32, fi*fo)), append(st.db, make([]float32, fo))
	}
	st.dz = make([]float32, n*m.dims[len(m.dims)-1])
	return st
}

// forward runs the encoder into st (a fresh state when st is nil) and
// returns it; with rng non-nil it applies dropout. A backward pass needs a
// forward with rng when the model has dropout.
func (m *nativeGCN) forward(p *Propagation, x []float32, rng *rand.Rand, st *nativeState) *nativeState {
	n := p.N
	if st == nil {
		st = m.newState(n)
	}
	drop := rng != nil && m.dropout > 0
	h := x
	for l := range m.w {
		fi, fo := m.dims[l], m.dims[l+1]
		in := h
		if drop {
			in = st.in[l]
			keep := st.keep[l]
			scale := float32(1 / (1 - m.dropout))
			for i, v := range h {
				keep[i] = rng.Float64() > m.dropout
				in[i] = 0
				if keep[i] {
					in[i] = v * scale
				}
			}
		} else if m.dropout == 0 {
			st.in[l] = h // x or the last layer's output: both stay put
		}
		y := st.out[l]
		if m.propagateFirst(l) {
			ain := st.ain[l]
			if l == 0 && !drop {
				if st.px == nil {
					st.px = make([]float32, n*fi)
					p.Apply(st.px, x, fi)
				}
				ain = st.px
			} else {
				p.Apply(ain, in, fi)
			}
			st.ain[l] = ain
			backend.Gemm(false, false, n, fo, fi, ain, m.w[l], y)
		} else {
			mm := st.dm[l][:n*fo] // free until the backward
			backend.Gemm(false, false, n, fo, fi, in, m.w[l], mm)
			p.Apply(y, mm, fo)
		}
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
		h = y
	}
	return st
}

// backward sets st.dw, st.db to the gradients of the loss for st.dz =
// ∂loss/∂Z. Â is symmetric, so the gradient through Â is Â again.
func (m *nativeGCN) backward(p *Propagation, st *nativeState) (dw, db [][]float32) {
	n := p.N
	dh := st.dz
	for l := len(m.w) - 1; l >= 0; l-- {
		fi, fo := m.dims[l], m.dims[l+1]
		if l < len(m.w)-1 {
			activateGrad(m.act, dh, st.out[l])
		}
		db := st.db[l]
		clear(db)
		for i := 0; i < n; i++ {
			for j, v := range dh[i*fo : (i+1)*fo] {
				db[j] += v
			}
		}
		din := st.din[l]
		if m.propagateFirst(l) {
			// Y = (Â·H)·W: ∂W = (Â·H)ᵀ·dY, ∂H = Â·(dY·Wᵀ).
			backend.Gemm(true, false, fi, fo, n, st.ain[l], dh, st.dw[l])
			if l == 0 {
				break
			}
			dm := st.dm[l][:n*fi]
			backend.Gemm(false, true, n, fi, fo, dh, m.w[l], dm)
			p.Apply(din, dm, fi)
		} else {
			// Y = Â·(H·W): ∂W = Hᵀ·(Â·dY), ∂H = (Â·dY)·Wᵀ.
			dm := st.dm[l][:n*fo]
			p.Apply(dm, dh, fo)
			backend.Gemm(true, false, fi, fo, n, st.in[l], dm, st.dw[l])
			if l == 0 {
				break
			}
			backend.Gemm(false, true, n, fi, fo, dm, m.w[l], din)
		}
		if keep := st.keep[l]; keep != nil {
			scale := float32(1 / (1 - m.dropout))
			for i, k := range keep {
				if k {
					din[i] *= scale
				} else {
					din[i] = 0
				}
			}
		}
		dh = din
	}
	return st.dw, st.db
}

// lossChunks is the fixed number of chunks pairLossGrad splits the pairs
// into: partial sums are combined in chunk order, so the result does not
// depend on the number of CPUs.
const lossChunks = 4

// pairLossGrad returns the mean binary cross-entropy of σ(z_a·z_b) against
// labels and adds its gradient with respect to z into dz. bufs, when not
// nil, holds lossChunks−1 reusable buffers of len(dz).
func pairLossGrad(z []float32, d int, pairs []int32, labels []float32, dz []float32, bufs [][]float32) float64 {
	np := len(labels)
	chunks := lossChunks
	if np < 8192 {
		chunks = 1
	}
	losses := make([]float64, chunks)
	grads := make([][]float32, chunks)
	grads[0] = dz
	for c := 1; c < chunks; c++ {
		if c-1 < len(bufs) {
			grads[c] = bufs[c-1]
			clear(grads[c])
		} else {
			grads[c] = make([]float32, len(dz))
		}
	}
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Go(func() {
			for c := range next {
				losses[c] = pairChunk(z, d, pairs, labels, grads[c], np*c/chunks, np*(c+1)/chunks, np)
			}
		})
	}
	wg.Wait()
	var loss float64
	for c := range chunks {
		loss += losses[c]
		if c > 0 {
			for i, v := range grads[c] {
				dz[i] += v
			}
		}
	}
	return loss / float64(np)
}

// pairChunk adds the gradient of pairs [lo, hi) into g and returns the sum
// of their losses; np is the number of pairs the loss is averaged over.
func pairChunk(z []float32, d int, pairs []int32, labels []float32, g []float32, lo, hi, np int) float64 {
	var loss float64
	for k := lo; k < hi; k++ {
		a, b := int(pairs[2*k])*d, int(pairs[2*k+1])*d
		za, zb := z[a:a+d], z[b:b+d]
		zb = zb[:len(za)]
		var s float32
		for j := range za {
			s += za[j] * zb[j]
		}
		x, y := float64(s), float64(labels[k])
		// softplus(x) − y·x, stable for large |x|, and σ(x) from the
		// same e = exp(−|x|).
		e := math.Exp(-math.Abs(x))
		loss += max(x, 0) + log1pUnit(e) - y*x
		sig := 1 / (1 + e)
		if x < 0 {
			sig = e / (1 + e)
		}
		gl := float32((sig - y) / float64(np))
		ga, gb := g[a:a+d], g[b:b+d]
		ga, gb = ga[:len(za)], gb[:len(za)]
		for j := range za {
			ga[j] += gl * zb[j]
			gb[j] += gl * za[j]
		}
	}
	return loss
}

// ln1pTab[i] = ln(1 + i/1024) and ln1pInv[i] = 2⁻⁵²/(1 + i/1024): the
// tables of log1pUnit.
var ln1pTab, ln1pInv = func() (t, inv [1024]float64) {
	for i := range t {
		m := 1 + float64(i)/1024
		t[i], inv[i] = math.Log(m), math.Ldexp(1, -52)/m
	}
	return t, inv
}()

// log1pUnit returns ln(1 + e) for 0 ≤ e ≤ 1 within 3e-13 (absolute), about
// four times faster than math.Log1p: with 1 + e = 1 + i/1024 + δ, the top
// 10 bits of the mantissa pick ln(1 + i/1024), and ln(1 + d) for
// d = δ/(1 + i/1024) < 2⁻¹⁰ is three terms of its series. It serves the
// reported loss only; gradients do not use it.
func log1pUnit(e float64) float64 {
	y := 1 + e
	if y == 2 {
		return math.Ln2
	}
	b := math.Float64bits(y)
	i := (b >> 42) & 1023
	d := float64(b&(1<<42-1)) * ln1pInv[i]
	return ln1pTab[i] + d*(1-d*(0.5-d*(1.0/3)))
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
// Adam, reusing st's buffers. It returns the loss before the update.
func (m *nativeGCN) trainEpoch(p *Propagation, x []float32, pairs []int32, labels []float32, opt *adam, rng *rand.Rand, st *nativeState) float64 {
	var drop *rand.Rand
	if m.dropout > 0 {
		drop = rng
	}
	m.forward(p, x, drop, st)
	z := st.out[len(st.out)-1]
	d := m.dims[len(m.dims)-1]
	clear(st.dz)
	if st.lossBufs == nil {
		for range lossChunks - 1 {
			st.lossBufs = append(st.lossBufs, make([]float32, len(st.dz)))
		}
	}
	loss := pairLossGrad(z, d, pairs, labels, st.dz, st.lossBufs)
	dw, db := m.backward(p, st)
	params := append(append([][]float32{}, m.w...), m.b...)
	grads := append(append([][]float32{}, dw...), db...)
	opt.step(params, grads)
	return loss
}
