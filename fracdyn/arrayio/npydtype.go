package arrayio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// npyType is an element type as stored in a .npy file and the DType it is
// read as.
type npyType struct {
	kind      byte // 'b' bool, 'i' signed, 'u' unsigned, 'f' float
	size      int  // bytes per stored element
	bigEndian bool
	dtype     DType // the type it is read into
}

// decodeData converts n stored elements of type t to a slice of t.dtype.
// Only uint64 values above the int64 range fail.
func decodeData(t npyType, n int, b []byte) (any, error) {
	var order binary.ByteOrder = binary.LittleEndian
	if t.bigEndian {
		order = binary.BigEndian
	}
	k := t.kind
	if k == 'b' {
		k = 'u'
	}
	switch {
	case k == 'f' && t.size == 2:
		v := make([]float32, n)
		for i := range v {
			v[i] = float16to32(order.Uint16(b[2*i:]))
		}
		return v, nil
	case k == 'f' && t.size == 4:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(order.Uint32(b[4*i:]))
		}
		return v, nil
	case k == 'f' && t.size == 8:
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(order.Uint64(b[8*i:]))
		}
		return v, nil
	case k == 'u' && t.size == 1:
		return bytes.Clone(b[:n]), nil
	case t.dtype == Int32:
		v := make([]int32, n)
		for i := range v {
			switch {
			case k == 'i' && t.size == 1:
				v[i] = int32(int8(b[i]))
			case k == 'i' && t.size == 2:
				v[i] = int32(int16(order.Uint16(b[2*i:])))
			case k == 'u' && t.size == 2:
				v[i] = int32(order.Uint16(b[2*i:]))
			default:
				v[i] = int32(order.Uint32(b[4*i:]))
			}
		}
		return v, nil
	default: // Int64: i8, u4, u8
		v := make([]int64, n)
		for i := range v {
			switch {
			case k == 'u' && t.size == 4:
				v[i] = int64(order.Uint32(b[4*i:]))
			case k == 'u':
				u := order.Uint64(b[8*i:])
				if u > math.MaxInt64 {
					return nil, fmt.Errorf("uint64 element %d is %d, beyond the int64 range it is read into", i, u)
				}
				v[i] = int64(u)
			default:
				v[i] = int64(order.Uint64(b[8*i:]))
			}
		}
		return v, nil
	}
}

// float16to32 converts an IEEE 754 half-precision value exactly.
func float16to32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac · 2^-24
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// fortranToC reorders data stored in Fortran (column-major) order of shape
// into C (row-major) order.
func fortranToC(data any, shape []int) any {
	switch v := data.(type) {
	case []float32:
		return reorder(v, shape)
	case []float64:
		return reorder(v, shape)
	case []int32:
		return reorder(v, shape)
	case []int64:
		return reorder(v, shape)
	case []uint8:
		return reorder(v, shape)
	}
	return data
}

// reorder walks src in Fortran order (first index fastest) and puts each
// element at its C-order offset.
func reorder[T any](src []T, shape []int) []T {
	dst := make([]T, len(src))
	if len(src) == 0 {
		return dst
	}
	stride := make([]int, len(shape)) // C-order strides
	s := 1
	for k := len(shape) - 1; k >= 0; k-- {
		stride[k] = s
		s *= shape[k]
	}
	idx := make([]int, len(shape))
	off := 0
	for _, x := range src {
		dst[off] = x
		for k := range idx {
			idx[k]++
			off += stride[k]
			if idx[k] < shape[k] {
				break
			}
			off -= idx[k] * stride[k]
			idx[k] = 0
		}
	}
	return dst
}

// parseDescr maps a numpy type string ('<f4', '>i2', '|b1', ...) to the
// stored type and the DType it is read into: bool and uint8 as uint8;
// int8, int16, uint16 and int32 as int32; uint32, int64 and uint64 as
// int64; float16 and float32 as float32; float64 as float64. Either byte
// order is read.
func parseDescr(descr string) (npyType, error) {
	t := npyType{}
	if len(descr) >= 3 {
		switch descr[0] {
		case '<', '|', '=':
		case '>':
			t.bigEndian = true
		default:
			return t, fmt.Errorf("unsupported dtype %q", descr)
		}
		t.kind = descr[1]
		t.size, _ = strconv.Atoi(descr[2:])
	}
	switch {
	case strings.Contains(descr, "O"):
		return t, fmt.Errorf("object dtype %q is not supported: object arrays hold pickled Python objects (save numbers, e.g. arr.astype(np.float32))", descr)
	case t.kind == 'c':
		return t, fmt.Errorf("complex dtype %q is not supported (save the real part, imaginary part or magnitude: arr.real, arr.imag, np.abs(arr))", descr)
	}
	switch string(t.kind) + strconv.Itoa(t.size) {
	case "b1", "u1":
		t.dtype = Uint8
	case "i1", "i2", "u2", "i4":
		t.dtype = Int32
	case "u4", "i8", "u8":
		t.dtype = Int64
	case "f2", "f4":
		t.dtype = Float32
	case "f8":
		t.dtype = Float64
	default:
		return t, fmt.Errorf("unsupported dtype %q (want bool, int8…int64, uint8…uint64 or float16…float64)", descr)
	}
	return t, nil
}
