package backend

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// ConvGeneral implements backends.Builder: nil strides, paddings and
// dilations become their defaults (1, 0, 1) before simplego sees them.
func (b *builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig,
	strides []int, paddings [][2]int, inputDilations, kernelDilations []int,
	channelGroupCount, batchGroupCount int) (backends.Op, error) {
	n := len(axes.InputSpatial)
	ones := func(s []int) []int {
		if s != nil {
			return s
		}
		s = make([]int, n)
		for i := range s {
			s[i] = 1
		}
		return s
	}
	if paddings == nil {
		paddings = make([][2]int, n)
	}
	return b.Builder.ConvGeneral(input, kernel, axes, ones(strides), paddings,
		ones(inputDilations), ones(kernelDilations), channelGroupCount, batchGroupCount)
}

// Reverse implements backends.Builder: each reversed axis of size n becomes
// n unit slices concatenated in reverse order. It is meant for the small
// spatial axes of convolution kernels (GoMLX's ConvGeneral gradient), where
// n is 3 or 5; it stays correct, if slow to build, for long axes.
func (b *builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	shape, err := b.OpShape(x)
	if err != nil {
		return nil, err
	}
	rank := shape.Rank()
	for _, axis := range axes {
		if axis < 0 {
			axis += rank
		}
		if axis < 0 || axis >= rank {
			return nil, fmt.Errorf("Reverse: axis out of range for shape %s", shape)
		}
		n := shape.Dimensions[axis]
		if n <= 1 {
			continue
		}
		parts := make([]backends.Op, n)
		for i := range n {
			parts[n-1-i], err = b.sliceAxis(x, shape, axis, i, i+1)
			if err != nil {
				return nil, err
			}
		}
		if x, err = b.Concatenate(axis, parts...); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// sliceAxis returns x[..., start:limit, ...] along axis.
func (b *builder) sliceAxis(x backends.Op, shape shapes.Shape, axis, start, limit int) (backends.Op, error) {
	starts := make([]int, shape.Rank())
	limits := slices.Clone(shape.Dimensions)
	strides := make([]int, shape.Rank())
	for i := range strides {
		strides[i] = 1
	}
	starts[axis], limits[axis] = start, limit
	return b.Slice(x, starts, limits, strides)
}

// fill returns the scalar fill broadcast to shape.
func (b *builder) fill(value backends.Op, shape shapes.Shape) (backends.Op, error) {
	return b.BroadcastInDim(value, shape, nil)
}

// fillAxis returns the scalar fill broadcast to shape with axis resized to width.
func (b *builder) fillAxis(value backends.Op, shape shapes.Shape, axis, width int) (backends.Op, error) {
	padShape := shape.Clone()
	padShape.Dimensions[axis] = width
	return b.fill(value, padShape)
}

// Pad implements backends.Builder with XLA's semantics: per axis, first
// Interior fill values between neighbours, then Start values before and End
// values after; a negative Start or End removes elements instead.
func (b *builder) Pad(x, fillValue backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	shape, err := b.OpShape(x)
	if err != nil {
		return nil, err
	}
	shape = shape.Clone() // Dimensions is updated below as each axis is padded.
	if len(axesConfig) > shape.Rank() {
		return nil, fmt.Errorf("Pad: %d axes configured for shape %s", len(axesConfig), shape)
	}
	for axis, p := range axesConfig {
		if p.Interior < 0 {
			return nil, fmt.Errorf("Pad: negative interior padding %d on axis %d", p.Interior, axis)
		}
		if p.Interior > 0 && shape.Dimensions[axis] > 1 {
			if x, shape, err = b.padInterior(x, fillValue, shape, axis, p.Interior); err != nil {
				return nil, err
			}
		}
		n := shape.Dimensions[axis]
		start, end := max(-p.Start, 0), n-max(-p.End, 0)
		if start > 0 || end < n {
			if start > end {
				return nil, fmt.Errorf("Pad: cropping %d and %d from axis %d of size %d", -p.Start, -p.End, axis, n)
			}
			if x, err = b.sliceAxis(x, shape, axis, start, end); err != nil {
				return nil, err
			}
			shape.Dimensions[axis] = end - start
		}
		parts := []backends.Op{x}
		if p.Start > 0 {
			pad, err := b.fillAxis(fillValue, shape, axis, p.Start)
			if err != nil {
				return nil, err
			}
			parts = slices.Insert(parts, 0, pad)
		}
		if p.End > 0 {
			pad, err := b.fillAxis(fillValue, shape, axis, p.End)
			if err != nil {
				return nil, err
			}
			parts = append(parts, pad)
		}
		if len(parts) > 1 {
			if x, err = b.Concatenate(axis, parts...); err != nil {
				return nil, err
			}
			shape.Dimensions[axis] += max(p.Start, 0) + max(p.End, 0)
		}
	}
	return x, nil
}

// padInterior inserts k fill values between neighbours along axis: x is
// reshaped to [..., n, 1, ...], concatenated with fill [..., n, k, ...],
// merged to [..., n·(1+k), ...] and the trailing k dropped.
func (b *builder) padInterior(x, fillValue backends.Op, shape shapes.Shape, axis, k int) (backends.Op, shapes.Shape, error) {
	n := shape.Dimensions[axis]
	split := slices.Insert(slices.Clone(shape.Dimensions), axis+1, 1)
	x, err := b.Reshape(x, split...)
	if err != nil {
		return nil, shape, err
	}
	padShape := shape.Clone()
	padShape.Dimensions = slices.Clone(split)
	padShape.Dimensions[axis+1] = k
	pad, err := b.fill(fillValue, padShape)
	if err != nil {
		return nil, shape, err
	}
	if x, err = b.Concatenate(axis+1, x, pad); err != nil {
		return nil, shape, err
	}
	merged := shape.Clone()
	merged.Dimensions[axis] = n * (1 + k)
	if x, err = b.Reshape(x, merged.Dimensions...); err != nil {
		return nil, shape, err
	}
	if x, err = b.sliceAxis(x, merged, axis, 0, n*(1+k)-k); err != nil {
		return nil, shape, err
	}
	merged.Dimensions[axis] = n*(1+k) - k
	return x, merged, nil
}
