package figure

import (
	"fmt"
	"math"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// KernelPanel is the data of one γ in Fig 2 right: the edge weights between
// two connected layers' segments under a kernel, summarised per pair of
// neurons, and every edge weight for the distribution.
type KernelPanel struct {
	Kernel     segraph.Kernel
	Gamma      float64
	From, To   string // layer names: rows are From's neurons, columns To's
	Rows, Cols int
	// Mean[i·Cols+j] is the mean weight of the edges between the segments
	// of neuron i of From and neuron j of To (NaN where there is none).
	Mean    []float64
	Weights []float64 // every edge weight
}

// KernelInteractions computes the panel of the edges of g that join layer
// l (segments from) to layer l+1 (segments to) under kernel k with spread
// γ. from and to must be the LayerResults g was built from.
func KernelInteractions(g *segraph.Graph, l int, from, to *fractal.LayerResult, k segraph.Kernel, gamma float64) (*KernelPanel, error) {
	if l < 0 || l+1 >= len(g.Layers) {
		return nil, fmt.Errorf("figure: graph of %v has no layer pair at %d", g.Layers, l)
	}
	if err := segraph.CheckGamma(gamma); err != nil {
		return nil, err
	}
	offF, offT, end := g.Offsets[l], g.Offsets[l+1], g.Offsets[l+2]
	if from.Len() != offT-offF || to.Len() != end-offT {
		return nil, fmt.Errorf("figure: segment counts %d, %d do not match the graph's layers %s, %s", from.Len(), to.Len(), g.Layers[l], g.Layers[l+1])
	}
	rows, cols := from.Shape[0], to.Shape[0]
	p := &KernelPanel{Kernel: k, Gamma: gamma, From: g.Layers[l], To: g.Layers[l+1], Rows: rows, Cols: cols,
		Mean: make([]float64, rows*cols)}
	count := make([]int, rows*cols)
	for e := range g.Src {
		s, t := int(g.Src[e]), int(g.Dst[e])
		if s < offF || s >= offT || t < offT || t >= end {
			continue
		}
		w := k.Weight(float64(g.Dist[e]), gamma)
		// The neuron: conv output channel, or a dense segment's first row.
		i, j := from.Segment(s-offF).Neuron, to.Segment(t-offT).Neuron
		p.Mean[i*cols+j] += w
		count[i*cols+j]++
		p.Weights = append(p.Weights, w)
	}
	for c, n := range count {
		if n == 0 {
			p.Mean[c] = math.NaN()
		} else {
			p.Mean[c] /= float64(n)
		}
	}
	return p, nil
}

// panelXYZ adapts a KernelPanel's means to plotter.GridXYZ (From's neuron 0
// at the top).
type panelXYZ struct{ p *KernelPanel }

func (x panelXYZ) Dims() (c, r int)   { return x.p.Cols, x.p.Rows }
func (x panelXYZ) Z(c, r int) float64 { return x.p.Mean[(x.p.Rows-1-r)*x.p.Cols+c] }
func (x panelXYZ) X(c int) float64    { return float64(c) }
func (x panelXYZ) Y(r int) float64    { return float64(x.p.Rows - 1 - r) }

// KernelWeights draws the right panel of the paper's Fig 2: one column per panel: on top the heat map of mean edge
// weights (each on its own colour scale, whose range the title gives), below
// the histogram of all edge weights.
func KernelWeights(panels []*KernelPanel, bins int) (*Grid, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("figure: no kernel panels")
	}
	if bins < 1 {
		bins = 40
	}
	out := [][]*plot.Plot{make([]*plot.Plot, len(panels)), make([]*plot.Plot, len(panels))}
	for i, kp := range panels {
		if len(kp.Weights) == 0 {
			return nil, fmt.Errorf("figure: panel γ=%v has no edges", kp.Gamma)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range kp.Mean {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if lo > hi {
			return nil, fmt.Errorf("figure: panel %s γ=%v has no finite mean edge weight (%d edges)", kp.Kernel, kp.Gamma, len(kp.Weights))
		}
		if hi == lo {
			hi = lo + max(1e-12, math.Abs(lo)*1e-9)
		}
		hm := plot.New()
		hm.Title.Text = fmt.Sprintf("%s γ=%g: %.3g–%.3g", kp.Kernel, kp.Gamma, lo, hi)
		hm.X.Label.Text = kp.To + " neuron"
		hm.Y.Label.Text = kp.From + " neuron"
		h := plotter.NewHeatMap(panelXYZ{kp}, heatPalette())
		h.Min, h.Max = lo, hi
		hm.Add(h)
		out[0][i] = hm

		hist, err := plotter.NewHist(plotter.Values(kp.Weights), bins)
		if err != nil {
			return nil, fmt.Errorf("figure: histogram γ=%v: %w", kp.Gamma, err)
		}
		hp := plot.New()
		hp.Title.Text = fmt.Sprintf("edge weights, γ=%g", kp.Gamma)
		hp.X.Label.Text = "weight"
		hp.Y.Label.Text = "edges"
		hp.Add(hist)
		out[1][i] = hp
	}
	return &Grid{Plots: out, W: 3.2 * vg.Inch * vg.Length(len(panels)), H: 6 * vg.Inch}, nil
}
