package diagnose_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
)

// Diagnose a model file without data: every weight matrix is cut into r×r
// segments at r = 2 and 4 (the last segment of a side shifted back to end
// at its edge) and summarised per layer.
func ExampleAnalyze() {
	dir, _ := os.MkdirTemp("", "diagnose-example-")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "mlp.safetensors")
	if err := modelfile.ExportSafetensors(path, model.MLP, model.InitWeights(model.MLP, 1), nil); err != nil {
		fmt.Println(err)
		return
	}
	m, err := modelfile.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	reports, err := diagnose.Analyze(context.Background(), m,
		diagnose.AnalyzeOptions{Scales: []int{2, 4}, NullDraws: -1}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rep := range reports {
		fmt.Printf("%s %v %s:", rep.Info.Name, rep.Info.Shape, rep.Info.Kind)
		for _, s := range rep.Scales {
			fmt.Printf(" r=%d %d segments;", s.R, s.Segments)
		}
		fmt.Println()
	}
	// Output:
	// fc1.weight [256 784] dense: r=2 50176 segments; r=4 12544 segments;
	// fc2.weight [128 256] dense: r=2 8192 segments; r=4 2048 segments;
	// fc3.weight [10 128] dense: r=2 320 segments; r=4 96 segments;
}
