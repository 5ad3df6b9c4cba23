package fractal

import (
	"fmt"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal/internal/kernels"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Hyperparameters of the graph versions, read with context.GetParamOr from
// the scope that SegmentFeatures opens.
const (
	// ParamMethod is the per-segment dimension method: "bc" (default) or
	// "paper". (dbc and variogram have no graph version.)
	ParamMethod = "fractal_method"
)

// SegmentNode cuts matrices into r×r segments by eq. (1) with one Gather:
// x is one matrix [n, m] or a stack [C, n, m], and the result is [Q, r, r]
// or [C·Q, r, r] in segment order (matrix-major, then row-major origins), as
// LayerResult. It panics unless r fits the matrices (GoMLX's way).
func SegmentNode(x *Node, r int) *Node {
	if x.Rank() == 2 {
		x = InsertAxes(x, 0)
	}
	x.AssertRank(3)
	c, n, m := x.Shape().Dimensions[0], x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	if r < 1 || r > min(n, m) {
		panic(fmt.Sprintf("fractal.SegmentNode: r=%d does not fit %d×%d matrices", r, n, m))
	}
	ro, co := Origins(n, r), Origins(m, r)
	q := len(ro) * len(co)
	idx := make([]int32, 0, q*r*r*2)
	for _, i0 := range ro {
		for _, j0 := range co {
			for a := range r {
				for b := range r {
					idx = append(idx, int32(i0+a), int32(j0+b))
				}
			}
		}
	}
	g := x.Graph()
	indices := Const(g, tensors.FromFlatDataAndDimensions(idx, q, r, r, 2))
	// Move the matrix axes first so that Gather indexes them: [n, m, C].
	xt := TransposeAllDims(x, 1, 2, 0)
	segs := Gather(xt, indices) // [Q, r, r, C]
	segs = TransposeAllDims(segs, 3, 0, 1, 2)
	return Reshape(segs, c*q, r, r)
}

// EntropyNode returns the Shannon entropy in nats of each segment of segs
// [S, r, r] (or [S, k]): H = −Σ p ln p with p = |w|/Σ|w|, 0·ln 0 = 0, and 0
// for an all-zero segment, as Entropy. Shape [S].
func EntropyNode(segs *Node) *Node {
	s := Reshape(segs, segs.Shape().Dimensions[0], -1)
	a := Abs(s)
	sum := ReduceSum(a, 1)
	safe := Where(GreaterThan(sum, ZerosLike(sum)), sum, OnesLike(sum))
	p := Div(a, InsertAxes(safe, 1))
	pos := GreaterThan(p, ZerosLike(p))
	plogp := Where(pos, Mul(p, Log(Where(pos, p, OnesLike(p)))), ZerosLike(p))
	h := Neg(ReduceSum(plogp, 1))
	h = Max(h, ZerosLike(h))
	return Where(GreaterThan(sum, ZerosLike(sum)), h, ZerosLike(h))
}

// maskNode returns the float mask (|w| ≥ τ and w ≠ 0) of segs [S, r, r]
// flattened to [S, r·r].
func maskNode(segs, tau *Node) *Node {
	s := Reshape(segs, segs.Shape().Dimensions[0], -1)
	a := Abs(s)
	on := LogicalAnd(GreaterOrEqual(a, ConvertDType(tau, a.DType())), GreaterThan(a, ZerosLike(a)))
	return ConvertDType(on, a.DType())
}

// BoxCountNode is the per-segment box counting of SegmentFD (method bc) as a
// graph: for each size s of SegmentSizes(r), the mask is zero-padded to a
// multiple of s, reshaped into s×s boxes and max-reduced, and the occupied
// boxes are counted; the slope of ln N(s) against ln(1/s) and its R² are
// then computed in closed form. segs is [S, r, r], tau a scalar; fd and r2
// are [S]. Empty segments give 0, 0.
func BoxCountNode(segs, tau *Node) (fd, r2 *Node) {
	segs.AssertRank(3)
	r := segs.Shape().Dimensions[1]
	segs.AssertDims(-1, r, r)
	g := segs.Graph()
	dt := segs.DType()
	nSeg := segs.Shape().Dimensions[0]
	mask := Reshape(maskNode(segs, tau), nSeg, r, r)
	sizes := SegmentSizes(r)
	var logs []*Node
	var k *Node
	for _, s := range sizes {
		nb := (r + s - 1) / s
		padded := mask
		if pad := nb*s - r; pad > 0 {
			padded = Concatenate([]*Node{padded, Zeros(g, shapes.Make(dt, nSeg, pad, r))}, 1)
			padded = Concatenate([]*Node{padded, Zeros(g, shapes.Make(dt, nSeg, nb*s, pad))}, 2)
		}
		boxes := ReduceMax(Reshape(padded, nSeg, nb, s, nb, s), 2, 4) // [S, nb, nb]
		n := ReduceSum(Reshape(boxes, nSeg, nb*nb), 1)                // [S]
		if k == nil {
			k = n
		}
		logs = append(logs, Log(Max(n, OnesLike(n))))
	}
	y := Stack(logs, 1) // [S, K]
	xs := make([]float64, len(sizes))
	var mx float64
	for i, s := range sizes {
		xs[i] = -math.Log(float64(s))
		mx += xs[i]
	}
	mx /= float64(len(xs))
	cx := make([]float64, len(xs))
	var sxx float64
	for i := range xs {
		cx[i] = xs[i] - mx
		sxx += cx[i] * cx[i]
	}
	cxN := ConstAsDType(g, dt, cx)
	sxy := ReduceSum(Mul(y, InsertAxes(cxN, 0)), 1)
	slope := DivScalar(sxy, sxx)
	yc := Sub(y, InsertAxes(ReduceMean(y, 1), 1))
	syy := ReduceSum(Square(yc), 1)
	ssres := Sub(syy, Mul(slope, sxy))
	safe := Where(GreaterThan(syy, ZerosLike(syy)), syy, OnesLike(syy))
	fit := Where(GreaterThan(syy, ZerosLike(syy)), Sub(OnesLike(syy), Div(ssres, safe)), OnesLike(syy))
	fit = Min(Max(fit, ZerosLike(fit)), OnesLike(fit))
	nonEmpty := GreaterThan(k, ZerosLike(k))
	return Where(nonEmpty, slope, ZerosLike(slope)), Where(nonEmpty, fit, ZerosLike(fit))
}

// PaperFDNode is SegmentFD's paper method as a graph: ln k / ln r for k on
// cells of each r×r segment (0 for none). segs [S, r, r], tau scalar; [S].
func PaperFDNode(segs, tau *Node) *Node {
	r := segs.Shape().Dimensions[1]
	k := ReduceSum(maskNode(segs, tau), 1)
	d := DivScalar(Log(Max(k, OnesLike(k))), math.Log(float64(r)))
	return Where(GreaterThan(k, ZerosLike(k)), d, ZerosLike(d))
}

// SegmentFeatures is the graph version of LayerSegments (magnitude
// entropy): weights is a dense [out, in] or conv [out, in, kh, kw] tensor,
// tau the scalar mask threshold (computed over the layer, e.g. by
// LayerThreshold), r the scale. It returns the per-segment fd, its R² and
// the entropy h, each [S] in LayerResult's order. The method is read from
// ParamMethod in the scope "fractal".
func SegmentFeatures(ctx *context.Context, weights, tau *Node, r int) (fd, r2, h *Node) {
	ctx = ctx.In("fractal")
	method := Method(context.GetParamOr(ctx, ParamMethod, string(MethodBoxCount)))
	dims := weights.Shape().Dimensions
	var mats *Node
	switch weights.Rank() {
	case 2:
		mats = weights
	case 4:
		mats = Reshape(weights, dims[0]*dims[1], dims[2], dims[3])
	default:
		panic(fmt.Sprintf("fractal.SegmentFeatures: weights %s are neither dense [out,in] nor conv [out,in,kh,kw]", weights.Shape()))
	}
	segs := SegmentNode(mats, r)
	h = EntropyNode(segs)
	switch method {
	case MethodBoxCount:
		fd, r2 = BoxCountNode(segs, tau)
	case MethodPaper:
		fd = PaperFDNode(segs, tau)
		r2 = ZerosLike(fd)
	default:
		panic(fmt.Sprintf("fractal.SegmentFeatures: method %q has no graph version (use bc or paper)", method))
	}
	return fd, r2, h
}

// LayerThreshold returns the mask threshold LayerSegments uses for weights:
// opts.Threshold if set, else the opts.Quantile (default DefaultQuantile) of
// |w| over the layer. NaN or Inf weights are an error.
func LayerThreshold(weights []float32, opts LayerOptions) (float32, error) {
	tau, bad, err := kernels.ThresholdAbs32(weights, opts.Quantile, opts.Threshold, max(opts.Workers, 1))
	if err != nil {
		return 0, err
	}
	if bad >= 0 {
		return 0, fmt.Errorf("non-finite weight %v at flat index %d", weights[bad], bad)
	}
	return tau, nil
}

// LayerSegmentsGraph computes what LayerSegments does (methods bc and paper,
// magnitude entropy) by running SegmentFeatures on backend, so the same
// computation runs on XLA (CPU/GPU) or the pure-Go backend. The plain
// LayerSegments is faster on CPU; both are tested equal.
func LayerSegmentsGraph(backend backends.Backend, weights []float32, shape []int, r int, opts LayerOptions) (res *LayerResult, err error) {
	name, view, method, err := checkLayer(weights, shape, r, opts)
	if err != nil {
		return nil, err
	}
	if method != MethodBoxCount && method != MethodPaper {
		return nil, fmt.Errorf("%s: method %q has no graph version (use bc or paper)", name, method)
	}
	tau, err := LayerThreshold(weights, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	res = &LayerResult{
		Layer: name, Shape: append([]int(nil), shape...), R: r, View: view,
		RowOrigins: Origins(view.Rows, r), ColOrigins: Origins(view.Cols, r),
		Method: method, Threshold: tau,
	}
	if method == MethodBoxCount {
		res.Sizes = SegmentSizes(r)
	}
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("%s: graph execution failed: %v", name, p)
		}
	}()
	ctx := context.New()
	ctx.In("fractal").SetParam(ParamMethod, string(method))
	exec, err := context.NewExec(backend, ctx, func(ctx *context.Context, w, t *Node) []*Node {
		fd, r2, h := SegmentFeatures(ctx, w, t, r)
		return []*Node{fd, r2, h}
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(weights, shape...), tau)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	res.FD = tensors.MustCopyFlatData[float32](out[0])
	res.FDR2 = tensors.MustCopyFlatData[float32](out[1])
	res.H = tensors.MustCopyFlatData[float32](out[2])
	return res, nil
}
