package backend

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly micro-kernel (AVX2 + FMA).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

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

func microKernel(k int, a, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if !useAVX2 {
		microKernelGo(k, a, b, ldb, c, ldc, accumulate)
		return
	}
	// Bounds the assembly relies on.
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	if accumulate {
		kernel6x16(k, &a[0], &b[0], ldb, &c[0], ldc)
	} else {
		kernel6x16Set(k, &a[0], &b[0], ldb, &c[0], ldc)
	}
}

func setAVX2(on bool) { useAVX2 = on }
