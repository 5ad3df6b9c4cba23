package analysis

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/null"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
	"github.com/fracdyn/fracdyn/fracdyn/shard"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/fracdyn/fracdyn/internal/progress"
)

// Names of what Analyze writes under RUN/analysis.
const (
	Dir           = "analysis"
	SegmentsDir   = "segments"       // segments/epoch-NNN.parquet (fracdyn/segtable)
	EdgesDir      = "edges"          // edges/epoch-NNN-rR-GRAPH.csv
	LayersFile    = "layers.csv"     // per layer, epoch and r
	SurrogateFile = "surrogate.json" // Report
	SkippedFile   = "skipped.csv"    // Report.Skipped: what was left out or thinned, and why
)

// Report is surrogate.json: the settings and every result.
type Report struct {
	Run          string             `json:"run"`
	Arch         string             `json:"arch"`
	Kernel       string             `json:"kernel"`
	Gammas       []float64          `json:"gammas"`
	Method       string             `json:"method"`
	DataFree     bool               `json:"data_free"`
	Pool         int                `json:"pool"`
	Seed         uint64             `json:"seed"`
	TestFraction float64            `json:"test_fraction"`
	Negatives    string             `json:"negatives"`
	GCN          map[string]any     `json:"gcn"`
	Results      []SurrogateResult  `json:"results"`
	MultiScale   []MultiScaleResult `json:"multiscale"`
	Notes        []string           `json:"notes,omitempty"`
	// Skipped names every layer at a scale and every graph that the
	// limits (MaxSegments, MaxEdges) left out of the analysis or thinned,
	// with the reason; skipped.csv holds the same rows.
	Skipped []Skip `json:"skipped,omitempty"`
	// Seconds is the wall time of each stage, summed over epochs; "write"
	// (the Parquet segment table) runs beside the other stages.
	Seconds map[string]float64 `json:"seconds"`
}

// Skip is one row of skipped.csv: a layer at a scale (Graph empty) or a
// graph at a scale (Layer empty) that was left out ("skipped") or kept
// with a sample of its edges ("thinned"), and why.
type Skip struct {
	Epoch  int    `json:"epoch"`
	Layer  string `json:"layer,omitempty"`
	R      int    `json:"r"`
	Graph  string `json:"graph,omitempty"`
	Action string `json:"action"` // "skipped" or "thinned"
	Reason string `json:"reason"`
}

// ErrMissing is wrapped by the error of Analyze when snapshots of the run
// are missing and Options.AllowMissing is not set.
var ErrMissing = errors.New("missing snapshots")

// tmpPrefix starts the name of the directory an analysis is written into
// before it replaces RUN/analysis.
const tmpPrefix = ".analysis-tmp-"

// Analyze reads the run directory dir one snapshot at a time and writes
// RUN/analysis: per-segment tables, per-layer tables, edge lists and
// surrogate.json. The same options (seed included) give the same numbers.
//
// The analysis is written whole into a temporary directory
// RUN/.analysis-tmp-XXXX and renamed over RUN/analysis only when every
// epoch and every Extra stage succeeded; on an error or a cancellation the
// temporary directory is removed and the previous RUN/analysis is left as
// it was. RUN/analysis is replaced as a whole, so no file of an earlier
// analysis (an epoch no longer analysed) stays beside the new ones; the
// one exception is AttractorsFile, kept from the previous analysis when
// this one wrote none (it depends on the steps alone, not on the options).
func Analyze(ctx context.Context, dir string, opts Options) (*Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, set := os.LookupEnv("GOGC"); !set && opts.GCPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(cmp.Or(opts.GCPercent, DefaultGCPercent)))
	}
	r, arch, err := openRun(dir)
	if err != nil {
		return nil, err
	}
	all := r.Config.Layers
	selected, err := selectLayers(all, opts.Layers)
	if err != nil {
		return nil, fmt.Errorf("run %s (%s): %w", dir, arch, err)
	}
	epochs, err := selectEpochs(r, opts.Epochs)
	if err != nil {
		return nil, err
	}
	var skipped []string
	if opts.Epochs == nil {
		missing := missingEpochs(r, epochs)
		if len(missing) > 0 && !opts.AllowMissing {
			return nil, fmt.Errorf("run %s: %w: no snapshot of epoch %s (the snapshots around it or epochs.csv say it was written); AllowMissing (fracdyn analyze --allow-missing) analyses the others",
				dir, ErrMissing, joinInts(missing))
		}
		for _, e := range missing {
			skipped = append(skipped, fmt.Sprintf("skipped epoch %d: snapshots/epoch-%03d.npz is missing", e, e))
		}
	}
	items := make([]string, len(epochs))
	for i, e := range epochs {
		items[i] = strconv.Itoa(e)
	}
	if opts.Shard.Active() {
		var mine []int
		for i, e := range epochs {
			if opts.Shard.Owns(i) {
				mine = append(mine, e)
			}
		}
		epochs = mine
	}
	prober, err := runProber(r, arch, opts)
	if err != nil {
		return nil, err
	}
	final := filepath.Join(dir, Dir)
	if opts.Shard.Active() {
		final = opts.Shard.Dir(final)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return nil, fmt.Errorf("analysis: %w", err)
		}
	}
	if fi, err := os.Stat(final); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("analysis: %s is not a directory", final)
	}
	out, err := os.MkdirTemp(dir, tmpPrefix)
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(out)
		}
	}()
	dirs := []string{filepath.Join(out, SegmentsDir)}
	if opts.WriteEdges {
		dirs = append(dirs, filepath.Join(out, EdgesDir))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("analysis: %w", err)
		}
	}
	pool := opts.Pool
	if pool <= 0 {
		pool = segraph.DefaultPool
	}
	rep := &Report{Run: dir, Arch: string(arch), Kernel: string(opts.Kernel), Gammas: opts.Gammas,
		Method: string(opts.Method), DataFree: opts.DataFree, Pool: pool, Seed: opts.Seed,
		TestFraction: opts.TestFraction, GCN: opts.GCN, Seconds: map[string]float64{},
		Negatives: "pairs of segments in consecutive layers that are not edges (gcn.LayerPairs)"}
	a := &analyzer{ctx: ctx, run: r, arch: arch, all: all, selected: selected, opts: opts, out: out, rep: rep, prober: prober,
		noted: map[string]bool{}}
	for _, n := range skipped {
		a.note(n)
	}
	bar := progress.New(opts.Progress, progress.Options{Title: "analyze", Total: len(epochs), Unit: "epochs"})
	for i, epoch := range epochs {
		a.status = func(s string) { bar.Update(i, fmt.Sprintf("epoch %d: %s", epoch, s)) }
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := a.epoch(epoch); err != nil {
			return nil, err
		}
		if err := a.flush(); err != nil {
			return nil, err
		}
		bar.Update(i+1, fmt.Sprintf("epoch %d", epoch))
	}
	bar.Done(fmt.Sprintf("%d epochs", len(epochs)))
	if err := a.flush(); err != nil { // a shard without epochs writes its empty tables too
		return nil, err
	}
	for _, st := range opts.Extra {
		if !opts.Shard.Owns(0) {
			break
		}
		if err := st(ctx, r, out); err != nil {
			return nil, err
		}
	}
	if opts.Shard.Active() {
		if err := writeShardManifest(out, opts.Shard, items); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := replaceDir(final, out); err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	committed = true
	return rep, nil
}

// writeShardManifest writes the manifest of shard spec into out, the
// analysis it wrote: the epochs are the items; layers.csv, skipped.csv
// and surrogate.json are keyed by epoch; each file named epoch-NNN… is
// owned by epoch NNN, the attractor table by the first epoch.
func writeShardManifest(out string, spec shard.Spec, items []string) error {
	m := shard.Manifest{Command: "analyze", Index: spec.Index, Count: spec.Count, Items: items,
		Tables: []shard.Table{{File: LayersFile, Key: "epoch"}, {File: SkippedFile, Key: "epoch"}, {File: SurrogateFile, Key: "epoch"}},
		Files:  map[string]string{}}
	epochFile := regexp.MustCompile(`epoch-(\d+)`)
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(out, p)
		if err != nil {
			return err
		}
		if rel == dynamicsAttractorsFile && len(items) > 0 {
			m.Files[rel] = items[0]
		} else if g := epochFile.FindStringSubmatch(filepath.Base(rel)); g != nil {
			e, _ := strconv.Atoi(g[1])
			m.Files[rel] = strconv.Itoa(e)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("analysis: %w", err)
	}
	return shard.WriteManifest(out, m)
}

// replaceDir puts the directory tmp in place of final: final (if any) is
// renamed aside, tmp renamed to final, and the old one removed. Should the
// second rename fail the old directory is put back. AttractorsFile of the
// old directory is kept when tmp has none.
func replaceDir(final, tmp string) error {
	old := tmp + ".old"
	switch _, err := os.Stat(final); {
	case errors.Is(err, fs.ErrNotExist):
		return os.Rename(tmp, final)
	case err != nil:
		return err
	}
	keep := filepath.Join(tmp, dynamicsAttractorsFile)
	if _, err := os.Stat(keep); errors.Is(err, fs.ErrNotExist) {
		if err := copyIfExists(filepath.Join(final, dynamicsAttractorsFile), keep); err != nil {
			return err
		}
	}
	if err := os.Rename(final, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		if rerr := os.Rename(old, final); rerr != nil {
			return fmt.Errorf("%w; the previous analysis is in %s", err, old)
		}
		return err
	}
	return os.RemoveAll(old)
}

// dynamicsAttractorsFile is the name of dynamics.AttractorsFile, the table
// the Extra stage of fracdyn analyze writes; repeated here so that analysis
// need not import dynamics for it.
const dynamicsAttractorsFile = "attractors.csv"

// copyIfExists copies src to dst atomically when src exists.
func copyIfExists(src, dst string) error {
	b, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return fsutil.WriteFile(dst, b)
}

// missingEpochs returns the epochs whose snapshot the run should have but
// lacks: every epoch from 0 to the last snapshot, and every epoch that
// epochs.csv lists as finished (training writes the snapshot right after
// the epoch's row). have is sorted.
func missingEpochs(r *run.Run, have []int) []int {
	want := map[int]bool{}
	if len(have) > 0 {
		for e := 0; e <= have[len(have)-1]; e++ {
			want[e] = true
		}
	}
	if stats, err := r.EpochStats(); err == nil {
		for _, s := range stats {
			want[s.Epoch] = true
		}
	}
	var out []int
	for e := range want {
		if !slices.Contains(have, e) {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

// joinInts formats 1, 2, 5 as "1, 2, 5".
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// analyzer carries the state of one Analyze call.
type analyzer struct {
	ctx      context.Context // cancelled on Ctrl-C: checked between stages
	run      *run.Run
	arch     model.Arch
	all      []weights.Layer // the run's layers
	selected []int           // indices into all
	opts     Options
	out      string
	rep      *Report
	layers   []layerRow
	prober   *Prober
	noted    map[string]bool
	segNulls map[int]*null.SegmentNulls // this epoch's, by layer index
	status   func(string)               // reports the stage within an epoch
}

func (a *analyzer) note(s string) {
	if !a.noted[s] {
		a.noted[s] = true
		a.rep.Notes = append(a.rep.Notes, s)
	}
}

func (a *analyzer) timed(stage string, start time.Time) {
	a.rep.Seconds[stage] += time.Since(start).Seconds()
}

// epoch analyses one snapshot.
func (a *analyzer) epoch(epoch int) error {
	start := time.Now()
	snap, err := a.run.Snapshot(epoch)
	if err != nil {
		return err
	}
	a.timed("read", start)
	a.segNulls = map[int]*null.SegmentNulls{}
	means, err := a.activations(snap)
	if err != nil {
		return fmt.Errorf("epoch %d: %w", epoch, err)
	}
	bases := map[int]segraph.Layer{}
	grads := map[int][]float32{}
	for _, i := range a.selected {
		info := a.all[i]
		wt, err := snap.LayerWeight(info)
		if err != nil {
			return err
		}
		b := segraph.Layer{Info: info, Index: i, Weights: wt}
		if means != nil {
			b.Activation = means[i]
		}
		bases[i] = b
		if g, err := snap.LayerGrad(info); err == nil {
			grads[i] = g
		}
		view, err := info.View(a.opts.ConvView)
		if err != nil {
			return err
		}
		start = time.Now()
		scales := a.layerScales(i)
		st := layerStats(b.Weights, view, grads[i], scales)
		a.timed("layer_stats", start)
		var mnulls map[int]map[string][]null.Result
		var ndraws layerNulls
		if a.opts.NullDraws >= 0 {
			start = time.Now()
			a.status("nulls of " + info.Name)
			if mnulls, ndraws, err = matrixNulls(info.Name, b.Weights, view, scales, st, a.opts.NullDraws, a.opts.Seed); err != nil {
				return fmt.Errorf("epoch %d: %w", epoch, err)
			}
			a.timed("nulls", start)
		}
		for _, r := range scales {
			row := layerRow{Layer: info.Name, Epoch: epoch, R: r, Dims: map[fractal.Method]float64{}, R2s: st.r2s,
				SelfSim: st.verdict, SelfSimErr: st.ssErr, GradNorm: st.gradNorm,
				MeanFD: math.NaN(), MeanH: math.NaN()}
			for m, d := range st.dims {
				row.Dims[m] = d
			}
			row.Dims[fractal.MethodPaper] = st.paper[r]
			if mnulls != nil {
				row.Nulls = &layerNulls{tests: mnulls[r], draws: ndraws.draws, elements: ndraws.elements}
			}
			a.layers = append(a.layers, row)
		}
	}
	// Scale by scale: measure each layer (and the clamped scales of the
	// graphs), stream its rows into the Parquet segment table, then build
	// and score the graphs at that scale. Only what a later scale still
	// needs is kept: the clamped layers (fc2 at its largest scale) and each
	// graph's previous level, for the cross-scale fit.
	measured := map[[2]int]*layerScale{}
	measure := func(i, r int) (*layerScale, error) {
		if ls, ok := measured[[2]int{i, r}]; ok {
			return ls, nil
		}
		start := time.Now()
		defer a.timed("segments", start)
		ls, err := measureLayer(bases[i], grads[i], r, a.opts)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", epoch, err)
		}
		measured[[2]int{i, r}] = ls
		return ls, nil
	}
	levels := map[string]*scaleLevel{}
	multi := map[string][]MultiScaleResult{}
	scales := a.scales()
	segPath := filepath.Join(a.out, SegmentsDir, fmt.Sprintf("epoch-%03d.parquet", epoch))
	err = segtable.WriteFile(segPath, segmentMeasures(), segtable.Options{}, func(w *segtable.Writer) error {
		rows := startRowWriter(w, epoch)
		err := a.scalesOf(epoch, scales, measure, measured, levels, multi, rows)
		werr := rows.wait()
		a.rep.Seconds["write"] += rows.seconds
		if werr != nil {
			werr = fmt.Errorf("analysis: %s: %w", segPath, werr)
		}
		return cmp.Or(err, werr)
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(multi))
	for n := range multi {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		a.rep.MultiScale = append(a.rep.MultiScale, multi[name]...)
	}
	return nil
}

// scalesOf measures every layer at each of scales (their segment rows go
// to rows, the table's writer) and builds and scores the graphs at each
// scale.
func (a *analyzer) scalesOf(epoch int, scales []int, measure func(i, r int) (*layerScale, error), measured map[[2]int]*layerScale,
	levels map[string]*scaleLevel, multi map[string][]MultiScaleResult, rows *rowWriter) error {
	for si, r := range scales {
		a.status(fmt.Sprintf("segments at r=%d", r))
		for _, i := range a.selected {
			if err := a.ctx.Err(); err != nil {
				return err
			}
			if a.opts.Scales == nil && !slices.Contains(a.layerScales(i), r) {
				continue // not a scale of this layer: nothing was asked
			}
			ok, why := a.fits(i, r)
			if !ok {
				a.note(why)
				if a.overLimit(i, r) {
					a.skip(Skip{Epoch: epoch, Layer: a.all[i].Name, R: r, Action: "skipped", Reason: why})
				}
				continue
			}
			ls, err := measure(i, r)
			if err != nil {
				return err
			}
			rows.write(ls)
			for k := range a.layers {
				row := &a.layers[k]
				if row.Epoch == epoch && row.R == r && row.Layer == a.all[i].Name {
					row.MeanFD, row.MeanH = mean32(ls.layer.Segments.FD), mean32(ls.layer.Segments.H)
					if err := a.segmentNulls(row, ls, r); err != nil {
						return fmt.Errorf("epoch %d: %w", epoch, err)
					}
				}
			}
		}
		if err := a.graphsAt(epoch, r, measure, levels, multi); err != nil {
			return err
		}
		// Drop the measurements no later scale uses.
		if si+1 < len(scales) {
			next := scales[si+1]
			for key := range measured {
				if key[1] != a.graphScale(key[0], next) && key[1] < next {
					delete(measured, key)
				}
			}
		}
	}
	return nil
}

// graphsAt builds and scores the graphs at scale r (every run of connected
// layers, each layer at its clamped scale), relating each to its previous
// level in levels (the cross-scale fit, appended to multi by graph name).
func (a *analyzer) graphsAt(epoch, r int, measure func(i, r int) (*layerScale, error), levels map[string]*scaleLevel, multi map[string][]MultiScaleResult) error {
	var jobs []graphJob
	for _, group := range a.graphGroups() {
		if !a.opts.ClampGraphScales {
			if why := a.sharedScale(group, r); why != "" {
				if why != "none" {
					a.skip(Skip{Epoch: epoch, R: r, Graph: a.groupName(group), Action: "skipped", Reason: why})
				}
				continue
			}
		}
		var job graphJob
		ok := true
		for _, i := range group {
			s := a.graphScale(i, r)
			if fit, why := a.fits(i, s); !fit {
				a.note(why)
				if a.overLimit(i, s) {
					a.skip(Skip{Epoch: epoch, R: r, Graph: a.groupName(group), Action: "skipped", Reason: why})
				}
				ok = false
				break
			}
			ls, err := measure(i, s)
			if err != nil {
				return err
			}
			job.layers = append(job.layers, ls)
		}
		if !ok {
			continue
		}
		job.name = graphName(job.layers)
		if prev := levels[job.name]; prev != nil && sameScales(prev.layers, job.layers) {
			continue // the scale changes none of this graph's layers (e.g. conv kernels stay at r=2)
		}
		jobs = append(jobs, job)
	}
	if len(jobs) == 0 {
		return nil
	}
	if err := a.ctx.Err(); err != nil {
		return err
	}
	// The graphs of a scale are independent: they are built and scored
	// concurrently, so that one graph's serial stretches (its features,
	// its split) overlap another's GCN fits. Their results are taken in
	// order.
	names := make([]string, len(jobs))
	for k, job := range jobs {
		names[k] = job.name
	}
	a.status(fmt.Sprintf("surrogates of %s at r=%d", strings.Join(names, ", "), r))
	type graphEval struct {
		res []SurrogateResult
		g   *segraph.Graph
		ae  *gcn.Autoencoder
		err error
	}
	evals := make([]graphEval, len(jobs))
	start := time.Now()
	var wg sync.WaitGroup
	for k, job := range jobs {
		path := ""
		if a.opts.WriteEdges {
			path = filepath.Join(a.out, EdgesDir, fmt.Sprintf("epoch-%03d-r%d-%s.csv", epoch, r, job.name))
		}
		wg.Go(func() {
			e := &evals[k]
			e.res, e.g, e.ae, e.err = evalGraph(a.ctx, a.opts.Backend, job, epoch, r, a.opts, path)
		})
	}
	wg.Wait()
	a.timed("surrogate", start)
	for k, job := range jobs {
		res, g, ae, err := evals[k].res, evals[k].g, evals[k].ae, evals[k].err
		if err != nil {
			if strings.Contains(err.Error(), "more than") {
				a.note(fmt.Sprintf("graph %s at r=%d skipped: %v", job.name, r, err))
				a.skip(Skip{Epoch: epoch, R: r, Graph: job.name, Action: "skipped", Reason: err.Error()})
				continue
			}
			return fmt.Errorf("epoch %d, r=%d: %w", epoch, r, err)
		}
		if why := thinnedWhy(g, a.opts.MaxEdges); why != "" {
			a.note(fmt.Sprintf("graph %s at r=%d thinned: %s", job.name, r, why))
			a.skip(Skip{Epoch: epoch, R: r, Graph: job.name, Action: "thinned", Reason: why})
		}
		a.rep.Results = append(a.rep.Results, res...)
		if a.opts.Figures && job.layers[0].layer.Info.Kind == weights.Conv {
			start := time.Now()
			if _, err := drawFig2(a.out, fmt.Sprintf("-epoch-%03d", epoch), []string{"png"}, g, job.layers, a.opts); err != nil {
				return fmt.Errorf("epoch %d: %w", epoch, err)
			}
			a.timed("figures", start)
		}
		level := &scaleLevel{r: r, graph: g, layers: job.layers, ae: ae}
		if prev := levels[job.name]; prev != nil {
			start := time.Now()
			ms, err := relateScales(prev, level, epoch, job.name, a.opts.Seed)
			if err != nil {
				return fmt.Errorf("epoch %d: %w", epoch, err)
			}
			multi[job.name] = append(multi[job.name], *ms)
			a.timed("multiscale", start)
		}
		levels[job.name] = level
	}
	return nil
}

// scales returns the scales of the analysis: Options.Scales, or (by
// default) every scale valid for some selected layer, ascending.
func (a *analyzer) scales() []int {
	if a.opts.Scales != nil {
		return a.opts.Scales
	}
	var out []int
	for _, i := range a.selected {
		out = append(out, a.layerScales(i)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// layerScales returns the scales at which layer i is tabulated:
// Options.Scales, or (by default) every valid scale of its per-kernel view
// (fractal.ValidScales).
func (a *analyzer) layerScales(i int) []int {
	if a.opts.Scales != nil {
		return a.opts.Scales
	}
	v, err := a.all[i].View(weights.PerKernel)
	if err != nil {
		return nil
	}
	return fractal.ValidScales(v.Rows, v.Cols)
}

// overLimit reports whether layer i is valid at scale r but has more
// segments than Options.MaxSegments allows.
func (a *analyzer) overLimit(i, r int) bool {
	v, err := a.all[i].View(weights.PerKernel)
	if err != nil || fractal.CheckScale(v.Rows, v.Cols, r) != nil {
		return false
	}
	return a.opts.MaxSegments > 0 && v.Count*fractal.SegmentCount(v.Rows, v.Cols, r) > a.opts.MaxSegments
}

// skip records a skipped or thinned layer or graph.
func (a *analyzer) skip(s Skip) {
	a.rep.Skipped = append(a.rep.Skipped, s)
}

// groupName is the graph name of a group of layers: "fc1-fc2".
func (a *analyzer) groupName(group []int) string {
	names := make([]string, len(group))
	for k, i := range group {
		names[k] = a.all[i].Name
	}
	return strings.Join(names, "-")
}

// thinnedWhy describes the thinning of g ("" when every edge is there).
func thinnedWhy(g *segraph.Graph, maxEdges int) string {
	var parts []string
	for l, k := range g.Strides {
		if k > 1 {
			parts = append(parts, fmt.Sprintf("%s→%s stride %d", g.Layers[l], g.Layers[l+1], k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d edges kept (limit %d): %s", len(g.Src), g.FullEdges, maxEdges, strings.Join(parts, ", "))
}

// activations returns the activation map A of every layer of the run for
// snap (nil in data-free mode), timed and noted.
func (a *analyzer) activations(snap *run.Snapshot) ([][]float32, error) {
	if a.opts.DataFree {
		return nil, nil
	}
	a.status("activations")
	start := time.Now()
	means, recorded, err := activationMaps(snap, a.run, a.selected, a.prober)
	if err != nil {
		return nil, err
	}
	if recorded {
		a.note("activation maps A of α: as recorded in the snapshots")
	}
	a.timed("activations", start)
	return means, nil
}

// fits reports whether layer i can be measured at scale r within the
// segment limit, and why not.
func (a *analyzer) fits(i, r int) (bool, string) {
	info := a.all[i]
	v, err := info.View(weights.PerKernel)
	if err != nil {
		return false, err.Error()
	}
	if err := fractal.CheckScale(v.Rows, v.Cols, r); err != nil {
		return false, fmt.Sprintf("%s not measured at r=%d: %v", info.Name, r, err)
	}
	if n := v.Count * fractal.SegmentCount(v.Rows, v.Cols, r); a.opts.MaxSegments > 0 && n > a.opts.MaxSegments {
		return false, fmt.Sprintf("%s not measured at r=%d: %d segments exceed the limit of %d", info.Name, r, n, a.opts.MaxSegments)
	}
	return true, ""
}

// graphScale is the scale of layer i in the graph at scale r. By default
// a graph is built only at the scales its layers share (sharedScale), so
// this is r; with Options.ClampGraphScales it is r clamped to the layer's
// valid range (a 10×128 fc2 cannot be cut at r=16; it joins the graph at
// its largest scale, 5).
func (a *analyzer) graphScale(i, r int) int {
	if !a.opts.ClampGraphScales {
		return r
	}
	v, _ := a.all[i].View(weights.PerKernel)
	lo, hi := fractal.ScaleRange(v.Rows, v.Cols)
	return max(lo, min(r, hi))
}

// sharedScale reports why the graph of group is not built at scale r: ""
// when every layer of the group is valid at r, "none" when none is (no
// graph to name: conv kernels at r > 2), otherwise the layers that are
// not, for skipped.csv.
func (a *analyzer) sharedScale(group []int, r int) string {
	var bad []string
	for _, i := range group {
		v, err := a.all[i].View(weights.PerKernel)
		if err != nil {
			return err.Error()
		}
		if lo, hi := fractal.ScaleRange(v.Rows, v.Cols); r < lo || r > hi {
			bad = append(bad, fmt.Sprintf("%s (%d×%d, valid r=%d…%d)", a.all[i].Name, v.Rows, v.Cols, lo, hi))
		}
	}
	switch {
	case len(bad) == 0:
		return ""
	case len(bad) == len(group):
		return "none"
	}
	return fmt.Sprintf("not built at r=%d: %s cannot be cut at this scale; a graph is built where its layers share a valid r (--graph-clamp joins such a layer at its nearest valid scale)",
		r, strings.Join(bad, ", "))
}

// graphGroups splits the selected layers into runs of consecutive layers
// of one kind (conv1–conv2, fc1–fc2): each run of two or more is a graph.
func (a *analyzer) graphGroups() [][]int {
	var groups [][]int
	var cur []int
	for _, i := range a.selected {
		if len(cur) > 0 {
			last := cur[len(cur)-1]
			if a.all[i].Prev != last || a.all[i].Kind != a.all[last].Kind {
				if len(cur) > 1 {
					groups = append(groups, cur)
				}
				cur = nil
			}
		}
		cur = append(cur, i)
	}
	if len(cur) > 1 {
		groups = append(groups, cur)
	}
	return groups
}

func sameScales(x, y []*layerScale) bool {
	for i := range x {
		if x[i].layer.Segments.R != y[i].layer.Segments.R {
			return false
		}
	}
	return true
}

// flush rewrites layers.csv and surrogate.json with what is known so far.
func (a *analyzer) flush() error {
	if err := writeLayers(filepath.Join(a.out, LayersFile), a.layers); err != nil {
		return err
	}
	if err := writeSkipped(filepath.Join(a.out, SkippedFile), a.rep.Skipped); err != nil {
		return err
	}
	return fsutil.WriteFileAtomic(filepath.Join(a.out, SurrogateFile), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a.rep)
	})
}

// selectLayers returns the indices of the named layers (all when names is
// empty); an unknown name is an error listing the layers.
func selectLayers(all []weights.Layer, names []string) ([]int, error) {
	var have []string
	for _, l := range all {
		have = append(have, l.Name)
	}
	if len(names) == 0 {
		idx := make([]int, len(all))
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	var idx []int
	for _, n := range names {
		i := slices.Index(have, n)
		if i < 0 {
			return nil, fmt.Errorf("unknown layer %q; the layers are %s", n, strings.Join(have, ", "))
		}
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return slices.Compact(idx), nil
}

// selectEpochs returns the requested epochs (all snapshots when nil),
// checking that each has a snapshot.
func selectEpochs(r *run.Run, want []int) ([]int, error) {
	have, err := r.SnapshotEpochs()
	if err != nil {
		return nil, err
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("run %s has no snapshots", r.Dir)
	}
	if want == nil {
		return have, nil
	}
	for _, e := range want {
		if !slices.Contains(have, e) {
			s := make([]string, len(have))
			for i, h := range have {
				s[i] = strconv.Itoa(h)
			}
			return nil, fmt.Errorf("run %s has no snapshot of epoch %d; it has %s", r.Dir, e, strings.Join(s, ","))
		}
	}
	return want, nil
}

// openRun opens the run directory dir and parses its architecture: one of
// fracdyn/model's, or "" for a run of another model (which the analysis
// reads through its config's layers, in data-free mode).
func openRun(dir string) (*run.Run, model.Arch, error) {
	r, err := run.Open(dir)
	if err != nil {
		return nil, "", err
	}
	arch, err := model.ParseArch(r.Config.Arch)
	if err != nil {
		return r, "", nil
	}
	return r, arch, nil
}

// runProber returns the prober of the run's probe batch, or nil in
// data-free mode and for a run of another model (whose recorder stored the
// activation maps in its snapshots).
func runProber(r *run.Run, arch model.Arch, opts Options) (*Prober, error) {
	if opts.DataFree {
		return nil, nil
	}
	if arch == "" {
		return nil, nil // the snapshots' recorded maps, if any (analyzer.activations)
	}
	if opts.Backend == nil {
		return nil, fmt.Errorf("analysis needs a backend for the probe forward pass (or data-free mode)")
	}
	images, _, err := r.Probe()
	if err != nil {
		return nil, fmt.Errorf("%w (use data-free mode to analyse without the probe batch)", err)
	}
	p, err := NewProber(opts.Backend, arch, images)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", r.Dir, err)
	}
	return p, nil
}
