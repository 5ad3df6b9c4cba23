package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
)

func init() {
	register(&command{
		name:    "export",
		args:    "RUN|CHECKPOINT OUT",
		summary: "export a run's snapshot weights to OUT: .safetensors, .onnx (runnable graph) or .npz; or a GoMLX checkpoint's weights, in PyTorch layout, to .safetensors or .npz",
		run:     runExport,
	})
}

func runExport(_ context.Context, args []string) error {
	c := commands["export"]
	fs := newFlagSet(c)
	epoch := fs.Int("epoch", -1, "snapshot epoch to export (-1: the last)")
	checkpoint := fs.String("checkpoint", "", checkpointUsage)
	layout := layoutFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides, err := parseLayout(*layout)
	if err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 2, "RUN or CHECKPOINT and OUT"); err != nil {
		return err
	}
	dir, out := fs.Arg(0), fs.Arg(1)
	if _, err := modelfile.ExportFormat(out); err != nil {
		return usageErrorf("%v", err)
	}
	if err := checkOutsideRun(dir, out); err != nil {
		return err
	}
	if f, err := modelfile.DetectFormat(dir); err == nil && f == modelfile.GoMLX {
		return exportGoMLX(dir, out, modelfile.Options{Checkpoint: *checkpoint, Layout: overrides})
	}
	if *checkpoint != "" {
		return usageErrorf("-checkpoint is for GoMLX checkpoints; %s is not one", dir)
	}
	arch, weights, ep, err := modelfile.RunWeights(dir, modelfile.Options{Epoch: modelfile.AtEpoch(*epoch), Layout: overrides})
	if err != nil {
		return err
	}
	meta := map[string]string{"run": filepath.Base(filepath.Clean(dir)), "epoch": fmt.Sprint(ep)}
	if err := modelfile.Export(out, arch, weights, meta); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s weights of %s, epoch %d\n", out, arch, dir, ep)
	return nil
}

// exportGoMLX converts the GoMLX checkpoint at path to out.
func exportGoMLX(path, out string, opts modelfile.Options) error {
	if f, _ := modelfile.ExportFormat(out); f == modelfile.ONNX {
		return usageErrorf("%s: ONNX export builds the graph of one of fracdyn's architectures; %s is a GoMLX checkpoint, whose graph is not stored: export to .safetensors or .npz", out, path)
	}
	m, err := modelfile.OpenWith(path, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := modelfile.ExportModel(out, m, nil)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d of the %d variables of %s (%s; optimizer state and counters left out), weights in PyTorch layout\n",
		out, n, len(m.Tensors), path, m.Note)
	return nil
}

// checkOutsideRun refuses an export path inside the run directory dir
// (symbolic links resolved): "export RUN RUN/snapshots/epoch-000.npz"
// would overwrite the snapshot it reads. The error names the run file that
// would have been replaced, if there is one.
func checkOutsideRun(dir, out string) error {
	runAbs, err := realPath(dir)
	if err != nil {
		return err
	}
	outAbs, err := realPath(out)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(runAbs, outAbs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("refusing to export to %s: it is the run's own file %s in %s, which the export would overwrite; write outside the run directory", out, rel, dir)
	}
	return fmt.Errorf("refusing to export to %s: it lies inside the run directory %s (as %s); write outside the run directory", out, dir, rel)
}

// realPath returns the absolute path of p with the symbolic links of its
// existing part resolved (p itself need not exist).
func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for cur := abs; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if cur == filepath.Dir(cur) {
			return abs, nil
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
	}
}
