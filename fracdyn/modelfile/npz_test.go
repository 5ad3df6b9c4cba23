package modelfile

import (
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

func TestNPZFromNumpy(t *testing.T) {
	m, err := Open("testdata/numpy.npz")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for name, want := range readExpected(t) {
		if n, ok := strings.CutPrefix(name, "npz:"); ok {
			checkTensor(t, m, n, want)
		}
	}
	for name, kind := range map[string]weights.Kind{"conv1.weight": weights.Conv, "conv1.bias": weights.Bias, "fc.weight": weights.Dense, "labels": weights.Skipped} {
		if info, _ := m.Info(name); info.Kind != kind {
			t.Errorf("%s: kind %v, want %v", name, info.Kind, kind)
		}
	}
}
