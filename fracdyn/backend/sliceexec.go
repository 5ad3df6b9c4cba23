package backend

import (
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// stockSlice is simplego's Slice executor, which copies element by element
// through an index iterator; execSlice copies whole contiguous runs.
var stockSlice executor

// installSliceKernel replaces simplego's Slice executor for float32 slices
// with unit stride on the last axis (im2col's shifted views and their
// gradients are all such slices).
func installSliceKernel() {
	stockSlice = simplegoExecutors[backends.OpTypeSlice]
	if stockSlice == nil {
		return
	}
	simplegoExecutors[backends.OpTypeSlice] = execSlice
}

// sliceParams are a Slice node's starts and strides.
type sliceParams struct{ starts, limits, strides []int }

func readSliceParams(node *simplego.Node) (p sliceParams, ok bool) {
	v, ok := simplegoNodeData(node)
	if !ok {
		return p, false
	}
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	var ok1, ok2, ok3 bool
	p.starts, ok1 = intsField(v, "starts")
	p.limits, ok2 = intsField(v, "limits")
	p.strides, ok3 = intsField(v, "strides")
	return p, ok1 && ok2 && ok3
}

// intsField reads the []int field name of struct v.
func intsField(v reflect.Value, name string) ([]int, bool) {
	if v.Kind() != reflect.Struct {
		return nil, false
	}
	return intsOf(v.FieldByName(name))
}

// intsOf copies v, an []int, to a new []int; ok is false for anything else.
func intsOf(v reflect.Value) ([]int, bool) {
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Int {
		return nil, false
	}
	out := make([]int, v.Len())
	for i := range out {
		out[i] = int(v.Index(i).Int())
	}
	return out, true
}

func execSlice(backend *simplego.Backend, node *simplego.Node, inputs []*simplego.Buffer, owned []bool) (*simplego.Buffer, error) {
	shape, err := backend.BufferShape(inputs[0])
	if err != nil || shape.DType != dtypes.Float32 || shape.Rank() == 0 {
		return stockSlice(backend, node, inputs, owned)
	}
	p, ok := readSliceParams(node)
	rank := shape.Rank()
	if !ok || len(p.starts) != rank || len(p.limits) != rank || len(p.strides) != rank || p.strides[rank-1] != 1 {
		return stockSlice(backend, node, inputs, owned)
	}
	outDims := make([]int, rank)
	for a := range rank {
		outDims[a] = (p.limits[a] - p.starts[a] + p.strides[a] - 1) / p.strides[a]
	}
	srcAny, _ := backend.BufferData(inputs[0])
	out := backend.NewBuffer(shapes.Make(dtypes.Float32, outDims...))
	dstAny, _ := backend.BufferData(out)
	sliceCopy(dstAny.([]float32), srcAny.([]float32), shape.Dimensions, outDims, p.starts, p.strides)
	return out, nil
}

// sliceCopy copies the slice of src (row-major, dims) starting at starts
// with strides (the last one 1) into dst (outDims), one contiguous run at
// a time: the trailing axes taken whole merge into the run.
func sliceCopy(dst, src []float32, dims, outDims, starts, strides []int) {
	rank := len(dims)
	srcStrides := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		srcStrides[a] = s
		s *= dims[a]
	}
	// Merge trailing axes copied whole into one run.
	run, last := outDims[rank-1], rank-1
	for last > 0 && outDims[last] == dims[last] && strides[last-1] == 1 {
		last--
		run *= outDims[last]
	}
	base := 0
	for a := range rank {
		base += starts[a] * srcStrides[a]
	}
	if len(dst) == 0 {
		return
	}
	idx := make([]int, last) // Odometer over axes [0, last).
	for d := 0; d < len(dst); d += run {
		off := base
		for a, i := range idx {
			off += i * strides[a] * srcStrides[a]
		}
		copy(dst[d:d+run], src[off:off+run])
		for a := last - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < outDims[a] {
				break
			}
			idx[a] = 0
		}
	}
}
