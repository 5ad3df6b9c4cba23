package analysis

import (
	gocontext "context"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/run"
)

// BenchmarkSnapshotNullShare runs fracdyn analyze (data-free, default
// options and nulls) on one snapshot of the paper CNN's shapes filled
// with Gaussian weights, and reports the seconds of the "nulls" stage
// beside those of every other stage (surrogate.json's seconds) and their
// ratio: the share the per-layer nulls add to the analysis of a snapshot,
// measured in the same run.
//
//	go test -run '^$' -bench SnapshotNullShare -benchtime 1x -count 3 ./fracdyn/analysis/
func BenchmarkSnapshotNullShare(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "run")
	layers := model.Layers(model.PaperCNN)
	cfg := &run.Config{Format: run.FormatVersion, Arch: string(model.PaperCNN), Layers: layers, StepsPerEpoch: 1, BatchSize: 64,
		Track: run.TrackConfig{Mode: "default", R: 2, Sample: 16}}
	rec, err := run.NewRecorder(dir, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := rec.Create(); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var params []run.Param
	for _, l := range layers {
		for _, p := range []struct {
			part  string
			shape []int
		}{{"weight", l.WeightShape}, {"bias", l.BiasShape}} {
			n := 1
			for _, d := range p.shape {
				n *= d
			}
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * 0.05)
			}
			params = append(params, run.Param{Layer: l.Name, Part: p.part, Shape: p.shape, Value: v, Grad: make([]float32, n)})
		}
	}
	if err := rec.WriteSnapshot(0, params, nil, 2.3); err != nil {
		b.Fatal(err)
	}
	var nulls, rest float64
	b.ResetTimer()
	for range b.N {
		rep, err := Analyze(gocontext.Background(), dir, Options{DataFree: true, Epochs: []int{0}})
		if err != nil {
			b.Fatal(err)
		}
		for stage, s := range rep.Seconds {
			if stage == "nulls" {
				nulls += s
			} else {
				rest += s
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(rest/n, "analysis-s")
	b.ReportMetric(nulls/n, "nulls-s")
	b.ReportMetric(nulls/rest, "nulls/analysis")
}
