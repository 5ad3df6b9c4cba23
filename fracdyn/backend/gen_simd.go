//go:build ignore

// gen_simd writes simd_amd64.s, the AVX2/FMA loops behind the float32
// elementwise kernels (simd.go): binary ops over two slices (vv), a slice
// and a scalar (vs, sv), row sums, and tanh. Run with go generate.
package main

import (
	"fmt"
	"os"
	"strings"
)

var w strings.Builder

func p(format string, args ...any) { fmt.Fprintf(&w, format+"\n", args...) }

// ops are the binary ops, as Go's and AVX's names.
var ops = []struct{ name, packed, scalar string }{
	{"add", "VADDPS", "VADDSS"},
	{"sub", "VSUBPS", "VSUBSS"},
	{"mul", "VMULPS", "VMULSS"},
	{"div", "VDIVPS", "VDIVSS"},
}

// loop writes the 32-, 8- and 1-wide loops of a binary op. Registers: DI
// dst, SI a (unless a is the scalar), DX b (unless b is the scalar), CX n;
// Y8 holds a broadcast scalar.
func loop(name, form, packed, scalar string) {
	loopBody(name, form, packed, scalar)
	p("%s_next:", name)
	p("\tVZEROUPPER")
	p("\tRET")
}

// loopBody is loop's body; it ends by falling through to label name_next.
func loopBody(name, form, packed, scalar string) {
	// operand returns the a and b operands of unroll u (u < 0: scalar).
	load := func(u int) (a, b string) {
		switch form {
		case "vv":
			if u < 0 {
				return "X0", "(DX)"
			}
			return fmt.Sprintf("Y%d", u), fmt.Sprintf("%d(DX)", 32*u)
		case "vs":
			if u < 0 {
				return "X0", "X8"
			}
			return fmt.Sprintf("Y%d", u), "Y8"
		default: // sv
			if u < 0 {
				return "X8", "(DX)"
			}
			return "Y8", fmt.Sprintf("%d(DX)", 32*u)
		}
	}
	step := func(width, unroll int, label, next string) {
		p("%s_%s:", name, label)
		p("\tCMPQ CX, $%d", width)
		p("\tJL %s_%s", name, next)
		for u := range unroll {
			if form != "sv" {
				p("\tVMOVUPS %d(SI), Y%d", 32*u, u)
			}
		}
		for u := range unroll {
			a, b := load(u)
			p("\t%s %s, %s, Y%d", packed, b, a, u) // Yu = a op b
		}
		for u := range unroll {
			p("\tVMOVUPS Y%d, %d(DI)", u, 32*u)
		}
		for _, r := range regs(form) {
			p("\tADDQ $%d, %s", 4*width, r)
		}
		p("\tSUBQ $%d, CX", width)
		p("\tJMP %s_%s", name, label)
	}
	step(32, 4, "loop32", "loop8")
	step(8, 1, "loop8", "tail")
	p("%s_tail:", name)
	p("\tTESTQ CX, CX")
	p("\tJE %s_next", name)
	if form != "sv" {
		p("\tVMOVSS (SI), X0")
	}
	a, b := load(-1)
	p("\t%s %s, %s, X0", scalar, b, a)
	p("\tVMOVSS X0, (DI)")
	for _, r := range regs(form) {
		p("\tADDQ $4, %s", r)
	}
	p("\tDECQ CX")
	p("\tJMP %s_tail", name)
}

func regs(form string) []string {
	switch form {
	case "vv":
		return []string{"DI", "SI", "DX"}
	case "vs":
		return []string{"DI", "SI"}
	}
	return []string{"DI", "DX"}
}

func binary() {
	for _, op := range ops {
		name := op.name + "VV"
		p("// func %s(dst, a, b *float32, n int)", name)
		p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
		p("\tMOVQ dst+0(FP), DI")
		p("\tMOVQ a+8(FP), SI")
		p("\tMOVQ b+16(FP), DX")
		p("\tMOVQ n+24(FP), CX")
		loop(name, "vv", op.packed, op.scalar)
		p("")
		name = op.name + "VS"
		p("// func %s(dst, a *float32, s float32, n int)", name)
		p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
		p("\tMOVQ dst+0(FP), DI")
		p("\tMOVQ a+8(FP), SI")
		p("\tVBROADCASTSS s+16(FP), Y8")
		p("\tMOVQ n+24(FP), CX")
		loop(name, "vs", op.packed, op.scalar)
		p("")
		name = op.name + "SV"
		p("// func %s(dst *float32, s float32, b *float32, n int)", name)
		p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
		p("\tMOVQ dst+0(FP), DI")
		p("\tVBROADCASTSS s+8(FP), Y8")
		p("\tMOVQ b+16(FP), DX")
		p("\tMOVQ n+24(FP), CX")
		loop(name, "sv", op.packed, op.scalar)
		p("")
	}
}

// rows writes, per op, the loops over rows with a scalar per row:
// VSRows: dst[i·sd + j] = a[i·sa + j] op s[i·ss]; SVRows: dst[i·sd + j] =
// s[i·ss] op b[i·sa + j], for i < rows, j < n. For short rows (a width
// of 16 networks' units) one call per row would cost more than the row.
func rows() {
	for _, op := range ops {
		for _, form := range []string{"vs", "sv"} {
			name := op.name + strings.ToUpper(form) + "Rows"
			p("// func %s(dst, a, s *float32, rows, n, sd, sa, ss int)", name)
			p("TEXT ·%s(SB), NOSPLIT, $0-64", name)
			p("\tMOVQ dst+0(FP), R11")
			p("\tMOVQ a+8(FP), R12")
			p("\tMOVQ s+16(FP), R13")
			p("\tMOVQ rows+24(FP), BX")
			p("\tMOVQ sd+40(FP), R9")
			p("\tSHLQ $2, R9")
			p("\tMOVQ sa+48(FP), R10")
			p("\tSHLQ $2, R10")
			p("\tMOVQ ss+56(FP), R8")
			p("\tSHLQ $2, R8")
			p("%s_row:", name)
			p("\tTESTQ BX, BX")
			p("\tJE %s_end", name)
			p("\tMOVQ R11, DI")
			if form == "vs" {
				p("\tMOVQ R12, SI")
			} else {
				p("\tMOVQ R12, DX")
			}
			p("\tVBROADCASTSS (R13), Y8")
			p("\tMOVQ n+32(FP), CX")
			loopBody(name, form, op.packed, op.scalar)
			p("%s_next:", name)
			p("\tADDQ R9, R11")
			p("\tADDQ R10, R12")
			p("\tADDQ R8, R13")
			p("\tDECQ BX")
			p("\tJMP %s_row", name)
			p("%s_end:", name)
			p("\tVZEROUPPER")
			p("\tRET")
			p("")
		}
	}
}

// rowSums: dst[i·sd] += Σ_{j<n} a[i·sa + j] for i < rows.
func rowSums() {
	p("// func rowSumsAVX(dst, a *float32, rows, n, sd, sa int)")
	p("TEXT ·rowSumsAVX(SB), NOSPLIT, $0-48")
	p("\tMOVQ dst+0(FP), DI")
	p("\tMOVQ a+8(FP), SI")
	p("\tMOVQ rows+16(FP), BX")
	p("\tMOVQ n+24(FP), R8")
	p("\tMOVQ sd+32(FP), R9")
	p("\tSHLQ $2, R9")
	p("\tMOVQ sa+40(FP), R10")
	p("\tSHLQ $2, R10")
	p("rowsums_row:")
	p("\tTESTQ BX, BX")
	p("\tJE rowsums_done")
	p("\tVXORPS Y0, Y0, Y0")
	p("\tVXORPS Y1, Y1, Y1")
	p("\tMOVQ SI, DX")
	p("\tMOVQ R8, CX")
	p("rowsums_loop16:")
	p("\tCMPQ CX, $16")
	p("\tJL rowsums_loop8")
	p("\tVADDPS (DX), Y0, Y0")
	p("\tVADDPS 32(DX), Y1, Y1")
	p("\tADDQ $64, DX")
	p("\tSUBQ $16, CX")
	p("\tJMP rowsums_loop16")
	p("rowsums_loop8:")
	p("\tCMPQ CX, $8")
	p("\tJL rowsums_reduce")
	p("\tVADDPS (DX), Y0, Y0")
	p("\tADDQ $32, DX")
	p("\tSUBQ $8, CX")
	p("rowsums_reduce:")
	p("\tVADDPS Y1, Y0, Y0")
	p("\tVEXTRACTF128 $1, Y0, X1")
	p("\tVADDPS X1, X0, X0")
	p("\tVPERMILPS $0x4e, X0, X1")
	p("\tVADDPS X1, X0, X0")
	p("\tVPERMILPS $0xb1, X0, X1")
	p("\tVADDSS X1, X0, X0")
	p("rowsums_tail:")
	p("\tTESTQ CX, CX")
	p("\tJE rowsums_store")
	p("\tVADDSS (DX), X0, X0")
	p("\tADDQ $4, DX")
	p("\tDECQ CX")
	p("\tJMP rowsums_tail")
	p("rowsums_store:")
	p("\tVADDSS (DI), X0, X0")
	p("\tVMOVSS X0, (DI)")
	p("\tADDQ R9, DI")
	p("\tADDQ R10, SI")
	p("\tDECQ BX")
	p("\tJMP rowsums_row")
	p("rowsums_done:")
	p("\tVZEROUPPER")
	p("\tRET")
	p("")
}

// tanh: tanh32's rational approximation, 8 lanes at a time; the caller
// does the last n mod 8 elements.
func tanh() {
	p("// func tanhAVX(dst, x *float32, n int)")
	p("// dst[i] = x·P(x²)/Q(x²) of x clamped to [−9, 9], for i < n − n mod 8.")
	p("TEXT ·tanhAVX(SB), NOSPLIT, $0-24")
	p("\tMOVQ dst+0(FP), DI")
	p("\tMOVQ x+8(FP), SI")
	p("\tMOVQ n+16(FP), CX")
	p("\tSHRQ $3, CX")
	p("\tJE tanh_done")
	// Constants, broadcast once: Y4..Y15.
	consts := []string{"tanhHi", "tanhLo", "tanhA13", "tanhA11", "tanhA9", "tanhA7", "tanhA5", "tanhA3", "tanhA1", "tanhB6", "tanhB4", "tanhB2"}
	for i, c := range consts {
		p("\tVBROADCASTSS ·%s(SB), Y%d", c, 4+i)
	}
	p("tanh_loop:")
	p("\tVMOVUPS (SI), Y0")
	// c = min(max(x, −9), 9), x second so that a NaN passes through.
	p("\tVMAXPS Y0, Y5, Y0")
	p("\tVMINPS Y0, Y4, Y0")
	p("\tVMULPS Y0, Y0, Y1") // x2
	// q = ((b6·x2 + b4)·x2 + b2)·x2 + b0; b0 has no register left.
	p("\tVMOVAPS Y13, Y3")
	p("\tVFMADD213PS Y14, Y1, Y3") // Y3 = Y3·x2 + b4
	p("\tVFMADD213PS Y15, Y1, Y3")
	p("\tVBROADCASTSS ·tanhB0(SB), Y2")
	p("\tVFMADD213PS Y2, Y1, Y3")
	// p = (((a13·x2 + a11)·x2 + …)·x2 + a1)·c
	p("\tVMOVAPS Y6, Y2")
	for _, r := range []int{7, 8, 9, 10, 11, 12} {
		p("\tVFMADD213PS Y%d, Y1, Y2", r)
	}
	p("\tVMULPS Y0, Y2, Y2")
	p("\tVDIVPS Y3, Y2, Y2")
	p("\tVMOVUPS Y2, (DI)")
	p("\tADDQ $32, SI")
	p("\tADDQ $32, DI")
	p("\tDECQ CX")
	p("\tJNE tanh_loop")
	p("tanh_done:")
	p("\tVZEROUPPER")
	p("\tRET")
}

// tanhZ is tanh in AVX-512, 16 lanes at a time, the constants in Z4..Z16;
// the caller does the last n mod 16 elements.
func tanhZ() {
	p("// func tanhAVX512(dst, x *float32, n int)")
	p("// dst[i] = x·P(x²)/Q(x²) of x clamped to [−9, 9], for i < n − n mod 16.")
	p("TEXT ·tanhAVX512(SB), NOSPLIT, $0-24")
	p("\tMOVQ dst+0(FP), DI")
	p("\tMOVQ x+8(FP), SI")
	p("\tMOVQ n+16(FP), CX")
	p("\tSHRQ $4, CX")
	p("\tJE tanhz_done")
	consts := []string{"tanhHi", "tanhLo", "tanhA13", "tanhA11", "tanhA9", "tanhA7", "tanhA5", "tanhA3", "tanhA1", "tanhB6", "tanhB4", "tanhB2", "tanhB0"}
	for i, c := range consts {
		p("\tVBROADCASTSS ·%s(SB), Z%d", c, 4+i)
	}
	p("tanhz_loop:")
	p("\tVMOVUPS (SI), Z0")
	p("\tVMAXPS Z0, Z5, Z0")
	p("\tVMINPS Z0, Z4, Z0")
	p("\tVMULPS Z0, Z0, Z1")
	p("\tVMOVAPS Z13, Z3")
	for _, r := range []int{14, 15, 16} {
		p("\tVFMADD213PS Z%d, Z1, Z3", r)
	}
	p("\tVMOVAPS Z6, Z2")
	for _, r := range []int{7, 8, 9, 10, 11, 12} {
		p("\tVFMADD213PS Z%d, Z1, Z2", r)
	}
	p("\tVMULPS Z0, Z2, Z2")
	p("\tVDIVPS Z3, Z2, Z2")
	p("\tVMOVUPS Z2, (DI)")
	p("\tADDQ $64, SI")
	p("\tADDQ $64, DI")
	p("\tDECQ CX")
	p("\tJNE tanhz_loop")
	p("tanhz_done:")
	p("\tVZEROUPPER")
	p("\tRET")
}

func main() {
	w.WriteString("// Code generated by gen_simd.go; DO NOT EDIT.\n\n#include \"textflag.h\"\n\n")
	binary()
	rows()
	rowSums()
	tanh()
	p("")
	tanhZ()
	if err := os.WriteFile("simd_amd64.s", []byte(w.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
