package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/modelio"
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
	if fs.NArg() != 2 {
		return usageErrorf("want RUN or CHECKPOINT and OUT, got %d arguments", fs.NArg())
	}
	dir, out := fs.Arg(0), fs.Arg(1)
	if _, err := modelio.ExportFormat(out); err != nil {
		return usageErrorf("%v", err)
	}
	if f, err := modelio.DetectFormat(dir); err == nil && f == modelio.GoMLX {
		return exportGoMLX(dir, out, modelio.Options{Checkpoint: *checkpoint, Layout: overrides})
	}
	if *checkpoint != "" {
		return usageErrorf("-checkpoint is for GoMLX checkpoints; %s is not one", dir)
	}
	arch, weights, ep, err := modelio.RunWeights(dir, modelio.Options{Epoch: *epoch, Layout: overrides})
	if err != nil {
		return err
	}
	meta := map[string]string{"run": filepath.Base(filepath.Clean(dir)), "epoch": fmt.Sprint(ep)}
	if err := modelio.Export(out, arch, weights, meta); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s weights of %s, epoch %d\n", out, arch, dir, ep)
	return nil
}

// exportGoMLX converts the GoMLX checkpoint at path to out.
func exportGoMLX(path, out string, opts modelio.Options) error {
	if f, _ := modelio.ExportFormat(out); f == modelio.ONNX {
		return usageErrorf("%s: ONNX export builds the graph of one of fracdyn's architectures; %s is a GoMLX checkpoint, whose graph is not stored: export to .safetensors or .npz", out, path)
	}
	m, err := modelio.OpenWith(path, opts)
	if err != nil {
		return err
	}
	defer m.Close()
	n, err := modelio.ExportModel(out, m, nil)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d of the %d variables of %s (%s; optimizer state and counters left out), weights in PyTorch layout\n",
		out, n, len(m.Tensors), path, m.Note)
	return nil
}
