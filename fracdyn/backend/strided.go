package backend

import (
	"math"
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Strided elementwise kernels. simplego v0.26.0 walks broadcasting binary
// ops, BroadcastInDim and reductions one element at a time through index
// iterators, several times slower than a plain loop; max-pooling's gradient
// is made of exactly those ops. These kernels merge the axes that can be
// traversed as one, then run plain loops over the last two.

// strided is a traversal of an index space dims by several arrays, array k
// reading (or writing) element idx at Σ idx[a]·strides[k][a]; a stride of 0
// repeats an element (broadcast) or accumulates into it (reduction).
type strided struct {
	dims    []int
	strides [][]int
}

// rowMajor returns the strides of a row-major array of dims.
func rowMajor(dims []int) []int {
	s := make([]int, len(dims))
	p := 1
	for a := len(dims) - 1; a >= 0; a-- {
		s[a] = p
		p *= dims[a]
	}
	return s
}

// simplify drops unit axes and merges neighbours every array walks as one
// axis, leaving at least two axes (leading ones of size 1 if needed).
func (s *strided) simplify() {
	var dims []int
	strides := make([][]int, len(s.strides))
	for a, d := range s.dims {
		if d == 1 {
			continue
		}
		if n := len(dims); n > 0 {
			mergeable := true
			for k := range s.strides {
				if strides[k][n-1] != s.strides[k][a]*d {
					mergeable = false
					break
				}
			}
			if mergeable {
				dims[n-1] *= d
				for k := range s.strides {
					strides[k][n-1] = s.strides[k][a]
				}
				continue
			}
		}
		dims = append(dims, d)
		for k := range s.strides {
			strides[k] = append(strides[k], s.strides[k][a])
		}
	}
	for len(dims) < 2 {
		dims = append([]int{1}, dims...)
		for k := range strides {
			strides[k] = append([]int{0}, strides[k]...)
		}
	}
	s.dims, s.strides = dims, strides
}

// blocks calls fn with the offsets of every array at the start of each
// block spanned by the last two axes.
func (s *strided) blocks(fn func(offs []int)) {
	r := len(s.dims)
	outer := s.dims[:r-2]
	idx := make([]int, len(outer))
	offs := make([]int, len(s.strides))
	for {
		fn(offs)
		a := len(outer) - 1
		for ; a >= 0; a-- {
			idx[a]++
			for k := range offs {
				offs[k] += s.strides[k][a]
			}
			if idx[a] < outer[a] {
				break
			}
			for k := range offs {
				offs[k] -= s.strides[k][a] * outer[a]
			}
			idx[a] = 0
		}
		if a < 0 {
			return
		}
	}
}

// binaryOps are the float32 binary ops with a strided kernel.
var binaryOps = []backends.OpType{backends.OpTypeAdd, backends.OpTypeSub, backends.OpTypeMul,
	backends.OpTypeDiv, backends.OpTypeMax, backends.OpTypeMin}

// stridedBinary sets dst = a op b over s (arrays dst, a, b; dst
// contiguous along the last axis).
func stridedBinary(op backends.OpType, dst, a, b []float32, s *strided) {
	r := len(s.dims)
	n1, n0 := s.dims[r-2], s.dims[r-1]
	sd1 := s.strides[0][r-2]
	sa1, sa0 := s.strides[1][r-2], s.strides[1][r-1]
	sb1, sb0 := s.strides[2][r-2], s.strides[2][r-1]
	s.blocks(func(offs []int) {
		// Short rows against one value per row: one call for all rows.
		if n0 < 256 && ((sa0 == 1 && sb0 == 0) || (sa0 == 0 && sb0 == 1)) {
			d := dst[offs[0]:]
			if sb0 == 0 && vecRows(op, d, a[offs[1]:], b[offs[2]:], n1, n0, sd1, sa1, sb1, true) {
				return
			}
			if sa0 == 0 && vecRows(op, d, b[offs[2]:], a[offs[1]:], n1, n0, sd1, sb1, sa1, false) {
				return
			}
		}
		for i := range n1 {
			d := dst[offs[0]+i*sd1:][:n0]
			ai, bi := offs[1]+i*sa1, offs[2]+i*sb1
			if vecBinary(op, d, a[ai:], b[bi:], sa0, sb0) {
				continue
			}
			switch op {
			case backends.OpTypeAdd:
				for j := range d {
					d[j] = a[ai+j*sa0] + b[bi+j*sb0]
				}
			case backends.OpTypeSub:
				for j := range d {
					d[j] = a[ai+j*sa0] - b[bi+j*sb0]
				}
			case backends.OpTypeMul:
				for j := range d {
					d[j] = a[ai+j*sa0] * b[bi+j*sb0]
				}
			case backends.OpTypeDiv:
				for j := range d {
					d[j] = a[ai+j*sa0] / b[bi+j*sb0]
				}
			case backends.OpTypeMax:
				for j := range d {
					d[j] = max(a[ai+j*sa0], b[bi+j*sb0])
				}
			case backends.OpTypeMin:
				for j := range d {
					d[j] = min(a[ai+j*sa0], b[bi+j*sb0])
				}
			}
		}
	})
}

// stridedReduce folds a into dst over s (arrays dst, a; dst strides 0 on
// the reduced axes), dst starting at the identity of op.
func stridedReduce(op backends.OpType, dst, a []float32, s *strided) {
	init := float32(0)
	if op == backends.OpTypeReduceMax {
		init = float32(math.Inf(-1))
	}
	for i := range dst {
		dst[i] = init
	}
	r := len(s.dims)
	n1, n0 := s.dims[r-2], s.dims[r-1]
	sd1, sd0 := s.strides[0][r-2], s.strides[0][r-1]
	sa1, sa0 := s.strides[1][r-2], s.strides[1][r-1]
	s.blocks(func(offs []int) {
		if op == backends.OpTypeReduceSum && sd0 == 0 && sa0 == 1 &&
			vecRowSums(dst[offs[0]:], a[offs[1]:], n1, n0, sd1, sa1) {
			return
		}
		for i := range n1 {
			di, ai := offs[0]+i*sd1, offs[1]+i*sa1
			if op == backends.OpTypeReduceSum && sd0 == 1 && sa0 == 1 {
				if d := dst[di : di+n0]; vecBinary(backends.OpTypeAdd, d, d, a[ai:], 1, 1) {
					continue
				}
			}
			if op == backends.OpTypeReduceMax {
				for j := range n0 {
					dst[di+j*sd0] = max(dst[di+j*sd0], a[ai+j*sa0])
				}
			} else {
				for j := range n0 {
					dst[di+j*sd0] += a[ai+j*sa0]
				}
			}
		}
	})
}

// stridedCopy sets dst = a over s (dst contiguous along the last axis).
func stridedCopy(dst, a []float32, s *strided) {
	r := len(s.dims)
	n1, n0 := s.dims[r-2], s.dims[r-1]
	sd1 := s.strides[0][r-2]
	sa1, sa0 := s.strides[1][r-2], s.strides[1][r-1]
	s.blocks(func(offs []int) {
		for i := range n1 {
			d := dst[offs[0]+i*sd1:][:n0]
			ai := offs[1] + i*sa1
			if sa0 == 1 {
				copy(d, a[ai:ai+n0])
				continue
			}
			for j := range d {
				d[j] = a[ai+j*sa0]
			}
		}
	})
}

var (
	stockBinary         = map[backends.OpType]executor{}
	stockBroadcastInDim executor
	stockReduce         = map[backends.OpType]executor{}
)

// installStridedKernels replaces simplego's executors for float32
// broadcasting binary ops, BroadcastInDim of non-scalars, ReduceMax and
// ReduceSum; same-shape and scalar binary ops keep simplego's plain loops.
func installStridedKernels() {
	for _, op := range binaryOps {
		if stock := simplegoExecutors[op]; stock != nil {
			stockBinary[op] = stock
			simplegoExecutors[op] = execBinary
		}
	}
	if stock := simplegoExecutors[backends.OpTypeBroadcastInDim]; stock != nil {
		stockBroadcastInDim = stock
		simplegoExecutors[backends.OpTypeBroadcastInDim] = execBroadcastInDim
	}
	for _, op := range []backends.OpType{backends.OpTypeReduceMax, backends.OpTypeReduceSum} {
		if stock := simplegoExecutors[op]; stock != nil {
			stockReduce[op] = stock
			simplegoExecutors[op] = execReduce
		}
	}
}

// opType reads a simplego node's op type (unexported field, read-only).
func opType(node *simplego.Node) (op backends.OpType, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f := reflect.ValueOf(node).Elem().FieldByName("opType")
	if !f.IsValid() || !f.CanInt() {
		return 0, false
	}
	return backends.OpType(f.Int()), true
}

// nodeInts reads a simplego node's data when it is an []int (the axes of
// BroadcastInDim and of reductions in v0.26.0).
func nodeInts(node *simplego.Node) ([]int, bool) {
	v, ok := simplegoNodeData(node)
	if !ok {
		return nil, false
	}
	return intsOf(v)
}

func float32Data(backend *simplego.Backend, buf *simplego.Buffer) (shapes.Shape, []float32, bool) {
	shape, err := backend.BufferShape(buf)
	if err != nil || shape.DType != dtypes.Float32 {
		return shape, nil, false
	}
	data, err := backend.BufferData(buf)
	if err != nil {
		return shape, nil, false
	}
	f, ok := data.([]float32)
	return shape, f, ok
}

// broadcastStrides returns the strides to read an array of dims (same rank
// as out, each dim equal or 1) as if it had dims out.
func broadcastStrides(dims, out []int) []int {
	s := rowMajor(dims)
	for a := range s {
		if dims[a] == 1 && out[a] != 1 {
			s[a] = 0
		}
	}
	return s
}

func execBinary(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	op, ok := opType(node)
	stock := stockBinary[op]
	if !ok || stock == nil {
		return nil, errUnknownOp(op)
	}
	ls, l, ok1 := float32Data(backend, inputs[0])
	rs, r, ok2 := float32Data(backend, inputs[1])
	if !ok1 || !ok2 {
		return stock(backend, node, inputs, owned)
	}
	if buf, ok := execFlatBinary(backend, op, inputs, owned, ls, rs, l, r); ok {
		return buf, nil
	}
	if ls.Rank() != rs.Rank() || ls.Size() == 1 || rs.Size() == 1 || ls.Equal(rs) {
		return stock(backend, node, inputs, owned)
	}
	out := make([]int, ls.Rank())
	for a := range out {
		out[a] = max(ls.Dimensions[a], rs.Dimensions[a])
		if (ls.Dimensions[a] != out[a] && ls.Dimensions[a] != 1) || (rs.Dimensions[a] != out[a] && rs.Dimensions[a] != 1) {
			return stock(backend, node, inputs, owned)
		}
	}
	buf := outputBuffer(backend, inputs, owned, shapes.Make(dtypes.Float32, out...))
	_, dst, _ := float32Data(backend, buf)
	s := &strided{dims: out, strides: [][]int{rowMajor(out), broadcastStrides(ls.Dimensions, out), broadcastStrides(rs.Dimensions, out)}}
	s.simplify()
	stridedBinary(op, dst, l, r, s)
	return buf, nil
}

// outputBuffer returns a buffer for the output of an elementwise op:
// an input of the output's shape that the op owns (this being its last
// use), as simplego's own kernels reuse them, else a new one. Writing the
// output over that input is safe because each output element depends only
// on the input element at the same index.
func outputBuffer(backend *simplego.Backend, inputs []*simplego.Buffer, owned []bool, shape shapes.Shape) *simplego.Buffer {
	for i, in := range inputs {
		if !owned[i] || in == nil {
			continue
		}
		if s, err := backend.BufferShape(in); err == nil && s.Equal(shape) {
			inputs[i] = nil
			return in
		}
	}
	return backend.NewBuffer(shape)
}

// execFlatBinary runs a float32 Add, Sub, Mul or Div of two arrays of the
// same shape, or of an array and a single value, with the vector loops;
// ok is false for anything else.
func execFlatBinary(backend *simplego.Backend, op backends.OpType, inputs []*simplego.Buffer, owned []bool,
	ls, rs shapes.Shape, l, r []float32) (buf *simplego.Buffer, ok bool) {
	if !useAVX2 || vecOp(op) < 0 {
		return nil, false
	}
	var out shapes.Shape
	sa, sb := 1, 1
	switch {
	case ls.Equal(rs):
		out = ls
	case rs.Size() == 1 && ls.Size() > 1 && (rs.Rank() == 0 || rs.Rank() == ls.Rank()):
		out, sb = ls, 0
	case ls.Size() == 1 && rs.Size() > 1 && (ls.Rank() == 0 || ls.Rank() == rs.Rank()):
		out, sa = rs, 0
	default:
		return nil, false
	}
	if out.Size() == 0 {
		return nil, false
	}
	buf = outputBuffer(backend, inputs, owned, out)
	_, dst, _ := float32Data(backend, buf)
	if !vecBinary(op, dst, l, r, sa, sb) {
		panic("fracdyn/backend: vector loop refused an elementwise op it was chosen for")
	}
	return buf, true
}

func execBroadcastInDim(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	xs, x, ok := float32Data(backend, inputs[0])
	axes, ok2 := nodeInts(node)
	outShape, ok3 := broadcastOutputShape(node)
	if !ok || !ok2 || !ok3 || xs.Size() == 1 || len(axes) != xs.Rank() {
		return stockBroadcastInDim(backend, node, inputs, owned)
	}
	out := outShape.Dimensions
	xStrides := rowMajor(xs.Dimensions)
	strides := make([]int, len(out))
	for i, a := range axes {
		if xs.Dimensions[i] == out[a] {
			strides[a] = xStrides[i]
		} else if xs.Dimensions[i] != 1 {
			return stockBroadcastInDim(backend, node, inputs, owned)
		}
	}
	buf := backend.NewBuffer(outShape)
	_, dst, _ := float32Data(backend, buf)
	s := &strided{dims: out, strides: [][]int{rowMajor(out), strides}}
	s.simplify()
	stridedCopy(dst, x, s)
	return buf, nil
}

// broadcastOutputShape reads the output shape of a node (unexported field
// "shape" in v0.26.0) as DType and dimensions.
func broadcastOutputShape(node *simplego.Node) (shape shapes.Shape, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	f := reflect.ValueOf(node).Elem().FieldByName("shape")
	if !f.IsValid() {
		return shape, false
	}
	dt := f.FieldByName("DType")
	dims := f.FieldByName("Dimensions")
	if !dt.IsValid() || !dims.IsValid() || dims.Kind() != reflect.Slice {
		return shape, false
	}
	d := make([]int, dims.Len())
	for i := range d {
		d[i] = int(dims.Index(i).Int())
	}
	return shapes.Make(dtypes.DType(dt.Int()), d...), true
}

func execReduce(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	op, ok := opType(node)
	stock := stockReduce[op]
	if !ok || stock == nil {
		return nil, errUnknownOp(op)
	}
	xs, x, ok1 := float32Data(backend, inputs[0])
	axes, ok2 := nodeInts(node)
	if !ok1 || !ok2 || len(axes) == 0 {
		return stock(backend, node, inputs, owned)
	}
	reduced := make([]bool, xs.Rank())
	for _, a := range axes {
		if a < 0 || a >= xs.Rank() {
			return stock(backend, node, inputs, owned)
		}
		reduced[a] = true
	}
	var outDims []int
	for a, d := range xs.Dimensions {
		if !reduced[a] {
			outDims = append(outDims, d)
		}
	}
	outStrides := rowMajor(outDims)
	dstStrides := make([]int, xs.Rank())
	o := 0
	for a := range xs.Dimensions {
		if !reduced[a] {
			dstStrides[a] = outStrides[o]
			o++
		}
	}
	buf := backend.NewBuffer(shapes.Make(dtypes.Float32, outDims...))
	_, dst, _ := float32Data(backend, buf)
	s := &strided{dims: xs.Dimensions, strides: [][]int{dstStrides, rowMajor(xs.Dimensions)}}
	s.simplify()
	stridedReduce(op, dst, x, s)
	return buf, nil
}

func errUnknownOp(op backends.OpType) error {
	return &unknownOpError{op}
}

type unknownOpError struct{ op backends.OpType }

func (e *unknownOpError) Error() string {
	return "fracdyn/backend: no simplego executor for " + e.op.String()
}
