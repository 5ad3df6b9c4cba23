package analysis

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/testutil"
)

// paperScales measures the named paper-CNN layers, with Gaussian weights
// and gradients, at scale r, data-free.
func paperScales(t testing.TB, names []string, r int) []*layerScale {
	rng := rand.New(rand.NewPCG(6, 6))
	var out []*layerScale
	for i, info := range model.Layers(model.PaperCNN) {
		for _, name := range names {
			if info.Name != name {
				continue
			}
			size := 1
			for _, d := range info.WeightShape {
				size *= d
			}
			w, g := make([]float32, size), make([]float32, size)
			for k := range w {
				w[k], g[k] = float32(rng.NormFloat64()*0.1), float32(rng.NormFloat64()*1e-3)
			}
			ls, err := measureLayer(segraph.Layer{Info: info, Index: i, Weights: w}, g, r,
				Options{Method: fractal.MethodBoxCount, DataFree: true, Pool: segraph.DefaultPool, AllEstimators: true})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, ls)
		}
	}
	return out
}

// TestSegmentsParquetMatchesCSV writes one epoch's segment table both ways
// and checks every Parquet value is the CSV's (float32 text parsed back),
// and the matrix column is the segment's 2-D matrix.
func TestSegmentsParquetMatchesCSV(t *testing.T) {
	table := paperScales(t, []string{"conv1", "conv2", "fc2"}, 2)
	dir := t.TempDir()
	csvPath, pqPath := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.parquet")
	if err := writeSegments(csvPath, 7, table); err != nil {
		t.Fatal(err)
	}
	if err := writeSegmentsParquet(pqPath, 7, table); err != nil {
		t.Fatal(err)
	}
	rows := testutil.ReadCSV(t, csvPath)
	measures, got, err := segtable.ReadFile(pqPath)
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	if len(got) != len(rows)-1 || len(measures) != len(header)-7 {
		t.Fatalf("parquet: %d rows, %d measures; csv: %d rows, %d columns", len(got), len(measures), len(rows)-1, len(header))
	}
	for k, m := range measures {
		if header[7+k] != m {
			t.Fatalf("measure %d is %q, the CSV's column %q", k, m, header[7+k])
		}
	}
	for i, p := range got {
		c := rows[i+1]
		pos := []int32{p.Epoch, 0, p.Neuron, p.Channel, p.Row, p.Col, p.R}
		for j, v := range pos {
			if j == 1 {
				if c[1] != p.Layer {
					t.Fatalf("row %d: layer %q, csv %q", i, p.Layer, c[1])
				}
				continue
			}
			if strconv.Itoa(int(v)) != c[j] {
				t.Fatalf("row %d: %s = %d, csv %s", i, header[j], v, c[j])
			}
		}
		for k, v := range p.Measures {
			f, err := strconv.ParseFloat(c[7+k], 32)
			if err != nil {
				t.Fatal(err)
			}
			if float32(f) != v && !(math.IsNaN(f) && v != v) {
				t.Fatalf("row %d: %s = %v, csv %s", i, measures[k], v, c[7+k])
			}
		}
		if p.Layer == "conv2" {
			// conv2 [64,32,3,3] at r=2: one segment per 3×3 kernel; matrix = neuron·32 + channel.
			if p.Matrix != p.Neuron*32+p.Channel {
				t.Fatalf("row %d: matrix %d for neuron %d channel %d", i, p.Matrix, p.Neuron, p.Channel)
			}
		}
	}
}

// BenchmarkSegmentsTableSize writes the analysis's per-segment table of
// the paper CNN's four layers at r = 2 (Gaussian weights: 1.6 million
// fc1 segments) as CSV and as Parquet and reports both sizes.
func BenchmarkSegmentsTableSize(b *testing.B) {
	table := paperScales(b, []string{"conv1", "conv2", "fc1", "fc2"}, 2)
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		csvPath, pqPath := filepath.Join(dir, "s.csv"), filepath.Join(dir, "s.parquet")
		if err := writeSegments(csvPath, 1, table); err != nil {
			b.Fatal(err)
		}
		if err := writeSegmentsParquet(pqPath, 1, table); err != nil {
			b.Fatal(err)
		}
		c, _ := os.Stat(csvPath)
		p, _ := os.Stat(pqPath)
		b.ReportMetric(float64(c.Size()), "csv-bytes")
		b.ReportMetric(float64(p.Size()), "parquet-bytes")
		b.ReportMetric(float64(p.Size())/float64(c.Size()), "parquet/csv")
	}
}

// BenchmarkSegmentsTableSizeAllScales writes the per-segment table of one
// paper-CNN snapshot at every valid scale of its four layers (Gaussian
// weights; the default estimator alone, as analyze writes it) as Parquet,
// in one file as analyze does, and as the CSV it replaces (one file per
// scale, the header counted once), and reports both sizes.
func BenchmarkSegmentsTableSizeAllScales(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 6))
	dir := b.TempDir()
	opts := Options{Method: fractal.MethodBoxCount, DataFree: true, Pool: segraph.DefaultPool}
	for b.Loop() {
		pqPath := filepath.Join(dir, "s.parquet")
		var csvBytes, header int64
		var rows int
		err := segtable.WriteFile(pqPath, segmentMeasures(), segtable.Options{}, func(w *segtable.Writer) error {
			for i, info := range model.Layers(model.PaperCNN) {
				size := 1
				for _, d := range info.WeightShape {
					size *= d
				}
				wt, g := make([]float32, size), make([]float32, size)
				for k := range wt {
					wt[k], g[k] = float32(rng.NormFloat64()*0.1), float32(rng.NormFloat64()*1e-3)
				}
				v, err := info.View(weights.PerKernel)
				if err != nil {
					return err
				}
				for _, r := range fractal.ValidScales(v.Rows, v.Cols) {
					ls, err := measureLayer(segraph.Layer{Info: info, Index: i, Weights: wt}, g, r, opts)
					if err != nil {
						return err
					}
					rows += ls.layer.Segments.Len()
					if err := writeSegmentRows(w, 1, ls); err != nil {
						return err
					}
					csvPath := filepath.Join(dir, "s.csv")
					if err := writeSegments(csvPath, 1, []*layerScale{ls}); err != nil {
						return err
					}
					c, err := os.Stat(csvPath)
					if err != nil {
						return err
					}
					csvBytes += c.Size()
					if header == 0 {
						header = int64(len(strings.Join(segmentHeader(), ",")) + 1)
					} else {
						csvBytes -= header
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		p, err := os.Stat(pqPath)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(csvBytes), "csv-bytes")
		b.ReportMetric(float64(p.Size()), "parquet-bytes")
		b.ReportMetric(float64(p.Size())/float64(csvBytes), "parquet/csv")
	}
}
