//go:build !amd64

package backend

var (
	vvLoops [4]func(dst, a, b *float32, n int)
	vsLoops [4]func(dst, a *float32, s float32, n int)
	svLoops [4]func(dst *float32, s float32, b *float32, n int)

	vsRowLoops [4]func(dst, a, s *float32, rows, n, sd, sa, ss int)
	svRowLoops [4]func(dst, a, s *float32, rows, n, sd, sa, ss int)
)

func rowSumsAVX(dst, a *float32, rows, n, sd, sa int) { panic("no AVX2") }

func tanhAVX(dst, x *float32, n int) { panic("no AVX2") }

func tanhAVX512(dst, x *float32, n int) { panic("no AVX-512") }
