package backend

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestStridedKernels checks the broadcasting binary ops, BroadcastInDim and
// reductions against index arithmetic on [2, 3, 4, 5] arrays.
func TestStridedKernels(t *testing.T) {
	b := goBackendForTest(t)
	rng := rand.New(rand.NewPCG(21, 22))
	x := testutil.RandFloats(rng, 2*3*4*5)
	at := func(i, j, k, l int) float32 { return x[((i*3+j)*4+k)*5+l] }
	y := testutil.RandFloats(rng, 2*1*4*1) // Broadcast over axes 1 and 3.
	yat := func(i, k int) float32 { return y[i*4+k] }
	ops := []struct {
		name string
		fn   func(a, b *Node) *Node
		ref  func(a, b float32) float32
	}{
		{"Add", Add, func(a, b float32) float32 { return a + b }},
		{"Sub", Sub, func(a, b float32) float32 { return a - b }},
		{"Mul", Mul, func(a, b float32) float32 { return a * b }},
		{"Div", Div, func(a, b float32) float32 { return a / b }},
		{"Max", Max, func(a, b float32) float32 { return max(a, b) }},
		{"Min", Min, func(a, b float32) float32 { return min(a, b) }},
	}
	xt, yt := tensors.FromFlatDataAndDimensions(x, 2, 3, 4, 5), tensors.FromFlatDataAndDimensions(y, 2, 1, 4, 1)
	for _, op := range ops {
		got := MustExecOnceN(b, func(x, y *Node) []*Node { return []*Node{op.fn(x, y), op.fn(y, x)} }, xt, yt)
		var want, wantSwapped []float32
		for i := range 2 {
			for j := range 3 {
				for k := range 4 {
					for l := range 5 {
						want = append(want, op.ref(at(i, j, k, l), yat(i, k)))
						wantSwapped = append(wantSwapped, op.ref(yat(i, k), at(i, j, k, l)))
					}
				}
			}
		}
		testutil.AssertClose(t, op.name, flat(got[0]), want, 1e-6)
		testutil.AssertClose(t, op.name+" swapped", flat(got[1]), wantSwapped, 1e-6)
	}

	// BroadcastInDim of [4] to axis 2 of [2, 3, 4, 5], and of y to x's shape.
	v := testutil.RandFloats(rng, 4)
	got := MustExecOnceN(b, func(v, y *Node) []*Node {
		return []*Node{BroadcastToDims(Reshape(v, 1, 1, 4, 1), 2, 3, 4, 5), BroadcastToDims(y, 2, 3, 4, 5)}
	}, tensors.FromFlatDataAndDimensions(v, 4), yt)
	var wantV, wantY []float32
	for i := range 2 {
		for range 3 {
			for k := range 4 {
				for range 5 {
					wantV, wantY = append(wantV, v[k]), append(wantY, yat(i, k))
				}
			}
		}
	}
	testutil.AssertClose(t, "BroadcastInDim", flat(got[0]), wantV, 0)
	testutil.AssertClose(t, "BroadcastInDim y", flat(got[1]), wantY, 0)

	// ReduceMax over axes 1 and 3, ReduceSum over 0 and 2, and over all.
	got = MustExecOnceN(b, func(x *Node) []*Node {
		return []*Node{ReduceMax(x, 1, 3), ReduceSum(x, 0, 2), ReduceAllSum(x)}
	}, xt)
	maxes, sums := make([]float32, 2*4), make([]float32, 3*5)
	var total float32
	for i := range maxes {
		maxes[i] = -1e30
	}
	for i := range 2 {
		for j := range 3 {
			for k := range 4 {
				for l := range 5 {
					maxes[i*4+k] = max(maxes[i*4+k], at(i, j, k, l))
					sums[j*5+l] += at(i, j, k, l)
					total += at(i, j, k, l)
				}
			}
		}
	}
	testutil.AssertClose(t, "ReduceMax", flat(got[0]), maxes, 0)
	testutil.AssertClose(t, "ReduceSum", flat(got[1]), sums, 1e-5)
	testutil.AssertClose(t, "ReduceAllSum", flat(got[2]), []float32{total}, 1e-5)
}

func TestSign(t *testing.T) {
	b := goBackendForTest(t)
	nan := float32(math.NaN())
	x := []float32{-2, -0.0, 0, 3, float32(math.Inf(-1)), float32(math.Inf(1)), nan, 1e-40, -1e-40}
	got := MustExecOnce(b, Sign, tensors.FromFlatDataAndDimensions(x, len(x)))
	testutil.AssertClose(t, "Sign", flat(got), []float32{-1, 0, 0, 1, -1, 1, 0, 1, -1}, 0)
}

func BenchmarkSigns(b *testing.B) {
	x := testutil.RandFloats(rand.New(rand.NewPCG(1, 2)), 1<<20)
	dst := make([]float32, len(x))
	for b.Loop() {
		signs(dst, x)
	}
}

func TestWhere(t *testing.T) {
	b := goBackendForTest(t)
	x := tensors.FromFlatDataAndDimensions([]float32{-1, 2, -3, 4, 0, 6}, 2, 3)
	y := tensors.FromFlatDataAndDimensions([]float32{10, 20, 30, 40, 50, 60}, 2, 3)
	got := MustExecOnceN(b, func(x, y *Node) []*Node {
		c := GreaterThan(x, ScalarZero(x.Graph(), x.DType()))
		zero := ScalarZero(x.Graph(), x.DType())
		return []*Node{Where(c, x, y), Where(c, x, zero), Where(c, zero, y), Where(c, zero, ScalarOne(x.Graph(), x.DType()))}
	}, x, y)
	testutil.AssertClose(t, "Where", flat(got[0]), []float32{10, 2, 30, 4, 50, 6}, 0)
	testutil.AssertClose(t, "Where scalar false", flat(got[1]), []float32{0, 2, 0, 4, 0, 6}, 0)
	testutil.AssertClose(t, "Where scalar true", flat(got[2]), []float32{10, 0, 30, 0, 50, 0}, 0)
	testutil.AssertClose(t, "Where scalars", flat(got[3]), []float32{1, 0, 1, 0, 1, 0}, 0)
	if d := got[3].Shape().Dimensions; len(d) != 2 || d[0] != 2 || d[1] != 3 {
		t.Errorf("Where of scalars has shape %v, want [2 3]", d)
	}
}

func BenchmarkSelect(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := testutil.RandFloats(rng, 1<<20)
	cond := make([]bool, len(x))
	for i, v := range x {
		cond[i] = v > 0
	}
	dst := make([]float32, len(x))
	for b.Loop() {
		selectFloat32(dst, cond, x, []float32{0})
	}
}
