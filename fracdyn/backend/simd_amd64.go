package backend

// AVX2 loops of simd_amd64.s (written by gen_simd.go); n and the strides
// are in elements. The callers in simd.go check the bounds.

//go:generate go run gen_simd.go

//go:noescape
func addVV(dst, a, b *float32, n int)

//go:noescape
func subVV(dst, a, b *float32, n int)

//go:noescape
func mulVV(dst, a, b *float32, n int)

//go:noescape
func divVV(dst, a, b *float32, n int)

//go:noescape
func addVS(dst, a *float32, s float32, n int)

//go:noescape
func subVS(dst, a *float32, s float32, n int)

//go:noescape
func mulVS(dst, a *float32, s float32, n int)

//go:noescape
func divVS(dst, a *float32, s float32, n int)

//go:noescape
func addSV(dst *float32, s float32, b *float32, n int)

//go:noescape
func subSV(dst *float32, s float32, b *float32, n int)

//go:noescape
func mulSV(dst *float32, s float32, b *float32, n int)

//go:noescape
func divSV(dst *float32, s float32, b *float32, n int)

//go:noescape
func addVSRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func addSVRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func subVSRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func subSVRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func mulVSRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func mulSVRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func divVSRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func divSVRows(dst, a, s *float32, rows, n, sd, sa, ss int)

//go:noescape
func rowSumsAVX(dst, a *float32, rows, n, sd, sa int)

//go:noescape
func tanhAVX(dst, x *float32, n int)

//go:noescape
func tanhAVX512(dst, x *float32, n int)

var (
	vvLoops = [...]func(dst, a, b *float32, n int){addVV, subVV, mulVV, divVV}
	vsLoops = [...]func(dst, a *float32, s float32, n int){addVS, subVS, mulVS, divVS}
	svLoops = [...]func(dst *float32, s float32, b *float32, n int){addSV, subSV, mulSV, divSV}
	// Row loops: a is the vector operand, s the per-row scalar.
	vsRowLoops = [...]func(dst, a, s *float32, rows, n, sd, sa, ss int){addVSRows, subVSRows, mulVSRows, divVSRows}
	svRowLoops = [...]func(dst, a, s *float32, rows, n, sd, sa, ss int){addSVRows, subSVRows, mulSVRows, divSVRows}
)
