package backend

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly micro-kernel (AVX2 + FMA).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16 is microKernelGo in AVX2/FMA assembly (gemm_amd64.s); ldb and
// ldc are in elements.
//
//go:noescape
func kernel6x16(k int, a, b *float32, ldb int, c *float32, ldc int)

func microKernel(k int, a, b []float32, ldb int, c []float32, ldc int) {
	if !useAVX2 {
		microKernelGo(k, a, b, ldb, c, ldc)
		return
	}
	// Bounds the assembly relies on.
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	kernel6x16(k, &a[0], &b[0], ldb, &c[0], ldc)
}

func setAVX2(on bool) { useAVX2 = on }
