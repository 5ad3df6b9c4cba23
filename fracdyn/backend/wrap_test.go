package backend

import (
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func goBackendForTest(t *testing.T) backends.Backend {
	t.Helper()
	b, err := NewWithConfig("go")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.(*goBackend); !ok {
		t.Fatalf("NewWithConfig(\"go\") = %T, want the wrapped simplego backend", b)
	}
	return b
}

func flat(t *tensors.Tensor) []float32 { return tensors.MustCopyFlatData[float32](t) }

func TestPad(t *testing.T) {
	b := goBackendForTest(t)
	x := tensors.FromValue([][]float32{{1, 2, 3}, {4, 5, 6}})
	got := MustExecOnce(b, func(x *Node) *Node {
		return Pad(x, Scalar(x.Graph(), x.DType(), 9),
			backends.PadAxis{Start: 1},
			backends.PadAxis{Start: -1, End: 2, Interior: 1})
	}, x)
	// Axis 0: a row of 9s first. Axis 1: [a 9 b 9 c], drop the first, two 9s after.
	want := []float32{
		9, 9, 9, 9, 9, 9,
		9, 2, 9, 3, 9, 9,
		9, 5, 9, 6, 9, 9,
	}
	if d := got.Shape().Dimensions; d[0] != 3 || d[1] != 6 {
		t.Fatalf("Pad shape %v, want [3 6]", d)
	}
	testutil.AssertClose(t, "Pad", flat(got), want, 0)
}

func TestReverse(t *testing.T) {
	b := goBackendForTest(t)
	x := tensors.FromValue([][][]float32{{{1, 2, 3}, {4, 5, 6}}})
	got := MustExecOnce(b, func(x *Node) *Node { return Reverse(x, 1, -1) }, x)
	testutil.AssertClose(t, "Reverse", flat(got), []float32{6, 5, 4, 3, 2, 1}, 0)
}

// TestDotGeneralGradient checks both operands' gradients of
// Σ w·DotGeneral(lhs, rhs) against loops, for a batched matmul with the
// contracting axis of rhs first, and for a dense layer with the weight in
// PyTorch layout [out, in].
func TestDotGeneralGradient(t *testing.T) {
	b := goBackendForTest(t)
	if !EnableDotGeneralGradient(b) {
		t.Fatal("EnableDotGeneralGradient(go backend) = false")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const B, N, K, M = 2, 3, 4, 5
	// Batched: lhs [B,N,K], rhs [B,K,M], out [B,N,M].
	lhs, rhs, w := testutil.RandFloats(rng, B*N*K), testutil.RandFloats(rng, B*K*M), testutil.RandFloats(rng, B*N*M)
	grads := MustExecOnceN(b, func(l, r, w *Node) []*Node {
		out := DotGeneral(l, []int{2}, []int{0}, r, []int{1}, []int{0})
		return Gradient(ReduceAllSum(Mul(out, w)), l, r)
	}, tensors.FromFlatDataAndDimensions(lhs, B, N, K), tensors.FromFlatDataAndDimensions(rhs, B, K, M),
		tensors.FromFlatDataAndDimensions(w, B, N, M))
	wantL, wantR := make([]float32, len(lhs)), make([]float32, len(rhs))
	for bi := range B {
		for n := range N {
			for k := range K {
				for m := range M {
					g := w[(bi*N+n)*M+m]
					wantL[(bi*N+n)*K+k] += g * rhs[(bi*K+k)*M+m]
					wantR[(bi*K+k)*M+m] += g * lhs[(bi*N+n)*K+k]
				}
			}
		}
	}
	testutil.AssertClose(t, "∂lhs batched", flat(grads[0]), wantL, 1e-5)
	testutil.AssertClose(t, "∂rhs batched", flat(grads[1]), wantR, 1e-5)

	// Dense: x [N,K], weight [M,K], out [N,M].
	x, wt, v := testutil.RandFloats(rng, N*K), testutil.RandFloats(rng, M*K), testutil.RandFloats(rng, N*M)
	grads = MustExecOnceN(b, func(x, wt, v *Node) []*Node {
		out := DotGeneral(x, []int{1}, nil, wt, []int{1}, nil)
		return Gradient(ReduceAllSum(Mul(out, v)), x, wt)
	}, tensors.FromFlatDataAndDimensions(x, N, K), tensors.FromFlatDataAndDimensions(wt, M, K),
		tensors.FromFlatDataAndDimensions(v, N, M))
	wantX, wantW := make([]float32, len(x)), make([]float32, len(wt))
	for n := range N {
		for m := range M {
			for k := range K {
				wantX[n*K+k] += v[n*M+m] * wt[m*K+k]
				wantW[m*K+k] += v[n*M+m] * x[n*K+k]
			}
		}
	}
	testutil.AssertClose(t, "∂x dense", flat(grads[0]), wantX, 1e-5)
	testutil.AssertClose(t, "∂weight dense", flat(grads[1]), wantW, 1e-5)
}

// TestDotGeneralGradientUnsortedAxes contracts two axes given out of order
// (lhs [2,3,4] axes 2,1 with rhs [4,3,5] axes 0,1) and checks both
// gradients against loops.
func TestDotGeneralGradientUnsortedAxes(t *testing.T) {
	b := goBackendForTest(t)
	if !EnableDotGeneralGradient(b) {
		t.Fatal("EnableDotGeneralGradient(go backend) = false")
	}
	rng := rand.New(rand.NewPCG(31, 32))
	l, r, v := testutil.RandFloats(rng, 2*3*4), testutil.RandFloats(rng, 4*3*5), testutil.RandFloats(rng, 2*5)
	grads := MustExecOnceN(b, func(l, r, v *Node) []*Node {
		out := DotGeneral(l, []int{2, 1}, nil, r, []int{0, 1}, nil) // [2, 5]
		return Gradient(ReduceAllSum(Mul(out, v)), l, r)
	}, tensors.FromFlatDataAndDimensions(l, 2, 3, 4), tensors.FromFlatDataAndDimensions(r, 4, 3, 5),
		tensors.FromFlatDataAndDimensions(v, 2, 5))
	wantL, wantR := make([]float32, len(l)), make([]float32, len(r))
	for i := range 2 {
		for j := range 3 {
			for k := range 4 {
				for m := range 5 {
					// out[i, m] = Σ_{k, j} l[i, j, k]·r[k, j, m]
					wantL[(i*3+j)*4+k] += v[i*5+m] * r[(k*3+j)*5+m]
					wantR[(k*3+j)*5+m] += v[i*5+m] * l[(i*3+j)*4+k]
				}
			}
		}
	}
	testutil.AssertClose(t, "∂lhs", flat(grads[0]), wantL, 1e-5)
	testutil.AssertClose(t, "∂rhs", flat(grads[1]), wantR, 1e-5)
}

func TestReadDotAxes(t *testing.T) {
	b := goBackendForTest(t)
	g := NewGraph(b, "axes")
	defer g.Finalize()
	l := Zeros(g, Parameter(g, "l", shapes.Make(dtypes.Float32, 2, 3, 4)).Shape())
	r := Zeros(g, Parameter(g, "r", shapes.Make(dtypes.Float32, 2, 4, 5)).Shape())
	axes, ok := readDotAxes(DotGeneral(l, []int{2}, []int{0}, r, []int{1}, []int{0}))
	if !ok || axes.lhsContracting[0] != 2 || axes.lhsBatch[0] != 0 || axes.rhsContracting[0] != 1 || axes.rhsBatch[0] != 0 {
		t.Fatalf("readDotAxes = %+v, %v; want contracting 2/1, batch 0/0 (GoMLX's node layout changed?)", axes, ok)
	}
}

// TestConvGeneral runs GoMLX's ConvGeneral with nil strides (padding 1,
// channels first, PyTorch kernel layout) and its gradients, which use
// Reverse and Pad, against loops.
func TestConvGeneral(t *testing.T) {
	b := goBackendForTest(t)
	rng := rand.New(rand.NewPCG(3, 4))
	const B, C, O, H, W = 2, 3, 4, 5, 6
	x, k, v := testutil.RandFloats(rng, B*C*H*W), testutil.RandFloats(rng, O*C*9), testutil.RandFloats(rng, B*O*H*W)
	axes := backends.ConvolveAxesConfig{
		InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelOutputChannels: 0, KernelInputChannels: 1, KernelSpatial: []int{2, 3},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3},
	}
	outs := MustExecOnceN(b, func(x, k, v *Node) []*Node {
		y := ConvGeneral(x, k, axes, nil, [][2]int{{1, 1}, {1, 1}}, nil, nil, 1, 1)
		g := Gradient(ReduceAllSum(Mul(y, v)), x, k)
		return []*Node{y, g[0], g[1]}
	}, tensors.FromFlatDataAndDimensions(x, B, C, H, W), tensors.FromFlatDataAndDimensions(k, O, C, 3, 3),
		tensors.FromFlatDataAndDimensions(v, B, O, H, W))
	y, dx, dk, _ := testutil.ConvLoops3x3(x, k, make([]float32, O), v, B, C, O, H, W)
	testutil.AssertClose(t, "conv", flat(outs[0]), y, 1e-5)
	testutil.AssertClose(t, "∂x conv", flat(outs[1]), dx, 1e-5)
	testutil.AssertClose(t, "∂kernel conv", flat(outs[2]), dk, 1e-5)
}

// TestSlice checks the run-copying Slice kernel against index arithmetic,
// for slices that merge trailing axes, stride over leading axes, and (last
// axis strided) fall back to simplego's kernel.
func TestSlice(t *testing.T) {
	b := goBackendForTest(t)
	rng := rand.New(rand.NewPCG(11, 12))
	dims := []int{3, 4, 5, 6}
	x := testutil.RandFloats(rng, 3*4*5*6)
	for _, c := range []struct{ starts, limits, strides []int }{
		{[]int{0, 0, 0, 0}, []int{3, 4, 5, 6}, []int{1, 1, 1, 1}},
		{[]int{1, 0, 0, 0}, []int{3, 4, 5, 6}, []int{1, 1, 1, 1}},
		{[]int{0, 1, 2, 0}, []int{3, 3, 4, 6}, []int{1, 1, 1, 1}},
		{[]int{0, 0, 1, 1}, []int{3, 4, 4, 5}, []int{2, 3, 1, 1}},
		{[]int{0, 0, 0, 1}, []int{3, 4, 5, 6}, []int{1, 1, 2, 2}},
	} {
		got := MustExecOnce(b, func(x *Node) *Node {
			specs := make([]SliceAxisSpec, 4)
			for a := range specs {
				specs[a] = AxisRange(c.starts[a], c.limits[a]).Stride(c.strides[a])
			}
			return Slice(x, specs...)
		}, tensors.FromFlatDataAndDimensions(x, dims...))
		var want []float32
		for i := c.starts[0]; i < c.limits[0]; i += c.strides[0] {
			for j := c.starts[1]; j < c.limits[1]; j += c.strides[1] {
				for k := c.starts[2]; k < c.limits[2]; k += c.strides[2] {
					for l := c.starts[3]; l < c.limits[3]; l += c.strides[3] {
						want = append(want, x[((i*4+j)*5+k)*6+l])
					}
				}
			}
		}
		testutil.AssertClose(t, "Slice", flat(got), want, 0)
	}
}
