package bench

import (
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

const benchBatch = 64

func benchStep(b *testing.B, arch model.Arch, params map[string]any) {
	t, err := NewTrainer(backend.MustNew(), arch, benchBatch, 1, params)
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

func BenchmarkStepCNN(b *testing.B)       { benchStep(b, model.PaperCNN, nil) }
func BenchmarkStepPooledCNN(b *testing.B) { benchStep(b, model.PooledCNN, nil) }
func BenchmarkStepMLP(b *testing.B)       { benchStep(b, model.MLP, nil) }

// BenchmarkStepPooledCNNConvGeneral is BenchmarkStepPooledCNN with GoMLX's
// ConvGeneral instead of im2col.
func BenchmarkStepPooledCNNConvGeneral(b *testing.B) {
	benchStep(b, model.PooledCNN, map[string]any{model.ParamConv: "conv"})
}

// benchEpochImages is the epoch size of the epoch benchmarks (whole batches).
const benchEpochImages = 512

func benchEpoch(b *testing.B, arch model.Arch) {
	t, err := NewTrainer(backend.MustNew(), arch, benchBatch, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	var batches [][2]*tensors.Tensor
	for i := range benchEpochImages / benchBatch {
		images, labels := SyntheticBatch(benchBatch, uint64(i+1))
		batches = append(batches, [2]*tensors.Tensor{images, labels})
	}
	if _, err := t.Step(batches[0][0], batches[0][1]); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, bt := range batches {
			if _, err := t.Step(bt[0], bt[1]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*EpochImagesTarget/benchEpochImages, "s/8000-images")
}

func BenchmarkEpochCNN(b *testing.B)       { benchEpoch(b, model.PaperCNN) }
func BenchmarkEpochPooledCNN(b *testing.B) { benchEpoch(b, model.PooledCNN) }
func BenchmarkEpochMLP(b *testing.B)       { benchEpoch(b, model.MLP) }

// benchProbe times the probe-batch gradient pass (64 images, as the run
// preset's default probe).
func benchProbe(b *testing.B, arch model.Arch) {
	const probe = 64
	t, err := NewTrainer(backend.MustNew(), arch, probe, 1, nil)
	if err != nil {
		b.Fatal(err)
	}
	images, labels := SyntheticBatch(probe, 99)
	if err := t.Gradients(images, labels); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := t.Gradients(images, labels); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProbeCNN(b *testing.B)       { benchProbe(b, model.PaperCNN) }
func BenchmarkProbePooledCNN(b *testing.B) { benchProbe(b, model.PooledCNN) }
func BenchmarkProbeMLP(b *testing.B)       { benchProbe(b, model.MLP) }
