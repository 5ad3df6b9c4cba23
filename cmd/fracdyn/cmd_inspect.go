package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

func init() {
	register(&command{
		name:    "inspect",
		args:    "FILE",
		summary: "list the weight tensors of a model file (.safetensors, .onnx, .npz, GoMLX checkpoint dir or .json, run dir), their stored layouts and how each maps to matrices",
		run:     runInspect,
	})
}

func runInspect(_ context.Context, args []string) error {
	c := commands["inspect"]
	fs := newFlagSet(c)
	epoch := fs.Int("epoch", -1, "snapshot epoch of a run directory (-1: the last)")
	checkpoint := fs.String("checkpoint", "", checkpointUsage)
	layout := layoutFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides, err := parseLayout(*layout)
	if err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 1, "one FILE"); err != nil {
		return err
	}
	m, err := modelfile.OpenWith(fs.Arg(0), modelfile.Options{Epoch: modelfile.AtEpoch(*epoch), Checkpoint: *checkpoint, Layout: overrides})
	if err != nil {
		return err
	}
	defer m.Close()
	return writeInspect(os.Stdout, m)
}

// writeInspect prints m's tensors as an aligned table and a summary line.
func writeInspect(w io.Writer, m *modelfile.Model) error {
	head := fmt.Sprintf("%s (%s", m.Path, m.Format)
	if m.Note != "" {
		head += ", " + m.Note
	}
	fmt.Fprintf(w, "%s): %d tensors\n", head, len(m.Tensors))
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s: %s\n", k, m.Metadata[k])
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSHAPE\tDTYPE\tKIND\tMATRICES\tSCALES r\tLAYOUT\tNOTE")
	var eligible, params int
	for _, t := range m.Tensors {
		scales := "-"
		if s := t.Matrices.Scales(); len(s) > 0 {
			scales = fmt.Sprintf("%d…%d", s[0], s[len(s)-1])
			if len(s) == 1 {
				scales = fmt.Sprint(s[0])
			}
			eligible++
		} else if t.Kind.Segmented() {
			scales = "none (too small)"
		}
		if t.Kind != weights.Skipped {
			params += t.Elements()
		}
		layout := "-"
		if t.Kind.Segmented() {
			layout = t.Layout.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, shapeString(t.Shape), t.DType, t.Kind, t.Matrices, scales, layout, t.Why)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "\n%d tensors eligible for segmentation; %d weight parameters\n", eligible, params); err != nil {
		return err
	}
	if m.Format != modelfile.GoMLX {
		return nil
	}
	fmt.Fprintf(w, "\nlayers (a chain in variable order: each fed by the one before; a checkpoint stores no graph):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tKIND\tWEIGHT\tSTORED AS\tCANONICAL SHAPE\tFED BY")
	for _, l := range m.Layers {
		prev := "input"
		if l.Prev >= 0 {
			prev = m.Layers[l.Prev].Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\n", l.Name, l.Kind, l.Param, l.Layout, shapeString(l.WeightShape), prev)
	}
	return tw.Flush()
}

// checkpointUsage documents the -checkpoint flag of the commands that read
// model files.
const checkpointUsage = "GoMLX checkpoint directory: the checkpoint to read, by global step (\"300\" for the one " +
	"whose name ends in -step-00000300; \"0\" or \"initial\" for one saved before training) or by base name " +
	"(\"checkpoint-n0000002-20250101-120000-step-00000300\"); default: the latest"

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
