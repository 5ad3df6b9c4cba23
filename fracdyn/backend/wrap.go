package backend

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// wrap adds to the pure-Go backend what training fracdyn's models needs and
// GoMLX v0.26.0's simplego lacks, and replaces its slowest kernels; every
// other backend (XLA) is returned untouched.
//
// What the wrapper adds, and the GoMLX version that needs it:
//
//   - Reverse and Pad, built from Slice, Concatenate, Reshape and
//     BroadcastInDim (simplego v0.26.0 has neither; GoMLX's gradients of
//     Slice and ConvGeneral use them).
//   - ConvGeneral with nil strides, paddings or dilations filled with their
//     defaults (simplego v0.26.0 rejects nil strides in shape inference).
//   - The DotGeneral gradient as two DotGenerals instead of GoMLX v0.26.0's
//     outer product (Mul of broadcast operands, then ReduceSum), which needs
//     batch×n×m×k floats: gigabytes at the first dense layer of the paper
//     CNN (dotgrad.go). It goes into GoMLX's process-wide
//     graph.VJPRegistration only when EnableDotGeneralGradient is called
//     (fracdyn's own training does); wrapping alone leaves GoMLX's own.
//   - Kernels (v0.26.0's simplego has no public hook for them, so they are
//     installed into its executor table by go:linkname, dotexec.go): float32
//     DotGeneral as a packed GEMM with a 6×16 AVX2/FMA micro-kernel, or
//     AVX-512 where the CPU has it, over GOMAXPROCS goroutines (gemm.go;
//     simplego's is scalar Go after a copy into blocked layout); float32
//     Slice copying contiguous runs (sliceexec.go); float32 broadcasting
//     Add/Sub/Mul/Div/Max/Min, BroadcastInDim, ReduceMax and ReduceSum as
//     plain loops over merged axes (strided.go; simplego steps an index
//     iterator per element), whose inner loops, and same-shape or scalar
//     Add/Sub/Mul/Div, run as AVX2 loops where the operands are
//     contiguous or one value (simd.go, simd_amd64.s); a branch-free
//     float32 Sign; and a float32 Tanh by a rational approximation within
//     4e-7 of math.Tanh, 8 or 16 values at a time with AVX2 or AVX-512
//     (tanh.go; simplego's goes through float64 math.Tanh). Elementwise
//     kernels write over an input the op owns, as simplego's do. Other
//     dtypes and cases fall through to simplego's own kernels.
//   - A fix for a deadlock of simplego v0.26.0's worker pool: its
//     DotGeneral (any dtype the GEMM above does not take) and Erf wait on
//     the pool that runs them, and four at once on 2 CPUs hang forever;
//     the wrapper runs them with their worker counted as asleep (pool.go).
//     The table is process-wide, so bare simplego backends get the fix
//     too once a wrapped one has been created.
//
// Each piece reads unexported GoMLX structures by name (reflection,
// read-only, except the pool's count of asleep workers, which pool.go
// raises and lowers atomically as simplego itself does) and is checked by
// a test, so a GoMLX upgrade that moves them fails loudly in tests and
// falls back to stock behaviour at run time.
//
// Before touching anything it checks that the linked GoMLX is the version
// these offsets and names were written for (checkGoMLXVersion), and
// refuses with an error otherwise.
func wrap(b backends.Backend) (backends.Backend, error) {
	if _, ok := b.(*simplego.Backend); !ok {
		return b, nil
	}
	if err := checkGoMLXVersion(linkedGoMLXVersion()); err != nil {
		return nil, err
	}
	registerKernels.Do(func() {
		installDotGeneralKernel()
		installSliceKernel()
		installStridedKernels()
		installSignKernel()
		installTanhKernel()
		installWhereKernel()
		installErfKernel()
	})
	return &goBackend{Backend: b}, nil
}

// goBackend is simplego with the ops of builder added.
type goBackend struct {
	backends.Backend
}

// Builder implements backends.Backend.
func (b *goBackend) Builder(name string) backends.Builder {
	return &builder{Builder: b.Backend.Builder(name)}
}

// Capabilities implements backends.Backend: simplego's, plus Reverse and Pad.
func (b *goBackend) Capabilities() backends.Capabilities {
	c := b.Backend.Capabilities().Clone()
	c.Operations[backends.OpTypeReverse] = true
	c.Operations[backends.OpTypePad] = true
	return c
}

// Unwrap returns the simplego backend underneath.
func (b *goBackend) Unwrap() backends.Backend { return b.Backend }

// builder is a simplego builder with Reverse, Pad and a lenient ConvGeneral.
// Every op it returns is a plain simplego op, so the graph compiles and runs
// on simplego's executor unchanged.
type builder struct {
	backends.Builder
}
