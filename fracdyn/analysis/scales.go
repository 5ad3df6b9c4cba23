package analysis

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/gcn"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// graphsAt builds and scores the graphs at scale r (every run of connected
// layers, each layer at its clamped scale), relating each to its previous
// level in es.levels (the cross-scale fit, appended to es.multi by graph
// name).
func (a *analyzer) graphsAt(es *epochScales, r int) error {
	epoch, levels, multi := es.epoch, es.levels, es.multi
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
			ls, err := es.measure(i, s)
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
