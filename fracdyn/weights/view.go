package weights

import (
	"fmt"
	"strings"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// ConvView selects how a convolution kernel is read as matrices.
type ConvView int

const (
	// PerKernel is the paper's view and the default: a kernel
	// [out,in,kh,kw] is out·in matrices of kh×kw, matrix k·in+c being the
	// kernel from input channel c to output channel k.
	PerKernel ConvView = iota
	// Unfolded is one out×(in·kh·kw) matrix, the matrix an im2col
	// convolution multiplies by.
	Unfolded
)

// String returns "kernel" or "unfolded", the values of --conv-view.
func (v ConvView) String() string {
	switch v {
	case PerKernel:
		return "kernel"
	case Unfolded:
		return "unfolded"
	}
	return fmt.Sprintf("ConvView(%d)", int(v))
}

// ParseConvView reads "kernel" (also "per-kernel") or "unfolded".
func ParseConvView(s string) (ConvView, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "kernel", "per-kernel", "perkernel", "":
		return PerKernel, nil
	case "unfolded", "unfold":
		return Unfolded, nil
	}
	return 0, fmt.Errorf("unknown conv view %q (want kernel or unfolded)", s)
}

// View is how one canonical tensor is read as 2-D matrices: Count matrices
// of Rows×Cols, matrix j being the contiguous row-major elements
// [j·Rows·Cols, (j+1)·Rows·Cols) of the canonical tensor. Count is 0 for
// kinds that are not segmented.
type View struct {
	// Shape is the shape handed to fractal (LayerSegments, MatrixViews):
	// [out,in,kh,kw] for per-kernel convolutions, [rows,cols] otherwise.
	Shape []int
	fractal.MatrixView
	// Why names the rule that applied where it is not the plain one
	// ("1×1 convolution read as dense out×in", ...).
	Why string
}

// ViewOf returns how a tensor of kind with the canonical shape is read as
// matrices:
//
//	dense, embedding [a,b]          one a×b matrix
//	conv [out,in,kh,kw], PerKernel  out·in matrices kh×kw (1×1: one out×in)
//	conv [out,in,kh,kw], Unfolded   one out×(in·kh·kw) matrix
//	conv1d [out,in,k]               one out×(in·k) matrix in either view
//	                                (per-kernel 1×k rows admit no r×r segment)
//	norm, bias, skipped             no matrices (Count 0)
//
// A shape whose rank does not fit kind, or with a dimension < 1, is an error.
func ViewOf(kind Kind, canonical []int, cv ConvView) (View, error) {
	if !kind.Segmented() {
		return View{}, nil
	}
	if len(canonical) != kind.Rank() {
		return View{}, fmt.Errorf("%v weight with shape %v: want rank %d", kind, canonical, kind.Rank())
	}
	for _, d := range canonical {
		if d < 1 {
			return View{}, fmt.Errorf("%v weight with shape %v has an empty dimension", kind, canonical)
		}
	}
	dense := func(rows, cols int, why string) View {
		return View{Shape: []int{rows, cols}, MatrixView: fractal.MatrixView{Count: 1, Rows: rows, Cols: cols}, Why: why}
	}
	s := canonical
	switch kind {
	case Conv1D:
		if s[2] == 1 {
			return dense(s[0], s[1], "kernel width 1 read as dense out×in"), nil
		}
		return dense(s[0], s[1]*s[2], "read as out×(in·k)"), nil
	case Conv:
		if s[2]*s[3] == 1 {
			return dense(s[0], s[1], "1×1 convolution read as dense out×in"), nil
		}
		if cv == Unfolded {
			return dense(s[0], s[1]*s[2]*s[3], "unfolded to out×(in·kh·kw)"), nil
		}
		return View{Shape: append([]int(nil), s...),
			MatrixView: fractal.MatrixView{Count: s[0] * s[1], Rows: s[2], Cols: s[3], Conv: true}}, nil
	}
	return dense(s[0], s[1], ""), nil
}

// String writes "-" (no matrices), "rows×cols" or "count × (rows×cols)".
func (v View) String() string {
	switch v.Count {
	case 0:
		return "-"
	case 1:
		return fmt.Sprintf("%d×%d", v.Rows, v.Cols)
	}
	return fmt.Sprintf("%d × (%d×%d)", v.Count, v.Rows, v.Cols)
}

// Scales returns the segment sizes r valid for the view's matrices
// (fractal.ValidScales); empty when they are too small to cut.
func (v View) Scales() []int {
	if v.Count == 0 {
		return nil
	}
	return fractal.ValidScales(v.Rows, v.Cols)
}

// matrixBufs holds Matrices' buffers (*[]float64): a layer's matrix of
// millions of values, or the blocks of its null draws, widened once per
// call would otherwise be fresh memory every time.
var matrixBufs sync.Pool

// Matrices calls fn for each matrix of the canonical tensor data, passing
// its index and its values widened to float64 in a buffer reused across
// calls (and across Matrices calls: fn must not keep it). It returns fn's
// first error.
func (v View) Matrices(data []float32, fn func(j int, w []float64) error) error {
	size := v.Rows * v.Cols
	if v.Count*size != len(data) {
		return fmt.Errorf("view %v needs %d values, have %d", v, v.Count*size, len(data))
	}
	p, ok := matrixBufs.Get().(*[]float64)
	if !ok || cap(*p) < size {
		b := make([]float64, size)
		p = &b
	}
	defer matrixBufs.Put(p)
	buf := (*p)[:size]
	for j := 0; j < v.Count; j++ {
		for i, x := range data[j*size : (j+1)*size] {
			buf[i] = float64(x)
		}
		if err := fn(j, buf); err != nil {
			return err
		}
	}
	return nil
}
