package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// TestTablesNullColumns: details.csv and scales.csv carry the null
// columns, filled, for a smooth dense matrix (beyond every null in its
// box-counting dimension, as diagnose's TestTensorNulls checks).
func TestTablesNullColumns(t *testing.T) {
	const n = 48
	smooth := make([]float32, n*n)
	for i := range n {
		for j := range n {
			x, y := float64(i-n/2)/n, float64(j-n/2)/n
			smooth[i*n+j] = float32(math.Exp(-(x*x + y*y) * 8))
		}
	}
	info := modelfile.TensorInfo{Name: "fc.weight", DType: modelfile.Float32, Shape: []int{n, n}}
	modelfile.Classify(&info, weights.PyTorch)
	rep, err := diagnose.AnalyzeTensor(info, smooth, diagnose.AnalyzeOptions{Scales: []int{2, 4}, NullDraws: 19}, nil)
	if err != nil || rep.Err != "" {
		t.Fatal(err, rep.Err)
	}
	var buf bytes.Buffer
	if err := writeDetails(&buf, []diagnose.LayerReport{rep}); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "fd_bc_null_verdict")
	if col < 0 || rows[1][col] != "beyond all nulls" || rows[1][len(rows[1])-2] != "19" || rows[1][len(rows[1])-1] != "2304" {
		t.Errorf("details.csv %v / %v", rows[0][col:], rows[1][col:])
	}
	buf.Reset()
	if err := writeScales(&buf, []diagnose.LayerReport{rep}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "fd_mean_perm_z") {
		t.Errorf("scales.csv has no null columns: %s", strings.SplitN(buf.String(), "\n", 2)[0])
	}
}
