package arrayio

import (
	"fmt"
	"math"
)

// DType names an element type the way numpy does.
type DType string

// The supported element types.
const (
	Float32 DType = "float32"
	Float64 DType = "float64"
	Int32   DType = "int32"
	Int64   DType = "int64"
	Uint8   DType = "uint8"
)

// Size returns the bytes per element, or 0 for an unknown type.
func (d DType) Size() int {
	switch d {
	case Float32, Int32:
		return 4
	case Float64, Int64:
		return 8
	case Uint8:
		return 1
	}
	return 0
}

// Array is an n-dimensional array in C (row-major) order. Data is a
// []float32, []float64, []int32, []int64 or []uint8 matching DType, with
// the product of Shape elements (1 for a 0-dimensional array).
type Array struct {
	DType DType
	Shape []int
	Data  any
}

// FromFloat32 returns an Array holding data with the given shape.
func FromFloat32(data []float32, shape ...int) *Array {
	return &Array{Float32, shape, data}
}

// FromFloat64 returns an Array holding data with the given shape.
func FromFloat64(data []float64, shape ...int) *Array {
	return &Array{Float64, shape, data}
}

// FromInt32 returns an Array holding data with the given shape.
func FromInt32(data []int32, shape ...int) *Array { return &Array{Int32, shape, data} }

// FromInt64 returns an Array holding data with the given shape.
func FromInt64(data []int64, shape ...int) *Array { return &Array{Int64, shape, data} }

// FromUint8 returns an Array holding data with the given shape.
func FromUint8(data []uint8, shape ...int) *Array { return &Array{Uint8, shape, data} }

// Len returns the number of elements, the product of Shape.
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// Validate checks that DType is supported, Shape is non-negative and Data
// has the matching type and length.
func (a *Array) Validate() error {
	n := 1
	for _, d := range a.Shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", a.Shape)
		}
		if d > 0 && n > math.MaxInt/d {
			return fmt.Errorf("shape %v overflows", a.Shape)
		}
		n *= d
	}
	var got int
	ok := true
	switch a.DType {
	case Float32:
		v, k := a.Data.([]float32)
		got, ok = len(v), k
	case Float64:
		v, k := a.Data.([]float64)
		got, ok = len(v), k
	case Int32:
		v, k := a.Data.([]int32)
		got, ok = len(v), k
	case Int64:
		v, k := a.Data.([]int64)
		got, ok = len(v), k
	case Uint8:
		v, k := a.Data.([]uint8)
		got, ok = len(v), k
	default:
		return fmt.Errorf("unsupported dtype %q", a.DType)
	}
	if !ok {
		return fmt.Errorf("dtype %s with data of type %T", a.DType, a.Data)
	}
	if got != n {
		return fmt.Errorf("shape %v needs %d elements, data has %d", a.Shape, n, got)
	}
	return nil
}

// Float64s returns the elements converted to float64 (the data itself when
// it already is []float64).
func (a *Array) Float64s() []float64 {
	if v, ok := a.Data.([]float64); ok {
		return v
	}
	return convert[float64](a.Data)
}

// Float32s returns the elements converted to float32 (the data itself when
// it already is []float32).
func (a *Array) Float32s() []float32 {
	if v, ok := a.Data.([]float32); ok {
		return v
	}
	return convert[float32](a.Data)
}

func convert[T float32 | float64](data any) []T {
	switch v := data.(type) {
	case []float32:
		return conv[T](v)
	case []float64:
		return conv[T](v)
	case []int32:
		return conv[T](v)
	case []int64:
		return conv[T](v)
	case []uint8:
		return conv[T](v)
	}
	return nil
}

func conv[T float32 | float64, S float32 | float64 | int32 | int64 | uint8](src []S) []T {
	dst := make([]T, len(src))
	for i, x := range src {
		dst[i] = T(x)
	}
	return dst
}
