package recorder_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/recorder"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/mnist"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/metrics"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// errKilled stands for the process being killed at a step.
var errKilled = errors.New("killed")

// recordRun records userModel with train.Loop, shuffled batches of 32
// (8 steps, one snapshot per epoch) for 3 epochs (24 steps) in all, as one process
// would: a fresh context, a recorder (resuming dir when resume), a trainer
// and a loop. killAt > 0 stops the process after that global step, as a
// kill would: nothing more is written.
// It returns the epoch the recording resumed after (-1: none) and the
// steps this process trained.
func recordRun(t *testing.T, dir string, set *mnist.Set, resume bool, killAt int) (resumed, trained int, err error) {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	ctx.SetParam(optimizers.ParamLearningRate, 0.003)
	if err := ctx.SetRNGStateFromSeed(7); err != nil {
		t.Fatal(err)
	}
	pimg, plab, _, err := mnist.Probe(set, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := mnist.NewBatches("train", set, mnist.BatchOptions{BatchSize: 32, Shuffle: true, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := recorder.New(b, ctx, recorder.Options{Dir: dir, ModelFn: userModel, LossFn: sparseCE,
		ProbeInputs:   []*tensors.Tensor{tensors.FromFlatDataAndDimensions(pimg, 16, 28, 28)},
		ProbeLabels:   []*tensors.Tensor{tensors.FromFlatDataAndDimensions(plab, 16)},
		SnapshotEvery: ds.BatchesPerEpoch(), TrackSample: 20, Seed: 3, Model: "user-cnn", Resume: resume})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Resumed() > 0 {
		ds.SetEpoch(rec.ResumeStep() / ds.BatchesPerEpoch()) // past the batches already trained
	}
	trainer := train.NewTrainer(b, ctx, userModel, sparseCE, rec.Optimizer(optimizers.Adam().Done()),
		[]metrics.Interface{rec.Metric()}, nil)
	loop := train.NewLoop(trainer)
	rec.Attach(loop)
	loop.OnStep("kill", 0, func(l *train.Loop, _ []*tensors.Tensor) error {
		trained++
		if l.LoopStep+1 == killAt {
			return errKilled
		}
		return nil
	})
	_, err = loop.RunEpochs(ds, 3-max(rec.Resumed(), 0))
	return rec.Resumed(), trained, err
}

// TestResumeAfterKill: a recording killed at step 13 (in the second epoch
// of 8 steps) and resumed gives, byte for byte, the files of an
// uninterrupted recording: the steps, epochs, tracked-segment series,
// snapshots and config.
func TestResumeAfterKill(t *testing.T) {
	set := testSet(t)
	whole, killed := filepath.Join(t.TempDir(), "whole"), filepath.Join(t.TempDir(), "killed")
	if _, n, err := recordRun(t, whole, set, false, 0); err != nil || n != 24 {
		t.Fatalf("uninterrupted run: %d steps, %v", n, err)
	}
	if _, n, err := recordRun(t, killed, set, false, 13); !errors.Is(err, errKilled) || n != 13 {
		t.Fatalf("killed run: %d steps, %v", n, err)
	}
	if epochs, err := os.ReadDir(filepath.Join(killed, run.SnapshotsDir)); err != nil || len(epochs) != 2 {
		t.Fatalf("the killed run has snapshots %v (%v), want epochs 0 and 1", epochs, err)
	}
	if _, _, err := recordRun(t, killed, set, false, 0); err == nil || !strings.Contains(err.Error(), "Options.Resume") {
		t.Fatalf("a second recording into the killed run's directory without Resume: %v, want a refusal naming Options.Resume", err)
	}
	resumed, n, err := recordRun(t, killed, set, true, 0)
	if err != nil || resumed != 1 || n != 16 {
		t.Fatalf("resumed run: after epoch %d, %d steps trained, %v; want after epoch 1, 16 steps", resumed, n, err)
	}
	files := []string{run.ConfigFile, run.StepsFile, run.EpochsFile, run.SegmentsFile, run.SegmentsMeanFile, run.SegmentsIndex, run.ProbeFile}
	for e := range 4 {
		files = append(files, filepath.Join(run.SnapshotsDir, "epoch-00"+string(rune('0'+e))+".npz"))
	}
	for _, f := range files {
		a, err := os.ReadFile(filepath.Join(whole, f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(killed, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the resumed recording (%d and %d bytes)", f, len(a), len(b))
		}
	}
}
