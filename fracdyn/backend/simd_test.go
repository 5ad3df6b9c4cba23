package backend

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestVectorLoops checks the AVX2 loops (vecBinary, vecRows, vecRowSums,
// vecTanh) against scalar Go on every length from 0 to 70, so that the
// 32-, 8- and 1-wide parts of each loop all run, and offsets that are not
// multiples of 8 elements. It is skipped where the CPU lacks AVX2.
func TestVectorLoops(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2/FMA")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	data := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64()) + 3 // Away from 0 for Div.
		}
		return v
	}
	ref := map[backends.OpType]func(a, b float32) float32{
		backends.OpTypeAdd: func(a, b float32) float32 { return a + b },
		backends.OpTypeSub: func(a, b float32) float32 { return a - b },
		backends.OpTypeMul: func(a, b float32) float32 { return a * b },
		backends.OpTypeDiv: func(a, b float32) float32 { return a / b },
	}
	same := func(name string, got, want []float32) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: element %d = %g, want %g", name, i, got[i], want[i])
			}
		}
	}
	for op, f := range ref {
		for n := range 71 {
			a, b := data(n + 3)[3:], data(n + 1)[1:]
			for _, form := range [][2]int{{1, 1}, {1, 0}, {0, 1}} {
				if n == 0 || (form[0] == 0 && form[1] == 0) {
					continue
				}
				d := make([]float32, n)
				if !vecBinary(op, d, a, b, form[0], form[1]) {
					t.Fatalf("%s %v n=%d: not taken", op, form, n)
				}
				want := make([]float32, n)
				for j := range want {
					want[j] = f(a[j*form[0]], b[j*form[1]])
				}
				same(op.String(), d, want)
			}
			// Rows: 5 rows of n, row strides n+2 (dst), n+1 (vector), 3 (scalars).
			if n == 0 {
				continue
			}
			const rows = 5
			v, s := data(rows*(n+1)), data(rows*3)
			for _, scalarB := range []bool{true, false} {
				d := make([]float32, rows*(n+2))
				if !vecRows(op, d, v, s, rows, n, n+2, n+1, 3, scalarB) {
					t.Fatalf("%s rows n=%d: not taken", op, n)
				}
				for i := range rows {
					for j := range n {
						want := f(v[i*(n+1)+j], s[i*3])
						if !scalarB {
							want = f(s[i*3], v[i*(n+1)+j])
						}
						if got := d[i*(n+2)+j]; got != want {
							t.Fatalf("%s rows scalarB=%v n=%d: [%d,%d] = %g, want %g", op, scalarB, n, i, j, got, want)
						}
					}
				}
			}
		}
	}
	for n := 1; n <= 70; n++ {
		const rows = 4
		a := data(rows * (n + 5))
		dst := []float32{1, 0, 2, 0, 3, 0, 4}
		if !vecRowSums(dst, a, rows, n, 2, n+5) {
			t.Fatalf("row sums n=%d: not taken", n)
		}
		for i := range rows {
			want := float64(i + 1)
			for j := range n {
				want += float64(a[i*(n+5)+j])
			}
			if got := float64(dst[2*i]); math.Abs(got-want) > 1e-5*math.Abs(want)+1e-5 {
				t.Fatalf("row sums n=%d: row %d = %g, want %g", n, i, got, want)
			}
		}
		x := data(n)
		for i := range x {
			x[i] = (x[i] - 3) * 4
		}
		got, want := make([]float32, n), make([]float32, n)
		tanh32(got, x)
		for i, v := range x {
			want[i] = float32(math.Tanh(float64(v)))
		}
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 4e-7 {
				t.Fatalf("tanh n=%d: tanh(%g) = %g, want %g", n, x[i], got[i], want[i])
			}
		}
	}
}

// TestFlatBinaryGraph runs same-shape and scalar float32 ops (the vector
// path of execBinary) and tanh in a graph whose intermediate results are
// owned by the next op, so that outputs overwrite their inputs in place,
// and checks every value against scalar Go; also a zero-size array, which
// must fall back to simplego.
func TestFlatBinaryGraph(t *testing.T) {
	b := goBackendForTest(t)
	rng := rand.New(rand.NewPCG(7, 8))
	const n = 37
	x, y := make([]float32, n), make([]float32, n)
	for i := range x {
		x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())+4
	}
	got := MustExecOnceN(b, func(x, y *Node) []*Node {
		s := Add(x, y)                            // same shape
		p := Mul(s, y)                            // s owned: written in place
		q := Div(MulScalar(p, 3), y)              // scalar, then same shape
		r := Sub(Const(x.Graph(), float32(2)), q) // scalar on the left
		return []*Node{r, Tanh(Sub(r, x))}        // tanh of an owned input
	}, tensors.FromFlatDataAndDimensions(x, n), tensors.FromFlatDataAndDimensions(y, n))
	r, th := flat(got[0]), flat(got[1])
	for i := range x {
		s := x[i] + y[i]
		want := 2 - (s*y[i]*3)/y[i]
		if r[i] != want {
			t.Fatalf("element %d: %g, want %g", i, r[i], want)
		}
		if d := math.Abs(float64(th[i]) - math.Tanh(float64(want-x[i]))); d > 4e-7 {
			t.Fatalf("tanh element %d: %g, want %g", i, th[i], math.Tanh(float64(want-x[i])))
		}
	}
	empty := MustExecOnceN(b, func(x *Node) []*Node { return []*Node{Add(x, x)} },
		tensors.FromFlatDataAndDimensions([]float32{}, 0, 3))
	if s := empty[0].Shape(); s.Size() != 0 {
		t.Errorf("Add of a zero-size array: shape %s", s)
	}
}
