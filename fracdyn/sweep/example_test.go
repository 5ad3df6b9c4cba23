package sweep_test

import (
	"context"
	"fmt"
	"os"

	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/fracdyn/sweep"
	"github.com/fracdyn/fracdyn/internal/bardata"
)

// Sweep two learning rates of the MLP on a small generated task: one that
// trains and one that diverges at once. Each run is trained, its
// trajectories classified, and Out/sweep.csv written.
func ExampleRun() {
	out, _ := os.MkdirTemp("", "sweep-example-")
	defer os.RemoveAll(out)
	res, err := sweep.Run(context.Background(), sweep.Options{
		Out: out, LearningRates: []float64{1e-3, 1e30}, Preset: "paper",
		Settings: "arch=mlp;epochs=4;batch_size=16;probe_size=16;track_sample=16;eval_images=200",
		Data:     bardata.Data(520, 320),
		Table:    dynamics.TableOptions{PerLayer: 1, Windows: -1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("lr %g: diverged %v, loss trajectory analysed %v\n", r.LearningRate, r.Diverged, r.LossClass != "")
	}
	// Output:
	// lr 0.001: diverged false, loss trajectory analysed true
	// lr 1e+30: diverged true, loss trajectory analysed false
}
