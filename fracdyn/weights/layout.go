package weights

import (
	"fmt"
	"strings"
)

// Layout says how a weight tensor's axes are stored.
type Layout int

const (
	LayoutUnknown Layout = iota // not told; a consumer refuses to guess
	OI                          // [out, in]: PyTorch Linear; ONNX Gemm transB=1
	IO                          // [in, out]: GoMLX layers.Dense; ONNX MatMul and Gemm transB=0; Keras/Flax Dense
	OIHW                        // [out, in, kh, kw]: PyTorch Conv2d; ONNX Conv; GoMLX Convolution channels-first
	HWIO                        // [kh, kw, in, out]: GoMLX Convolution channels-last (its default); Keras; Flax
	OIK                         // [out, in, k]: PyTorch Conv1d; ONNX Conv 1-D; GoMLX 1-D channels-first
	KIO                         // [k, in, out]: GoMLX 1-D channels-last; Keras Conv1D
)

var layoutNames = [...]string{"unknown", "oi", "io", "oihw", "hwio", "oik", "kio"}

// layoutPerm[l][i] is the stored axis that canonical axis i comes from.
var layoutPerm = [...][]int{
	OI:   {0, 1},
	IO:   {1, 0},
	OIHW: {0, 1, 2, 3},
	HWIO: {3, 2, 0, 1},
	OIK:  {0, 1, 2},
	KIO:  {2, 1, 0},
}

// String returns "oi", "io", "oihw", "hwio", "oik", "kio" or "unknown".
func (l Layout) String() string {
	if l < 0 || int(l) >= len(layoutNames) {
		return fmt.Sprintf("Layout(%d)", int(l))
	}
	return layoutNames[l]
}

// Rank returns the rank of tensors stored in layout l, 0 for LayoutUnknown.
func (l Layout) Rank() int {
	if l <= LayoutUnknown || int(l) >= len(layoutPerm) {
		return 0
	}
	return len(layoutPerm[l])
}

// Canonical reports whether l is the order fracdyn segments: OI, OIHW or OIK.
func (l Layout) Canonical() bool { return l == OI || l == OIHW || l == OIK }

// CanonicalLayout returns the canonical layout of a tensor of rank 2 (OI),
// 3 (OIK) or 4 (OIHW), LayoutUnknown for any other rank.
func CanonicalLayout(rank int) Layout {
	switch rank {
	case 2:
		return OI
	case 3:
		return OIK
	case 4:
		return OIHW
	}
	return LayoutUnknown
}

// layoutAliases are the friendlier names ParseLayout accepts, by rank
// (0: any rank).
var layoutAliases = map[string]map[int]Layout{
	"pytorch":        {2: OI, 3: OIK, 4: OIHW},
	"torch":          {2: OI, 3: OIK, 4: OIHW},
	"channels-first": {2: IO, 3: OIK, 4: OIHW},
	"channels-last":  {2: IO, 3: KIO, 4: HWIO},
	"gomlx":          {2: IO, 3: KIO, 4: HWIO},
	"keras":          {2: IO, 3: KIO, 4: HWIO},
	"flax":           {2: IO, 3: KIO, 4: HWIO},
	"out,in":         {2: OI},
	"in,out":         {2: IO},
	"matmul":         {2: IO},
	"gemm":           {2: OI},
}

// ParseLayout returns the layout named s: one of the names String gives,
// or an alias resolved for a tensor of the given rank ("pytorch" and
// "torch": oi/oik/oihw; "gomlx", "keras", "flax" and "channels-last":
// io/kio/hwio; "channels-first": io/oik/oihw, GoMLX's channels-first
// convolution and its dense layer; "in,out" and "matmul": io; "out,in" and
// "gemm": oi). rank 0 accepts only the exact names.
func ParseLayout(s string, rank int) (Layout, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, n := range layoutNames {
		if i > 0 && t == n {
			if rank > 0 && Layout(i).Rank() != rank {
				return 0, fmt.Errorf("layout %q is for rank-%d tensors, not rank %d", s, Layout(i).Rank(), rank)
			}
			return Layout(i), nil
		}
	}
	if byRank, ok := layoutAliases[t]; ok {
		if l, ok := byRank[rank]; ok {
			return l, nil
		}
		if rank == 0 {
			return 0, fmt.Errorf("layout alias %q needs the tensor's rank", s)
		}
		return 0, fmt.Errorf("layout %q has no rank-%d form", s, rank)
	}
	return 0, fmt.Errorf("unknown layout %q (want oi, io, oihw, hwio, oik, kio, or pytorch, gomlx, keras, flax, channels-first, channels-last, matmul, gemm)", s)
}

// MarshalText writes the layout's name; LayoutUnknown is "unknown".
func (l Layout) MarshalText() ([]byte, error) {
	if l < 0 || int(l) >= len(layoutNames) {
		return nil, fmt.Errorf("weights: invalid Layout %d", int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads an exact layout name ("unknown" included).
func (l *Layout) UnmarshalText(b []byte) error {
	if string(b) == "unknown" {
		*l = LayoutUnknown
		return nil
	}
	v, err := ParseLayout(string(b), 0)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// CanonicalShape returns the canonical shape (OI, OIK or OIHW order) of a
// tensor stored with shape in layout l.
func (l Layout) CanonicalShape(shape []int) ([]int, error) {
	if l <= LayoutUnknown || int(l) >= len(layoutPerm) {
		return nil, fmt.Errorf("shape %v: layout %v cannot be canonicalised", shape, l)
	}
	perm := layoutPerm[l]
	if len(shape) != len(perm) {
		return nil, fmt.Errorf("shape %v has rank %d, layout %v needs rank %d", shape, len(shape), l, len(perm))
	}
	out := make([]int, len(perm))
	for i, p := range perm {
		if shape[p] <= 0 {
			return nil, fmt.Errorf("shape %v has an empty dimension", shape)
		}
		out[i] = shape[p]
	}
	return out, nil
}

// Canonicalize writes src, a tensor stored with shape in layout l, into dst
// in canonical order (OI, OIK or OIHW) and returns dst and the canonical
// shape:
//
//	dst[o,i,h,w] = src[h,w,i,o]   (HWIO)
//	dst[o,i]     = src[i,o]       (IO)
//	dst[o,i,k]   = src[k,i,o]     (KIO)
//
// and a copy for a canonical l. dst is allocated when nil or too short and
// must not overlap src unless l is canonical.
func Canonicalize(dst, src []float32, shape []int, l Layout) ([]float32, []int, error) {
	cshape, err := l.CanonicalShape(shape)
	if err != nil {
		return nil, nil, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(src) != n {
		return nil, nil, fmt.Errorf("shape %v needs %d values, have %d", shape, n, len(src))
	}
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	if l.Canonical() {
		copy(dst, src)
		return dst, cshape, nil
	}
	// Stored strides, then the stride in src of each canonical axis.
	perm := layoutPerm[l]
	stride := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		stride[i] = s
		s *= shape[i]
	}
	cs := make([]int, len(perm))
	for i, p := range perm {
		cs[i] = stride[p]
	}
	// Walk dst in order; the innermost canonical axis runs in a tight loop.
	last := len(cshape) - 1
	idx := make([]int, len(cshape))
	inner, innerStride := cshape[last], cs[last]
	for k := 0; k < n; k += inner {
		off := 0
		for a := 0; a < last; a++ {
			off += idx[a] * cs[a]
		}
		row := dst[k : k+inner]
		for j := range row {
			row[j] = src[off+j*innerStride]
		}
		for a := last - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < cshape[a] {
				break
			}
			idx[a] = 0
		}
	}
	return dst, cshape, nil
}
