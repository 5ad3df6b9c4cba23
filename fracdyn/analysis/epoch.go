package analysis

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/model"
	"github.com/fracdyn/fracdyn/fracdyn/null"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
	"github.com/fracdyn/fracdyn/internal/fsutil"
)

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
	// and score the graphs at that scale.
	es := &epochScales{a: a, epoch: epoch, bases: bases, grads: grads, measured: map[[2]int]*layerScale{},
		levels: map[string]*scaleLevel{}, multi: map[string][]MultiScaleResult{}}
	scales := a.scales()
	segPath := filepath.Join(a.out, SegmentsDir, fmt.Sprintf("epoch-%03d.parquet", epoch))
	err = segtable.WriteFile(segPath, segmentMeasures(), segtable.Options{}, func(w *segtable.Writer) error {
		rows := startRowWriter(w, epoch)
		err := a.scalesOf(es, scales, rows)
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
	names := make([]string, 0, len(es.multi))
	for n := range es.multi {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		a.rep.MultiScale = append(a.rep.MultiScale, es.multi[name]...)
	}
	return nil
}

// epochScales is the state of one epoch's pass over the scales: the layer
// scales measured so far, of which only what a later scale still needs is
// kept (the clamped layers, fc2 at its largest scale), and each graph's
// previous level and cross-scale fits.
type epochScales struct {
	a        *analyzer
	epoch    int
	bases    map[int]segraph.Layer
	grads    map[int][]float32
	measured map[[2]int]*layerScale
	levels   map[string]*scaleLevel
	multi    map[string][]MultiScaleResult
}

// measure returns layer i measured at scale r, measuring it once.
func (es *epochScales) measure(i, r int) (*layerScale, error) {
	if ls, ok := es.measured[[2]int{i, r}]; ok {
		return ls, nil
	}
	start := time.Now()
	defer es.a.timed("segments", start)
	ls, err := measureLayer(es.bases[i], es.grads[i], r, es.a.opts)
	if err != nil {
		return nil, fmt.Errorf("epoch %d: %w", es.epoch, err)
	}
	es.measured[[2]int{i, r}] = ls
	return ls, nil
}

// dropBefore forgets the measurements that scale next and later ones do
// not use.
func (es *epochScales) dropBefore(next int) {
	for key := range es.measured {
		if key[1] != es.a.graphScale(key[0], next) && key[1] < next {
			delete(es.measured, key)
		}
	}
}

// scalesOf measures every layer at each of scales (their segment rows go
// to rows, the table's writer) and builds and scores the graphs at each
// scale.
func (a *analyzer) scalesOf(es *epochScales, scales []int, rows *rowWriter) error {
	epoch := es.epoch
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
			ls, err := es.measure(i, r)
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
		if err := a.graphsAt(es, r); err != nil {
			return err
		}
		if si+1 < len(scales) {
			es.dropBefore(scales[si+1])
		}
	}
	return nil
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
