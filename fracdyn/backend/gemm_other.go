//go:build !amd64

package backend

const (
	useAVX2   = false
	useAVX512 = false
)

func microKernel(k int, a, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	microKernelGo(k, a, b, ldb, c, ldc, accumulate)
}

func setAVX2(bool) {}

func setAVX512(bool) {}
