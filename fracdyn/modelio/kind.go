package modelio

import (
	"fmt"
	"math"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// Kind says what a weight tensor is and whether it is segmented.
type Kind int

const (
	Dense     Kind = iota // [out,in] fully connected weight
	Conv                  // [out,in,kh,kw] 2-D convolution kernel
	Conv1D                // [out,in,k] 1-D convolution kernel
	Embedding             // [vocab,dim] lookup table (name says "embed", "wte", "wpe", "tok")
	Norm                  // 1-D scale/shift/statistics of a normalisation layer
	Bias                  // 1-D additive bias
	Skipped               // anything else: integer buffers, gradients, scalars, rank ≥ 5
)

var kindNames = [...]string{"dense", "conv", "conv1d", "embedding", "norm", "bias", "skipped"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Segmented reports whether tensors of kind k are cut into matrices.
func (k Kind) Segmented() bool { return k == Dense || k == Conv || k == Conv1D || k == Embedding }

// Mapping says how a tensor is read as 2-D matrices: Count matrices of
// Rows×Cols each, matrix j being the contiguous row-major elements
// [j·Rows·Cols, (j+1)·Rows·Cols) of the tensor in its stored order.
// Count is 0 for kinds that are not segmented.
type Mapping struct {
	Count, Rows, Cols int
}

func (m Mapping) String() string {
	switch m.Count {
	case 0:
		return "-"
	case 1:
		return fmt.Sprintf("%d×%d", m.Rows, m.Cols)
	}
	return fmt.Sprintf("%d × (%d×%d)", m.Count, m.Rows, m.Cols)
}

// Scales returns the segment sizes r valid for the mapping's matrices
// (fractal.ValidScales); empty when the matrices are too small to cut.
func (m Mapping) Scales() []int {
	if m.Count == 0 {
		return nil
	}
	return fractal.ValidScales(m.Rows, m.Cols)
}

// TensorInfo describes one stored tensor without its values.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int
	Kind  Kind
	// Matrices is how the tensor maps to 2-D matrices for segmentation.
	Matrices Mapping
	// Why says, for skipped tensors and unusual mappings, the rule that
	// applied ("integer dtype", "1×1 convolution read as dense", ...).
	Why string
}

// Elements returns the number of elements, the product of the shape.
func (t TensorInfo) Elements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Eligible reports whether the tensor is segmented and its matrices admit at
// least one valid scale.
func (t TensorInfo) Eligible() bool { return len(t.Matrices.Scales()) > 0 }

// Classify sets t.Kind, t.Matrices and t.Why from t's name, dtype and shape
// by the rules in the package documentation.
func Classify(t *TensorInfo) {
	t.Kind, t.Matrices, t.Why = classify(t.Name, t.DType, t.Shape)
}

func classify(name string, dt DType, shape []int) (Kind, Mapping, string) {
	lname := strings.ToLower(name)
	if strings.HasSuffix(lname, ".grad") || strings.HasSuffix(lname, "_grad") {
		return Skipped, Mapping{}, "gradient, not a weight"
	}
	if !dt.Float() {
		return Skipped, Mapping{}, fmt.Sprintf("%s dtype, not a weight", dt)
	}
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt/8/d) {
			return Skipped, Mapping{}, fmt.Sprintf("bad shape %v", shape)
		}
		if d == 0 {
			return Skipped, Mapping{}, "empty tensor"
		}
		n *= d
	}
	switch len(shape) {
	case 0:
		return Skipped, Mapping{}, "scalar"
	case 1:
		if isNormName(lname) {
			return Norm, Mapping{}, ""
		}
		if strings.Contains(lname, "bias") || strings.HasSuffix(lname, ".b") {
			return Bias, Mapping{}, ""
		}
		return Bias, Mapping{}, "1-D tensor taken as a bias"
	case 2:
		if isEmbeddingName(lname) {
			return Embedding, Mapping{1, shape[0], shape[1]}, ""
		}
		return Dense, Mapping{1, shape[0], shape[1]}, ""
	case 3:
		if shape[2] == 1 {
			return Conv1D, Mapping{1, shape[0], shape[1]}, "kernel width 1 read as dense out×in"
		}
		return Conv1D, Mapping{1, shape[0], shape[1] * shape[2]}, "read as out×(in·k)"
	case 4:
		if shape[2]*shape[3] == 1 {
			return Conv, Mapping{1, shape[0], shape[1]}, "1×1 convolution read as dense out×in"
		}
		return Conv, Mapping{shape[0] * shape[1], shape[2], shape[3]}, ""
	}
	return Skipped, Mapping{}, fmt.Sprintf("rank %d not mapped", len(shape))
}

func isNormName(lname string) bool {
	for _, s := range []string{"norm", "ln_", "ln.", ".ln", "bn", "running_mean", "running_var", "layer_norm", "gamma", "beta"} {
		if strings.Contains(lname, s) {
			return true
		}
	}
	return false
}

func isEmbeddingName(lname string) bool {
	for _, s := range []string{"embed", "wte", "wpe", "tok_emb", "pos_emb"} {
		if strings.Contains(lname, s) {
			return true
		}
	}
	return false
}
