package figure

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
)

func TestAttractorSummary(t *testing.T) {
	var entries []AttractorEntry
	add := func(layer string, c attractor.Class, n int) {
		for i := 0; i < n; i++ {
			entries = append(entries, AttractorEntry{Layer: layer, Whole: true, EpochFrom: 1, EpochTo: 10, Class: c, Lyapunov: 0.01})
		}
	}
	add("", attractor.FixedPoint, 1)
	add("conv1", attractor.FixedPoint, 3)
	add("conv1", attractor.Stochastic, 2)
	add("fc1", attractor.Chaotic, 4)
	for w := 0; w < 3; w++ {
		for _, l := range []string{"conv1", "fc1"} {
			entries = append(entries,
				AttractorEntry{Layer: l, EpochFrom: float64(1 + 3*w), EpochTo: float64(3 + 3*w), Lyapunov: 0.1 * float64(w), Class: attractor.Chaotic},
				AttractorEntry{Layer: l, EpochFrom: float64(1 + 3*w), EpochTo: float64(3 + 3*w), Lyapunov: 0.1*float64(w) + 0.02, Class: attractor.Chaotic})
		}
	}
	grid, err := AttractorSummary(entries)
	if err != nil {
		t.Fatal(err)
	}
	counts := grid.Plots[0][0]
	layers, byClass := classCounts(entries)
	want := map[attractor.Class]string{attractor.FixedPoint: "[1 3 0]", attractor.Stochastic: "[0 2 0]",
		attractor.Chaotic: "[0 0 4]", attractor.Periodic: "[0 0 0]"}
	if fmt.Sprint(layers) != "[model conv1 fc1]" {
		t.Errorf("layers %v", layers)
	}
	for c, w := range want {
		if got := fmt.Sprint(byClass[c]); got != w {
			t.Errorf("%s counts per layer = %s, want %s", c, got, w)
		}
	}
	if counts.Y.Max < 4 {
		t.Errorf("count axis tops at %v, want ≥ 4", counts.Y.Max)
	}
	lyap := grid.Plots[0][1]
	if lyap.X.Min > 2 || lyap.X.Max < 8 || lyap.Y.Max < 0.2 {
		t.Errorf("λ panel ranges x [%v,%v] y max %v", lyap.X.Min, lyap.X.Max, lyap.Y.Max)
	}
	path := filepath.Join(t.TempDir(), "attractors.png")
	if os.Getenv("FRACDYN_KEEP_FIGURES") != "" {
		path = "/tmp/attractors.png"
	}
	if err := Save(grid, path); err != nil {
		t.Fatal(err)
	}
	if _, err := AttractorSummary([]AttractorEntry{{Layer: "x", EpochFrom: 1, EpochTo: 2}}); err == nil {
		t.Error("no whole-run entries: no error")
	}
}
