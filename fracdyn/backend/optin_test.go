package backend

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"

	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestDotGeneralGradientOptIn builds the gradient of a small dense matmul
// with GoMLX's own DotGeneral gradient (opted out) and with the wrapper's
// (opted in): the graph of the first must hold GoMLX's broadcast product
// and no DotGeneral beyond the forward one, and both must agree with loops.
func TestDotGeneralGradientOptIn(t *testing.T) {
	b := goBackendForTest(t)
	was := DotGeneralGradientEnabled()
	defer setDotGeneralGradient(was)

	const N, K, M = 3, 4, 5
	rng := rand.New(rand.NewPCG(7, 8))
	x, w, v := testutil.RandFloats(rng, N*K), testutil.RandFloats(rng, M*K), testutil.RandFloats(rng, N*M)
	grads := func() ([]float32, []float32, int) {
		dots := 0
		out := MustExecOnceN(b, func(x, w, v *Node) []*Node {
			y := DotGeneral(x, []int{1}, nil, w, []int{1}, nil)
			gs := Gradient(ReduceAllSum(Mul(y, v)), x, w)
			for _, n := range x.Graph().Nodes() {
				if n.Type() == NodeTypeDotGeneral {
					dots++
				}
			}
			return gs
		}, tensors.FromFlatDataAndDimensions(x, N, K), tensors.FromFlatDataAndDimensions(w, M, K),
			tensors.FromFlatDataAndDimensions(v, N, M))
		return flat(out[0]), flat(out[1]), dots
	}
	wantX, wantW := make([]float32, len(x)), make([]float32, len(w))
	for n := range N {
		for m := range M {
			for k := range K {
				wantX[n*K+k] += v[n*M+m] * w[m*K+k]
				wantW[m*K+k] += v[n*M+m] * x[n*K+k]
			}
		}
	}

	setDotGeneralGradient(false)
	if DotGeneralGradientEnabled() {
		t.Fatal("DotGeneralGradientEnabled() = true after opting out")
	}
	stockX, stockW, stockDots := grads()
	if !EnableDotGeneralGradient(b) || !DotGeneralGradientEnabled() {
		t.Fatal("EnableDotGeneralGradient(go backend) did not enable it")
	}
	ownX, ownW, ownDots := grads()

	// GoMLX v0.26.0's gradient is Mul+ReduceSum (only the forward
	// DotGeneral); the wrapper's adds one DotGeneral per operand.
	if stockDots != 1 || ownDots != 3 {
		t.Errorf("DotGeneral nodes: opted out %d (want 1), opted in %d (want 3)", stockDots, ownDots)
	}
	testutil.AssertClose(t, "∂x opted out", stockX, wantX, 1e-5)
	testutil.AssertClose(t, "∂w opted out", stockW, wantW, 1e-5)
	testutil.AssertClose(t, "∂x opted in vs out", ownX, stockX, 1e-5)
	testutil.AssertClose(t, "∂w opted in vs out", ownW, stockW, 1e-5)
}

// TestEnableDotGeneralGradientOtherBackend: only the wrapped pure-Go
// backend opts in; a bare simplego backend leaves the state as it was.
func TestEnableDotGeneralGradientOtherBackend(t *testing.T) {
	b := goBackendForTest(t)
	was := DotGeneralGradientEnabled()
	defer setDotGeneralGradient(was)
	setDotGeneralGradient(false)
	if EnableDotGeneralGradient(b.(*goBackend).Unwrap()) || DotGeneralGradientEnabled() {
		t.Fatal("EnableDotGeneralGradient(bare simplego) enabled the replacement")
	}
}

func TestCheckGoMLXVersion(t *testing.T) {
	for _, v := range []string{GoMLXVersion, "", "(devel)"} {
		if err := checkGoMLXVersion(v); err != nil {
			t.Errorf("checkGoMLXVersion(%q) = %v, want nil", v, err)
		}
	}
	for _, v := range []string{"v0.26.1", "v0.27.0", "v0.25.0"} {
		err := checkGoMLXVersion(v)
		if err == nil {
			t.Errorf("checkGoMLXVersion(%q) = nil, want an error", v)
			continue
		}
		if !strings.Contains(err.Error(), v) || !strings.Contains(err.Error(), GoMLXVersion) {
			t.Errorf("checkGoMLXVersion(%q) = %q, want both versions named", v, err)
		}
	}
}
