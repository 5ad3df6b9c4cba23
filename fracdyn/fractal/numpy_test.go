package fractal

import (
	"math"
	"os"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// TestAgainstNumpy compares LayerSegments with the numpy reference of
// bench/ref_numpy.py on the matrix it wrote with --check. It runs when
// FRACDYN_NUMPY_REF names that .npz (bench/run.sh sets it).
func TestAgainstNumpy(t *testing.T) {
	path := os.Getenv("FRACDYN_NUMPY_REF")
	if path == "" {
		t.Skip("FRACDYN_NUMPY_REF is not set; bench/run.sh runs this check")
	}
	_, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	wa := arrays["w"]
	w := wa.Float32s()
	for _, r := range []string{"2", "4", "8"} {
		ri := int(r[0] - '0')
		lr, err := LayerSegments(w, wa.Shape, ri, LayerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tau := arrays["tau"+r].Float64s()[0]
		if math.Abs(float64(lr.Threshold)-tau) > 1e-7*tau {
			t.Errorf("r=%s: τ = %v, numpy %v", r, lr.Threshold, tau)
		}
		for name, got := range map[string][]float32{"fd": lr.FD, "r2_": lr.FDR2, "h": lr.H} {
			want := arrays[name+r].Float64s()
			if len(want) != len(got) {
				t.Fatalf("r=%s %s: %d values, numpy %d", r, name, len(got), len(want))
			}
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 1e-5 {
					t.Fatalf("r=%s %s[%d] = %v, numpy %v", r, name, i, got[i], want[i])
				}
			}
		}
	}
}
