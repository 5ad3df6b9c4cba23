package run

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// CheckpointsDir holds the GoMLX checkpoint of the last finished epoch, in
// a subdirectory epoch-NNN: every context variable (weights, biases, Adam's
// moments, the global step, the RNG state) and the hyperparameters.
const CheckpointsDir = "checkpoints"

func epochDirName(epoch int) string { return fmt.Sprintf("epoch-%03d", epoch) }

// checkpointEpochs lists the committed checkpoint epochs in root, and the
// leftovers of interrupted saves (names starting with ".").
func checkpointEpochs(root string) (epochs []int, leftovers []string, err error) {
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			leftovers = append(leftovers, filepath.Join(root, name))
			continue
		}
		if num, ok := strings.CutPrefix(name, "epoch-"); ok && e.IsDir() {
			if n, err := strconv.Atoi(num); err == nil {
				epochs = append(epochs, n)
			}
		}
	}
	return epochs, leftovers, nil
}

func (t *trainer) saveCheckpoint(epoch int) error { return SaveCheckpoint(t.opts.Out, t.ctx, epoch) }

func (t *trainer) loadCheckpoint() (int, error) {
	last, err := LoadCheckpoint(t.opts.Out, t.ctx)
	if err != nil {
		return 0, fmt.Errorf("train: %w", err)
	}
	return last, nil
}

// SaveCheckpoint saves ctx to RUN/checkpoints/epoch-NNN of the run
// directory dir atomically: GoMLX writes into a fresh hidden directory,
// whose files are synced before it is renamed into place; older
// checkpoints are then removed. Call it after the epoch's snapshot: it
// commits the epoch for a resume.
func SaveCheckpoint(dir string, ctx *context.Context, epoch int) error {
	root := filepath.Join(dir, CheckpointsDir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	tmp, err := os.MkdirTemp(root, "."+epochDirName(epoch)+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	fail := func(err error) error {
		os.RemoveAll(tmp)
		return fmt.Errorf("checkpoint of epoch %d: %w", epoch, err)
	}
	h, err := checkpoints.Build(ctx).Dir(tmp).WithCompression(checkpoints.BinUncompressed).Done()
	if err != nil {
		return fail(err)
	}
	if err := h.Save(); err != nil {
		return fail(err)
	}
	if err := syncDir(tmp); err != nil {
		return fail(err)
	}
	final := filepath.Join(root, epochDirName(epoch))
	if err := os.RemoveAll(final); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fail(err)
	}
	epochs, leftovers, err := checkpointEpochs(root)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	for _, e := range epochs {
		if e != epoch {
			os.RemoveAll(filepath.Join(root, epochDirName(e)))
		}
	}
	for _, l := range leftovers {
		os.RemoveAll(l)
	}
	return nil
}

// syncDir flushes every file in dir to disk.
func syncDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// LoadCheckpoint loads the last committed checkpoint of the run directory
// dir into ctx (every variable, at once) and returns its epoch, or −1 if
// there is none. Hyperparameters stored in the checkpoint are not loaded:
// config.json is checked against them.
func LoadCheckpoint(dir string, ctx *context.Context) (int, error) {
	root := filepath.Join(dir, CheckpointsDir)
	epochs, _, err := checkpointEpochs(root)
	if err != nil {
		return 0, fmt.Errorf("reading checkpoints: %w", err)
	}
	if len(epochs) == 0 {
		return -1, nil
	}
	last := epochs[0]
	for _, e := range epochs {
		last = max(last, e)
	}
	snap := filepath.Join(dir, SnapshotsDir, snapshotName(last))
	if _, err := os.Stat(snap); err != nil {
		return 0, fmt.Errorf("checkpoint of epoch %d has no snapshot: %w", last, err)
	}
	cdir := filepath.Join(root, epochDirName(last))
	if _, err := checkpoints.Load(ctx).Dir(cdir).ExcludeAllParams().Immediate().Done(); err != nil {
		return 0, fmt.Errorf("loading checkpoint %s: %w", cdir, err)
	}
	return last, nil
}
