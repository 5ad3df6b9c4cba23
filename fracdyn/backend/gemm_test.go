package backend

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/fracdyn/fracdyn/internal/testutil"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck // GoMLX style.
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// denseOperand lays out a [B, rows, K] array with the given axis order
// ("bik": K last, "bki": rows last) and returns it as an operand.
func denseOperand(rng *rand.Rand, B, rows, K int, order string) (*operand, func(b, i, k int) float32) {
	data := testutil.RandFloats(rng, B*rows*K)
	op := &operand{data: data, batch: make([]int, B), cross: make([]int, rows), contract: make([]int, K)}
	for b := range op.batch {
		op.batch[b] = b * rows * K
	}
	if order == "bik" {
		for i := range op.cross {
			op.cross[i] = i * K
		}
		for k := range op.contract {
			op.contract[k] = k
		}
		op.strideK = 1
	} else {
		for i := range op.cross {
			op.cross[i] = i
		}
		for k := range op.contract {
			op.contract[k] = k * rows
		}
		op.strideK = rows
	}
	return op, func(b, i, k int) float32 { return data[op.batch[b]+op.cross[i]+op.contract[k]] }
}

// TestGemm checks the blocked product against a triple loop over shapes
// that hit full and partial tiles, several k blocks, packed and in-place
// B panels, one and two workers, and the assembly and Go micro-kernels.
func TestGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct{ B, M, N, K int }{
		{1, 6, 16, 1}, {1, 7, 17, 3}, {1, 1, 1, 1 << 18}, {1, 2, 1, 1 << 17}, {2, 13, 40, 300}, {1, 64, 300, 20}, {1, 100, 33, 513}, {3, 1, 1, 1}, {1, 5, 2100, 7},
	} {
		for _, orders := range [][2]string{{"bik", "bik"}, {"bki", "bki"}, {"bik", "bki"}} {
			for _, workers := range []int{1, 2} {
				for _, kernel := range []string{"go", "avx2", "avx512"} {
					asm := kernel != "go"
					if (asm && !useAVX2) || (kernel == "avx512" && !useAVX512) {
						continue
					}
					saved, saved512 := useAVX2, useAVX512
					setAVX2(asm)
					setAVX512(kernel == "avx512")
					lhs, l := denseOperand(rng, c.B, c.M, c.K, orders[0])
					rhs, r := denseOperand(rng, c.B, c.N, c.K, orders[1])
					out := testutil.RandFloats(rng, c.B*c.M*c.N) // gemm must overwrite, not accumulate.
					gemm(out, lhs, rhs, workers)
					setAVX2(saved)
					setAVX512(saved512)
					// Reference in float64; float32 sums of K terms may differ
					// by a few ulps of Σ|terms| per term.
					for b := range c.B {
						for i := range c.M {
							for j := range c.N {
								var s, abs float64
								for k := range c.K {
									p := float64(l(b, i, k)) * float64(r(b, j, k))
									s, abs = s+p, abs+math.Abs(p)
								}
								got := float64(out[(b*c.M+i)*c.N+j])
								if math.Abs(got-s) > 1e-6*abs+1e-6 {
									t.Fatalf("%+v %v workers=%d kernel %s: out[%d,%d,%d] = %g, want %g",
										c, orders, workers, kernel, b, i, j, got, s)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestGemmPlain checks the exported plain-slice Gemm in its four transpose
// cases against a triple loop, on shapes of the GCN's products.
func TestGemmPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ M, N, K int }{{1, 1, 1}, {7, 5, 3}, {8320, 32, 20}, {20, 32, 8320}, {33, 16, 1}} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				a := testutil.RandFloats(rng, c.M*c.K)
				b := testutil.RandFloats(rng, c.K*c.N)
				out := testutil.RandFloats(rng, c.M*c.N) // must be overwritten
				Gemm(tA, tB, c.M, c.N, c.K, a, b, out)
				at := func(i, k int) float32 {
					if tA {
						return a[k*c.M+i]
					}
					return a[i*c.K+k]
				}
				bt := func(k, j int) float32 {
					if tB {
						return b[j*c.K+k]
					}
					return b[k*c.N+j]
				}
				for i := range c.M {
					for j := range c.N {
						var s, abs float64
						for k := range c.K {
							p := float64(at(i, k)) * float64(bt(k, j))
							s, abs = s+p, abs+math.Abs(p)
						}
						if got := float64(out[i*c.N+j]); math.Abs(got-s) > 1e-6*abs+1e-6 {
							t.Fatalf("%+v transA=%v transB=%v: c[%d,%d] = %g, want %g", c, tA, tB, i, j, got, s)
						}
					}
				}
			}
		}
	}
}

// TestKernelInstalled checks that wrapping simplego replaced its float32
// DotGeneral kernel (the linkname into simplego still finds its table).
func TestKernelInstalled(t *testing.T) {
	goBackendForTest(t)
	got := reflect.ValueOf(simplegoExecutors[backends.OpTypeDotGeneral]).Pointer()
	if got != reflect.ValueOf(execDotGeneral).Pointer() {
		t.Fatal("simplego's DotGeneral executor is not the wrapper's gemm")
	}
}

// BenchmarkGemmWeightGrad times the shape of conv2's weight gradient in the
// paper CNN (per example: [64, 784] × [289, 784]ᵀ, B panels packed).
func BenchmarkGemmWeightGrad(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	lhs, _ := denseOperand(rng, 64, 64, 784, "bik")
	rhs, _ := denseOperand(rng, 64, 289, 784, "bik")
	out := make([]float32, 64*64*289)
	for b.Loop() {
		gemm(out, lhs, rhs, 1)
	}
}

// TestDotGeneralRandomAxes runs DotGeneral through the wrapped backend on
// random operands whose batch, contracting and cross axes are drawn at
// random positions and in random pairing order, against a direct sum over
// index tuples.
func TestDotGeneralRandomAxes(t *testing.T) {
	b := goBackendForTest(t)
	rng := rand.New(rand.NewPCG(41, 42))
	for trial := range 40 {
		nb, nc := rng.IntN(2), 1+rng.IntN(2)
		nlx, nrx := rng.IntN(3), rng.IntN(3)
		batchDims, contrDims := randDims(rng, nb), randDims(rng, nc)
		lhsX, rhsX := randDims(rng, nlx), randDims(rng, nrx)
		// Lay out each operand's axes in a random permutation.
		type role struct{ kind, i int } // kind 0 batch, 1 contracting, 2 cross
		layout := func(nx int) (perm []role) {
			for i := range nb {
				perm = append(perm, role{0, i})
			}
			for i := range nc {
				perm = append(perm, role{1, i})
			}
			for i := range nx {
				perm = append(perm, role{2, i})
			}
			rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			return perm
		}
		lr, rr := layout(nlx), layout(nrx)
		dimsOf := func(roles []role, xs []int) (dims, batchAx, contrAx, crossAx []int) {
			batchAx, contrAx = make([]int, nb), make([]int, nc)
			for a, r := range roles {
				switch r.kind {
				case 0:
					dims, batchAx[r.i] = append(dims, batchDims[r.i]), a
				case 1:
					dims, contrAx[r.i] = append(dims, contrDims[r.i]), a
				default:
					dims = append(dims, xs[r.i])
					crossAx = append(crossAx, a)
				}
			}
			return
		}
		ld, lb, lc, lx := dimsOf(lr, lhsX)
		rd, rb, rc, rx := dimsOf(rr, rhsX)
		l, r := testutil.RandFloats(rng, prodInts(ld)), testutil.RandFloats(rng, prodInts(rd))
		got := MustExecOnce(b, func(l, r *Node) *Node { return DotGeneral(l, lc, lb, r, rc, rb) },
			tensors.FromFlatDataAndDimensions(l, ld...), tensors.FromFlatDataAndDimensions(r, rd...))
		// Direct sum: output axes are batch, lhs cross (ascending), rhs cross (ascending).
		outDims := slices.Concat(batchDims, lhsXDims(ld, lx), lhsXDims(rd, rx))
		want := make([]float32, prodInts(outDims))
		forIndex(outDims, func(o []int, oi int) {
			var s float64
			forIndex(contrDims, func(c []int, _ int) {
				li, ri := make([]int, len(ld)), make([]int, len(rd))
				for i := range nb {
					li[lb[i]], ri[rb[i]] = o[i], o[i]
				}
				for i := range nc {
					li[lc[i]], ri[rc[i]] = c[i], c[i]
				}
				for i, a := range lx {
					li[a] = o[nb+i]
				}
				for i, a := range rx {
					ri[a] = o[nb+len(lx)+i]
				}
				s += float64(l[flatIndex(ld, li)]) * float64(r[flatIndex(rd, ri)])
			})
			want[oi] = float32(s)
		})
		if !slices.Equal(got.Shape().Dimensions, outDims) && !(len(outDims) == 0 && got.Shape().Rank() == 0) {
			t.Fatalf("trial %d: shape %v, want %v", trial, got.Shape().Dimensions, outDims)
		}
		testutil.AssertClose(t, "DotGeneral", flat(got), want, 1e-4)
	}
}

func randDims(rng *rand.Rand, n int) []int {
	d := make([]int, n)
	for i := range d {
		d[i] = 1 + rng.IntN(7)
	}
	return d
}

func lhsXDims(dims, axes []int) []int {
	out := make([]int, len(axes))
	for i, a := range axes {
		out[i] = dims[a]
	}
	return out
}

func prodInts(d []int) int {
	p := 1
	for _, x := range d {
		p *= x
	}
	return p
}

func flatIndex(dims, idx []int) int {
	f := 0
	for a, d := range dims {
		f = f*d + idx[a]
	}
	return f
}

// forIndex calls fn with every index tuple of dims in row-major order and
// its flat position.
func forIndex(dims []int, fn func(idx []int, flat int)) {
	idx := make([]int, len(dims))
	for flat := range prodInts(dims) {
		fn(idx, flat)
		for a := len(dims) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < dims[a] {
				break
			}
			idx[a] = 0
		}
	}
}
