package null

import (
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// MaxSegments bounds the segments measured per null draw: a layer at a
// scale with more has its segment nulls measured on a leading block of
// each draw (SampleShape). Under the element permutation and the Gaussian
// null every block is a random sample of the null; under the row/column
// permutation a band of rows is a random sample of rows. Tables give the
// segments per draw beside the null columns, so a sampled null says so.
const MaxSegments = 1 << 16

// MaxSegmentElements bounds the elements of SegmentMeans' block likewise
// (at least one band of r rows, or one output channel, is kept).
const MaxSegmentElements = 1 << 16

// SampleShape returns the leading block of a layer of the given shape
// (PyTorch layout) that holds about maxSegments r×r segments and at most
// about MaxSegmentElements weights: at least two r-row bands of a dense
// matrix (cut to its leading columns when they alone exceed the bound),
// or whole output channels of a conv kernel. It
// returns the block's shape, its element count and its segment count;
// a layer within the bound is returned whole.
func SampleShape(shape []int, r, maxSegments int) (sub []int, elements, segments int, err error) {
	v, err := fractal.MatrixViews(shape)
	if err != nil {
		return nil, 0, 0, err
	}
	sub = append([]int(nil), shape...)
	per := fractal.SegmentCount(v.Rows, v.Cols, r)
	if v.Count*per > maxSegments || v.Count*v.Rows*v.Cols > MaxSegmentElements {
		if v.Conv {
			kernels := max(1, min(maxSegments/per, MaxSegmentElements/(v.Rows*v.Cols)))
			sub[0] = min(shape[0], max(1, kernels/shape[1]))
		} else {
			// At least two bands, so that r stays a valid scale of the
			// block (r ≤ rows/2); then as many columns as the bound allows,
			// at least 2r.
			bands := max(2, min(maxSegments/len(fractal.Origins(v.Cols, r)), MaxSegmentElements/(r*v.Cols)))
			sub[0] = min(v.Rows, bands*r)
			if sub[0]*v.Cols > MaxSegmentElements {
				sub[1] = min(v.Cols, max(2*r, MaxSegmentElements/sub[0]))
			}
		}
	}
	vs, err := fractal.MatrixViews(sub)
	if err != nil {
		return nil, 0, 0, err
	}
	return sub, vs.Count * vs.Rows * vs.Cols, vs.Count * fractal.SegmentCount(vs.Rows, vs.Cols, r), nil
}

// SegmentMeans returns a Measure of a layer at scale r, with the block
// that Test should draw (Options.Block) and the segments it holds: the
// mean segment dimension and the mean segment entropy of LayerSegments
// over the leading block SampleShape(shape, r, MaxSegments). tau, when
// positive, is the observed layer's mask threshold, used for the
// permutation nulls (which keep it) of a layer measured whole; the
// Gaussian null, and every draw and the observed block of a sampled
// layer, find their own.
func SegmentMeans(shape []int, r int, method fractal.Method, tau float64) (Measure[float32], View, int, error) {
	sub, _, segs, err := SampleShape(shape, r, MaxSegments)
	if err != nil {
		return nil, View{}, 0, err
	}
	vs, err := fractal.MatrixViews(sub)
	if err != nil {
		return nil, View{}, 0, err
	}
	if !slices.Equal(sub, shape) {
		// A sampled block is thresholded at its own quantile, observed
		// and drawn alike: the layer's threshold would leave the block's
		// on-fraction off the quantile and the Gaussian's on it.
		tau = 0
	}
	return func(x []float32, _ View, k Kind) []float64 {
		lo := fractal.LayerOptions{Method: method, Workers: 1}
		if k != Gauss && tau > 0 {
			lo.Threshold = tau
		}
		res, err := fractal.LayerSegments(x, sub, r, lo)
		if err != nil {
			return []float64{nan(), nan()}
		}
		return []float64{finiteMean(res.FD), finiteMean(res.H)}
	}, View{Count: vs.Count, Rows: vs.Rows, Cols: vs.Cols}, segs, nil
}

// finiteMean is the mean of the finite values of v (NaN if none).
func finiteMean(v []float32) float64 {
	var s float64
	n := 0
	for _, x := range v {
		if f := float64(x); f == f && f-f == 0 {
			s += f
			n++
		}
	}
	if n == 0 {
		return nan()
	}
	return s / float64(n)
}
