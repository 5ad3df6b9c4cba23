package gcn

import (
	gocontext "context"
	"errors"
	"testing"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestFitContextCancelled checks that a cancelled context stops FitContext
// before its first epoch with an error wrapping context.Canceled, and that
// an uncancelled one trains as Fit does.
func TestFitContextCancelled(t *testing.T) {
	g := &Edges{N: 4, Src: []int32{0, 1, 2}, Dst: []int32{1, 2, 3}}
	x := []float32{1, 0, 0, 1, 1, 1, 0, 1}
	params := context.New()
	params.SetParam(ParamEpochs, 3)
	ctx, cancel := gocontext.WithCancel(gocontext.Background())
	cancel()
	if _, err := FitContext(ctx, nil, params, x, 2, g, UniformPairs(g.N), 1); !errors.Is(err, gocontext.Canceled) {
		t.Errorf("cancelled FitContext: %v, want context.Canceled", err)
	}
	ae, err := FitContext(gocontext.Background(), nil, params, x, 2, g, UniformPairs(g.N), 1)
	if err != nil || len(ae.Losses) != 3 {
		t.Fatalf("FitContext: %v, %v", ae, err)
	}
	want, err := Fit(nil, params, x, 2, g, UniformPairs(g.N), 1)
	if err != nil || want.Losses[2] != ae.Losses[2] {
		t.Errorf("FitContext loss %v, Fit %v (%v)", ae.Losses[2], want.Losses[2], err)
	}
}
