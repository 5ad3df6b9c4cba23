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
	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/modelfile"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
	"github.com/fracdyn/fracdyn/fracdyn/shard"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/fracdyn/fracdyn/internal/progress"
)

func init() {
	register(&command{
		name: "analyze-model",
		args: "FILE",
		summary: "fractal and spectral diagnosis of every weight matrix of a model file " +
			"(.safetensors, .onnx, .npz, GoMLX checkpoint dir or .json, run dir); data-free, or with activations of an ONNX model (-inputs)",
		run: runAnalyzeModel,
	})
}

func runAnalyzeModel(ctx context.Context, args []string) (retErr error) {
	c := commands["analyze-model"]
	fs := newFlagSet(c)
	rList := fs.String("r", "all", `segment sizes r: "all" (every valid scale of each layer, as analyze) or a comma-separated list restricting them (invalid ones are skipped per layer)`)
	layers := fs.String("layers", "", "glob over tensor names selecting the layers (default: every eligible tensor)")
	out := fs.String("out", "", "output directory (default: FILE's base name + \"-analysis\")")
	method := fs.String("method", "bc", "per-segment dimension estimator: bc, dbc, variogram or paper")
	quantile := fs.Float64("quantile", 0, "mask threshold as a quantile of |w| over each layer (0: fractal's default, the median)")
	epoch := fs.Int("epoch", -1, "snapshot epoch of a run directory (-1: the last)")
	checkpoint := fs.String("checkpoint", "", checkpointUsage)
	noSegments := fs.Bool("no-segments", false, "skip the per-segment table segments.parquet (it can be large at r=2)")
	graphR := fs.Int("graph-r", 8, "segment size of the kernel graph over the model's layers (a run's, or the file's weights in order; 0: no graph)")
	inputs := fs.String("inputs", "", "input batch (.npy, or .npz holding it as \"images\" or alone, e.g. a run's probe.npz; "+
		"batch first, shaped as the model's input; fracdyn exports take normalised images [B,28,28]) run through an .onnx model under onnx-gomlx: activation maps A "+
		"(activations.csv) and the kernel graph's α = A·FD·H instead of the data-free FD·H")
	pool := fs.Int("pool", segraph.DefaultPool, "side of the grid a conv activation map is average-pooled to in α (with -inputs)")
	kernel := fs.String("kernel", string(segraph.DefaultKernel), "kernel graph edge kernel: laplacian, rbf or paper")
	gamma := fs.Float64("gamma", 1, "kernel spread γ > 0")
	layout := layoutFlag(fs)
	convView := convViewFlag(fs)
	shardFlag := fs.String("shard", "", `do shard K/N of the work (K from 0): the layers i with i mod N = K, and the graph if `+
		`it is item i = number of layers; writes OUT/shards/K-of-N for "fracdyn merge OUT"; "auto/N" or "auto" read K (and N) `+
		`from $JOB_COMPLETION_INDEX or $SLURM_ARRAY_TASK_ID (and $SLURM_ARRAY_TASK_COUNT)`)
	nullDraws := nullDrawsFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	overrides, err := parseLayout(*layout)
	if err != nil {
		return err
	}
	cv, err := parseConvView(*convView)
	if err != nil {
		return err
	}
	if err := wantArgs(fs.Args(), 1, "one FILE"); err != nil {
		return err
	}
	opts := diagnose.AnalyzeOptions{Layers: *layers, Quantile: *quantile}
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
	spec, err := shard.Parse(*shardFlag, os.Getenv)
	if err != nil {
		return usageErrorf("%v", err)
	}
	path := fs.Arg(0)
	model, err := modelfile.OpenWith(path, modelfile.Options{Epoch: modelfile.AtEpoch(*epoch), Checkpoint: *checkpoint, ConvView: cv, Layout: overrides})
	if err != nil {
		return err
	}
	defer model.Close()
	if *inputs != "" && model.Format != modelfile.ONNX {
		return usageErrorf("-inputs needs an .onnx model (activations are computed by running it under onnx-gomlx); %s is %s", path, model.Format)
	}
	dir := *out
	if dir == "" {
		base := strings.TrimSuffix(filepath.Base(filepath.Clean(path)), filepath.Ext(path))
		dir = base + "-analysis"
	}
	sel, err := diagnose.Selected(model, opts.Layers)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if len(sel) == 0 {
		return fmt.Errorf("%s: no eligible tensor matches -layers %q (see fracdyn inspect)", path, opts.Layers)
	}
	// The work items: the selected layers in order, then the graph (with
	// the activations it uses).
	items := make([]string, 0, len(sel)+1)
	for _, t := range sel {
		items = append(items, t.Name)
	}
	items = append(items, "graph")
	if spec.Active() {
		dir = spec.Dir(dir)
		opts.Keep = func(i int, _ modelfile.TensorInfo) bool { return spec.Owns(i) }
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if spec.Active() {
		// A shard's manifest is written last: its presence marks a complete shard.
		defer func() {
			if retErr == nil {
				retErr = shard.WriteManifest(dir, analyzeModelManifest(spec, items, *noSegments))
			}
		}()
	}
	bar := progress.New(os.Stderr, progress.Options{Title: "analyze " + filepath.Base(path), Total: len(sel), Unit: "layers"})
	opts.Progress = func(i, _ int, info modelfile.TensorInfo) { bar.Update(i, info.Name) }

	var reports []diagnose.LayerReport
	if *noSegments {
		reports, err = diagnose.Analyze(ctx, model, opts, nil)
	} else {
		err = segtable.WriteFile(filepath.Join(dir, "segments.parquet"), segmentMeasures, segtable.Options{},
			func(w *segtable.Writer) error {
				var err error
				reports, err = diagnose.Analyze(ctx, model, opts, func(s diagnose.SegmentRow) error {
					return w.Write(segmentTableRow(s, model.Epoch))
				})
				return err
			})
	}
	if err != nil {
		return err
	}
	bar.Done(fmt.Sprintf("%d layers", len(reports)))
	for name, write := range map[string]func(io.Writer, []diagnose.LayerReport) error{
		"scales.csv": writeScales, "details.csv": writeDetails,
	} {
		if err := fsutil.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error { return write(w, reports) }); err != nil {
			return err
		}
	}
	fmt.Printf("%s (%s) → %s\n\n", path, model.Format, dir)
	if err := printDetails(os.Stdout, reports); err != nil {
		return err
	}
	failed := layerFailures(path, reports)
	if !spec.Owns(len(sel)) {
		return failed // another shard does the graph
	}
	var acts map[string][]float32
	graphLayers := model.Layers
	if *inputs != "" {
		var list []diagnose.Activation
		if acts, list, err = activations(path, *inputs, sel, dir); err != nil {
			return err
		}
		graphLayers = diagnose.WithOutShapes(graphLayers, list)
	}
	if *graphR <= 0 || len(graphLayers) < 2 {
		return failed
	}
	gopts := diagnose.GraphOptions{R: *graphR, Kernel: k, Gamma: *gamma, Activations: acts, Pool: *pool,
		Layer: fractal.LayerOptions{Method: opts.Method, Quantile: opts.Quantile}}
	var edges []diagnose.EdgeSummary
	err = fsutil.WriteFileAtomic(filepath.Join(dir, "alpha.csv"), func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(nodeHeader); err != nil {
			return err
		}
		gopts.Nodes = func(n diagnose.NodeRow) error { return cw.Write(nodeRecord(n)) }
		edges, err = diagnose.KernelGraph(model, graphLayers, gopts)
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
		return failed
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "graph.csv"), func(w io.Writer) error { return writeGraph(w, edges) }); err != nil {
		return err
	}
	mode := "data-free kernel graph, α = FD·H"
	if acts != nil {
		mode = fmt.Sprintf("kernel graph, α = A·FD·H with A pooled to %d×%d", *pool, *pool)
	}
	fmt.Printf("\n%s (%d layers, %s γ=%g; segments and α in alpha.csv):\n", mode, len(graphLayers), k, *gamma)
	for _, e := range edges {
		fmt.Printf("  %s (r=%d, %d segments) → %s (r=%d, %d segments): %d edges, weight %.4f ± %.4f\n",
			e.From, e.RFrom, e.NodesFrom, e.To, e.RTo, e.NodesTo, e.Edges, e.Weight.Mean, e.Weight.Std)
	}
	return failed
}

// activations runs the ONNX model at path on the batch in the .npy file
// inputs, writes activations.csv into dir, prints a summary and returns the
// activation maps by weight name.
func activations(path, inputs string, sel []modelfile.TensorInfo, dir string) (map[string][]float32, []diagnose.Activation, error) {
	x, err := readInputs(inputs)
	if err != nil {
		return nil, nil, fmt.Errorf("-inputs: %w", err)
	}
	var names []string
	for _, t := range sel {
		names = append(names, t.Name)
	}
	b, err := backend.New()
	if err != nil {
		return nil, nil, err
	}
	acts, err := diagnose.ONNXActivations(b, path, x, names)
	if err != nil {
		return nil, nil, err
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "activations.csv"), func(w io.Writer) error {
		return writeActivations(w, acts)
	}); err != nil {
		return nil, nil, err
	}
	fmt.Printf("\nactivation maps over %d inputs of %s (activations.csv):\n", x.Shape[0], inputs)
	out := map[string][]float32{}
	for _, a := range acts {
		out[a.Weight] = a.Mean
		fmt.Printf("  %-24s %-14s %-22s %v\n", a.Weight, a.Output, strings.Join(a.Ops, "→"), a.Shape)
	}
	return out, acts, nil
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

// layerFailures returns nil when every layer was analysed, else an error
// counting the layers that failed (their errors are in the printed table
// and details.csv), so that the exit status is not 0.
func layerFailures(path string, reports []diagnose.LayerReport) error {
	var names []string
	for _, r := range reports {
		if r.Err != "" {
			names = append(names, r.Info.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	n := len(names)
	if n > 5 {
		names = append(names[:5], fmt.Sprintf("and %d more", n-5))
	}
	return fmt.Errorf("%s: %d of %d layers could not be analysed (%s); their errors are above and in details.csv",
		path, n, len(reports), strings.Join(names, ", "))
}

// analyzeModelManifest describes a shard of analyze-model: its tables are
// keyed by layer; the graph item owns the graph's files.
func analyzeModelManifest(spec shard.Spec, items []string, noSegments bool) shard.Manifest {
	m := shard.Manifest{Command: "analyze-model", Index: spec.Index, Count: spec.Count, Items: items,
		Tables: []shard.Table{{File: "scales.csv", Key: "layer"}, {File: "details.csv", Key: "layer"}},
		Files:  map[string]string{"alpha.csv": "graph", "graph.csv": "graph", "activations.csv": "graph"}}
	if !noSegments {
		m.Tables = append(m.Tables, shard.Table{File: "segments.parquet", Key: "layer"})
	}
	return m
}
