//go:build !amd64

package backend

const useAVX2 = false

func microKernel(k int, a, b []float32, ldb int, c []float32, ldc int) {
	microKernelGo(k, a, b, ldb, c, ldc)
}

func setAVX2(bool) {}
