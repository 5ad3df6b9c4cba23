package bench

import (
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
)

const benchBatch = 64

func benchStep(b *testing.B, arch model.Arch) {
	t, err := NewTrainer(backend.MustNew(), arch, benchBatch, 1)
	if err != nil {
		b.Fatal(err)
	}
	images, labels := SyntheticBatch(benchBatch, 1)
	if _, err := t.Step(images, labels); err != nil { // Compile outside the timing.
		b.Fatal(err)
	}
	cpu0 := CPUTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := t.Step(images, labels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/step")
	b.ReportMetric((CPUTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/step")
}

func BenchmarkStepCNN(b *testing.B)       { benchStep(b, model.PaperCNN) }
func BenchmarkStepPooledCNN(b *testing.B) { benchStep(b, model.PooledCNN) }
func BenchmarkStepMLP(b *testing.B)       { benchStep(b, model.MLP) }
