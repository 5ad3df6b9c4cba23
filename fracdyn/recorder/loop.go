package recorder

import (
	"errors"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/train"
)

// HookPriority is the priority of the recorder's loop hooks: before the
// default ones, so that a hook reading the run directory at a step sees
// that step recorded.
const HookPriority train.Priority = -100

// Attach records loop's training: Start at the loop's start (and the
// trainer's context set to reuse the variables Start may have created),
// Record at every step, Finish at the end. The loop's trainer must have
// been built with Optimizer and Metric.
func (r *Recorder) Attach(loop *train.Loop) {
	idx := -1
	loop.OnStart("fracdyn recorder", HookPriority, func(loop *train.Loop, _ train.Dataset) error {
		idx = -1
		for i, m := range loop.Trainer.TrainMetrics() {
			if m == r.metric {
				idx = i
			}
		}
		if idx < 0 {
			return errors.New("recorder: the trainer's train metrics lack Recorder.Metric() (and its optimizer should be Recorder.Optimizer(...))")
		}
		if err := r.Start(); err != nil {
			return err
		}
		loop.Trainer.SetContext(loop.Trainer.Context().Checked(false))
		return nil
	})
	loop.OnStep("fracdyn recorder", HookPriority, func(_ *train.Loop, metrics []*tensors.Tensor) error {
		return r.Record(metrics[idx])
	})
	loop.OnEnd("fracdyn recorder", HookPriority, func(*train.Loop, []*tensors.Tensor) error {
		return r.Finish()
	})
}
