package bench_test

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/internal/bench"
)

// Two Adam steps of the paper CNN on one synthetic batch of 4 images:
// the loss starts near ln 10 (ten equally likely classes) and falls.
func ExampleNewTrainer() {
	b, err := backend.NewWithConfig(backend.Default)
	if err != nil {
		panic(err)
	}
	t, err := bench.NewTrainer(b, model.PaperCNN, 4, 1, nil)
	if err != nil {
		panic(err)
	}
	images, labels := bench.SyntheticBatch(4, 1)
	first, err := t.Step(images, labels)
	if err != nil {
		panic(err)
	}
	second, err := t.Step(images, labels)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.1f %v\n", first, second < first)
	// Output:
	// 2.3 true
}
