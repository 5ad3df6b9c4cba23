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
		args:    "RUN OUT",
		summary: "export a run's snapshot weights to OUT: .safetensors, .onnx (runnable graph) or .npz",
		run:     runExport,
	})
}

func runExport(_ context.Context, args []string) error {
	c := commands["export"]
	fs := newFlagSet(c)
	epoch := fs.Int("epoch", -1, "snapshot epoch to export (-1: the last)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 2, "RUN and OUT"); err != nil {
		return err
	}
	dir, out := fs.Arg(0), fs.Arg(1)
	if _, err := modelio.ExportFormat(out); err != nil {
		return usageErrorf("%v", err)
	}
	arch, weights, ep, err := modelio.RunWeights(dir, *epoch)
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
