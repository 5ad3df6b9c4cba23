package dynamics

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A sweep over a working and an exploding learning rate: the first run is
// analysed, the second diverges at step 2 and is reported as such.
func TestSweep(t *testing.T) {
	out := t.TempDir()
	res, err := Sweep(context.Background(), SweepOptions{Out: out, LearningRates: []float64{1e-3, 1e30},
		Preset: "paper", Settings: mlpSettings + ";epochs=4", Data: barData(),
		Table: TableOptions{PerLayer: 1, Windows: -1}})
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
	b, err := os.ReadFile(filepath.Join(out, SweepFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "learning_rate,run,diverged,eval_accuracy,loss_class,loss_lyapunov,fixed-point") ||
		!strings.HasPrefix(lines[1], "0.001,lr-0.001,false,") || !strings.HasPrefix(lines[2], "1e+30,lr-1e+30,true,") {
		t.Errorf("sweep.csv:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(out, "lr-0.001", "analysis", AttractorsFile)); err != nil {
		t.Errorf("per-run table: %v", err)
	}
	if _, err := Sweep(context.Background(), SweepOptions{Out: out}); err == nil {
		t.Error("no learning rates: no error")
	}
}
