package diagnose

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// TestSummarizeMatricesPaperScales: the paper's dimension at each scale is
// the mean over the matrices of fractal.PaperFD at the matrix's own
// threshold, bit for bit, on a stack of kernels and on one matrix, and NaN
// at a scale the matrices do not have.
func TestSummarizeMatricesPaperScales(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	for _, mv := range []fractal.MatrixView{{Count: 5, Rows: 7, Cols: 9}, {Count: 1, Rows: 24, Cols: 40}} {
		v := weights.View{MatrixView: mv}
		data := make([]float32, v.Count*v.Rows*v.Cols)
		for i := range data {
			data[i] = float32(rng.NormFloat64())
		}
		scales := append(fractal.ValidScales(v.Rows, v.Cols), 99)
		sum, err := SummarizeMatrices(data, v, SummaryOptions{PaperScales: scales})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range scales {
			want := math.NaN()
			if r != 99 {
				var s float64
				for j := range v.Count {
					w := make([]float64, v.Rows*v.Cols)
					for i, x := range data[j*len(w) : (j+1)*len(w)] {
						w[i] = float64(x)
					}
					f, err := fractal.PaperFD(w, v.Rows, v.Cols, r, fractal.Options{})
					if err != nil {
						t.Fatal(err)
					}
					s += f.Dimension
				}
				want = s / float64(v.Count)
			}
			got := sum.Paper[r].Mean
			if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Errorf("%+v r=%d: paper dimension %v, want %v", v, r, got, want)
			}
		}
	}
}
