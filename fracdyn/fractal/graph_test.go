package fractal

import (
	"math"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:staticcheck
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestGraphMatchesPlain runs the graph version on the configured backend
// (pure Go by default) and compares it with the fused plain kernel on random
// layers, dense and conv, at several scales and both graph methods.
func TestGraphMatchesPlain(t *testing.T) {
	b := backend.MustNew()
	for _, tc := range []struct {
		shape []int
		r     int
	}{
		{[]int{4, 3, 3, 3}, 2},
		{[]int{3, 2, 5, 7}, 2},
		{[]int{37, 50}, 2},
		{[]int{37, 50}, 5},
		{[]int{64, 64}, 8},
		{[]int{40, 45}, 6},
	} {
		w := randomLayer(tc.shape, 11)
		for _, m := range []Method{MethodBoxCount, MethodPaper} {
			opts := LayerOptions{Name: "L", Method: m}
			want, err := LayerSegments(w, tc.shape, tc.r, opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := LayerSegmentsGraph(b, w, tc.shape, tc.r, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != want.Len() || got.Threshold != want.Threshold {
				t.Fatalf("%v r=%d: %d segments τ=%v, want %d τ=%v", tc.shape, tc.r, got.Len(), got.Threshold, want.Len(), want.Threshold)
			}
			for i := range want.FD {
				if math.Abs(float64(got.FD[i]-want.FD[i])) > 1e-5 || math.Abs(float64(got.FDR2[i]-want.FDR2[i])) > 1e-5 ||
					math.Abs(float64(got.H[i]-want.H[i])) > 1e-5 {
					t.Fatalf("%v r=%d %s segment %d: graph (%v, %v, %v), plain (%v, %v, %v)", tc.shape, tc.r, m, i,
						got.FD[i], got.FDR2[i], got.H[i], want.FD[i], want.FDR2[i], want.H[i])
				}
			}
		}
	}
}

func TestSegmentNodeMatchesSegment(t *testing.T) {
	b := backend.MustNew()
	const n, m, r = 7, 10, 3
	w := randomLayer([]int{n, m}, 5)
	got := MustExecOnce(b, func(x *Node) *Node { return SegmentNode(x, r) }, tensors.FromFlatDataAndDimensions(w, n, m))
	want, _, _ := Segment32(w, n, m, r)
	flat := tensors.MustCopyFlatData[float32](got)
	if len(flat) != len(want) {
		t.Fatalf("%d values, want %d", len(flat), len(want))
	}
	for i := range want {
		if flat[i] != want[i] {
			t.Fatalf("element %d: %v, want %v", i, flat[i], want[i])
		}
	}
}
