package backend

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/backends"
)

// denseOperand lays out a [B, rows, K] array with the given axis order
// ("bik": K last, "bki": rows last) and returns it as an operand.
func denseOperand(rng *rand.Rand, B, rows, K int, order string) (*operand, func(b, i, k int) float32) {
	data := randFloats(rng, B*rows*K)
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
				for _, asm := range []bool{false, true} {
					if asm && !useAVX2 {
						continue
					}
					saved := useAVX2
					setAVX2(asm)
					lhs, l := denseOperand(rng, c.B, c.M, c.K, orders[0])
					rhs, r := denseOperand(rng, c.B, c.N, c.K, orders[1])
					out := randFloats(rng, c.B*c.M*c.N) // gemm must overwrite, not accumulate.
					gemm(out, lhs, rhs, workers)
					setAVX2(saved)
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
									t.Fatalf("%+v %v workers=%d asm=%v: out[%d,%d,%d] = %g, want %g",
										c, orders, workers, asm, b, i, j, got, s)
								}
							}
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
