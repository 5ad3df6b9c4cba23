package analysis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
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
