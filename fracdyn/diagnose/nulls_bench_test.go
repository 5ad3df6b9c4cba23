package diagnose

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// BenchmarkSnapshotNulls times the analysis of one snapshot without nulls
// and the nulls added by the default draws (NullDraws 0), layer by layer,
// and reports both and their ratio, in wall time and in the process's CPU
// time (which other jobs on a loaded machine do not inflate). The snapshot is the last of the run
// directory $FRACDYN_BENCH_RUN, or else the paper CNN's shapes filled with
// Gaussian weights:
//
//	FRACDYN_BENCH_RUN=/work/runs/paper go test -run '^$' -bench SnapshotNulls -benchtime 1x ./fracdyn/diagnose/
func BenchmarkSnapshotNulls(b *testing.B) {
	type layer struct {
		info modelfile.TensorInfo
		data []float32
	}
	var layers []layer
	if dir := os.Getenv("FRACDYN_BENCH_RUN"); dir != "" {
		m, err := modelfile.OpenWith(dir, modelfile.Options{})
		if err != nil {
			b.Fatal(err)
		}
		sel, err := Selected(m, "")
		if err != nil {
			b.Fatal(err)
		}
		for _, info := range sel {
			d, err := m.ReadFloat32(info.Name)
			if err != nil {
				b.Fatal(err)
			}
			layers = append(layers, layer{info, d})
		}
		m.Close()
	} else {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, sh := range [][]int{{32, 1, 3, 3}, {64, 32, 3, 3}, {128, 50176}, {10, 128}} {
			info := modelfile.TensorInfo{Name: "w", DType: modelfile.Float32, Shape: sh}
			modelfile.Classify(&info, weights.PyTorch)
			d := make([]float32, info.Elements())
			for i := range d {
				d[i] = float32(rng.NormFloat64()) * 0.05
			}
			layers = append(layers, layer{info, d})
		}
	}
	var base, with, baseCPU, withCPU time.Duration
	b.ResetTimer()
	for range b.N {
		for _, l := range layers {
			for _, draws := range []int{-1, 0} {
				start, cpu := time.Now(), cpuTime()
				rep, err := AnalyzeTensor(l.info, l.data, AnalyzeOptions{NullDraws: draws}, nil)
				if err != nil || rep.Err != "" {
					b.Fatal(err, rep.Err)
				}
				if os.Getenv("FRACDYN_BENCH_VERBOSE") != "" {
					b.Logf("%v draws %d: cpu %v", l.info.Shape, draws, cpuTime()-cpu)
				}
				if draws < 0 {
					base += time.Since(start)
					baseCPU += cpuTime() - cpu
				} else {
					with += time.Since(start)
					withCPU += cpuTime() - cpu
				}
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(base.Seconds()/n, "analysis-s")
	b.ReportMetric((with-base).Seconds()/n, "nulls-s")
	b.ReportMetric((with-base).Seconds()/base.Seconds(), "nulls/analysis")
	// The same in CPU time of the process, which other jobs on the
	// machine do not inflate.
	if baseCPU > 0 {
		b.ReportMetric((withCPU-baseCPU).Seconds()/baseCPU.Seconds(), "cpu-nulls/analysis")
	}
}
