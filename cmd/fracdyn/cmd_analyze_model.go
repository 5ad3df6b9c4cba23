package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/backend"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/fsutil"
	"github.com/fracdyn/fracdyn/fracdyn/modelio"
	"github.com/fracdyn/fracdyn/fracdyn/progress"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
)

func init() {
	register(&command{
		name: "analyze-model",
		args: "FILE",
		summary: "fractal and spectral diagnosis of every weight matrix of a model file " +
			"(.safetensors, .onnx, .npz, run dir); data-free, or with activations of an ONNX model (-inputs)",
		run: runAnalyzeModel,
	})
}

func runAnalyzeModel(ctx context.Context, args []string) error {
	c := commands["analyze-model"]
	fs := newFlagSet(c)
	rList := fs.String("r", "2,4,8,16", `segment sizes r, comma-separated, or "all" for every valid scale (invalid ones are skipped per layer)`)
	layers := fs.String("layers", "", "glob over tensor names selecting the layers (default: every eligible tensor)")
	out := fs.String("out", "", "output directory (default: FILE's base name + \"-analysis\")")
	method := fs.String("method", "bc", "per-segment dimension estimator: bc, dbc, variogram or paper")
	quantile := fs.Float64("quantile", 0, "mask threshold as a quantile of |w| over each layer (0: fractal's default, the median)")
	epoch := fs.Int("epoch", -1, "snapshot epoch of a run directory (-1: the last)")
	noSegments := fs.Bool("no-segments", false, "skip the per-segment table (it can be large at r=2)")
	graphR := fs.Int("graph-r", 8, "segment size of the kernel graph (fracdyn architectures only; 0: no graph)")
	inputs := fs.String("inputs", "", "input batch (.npy, or .npz holding it as \"images\" or alone, e.g. a run's probe.npz; "+
		"batch first, shaped as the model's input; fracdyn exports take normalised images [B,28,28]) run through an .onnx model under onnx-gomlx: activation maps A "+
		"(activations.csv) and the kernel graph's α = A·FD·H instead of the data-free FD·H")
	pool := fs.Int("pool", segraph.DefaultPool, "side of the grid a conv activation map is average-pooled to in α (with -inputs)")
	kernel := fs.String("kernel", string(segraph.DefaultKernel), "kernel graph edge kernel: laplacian, rbf or paper")
	gamma := fs.Float64("gamma", 1, "kernel spread γ > 0")
	nullDraws := nullDrawsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("want one FILE, got %d arguments", fs.NArg())
	}
	opts := modelio.AnalyzeOptions{Layers: *layers, Quantile: *quantile}
	var err error
	if opts.NullDraws, err = nullDrawsOption(*nullDraws); err != nil {
		return err
	}
	m, err := fractal.ParseMethod(*method)
	if err != nil {
		return usageErrorf("%v", err)
	}
	opts.Method = m
	if *rList == "all" {
		opts.AllScales = true
	} else {
		for _, f := range strings.Split(*rList, ",") {
			r, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || r < 1 {
				return usageErrorf("bad -r %q: want comma-separated sizes ≥ 1 or \"all\"", *rList)
			}
			opts.Scales = append(opts.Scales, r)
		}
	}
	k, err := segraph.ParseKernel(*kernel)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := segraph.CheckGamma(*gamma); err != nil {
		return usageErrorf("%v", err)
	}
	if _, err := filepath.Match(opts.Layers, ""); err != nil {
		return usageErrorf("bad -layers glob %q: %v", opts.Layers, err)
	}

	if *pool < 1 {
		return usageErrorf("bad -pool %d: want ≥ 1", *pool)
	}
	path := fs.Arg(0)
	model, err := modelio.OpenWith(path, modelio.Options{Epoch: *epoch})
	if err != nil {
		return err
	}
	defer model.Close()
	if *inputs != "" && model.Format != modelio.ONNX {
		return usageErrorf("-inputs needs an .onnx model (activations are computed by running it under onnx-gomlx); %s is %s", path, model.Format)
	}
	dir := *out
	if dir == "" {
		base := strings.TrimSuffix(filepath.Base(filepath.Clean(path)), filepath.Ext(path))
		dir = base + "-analysis"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sel, err := modelio.Selected(model, opts.Layers)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if len(sel) == 0 {
		return fmt.Errorf("%s: no eligible tensor matches -layers %q (see fracdyn inspect)", path, opts.Layers)
	}
	bar := progress.New(os.Stderr, progress.Options{Title: "analyze " + filepath.Base(path), Total: len(sel), Unit: "layers"})
	opts.Progress = func(i, _ int, info modelio.TensorInfo) { bar.Update(i, info.Name) }

	var reports []modelio.LayerReport
	analyze := func(w io.Writer) error {
		var seg func(modelio.SegmentRow) error
		if w != nil {
			cw := csv.NewWriter(w)
			if err := cw.Write(modelio.SegmentHeader); err != nil {
				return err
			}
			seg = func(s modelio.SegmentRow) error { return cw.Write(s.Record()) }
			defer cw.Flush()
		}
		reports, err = modelio.Analyze(ctx, model, opts, seg)
		return err
	}
	if *noSegments {
		err = analyze(nil)
	} else {
		err = fsutil.WriteFileAtomic(filepath.Join(dir, "segments.csv"), analyze)
	}
	if err != nil {
		return err
	}
	bar.Done(fmt.Sprintf("%d layers", len(reports)))
	for name, write := range map[string]func(io.Writer, []modelio.LayerReport) error{
		"scales.csv": modelio.WriteScales, "details.csv": modelio.WriteDetails,
	} {
		if err := fsutil.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return write(w, reports) }); err != nil {
			return err
		}
	}
	fmt.Printf("%s (%s) → %s\n\n", path, model.Format, dir)
	if err := modelio.PrintDetails(os.Stdout, reports); err != nil {
		return err
	}
	var acts map[string][]float32
	if *inputs != "" {
		if acts, err = activations(path, *inputs, sel, dir); err != nil {
			return err
		}
	}
	arch, ok := modelio.DetectArch(model)
	if *graphR <= 0 || !ok {
		return nil
	}
	gopts := modelio.GraphOptions{R: *graphR, Kernel: k, Gamma: *gamma, Activations: acts, Pool: *pool,
		Layer: fractal.LayerOptions{Method: opts.Method, Quantile: opts.Quantile}}
	var edges []modelio.EdgeSummary
	err = fsutil.WriteFileAtomic(filepath.Join(dir, "alpha.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(modelio.NodeHeader); err != nil {
			return err
		}
		gopts.Nodes = func(n modelio.NodeRow) error { return cw.Write(n.Record()) }
		edges, err = modelio.KernelGraph(model, arch, gopts)
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		// The tables are written; a graph too large for its edge bound
		// (small -graph-r on a wide layer) is reported, not fatal.
		fmt.Printf("\nno data-free kernel graph: %v (try a larger -graph-r)\n", err)
		return nil
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "graph.csv"), func(w io.Writer) error { return modelio.WriteGraph(w, edges) }); err != nil {
		return err
	}
	mode := "data-free kernel graph, α = FD·H"
	if acts != nil {
		mode = fmt.Sprintf("kernel graph, α = A·FD·H with A pooled to %d×%d", *pool, *pool)
	}
	fmt.Printf("\n%s (%s, %s γ=%g; segments and α in alpha.csv):\n", mode, arch, k, *gamma)
	for _, e := range edges {
		fmt.Printf("  %s (r=%d, %d segments) → %s (r=%d, %d segments): %d edges, weight %.4f ± %.4f\n",
			e.From, e.RFrom, e.NodesFrom, e.To, e.RTo, e.NodesTo, e.Edges, e.Weight.Mean, e.Weight.Std)
	}
	return nil
}

// activations runs the ONNX model at path on the batch in the .npy file
// inputs, writes activations.csv into dir, prints a summary and returns the
// activation maps by weight name.
func activations(path, inputs string, sel []modelio.TensorInfo, dir string) (map[string][]float32, error) {
	x, err := readInputs(inputs)
	if err != nil {
		return nil, fmt.Errorf("-inputs: %w", err)
	}
	var names []string
	for _, t := range sel {
		names = append(names, t.Name)
	}
	b, err := backend.New()
	if err != nil {
		return nil, err
	}
	acts, err := modelio.ONNXActivations(b, path, x, names)
	if err != nil {
		return nil, err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "activations.csv"), func(w io.Writer) error {
		return modelio.WriteActivations(w, acts)
	}); err != nil {
		return nil, err
	}
	fmt.Printf("\nactivation maps over %d inputs of %s (activations.csv):\n", x.Shape[0], inputs)
	out := map[string][]float32{}
	for _, a := range acts {
		out[a.Weight] = a.Mean
		fmt.Printf("  %-24s %-14s %-22s %v\n", a.Weight, a.Output, strings.Join(a.Ops, "→"), a.Shape)
	}
	return out, nil
}

// readInputs reads the .npy file at path, or from the .npz file at path
// its array "images" or its only array.
func readInputs(path string) (*arrayio.Array, error) {
	if !strings.EqualFold(filepath.Ext(path), ".npz") {
		return arrayio.ReadNPY(path)
	}
	names, arrays, err := arrayio.ReadNPZ(path)
	if err != nil {
		return nil, err
	}
	if a, ok := arrays["images"]; ok {
		return a, nil
	}
	if len(names) != 1 {
		return nil, fmt.Errorf("%s holds %d arrays %q and none named \"images\"", path, len(names), names)
	}
	return arrays[names[0]], nil
}
