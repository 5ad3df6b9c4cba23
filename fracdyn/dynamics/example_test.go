package dynamics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/mnist"
)

// The 2×2 segment at row 0, column 2 of a dense 3×4 weight gradient:
// entries 3, 4, 7, 8, so ℓ2 norm √138 and mean 5.5.
func ExampleSegmentGradient() {
	g := arrayio.FromFloat32([]float32{
		1, 2, 3, 4,
		5, 6, 7, 8,
		9, 10, 11, 12,
	}, 3, 4)
	seg := run.TrackedSegment{Layer: "fc1", Neuron: -1, Channel: -1, Row: 0, Col: 2, R: 2}
	norm, mean, err := dynamics.SegmentGradient(g, seg)
	if err != nil {
		panic(err)
	}
	fmt.Println(dynamics.SegmentName(seg))
	fmt.Printf("%.4f %.2f\n", norm, mean)
	// Output:
	// fc1_r0_c2
	// 11.7473 5.50
}

// barSet is n generated 28×28 images: image i has a bright bar on row
// 2·(i%10)+4, its label i%10.
func barSet(n int) *mnist.Set {
	s := &mnist.Set{Images: make([]uint8, n*28*28), Labels: make([]uint8, n), N: n, Rows: 28, Cols: 28}
	for i := range n {
		s.Labels[i] = uint8(i % 10)
		for c := range 28 {
			s.Images[i*28*28+(2*(i%10)+4)*28+c] = 255
		}
	}
	return s
}

// The per-step series of a two-epoch MLP run on generated images: the
// loss, ‖∇L‖, each layer's gradient norm and one tracked segment per layer.
func ExampleLoadTrajectories() {
	dir, err := os.MkdirTemp("", "dynamics-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	params, err := run.NewContext("paper")
	if err != nil {
		panic(err)
	}
	if err := run.SetParams(params, "arch=mlp;epochs=2;batch_size=16;probe_size=8;track_sample=4;eval_images=20"); err != nil {
		panic(err)
	}
	out := filepath.Join(dir, "run")
	data := &mnist.Data{Train: barSet(48), Eval: barSet(20), Dataset: "mnist", Dir: "generated"}
	r, err := run.Train(context.Background(), run.Options{Out: out, Params: params, Data: data})
	if err != nil {
		panic(err)
	}

	tr, err := dynamics.LoadTrajectories(r, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("steps", tr.Step, "epochs", tr.Epoch)
	for _, s := range tr.Series {
		fmt.Println(s.Kind, s.Layer, len(s.Values))
	}
	// Output:
	// steps [1 2 3 4 5 6] epochs [1 1 1 2 2 2]
	// loss  6
	// grad_norm  6
	// layer_grad_norm fc1 6
	// layer_grad_norm fc2 6
	// layer_grad_norm fc3 6
	// segment fc1 6
	// segment fc2 6
	// segment fc3 6
}
