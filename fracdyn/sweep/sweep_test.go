package sweep

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/dynamics"
	"github.com/fracdyn/fracdyn/internal/testutil"
	"github.com/fracdyn/fracdyn/mnist"
)

// A sweep over a working and an exploding learning rate: the first run is
// analysed, the second diverges at step 2 and is reported as such.
func TestSweep(t *testing.T) {
	out := t.TempDir()
	res, err := Run(context.Background(), Options{Out: out, LearningRates: []float64{1e-3, 1e30},
		Preset: "paper", Settings: mlpSettings + ";epochs=4", Data: barData(),
		Table: dynamics.TableOptions{PerLayer: 1, Windows: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	if res[0].Diverged || res[0].LossClass == "" || res[0].Counts == nil {
		t.Errorf("lr 1e-3: %+v", res[0])
	}
	if !res[1].Diverged || res[1].LossClass != "" || res[1].Failed == 0 {
		t.Errorf("lr 1e30: diverged %v, loss class %q, failed %d", res[1].Diverged, res[1].LossClass, res[1].Failed)
	}
	b, err := os.ReadFile(filepath.Join(out, File))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "learning_rate,run,diverged,eval_accuracy,loss_class,loss_lyapunov,fixed-point") ||
		!strings.HasPrefix(lines[1], "0.001,lr-0.001,false,") || !strings.HasPrefix(lines[2], "1e+30,lr-1e+30,true,") {
		t.Errorf("sweep.csv:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(out, "lr-0.001", "analysis", dynamics.AttractorsFile)); err != nil {
		t.Errorf("per-run table: %v", err)
	}
	if _, err := Run(context.Background(), Options{Out: out}); err == nil {
		t.Error("no learning rates: no error")
	}
}

// barData is 320 training and 200 evaluation images of bar patterns.
func barData() *mnist.Data {
	const n = 520
	pixels, labels := testutil.BarImages(n)
	all := &mnist.Set{Images: pixels, Labels: labels, N: n, Rows: 28, Cols: 28, Files: []string{"generated"}}
	train, eval := make([]int, 320), make([]int, 200)
	for i := range train {
		train[i] = i
	}
	for i := range eval {
		eval[i] = 320 + i
	}
	return &mnist.Data{Train: all.Subset(train), Eval: all.Subset(eval), Dataset: "mnist", Dir: "generated",
		Notes: []string{"generated bar patterns"}}
}

// mlpSettings: the MLP at batch 16, 20 steps per epoch.
const mlpSettings = "arch=mlp;batch_size=16;probe_size=16;track_sample=16;eval_images=200"
