package bench

import (
	"fmt"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/fracdyn/fracdyn/fracdyn/model"
)

// Result is one measurement, in the JSON form shared with pytorch_ref.py.
type Result struct {
	Impl       string  `json:"impl"` // "gomlx" or "pytorch"
	Arch       string  `json:"arch"`
	What       string  `json:"what"` // "step", "epoch" or "probe"
	Images     int     `json:"images"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
	PeakRSSMB  float64 `json:"peak_rss_mb,omitempty"` // what == "rss": the process's peak resident set
}

// Options size a measurement run.
type Options struct {
	Batch       int // training batch (64)
	Steps       int // timed single steps
	EpochImages int // images in the timed epoch (rounded down to whole batches)
	Probe       int // probe batch for the gradient pass
}

// Measure times arch on b: Steps single training steps, one epoch of
// EpochImages images, and one probe-batch gradient pass, each after a
// warm-up that compiles its graph. emit receives each result as it comes.
func Measure(b backends.Backend, arch model.Arch, o Options, emit func(Result)) error {
	if o.Batch <= 0 || o.EpochImages < o.Batch {
		return fmt.Errorf("bench: batch %d and epoch of %d images", o.Batch, o.EpochImages)
	}
	t, err := NewTrainer(b, arch, o.Batch, 1, nil)
	if err != nil {
		return err
	}
	steps := o.EpochImages / o.Batch
	batches := make([][2]*tensors.Tensor, steps)
	for i := range batches {
		batches[i][0], batches[i][1] = SyntheticBatch(o.Batch, uint64(i+1))
	}
	timed := func(what string, images int, fn func() error) error {
		w0, c0 := time.Now(), CPUTime()
		if err := fn(); err != nil {
			return fmt.Errorf("bench: %s %s: %w", arch, what, err)
		}
		emit(Result{Impl: "gomlx", Arch: string(arch), What: what, Images: images,
			Seconds: time.Since(w0).Seconds(), CPUSeconds: (CPUTime() - c0).Seconds()})
		return nil
	}
	if _, err := t.Step(batches[0][0], batches[0][1]); err != nil { // Compile.
		return err
	}
	for range o.Steps {
		if err := timed("step", o.Batch, func() error {
			_, err := t.Step(batches[0][0], batches[0][1])
			return err
		}); err != nil {
			return err
		}
	}
	if err := timed("epoch", steps*o.Batch, func() error {
		for _, bt := range batches {
			if _, err := t.Step(bt[0], bt[1]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	probeImages, probeLabels := SyntheticBatch(o.Probe, 99)
	pt, err := NewTrainer(b, arch, o.Probe, 1, nil)
	if err != nil {
		return err
	}
	if err := pt.Gradients(probeImages, probeLabels); err != nil { // Compile.
		return err
	}
	if err := timed("probe", o.Probe, func() error { return pt.Gradients(probeImages, probeLabels) }); err != nil {
		return err
	}
	emit(Result{Impl: "gomlx", Arch: string(arch), What: "rss", PeakRSSMB: PeakRSSMB()})
	return nil
}
