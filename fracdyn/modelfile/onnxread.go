package modelfile

import (
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/gomlx/onnx-gomlx/onnx"
	"google.golang.org/protobuf/proto"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
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

func openONNX(path string) (*onnxReader, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseONNX(path, b)
}

// parseONNX reads the initializers of the ONNX model b (named path in
// errors).
func parseONNX(path string, b []byte) (r *onnxReader, err error) {
	defer func() {
		// onnx-gomlx panics on some malformed inputs; report them as errors.
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("%s: reading ONNX model: %v", path, p)
		}
	}()
	// Only the protobuf is needed: onnx.Parse would also start a backend
	// and check the graph's inputs, neither of which reading weights needs.
	m := new(onnx.Model)
	if err := proto.Unmarshal(b, &m.Proto); err != nil {
		return nil, fmt.Errorf("%s: not an ONNX model: %w", path, err)
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
		conv := weights.ONNX
		if inOut[t.Name] {
			conv = weights.ONNXMatMul // stored [in,out]
		}
		Classify(&info, conv)
		if t.DataLocation == 1 && info.Kind != weights.Skipped {
			info.Kind, info.Layout, info.Matrices, info.Why = weights.Skipped, 0, weights.View{}, "external data not supported"
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
	if info.Kind == weights.Skipped && strings.HasPrefix(info.Why, "bad shape") {
		return nil, fmt.Errorf("%s: initializer %q: %s", r.path, name, info.Why)
	}
	n := info.Elements()
	// Check the stored count before allocating: a corrupt header must not
	// make us allocate what the file does not hold.
	var have int
	switch {
	case len(t.RawData) > 0:
		es := info.DType.Size()
		if es == 0 {
			return nil, fmt.Errorf("%s: initializer %q: dtype %s is not decoded", r.path, name, info.DType)
		}
		if len(t.RawData) != n*es {
			return nil, fmt.Errorf("%s: initializer %q: shape %v needs %d bytes of %s, raw_data has %d", r.path, name, info.Shape, n*es, info.DType, len(t.RawData))
		}
		out := make([]float32, n)
		if err := decodeFloat32(out, t.RawData, info.DType); err != nil {
			return nil, fmt.Errorf("%s: initializer %q: %w", r.path, name, err)
		}
		return out, nil
	case info.DType == Float32:
		have = len(t.FloatData)
	case info.DType == Float64:
		have = len(t.DoubleData)
	case info.DType == Int64:
		have = len(t.Int64Data)
	case info.DType == Int32, info.DType == Int16, info.DType == Int8, info.DType == Uint8, info.DType == Bool,
		info.DType == Float16, info.DType == BFloat16:
		have = len(t.Int32Data)
	default:
		return nil, fmt.Errorf("%s: initializer %q: dtype %s is not decoded", r.path, name, info.DType)
	}
	if have != n {
		return nil, fmt.Errorf("%s: initializer %q: shape %v needs %d values, the tensor holds %d", r.path, name, info.Shape, n, have)
	}
	out := make([]float32, n)
	for j := range out {
		switch info.DType {
		case Float32:
			out[j] = t.FloatData[j]
		case Float64:
			out[j] = float32(t.DoubleData[j])
		case Int64:
			out[j] = float32(t.Int64Data[j])
		case Float16:
			// Stored as bit patterns in int32_data.
			out[j] = halfToFloat32(uint16(t.Int32Data[j]))
		case BFloat16:
			out[j] = math.Float32frombits(uint32(uint16(t.Int32Data[j])) << 16)
		default:
			out[j] = float32(t.Int32Data[j])
		}
	}
	return out, nil
}

func (r *onnxReader) metadata() map[string]string {
	p := &r.model.Proto
	md := map[string]string{"ir_version": fmt.Sprint(p.IrVersion)}
	if p.ProducerName != "" {
		md["producer"] = strings.TrimSpace(p.ProducerName + " " + p.ProducerVersion)
	}
	for _, op := range p.OpsetImport {
		domain := op.Domain
		if domain == "" {
			domain = "ai.onnx"
		}
		md["opset "+domain] = fmt.Sprint(op.Version)
	}
	return md
}

func (r *onnxReader) close() error { return nil }
