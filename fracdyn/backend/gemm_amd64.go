package backend

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly micro-kernel (AVX2 + FMA).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 selects, among the assembly micro-kernels, the AVX-512 one
// (half the FMA instructions of the AVX2 one for the same tile; about
// twice as fast where the CPU has full-width 512-bit units).
var useAVX512 = useAVX2 && cpu.X86.HasAVX512F

//go:generate go run gen_kernel.go

// kernel6x16 is microKernelGo in AVX2/FMA assembly (gemm_amd64.s, written
// by gen_kernel.go); ldb and ldc are in elements.
//
//go:noescape
func kernel6x16(k int, a, b *float32, ldb int, c *float32, ldc int)

// kernel6x16Set is kernel6x16 storing the tile instead of adding it to c.
//
//go:noescape
func kernel6x16Set(k int, a, b *float32, ldb int, c *float32, ldc int)

// kernel6x16Z is kernel6x16 in AVX-512.
//
//go:noescape
func kernel6x16Z(k int, a, b *float32, ldb int, c *float32, ldc int)

// kernel6x16SetZ is kernel6x16Set in AVX-512.
//
//go:noescape
func kernel6x16SetZ(k int, a, b *float32, ldb int, c *float32, ldc int)

func microKernel(k int, a, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if !useAVX2 {
		microKernelGo(k, a, b, ldb, c, ldc, accumulate)
		return
	}
	// Bounds the assembly relies on.
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	switch {
	case useAVX512 && accumulate:
		kernel6x16Z(k, &a[0], &b[0], ldb, &c[0], ldc)
	case useAVX512:
		kernel6x16SetZ(k, &a[0], &b[0], ldb, &c[0], ldc)
	case accumulate:
		kernel6x16(k, &a[0], &b[0], ldb, &c[0], ldc)
	default:
		kernel6x16Set(k, &a[0], &b[0], ldb, &c[0], ldc)
	}
}

func setAVX2(on bool) { useAVX2 = on }

// setAVX512 turns the AVX-512 micro-kernel on where the CPU has it.
func setAVX512(on bool) { useAVX512 = on && useAVX2 && cpu.X86.HasAVX512F }
