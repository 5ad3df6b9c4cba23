package modelio

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gomlx/onnx-gomlx/onnx"
)

// ONNX TensorProto data types (onnx.proto's TensorProto.DataType).
var onnxDTypes = map[int32]DType{
	1: Float32, 2: Uint8, 3: Int8, 5: Int16, 6: Int32, 7: Int64, 9: Bool,
	10: Float16, 11: Float64, 16: BFloat16,
	4: "uint16", 8: "string", 12: "uint32", 13: "uint64",
}

// onnxReader lists and decodes the initializers of an ONNX model. The whole
// protobuf is held in memory (protobuf cannot be read piecewise); decoding
// one tensor adds only that tensor.
type onnxReader struct {
	path   string
	model  *onnx.Model
	infos  []TensorInfo
	byName map[string]int
}

func openONNX(path string) (r *onnxReader, err error) {
	defer func() {
		// onnx-gomlx panics on some malformed inputs; report them as errors.
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%s: reading ONNX model: %v", path, p)
		}
	}()
	m, err := onnx.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Proto.Graph == nil {
		return nil, fmt.Errorf("%s: ONNX model has no graph", path)
	}
	r = &onnxReader{path: path, model: m, byName: map[string]int{}}
	inOut := inOutWeights(m)
	for i, t := range m.Proto.Graph.Initializer {
		dt, ok := onnxDTypes[t.DataType]
		if !ok {
			dt = DType(fmt.Sprintf("onnx-type-%d", t.DataType))
		}
		shape := make([]int, len(t.Dims))
		for j, d := range t.Dims {
			shape[j] = int(d)
		}
		info := TensorInfo{Name: t.Name, DType: dt, Shape: shape}
		Classify(&info)
		if inOut[t.Name] && info.Kind == Dense {
			info.Why = "stored [in,out] by MatMul/Gemm transB=0; read as stored"
		}
		if t.DataLocation == 1 && info.Kind != Skipped {
			info.Kind, info.Matrices, info.Why = Skipped, Mapping{}, "external data not supported"
		}
		r.infos = append(r.infos, info)
		r.byName[t.Name] = i
	}
	return r, nil
}

// inOutWeights returns the initializers used as the right operand of a
// MatMul, or of a Gemm without transB: weights stored [in,out].
func inOutWeights(m *onnx.Model) map[string]bool {
	out := map[string]bool{}
	for _, n := range m.Proto.Graph.Node {
		if len(n.Input) < 2 {
			continue
		}
		switch n.OpType {
		case "MatMul":
			out[n.Input[1]] = true
		case "Gemm":
			transB := false
			for _, a := range n.Attribute {
				if a.Name == "transB" && a.I != 0 {
					transB = true
				}
			}
			if !transB {
				out[n.Input[1]] = true
			}
		}
	}
	return out
}

func (r *onnxReader) tensors() []TensorInfo { return append([]TensorInfo(nil), r.infos...) }

func (r *onnxReader) readFloat32(name string) ([]float32, error) {
	i, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("%s: no initializer %q", r.path, name)
	}
	t := r.model.Proto.Graph.Initializer[i]
	info := r.infos[i]
	if t.DataLocation == 1 {
		return nil, fmt.Errorf("%s: initializer %q keeps its data in an external file, which is not supported", r.path, name)
	}
	n := info.Elements()
	out := make([]float32, n)
	if len(t.RawData) > 0 {
		es := info.DType.Size()
		if es == 0 {
			return nil, fmt.Errorf("%s: initializer %q: dtype %s is not decoded", r.path, name, info.DType)
		}
		if len(t.RawData) != n*es {
			return nil, fmt.Errorf("%s: initializer %q: shape %v needs %d bytes of %s, raw_data has %d", r.path, name, info.Shape, n*es, info.DType, len(t.RawData))
		}
		if err := decodeFloat32(out, t.RawData, info.DType); err != nil {
			return nil, fmt.Errorf("%s: initializer %q: %w", r.path, name, err)
		}
		return out, nil
	}
	have := 0
	switch info.DType {
	case Float32:
		have = copy(out, t.FloatData)
		have = max(have, len(t.FloatData))
	case Float64:
		for j := 0; j < min(n, len(t.DoubleData)); j++ {
			out[j] = float32(t.DoubleData[j])
		}
		have = len(t.DoubleData)
	case Int64:
		for j := 0; j < min(n, len(t.Int64Data)); j++ {
			out[j] = float32(t.Int64Data[j])
		}
		have = len(t.Int64Data)
	case Int32, Int16, Int8, Uint8, Bool:
		for j := 0; j < min(n, len(t.Int32Data)); j++ {
			out[j] = float32(t.Int32Data[j])
		}
		have = len(t.Int32Data)
	case Float16, BFloat16:
		// Stored as bit patterns in int32_data.
		var b [2]byte
		for j := 0; j < min(n, len(t.Int32Data)); j++ {
			binary.LittleEndian.PutUint16(b[:], uint16(t.Int32Data[j]))
			if info.DType == Float16 {
				out[j] = halfToFloat32(binary.LittleEndian.Uint16(b[:]))
			} else {
				out[j] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[:])) << 16)
			}
		}
		have = len(t.Int32Data)
	default:
		return nil, fmt.Errorf("%s: initializer %q: dtype %s is not decoded", r.path, name, info.DType)
	}
	if have != n {
		return nil, fmt.Errorf("%s: initializer %q: shape %v needs %d values, the tensor holds %d", r.path, name, info.Shape, n, have)
	}
	return out, nil
}

func (r *onnxReader) close() error { return nil }
