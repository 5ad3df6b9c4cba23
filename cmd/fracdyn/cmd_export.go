package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/modelio"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
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
	layout := fs.String("layout", "", layoutUsage)
	if err := fs.Parse(args); err != nil {
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
		return exportGoMLX(dir, out, *checkpoint, *layout)
	}
	if *checkpoint != "" || *layout != "" {
		return usageErrorf("-checkpoint and -layout are for GoMLX checkpoints; %s is not one", dir)
	}
	arch, ws, ep, err := modelio.RunWeights(dir, *epoch)
	if err != nil {
		return err
	}
	meta := map[string]string{"run": filepath.Base(filepath.Clean(dir)), "epoch": fmt.Sprint(ep)}
	if err := modelio.Export(out, arch, ws, meta); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s weights of %s, epoch %d\n", out, arch, dir, ep)
	return nil
}

// exportGoMLX converts the GoMLX checkpoint at path to out.
func exportGoMLX(path, out, checkpoint, layout string) error {
	ov, err := weights.ParseOverrides(layout)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if f, _ := modelio.ExportFormat(out); f == modelio.ONNX {
		return usageErrorf("%s: ONNX export builds the graph of one of fracdyn's architectures; %s is a GoMLX checkpoint, whose graph is not stored: export to .safetensors or .npz", out, path)
	}
	m, err := modelio.OpenWith(path, modelio.Options{Checkpoint: checkpoint, Layouts: ov})
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
