package segtable

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchRows returns n rows shaped like an analysis's table: the r = 2
// segments of conv layers [64,32,3,3] and a dense [128,9216] layer, in
// scan order, with five measures (a dimension in [1,2], its R², an
// entropy, two norms) drawn at random, so their mantissas compress as
// badly as measured ones; one dimension in 50 is NaN.
func benchRows(n int) ([]string, []Row) {
	measures := []string{"fd_boxcount", "r2_boxcount", "entropy", "a_norm", "grad_norm"}
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, n)
	meas := make([]float32, n*len(measures))
	for i := range rows {
		layer, seg := "conv2", i
		var neuron, channel, row, col, matrix int
		if i < n/2 {
			// 64×32 kernels of 3×3 with one 2×2 segment each.
			matrix = seg % (64 * 32)
			neuron, channel = matrix/32, matrix%32
		} else {
			layer, seg = "fc1", i-n/2
			// Row-major 2×2 segments of one 128×9216 matrix.
			row, col = 2*(seg/4608%64), 2*(seg%4608)
			neuron = row
		}
		m := meas[i*len(measures) : (i+1)*len(measures) : (i+1)*len(measures)]
		m[0] = float32(1 + rng.Float64())
		if i%50 == 0 {
			m[0] = float32(math.NaN())
		}
		m[1] = float32(0.9 + 0.1*rng.Float64())
		m[2] = float32(2 * rng.Float64())
		m[3] = float32(math.Abs(rng.NormFloat64()) * 0.1)
		m[4] = float32(math.Abs(rng.NormFloat64()) * 1e-3)
		rows[i] = Row{Epoch: 3, Layer: layer, R: 2, Matrix: int32(matrix), Neuron: int32(neuron), Channel: int32(channel),
			Row: int32(row), Col: int32(col), Measures: m}
	}
	return measures, rows
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWriter writes a table of a million rows with five measures
// (benchRows) with the default options, reporting the time per row and
// the bytes of the file:
//
//	go test -run '^$' -bench Writer -benchmem ./fracdyn/segtable/
func BenchmarkWriter(b *testing.B) {
	const n = 1 << 20
	measures, rows := benchRows(n)
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		var c countWriter
		w, err := NewWriter(&c, measures, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = c.n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
	b.ReportMetric(float64(size), "bytes")
	b.ReportMetric(float64(size)/n, "bytes/row")
}
