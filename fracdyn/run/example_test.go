package run_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/mnist"
)

// barSet is n generated 28×28 images: image i has a bright bar on row
// 2·(i%10)+4, its label i%10.
func barSet(n int) *mnist.Set {
	s := &mnist.Set{Images: make([]uint8, n*28*28), Labels: make([]uint8, n), N: n, Rows: 28, Cols: 28}
	for i := range n {
		s.Labels[i] = uint8(i % 10)
		row := 2*(i%10) + 4
		for c := range 28 {
			s.Images[i*28*28+row*28+c] = 255
		}
	}
	return s
}

// Train the MLP for one epoch of 4 steps on generated images, then open
// the run directory it wrote, as the analyses do.
func ExampleTrain() {
	dir, err := os.MkdirTemp("", "run-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	params, err := run.NewContext("paper")
	if err != nil {
		panic(err)
	}
	err = run.SetParams(params, "arch=mlp;epochs=1;batch_size=16;probe_size=8;track_sample=4;eval_images=20")
	if err != nil {
		panic(err)
	}
	data := &mnist.Data{Train: barSet(64), Eval: barSet(20), Dataset: "mnist", Dir: "generated"}
	out := filepath.Join(dir, "run")
	if _, err := run.Train(context.Background(), run.Options{Out: out, Params: params, Data: data}); err != nil {
		panic(err)
	}

	r, err := run.Open(out)
	if err != nil {
		panic(err)
	}
	steps, err := r.Steps()
	if err != nil {
		panic(err)
	}
	epochs, err := r.SnapshotEpochs()
	if err != nil {
		panic(err)
	}
	index, series, err := r.TrackedSegments()
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Config.Arch, r.Config.StepsPerEpoch, len(steps), epochs)
	for _, l := range r.Config.Layers {
		fmt.Println(l.Name, l.WeightShape)
	}
	fmt.Println(len(index), series.Shape)
	fmt.Printf("first loss %.1f\n", steps[0].Loss)
	// Output:
	// mlp 4 4 [0 1]
	// fc1 [256 784]
	// fc2 [128 256]
	// fc3 [10 128]
	// 12 [4 12]
	// first loss 2.3
}
