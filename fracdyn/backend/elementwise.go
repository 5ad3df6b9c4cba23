package backend

import (
	"math"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

var stockSign executor

// installSignKernel replaces simplego's float32 Sign, whose three-way
// branch mispredicts on every other element of signed data (GoMLX's
// max-pool and ReLU gradients take Sign of differences), with a
// branch-free loop giving the same values (0 for ±0 and NaN).
func installSignKernel() {
	if stockSign = simplegoExecutors[backends.OpTypeSign]; stockSign != nil {
		simplegoExecutors[backends.OpTypeSign] = execSign
	}
}

func execSign(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	xs, x, ok := float32Data(backend, inputs[0])
	if !ok {
		return stockSign(backend, node, inputs, owned)
	}
	buf := backend.NewBuffer(xs)
	_, dst, _ := float32Data(backend, buf)
	signs(dst, x)
	return buf, nil
}

// signs sets dst[i] = sign(x[i]): 1, -1, or 0 for zeros and NaN, with
// integer arithmetic only (no branches to mispredict).
func signs(dst, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		bits := math.Float32bits(v)
		a := int32(bits & 0x7fff_ffff)        // |v| as bits: 0 for ±0, > 0x7f800000 for NaN.
		nonzero := -a >> 31                   // -1 if a ≥ 1.
		notNaN := (a - 0x7f80_0001) >> 31     // -1 if a ≤ +Inf.
		one := bits&0x8000_0000 | 0x3f80_0000 // ±1 with v's sign bit.
		dst[i] = math.Float32frombits(one & uint32(nonzero&notNaN))
	}
}

var stockWhere executor

// installWhereKernel replaces simplego's float32 Where for a condition of
// the output's shape with a loop free of data-dependent branches (ReLU and
// its gradient are Wheres on random signs, where a branch mispredicts
// every other element).
func installWhereKernel() {
	if stockWhere = simplegoExecutors[backends.OpTypeWhere]; stockWhere != nil {
		simplegoExecutors[backends.OpTypeWhere] = execWhere
	}
}

func execWhere(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	cs, err := backend.BufferShape(inputs[0])
	ts, t, ok1 := float32Data(backend, inputs[1])
	fs, f, ok2 := float32Data(backend, inputs[2])
	if err != nil || !ok1 || !ok2 {
		return stockWhere(backend, node, inputs, owned)
	}
	condAny, err := backend.BufferData(inputs[0])
	cond, ok := condAny.([]bool)
	n := len(cond)
	if err != nil || !ok || cs.IsScalar() || (len(t) != n && len(t) != 1) || (len(f) != n && len(f) != 1) {
		return stockWhere(backend, node, inputs, owned)
	}
	outShape := ts
	if len(t) == 1 {
		outShape = fs
	}
	if outShape.Size() != n {
		outShape = cs.Clone()
		outShape.DType = dtypes.Float32
	}
	buf := backend.NewBuffer(outShape)
	_, dst, _ := float32Data(backend, buf)
	selectFloat32(dst, cond, t, f)
	return buf, nil
}

// selectFloat32 sets dst[i] = t[i] if cond[i], else f[i]; t or f of length
// 1 stands for a constant. The choice is made with bit masks: Go compiles
// "if c { v = t[i] }" to a branch, which random conditions mispredict.
func selectFloat32(dst []float32, cond []bool, t, f []float32) {
	n := len(cond)
	if n == 0 {
		return
	}
	dst = dst[:n]
	// A Go bool is one byte holding 0 or 1.
	c := unsafe.Slice((*uint8)(unsafe.Pointer(&cond[0])), n)
	st, sf := 1, 1
	if len(t) == 1 {
		st = 0
	}
	if len(f) == 1 {
		sf = 0
	}
	for i, ci := range c {
		m := -uint32(ci) // All ones where cond.
		tb, fb := math.Float32bits(t[i*st]), math.Float32bits(f[i*sf])
		dst[i] = math.Float32frombits(tb&m | fb&^m)
	}
}
