package modelfile

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/gomlx/onnx-gomlx/onnx"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// ONNX constants used by the exporter (onnx.proto).
const (
	onnxOpset      = 13
	onnxIRVersion  = 7 // the IR version of opset 13 (ONNX 1.8)
	onnxFloat      = 1 // TensorProto.DataType FLOAT
	onnxInt64      = 7 // TensorProto.DataType INT64
	onnxAttrFloat  = 1 // AttributeProto.AttributeType
	onnxAttrInt    = 2
	onnxAttrInts   = 7
	onnxInputName  = "images"
	onnxOutputName = "logits"
)

// ExportONNX writes arch with the given weights (PyTorch state-dict names,
// model.StateName) as an ONNX model (opset 13) at path, atomically. The
// graph takes "images" float32 [batch,28,28] (normalised as for training)
// and returns "logits" float32 [batch,10]: Reshape to [batch,1,28,28], then
// per layer Conv (3×3, pads 1, strides 1) + Relu (+ MaxPool 2×2 for
// cnn-pool) or Flatten + Gemm (transB=1) + Relu, with no Relu after the
// last layer. The weights are initializers named by their state-dict names.
// It is built with onnx-gomlx's protobuf types through protobuf reflection
// (onnx-gomlx keeps them in an internal package and has no exporter of
// GoMLX graphs).
func ExportONNX(path string, arch model.Arch, weights map[string][]float32) error {
	b, err := buildONNX(arch, weights)
	if err != nil {
		return fmt.Errorf("exporting %s to %s: %w", arch, path, err)
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func buildONNX(arch model.Arch, params map[string][]float32) ([]byte, error) {
	var holder onnx.Model
	mp := (&holder.Proto).ProtoReflect()
	setField(mp, "ir_version", int64(onnxIRVersion))
	setField(mp, "producer_name", "fracdyn")
	op := addMessage(mp, "opset_import")
	setField(op, "domain", "")
	setField(op, "version", int64(onnxOpset))
	g := mutableMessage(mp, "graph")
	setField(g, "name", "fracdyn-"+string(arch))

	addValueInfo(g, "input", onnxInputName, "batch", model.ImageSize, model.ImageSize)
	addValueInfo(g, "output", onnxOutputName, "batch", model.NumClasses)

	addInitializer(g, "input_shape", onnxInt64, []int{4}, int64Bytes(-1, 1, model.ImageSize, model.ImageSize))
	x := onnxInputName
	n := 0
	node := func(opType string, inputs ...string) protoreflect.Message {
		n++
		out := fmt.Sprintf("%s_%d", opType, n)
		nd := addMessage(g, "node")
		setField(nd, "op_type", opType)
		setField(nd, "name", out)
		for _, in := range inputs {
			appendField(nd, "input", in)
		}
		appendField(nd, "output", out)
		x = out
		return nd
	}
	layers := model.Layers(arch)
	if layers[0].Kind == weights.Conv {
		node("Reshape", x, "input_shape")
	}
	for i, l := range layers {
		wName, bName := model.StateName(l, "weight"), model.StateName(l, "bias")
		for _, p := range []struct {
			name  string
			shape []int
		}{{wName, l.WeightShape}, {bName, l.BiasShape}} {
			v, ok := params[p.name]
			if !ok {
				return nil, fmt.Errorf("weights lack %q", p.name)
			}
			if want := numel(p.shape); len(v) != want {
				return nil, fmt.Errorf("%q has %d values, want %d for shape %v", p.name, len(v), want, p.shape)
			}
			addInitializer(g, p.name, onnxFloat, p.shape, float32Bytes(v))
		}
		switch l.Kind {
		case weights.Conv:
			nd := node("Conv", x, wName, bName)
			addAttr(nd, "kernel_shape", l.WeightShape[2:])
			addAttr(nd, "pads", []int{1, 1, 1, 1})
			addAttr(nd, "strides", []int{1, 1})
			node("Relu", x)
			if arch == model.PooledCNN {
				nd := node("MaxPool", x)
				addAttr(nd, "kernel_shape", []int{2, 2})
				addAttr(nd, "strides", []int{2, 2})
			}
		case weights.Dense:
			if i == 0 || layers[i-1].Kind != weights.Dense {
				addAttr(node("Flatten", x), "axis", 1)
			}
			nd := node("Gemm", x, wName, bName)
			addAttr(nd, "transB", 1)
			addAttr(nd, "alpha", float32(1))
			addAttr(nd, "beta", float32(1))
			if i < len(layers)-1 {
				node("Relu", x)
			}
		}
	}
	id := addMessage(g, "node")
	setField(id, "op_type", "Identity")
	setField(id, "name", onnxOutputName)
	appendField(id, "input", x)
	appendField(id, "output", onnxOutputName)
	return proto.Marshal(mp.Interface())
}

func fieldOf(m protoreflect.Message, name string) protoreflect.FieldDescriptor {
	fd := m.Descriptor().Fields().ByName(protoreflect.Name(name))
	if fd == nil {
		panic(fmt.Sprintf("modelfile: ONNX message %s has no field %q", m.Descriptor().FullName(), name))
	}
	return fd
}

func setField(m protoreflect.Message, name string, v any) {
	fd := fieldOf(m, name)
	if fd.Kind() == protoreflect.EnumKind {
		m.Set(fd, protoreflect.ValueOfEnum(protoreflect.EnumNumber(v.(int))))
		return
	}
	m.Set(fd, protoreflect.ValueOf(v))
}

func appendField(m protoreflect.Message, name string, v any) {
	m.Mutable(fieldOf(m, name)).List().Append(protoreflect.ValueOf(v))
}

func addMessage(m protoreflect.Message, name string) protoreflect.Message {
	l := m.Mutable(fieldOf(m, name)).List()
	e := l.NewElement()
	l.Append(e)
	return e.Message()
}

func mutableMessage(m protoreflect.Message, name string) protoreflect.Message {
	return m.Mutable(fieldOf(m, name)).Message()
}

// addValueInfo adds a float tensor input or output with a symbolic first
// dimension.
func addValueInfo(g protoreflect.Message, field, name, batch string, dims ...int) {
	vi := addMessage(g, field)
	setField(vi, "name", name)
	tt := mutableMessage(mutableMessage(vi, "type"), "tensor_type")
	setField(tt, "elem_type", int32(onnxFloat))
	shape := mutableMessage(tt, "shape")
	setField(addMessage(shape, "dim"), "dim_param", batch)
	for _, d := range dims {
		setField(addMessage(shape, "dim"), "dim_value", int64(d))
	}
}

func addInitializer(g protoreflect.Message, name string, dtype int32, shape []int, raw []byte) {
	t := addMessage(g, "initializer")
	setField(t, "name", name)
	setField(t, "data_type", dtype)
	for _, d := range shape {
		appendField(t, "dims", int64(d))
	}
	setField(t, "raw_data", raw)
}

// addAttr adds an attribute of type INT (int), INTS ([]int) or FLOAT.
func addAttr(nd protoreflect.Message, name string, v any) {
	a := addMessage(nd, "attribute")
	setField(a, "name", name)
	switch v := v.(type) {
	case int:
		setField(a, "type", onnxAttrInt)
		setField(a, "i", int64(v))
	case []int:
		setField(a, "type", onnxAttrInts)
		for _, x := range v {
			appendField(a, "ints", int64(x))
		}
	case float32:
		setField(a, "type", onnxAttrFloat)
		setField(a, "f", v)
	default:
		panic(fmt.Sprintf("modelfile: attribute %q of type %T", name, v))
	}
}

func float32Bytes(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func int64Bytes(v ...int64) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
