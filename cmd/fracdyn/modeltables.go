package modelio

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fracdyn/fracdyn/fracdyn/segtable"
)

// SegmentHeader is the header of the per-segment table.
var SegmentHeader = []string{"layer", "r", "matrix", "neuron", "channel", "row", "col", "fd", "fd_r2", "entropy"}

// SegmentMeasures are the measure columns of the per-segment Parquet table
// (segtable), after its position columns.
var SegmentMeasures = []string{"fd", "fd_r2", "entropy"}

// TableRow returns the row as a per-segment Parquet table row (measures
// SegmentMeasures, as float32) of the snapshot epoch (−1: none).
func (s SegmentRow) TableRow(epoch int) segtable.Row {
	return segtable.Row{Epoch: int32(epoch), Layer: s.Layer, R: int32(s.R), Matrix: int32(s.Matrix),
		Neuron: int32(s.Neuron), Channel: int32(s.Channel), Row: int32(s.Row), Col: int32(s.Col),
		Measures: []float32{float32(s.FD), float32(s.FDR2), float32(s.Entropy)}}
}

// Record returns the row as CSV fields matching SegmentHeader.
func (s SegmentRow) Record() []string {
	return []string{s.Layer, itoa(s.R), itoa(s.Matrix), itoa(s.Neuron), itoa(s.Channel), itoa(s.Row), itoa(s.Col),
		ftoa(s.FD), ftoa(s.FDR2), ftoa(s.Entropy)}
}

// WriteScales writes the per-layer, per-scale table: one row per layer and
// scale r with the segment count, mask threshold, the mean and standard
// deviation of FD over the segments where it is defined (and how many it
// is not), the mean R² and the entropy.
func WriteScales(w io.Writer, reports []LayerReport) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"layer", "kind", "r", "segments", "threshold", "fd_mean", "fd_std", "fd_undefined", "fd_r2_mean", "entropy_mean", "entropy_std"},
		append(nullHeader(ScaleNullMeasures), "null_draws", "null_segments")...))
	for _, rep := range reports {
		for _, s := range rep.Scales {
			rec := []string{rep.Info.Name, rep.Info.Kind.String(), itoa(s.R), itoa(s.Segments), ftoa(s.Threshold),
				ftoa(s.FD.Mean), ftoa(s.FD.Std), itoa(s.FD.Undefined), ftoa(s.FDR2.Mean), ftoa(s.H.Mean), ftoa(s.H.Std)}
			if s.Nulls != nil {
				rec = append(append(rec, nullCells(s.Nulls.Tests, ScaleNullMeasures)...), itoa(s.Nulls.Draws), itoa(s.Nulls.Segments))
			} else {
				rec = append(append(rec, nullCells(nil, ScaleNullMeasures)...), "", "")
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// DetailsHeader is the header of the per-layer summary, WeightWatcher's
// "details" columns (alpha, alpha_weighted, D, xmin, xmax, lambda_max,
// log_norm, log_spectral_norm, stable_rank, num_pl_spikes, ...) followed by
// the fractal measures.
var DetailsHeader = []string{"layer", "kind", "shape", "N", "M", "matrices",
	"num_evals", "alpha", "sigma", "D", "xmin", "xmax", "num_pl_spikes", "lambda_max",
	"log_spectral_norm", "alpha_weighted", "log_norm", "stable_rank", "spectral_entropy",
	"fd_bc", "fd_bc_r2", "fd_dbc", "fd_dbc_r2", "fd_variogram", "fd_variogram_r2", "fd_paper",
	"matrix_entropy", "selfsim_judged", "selfsim_invariant", "selfsim_dimension", "selfsim_r2", "error"}

func init() {
	DetailsHeader = append(append(DetailsHeader, nullHeader(NullMeasures)...), "null_draws", "null_elements")
}

// detailsRecord returns rep's summary fields matching DetailsHeader.
func detailsRecord(rep LayerReport) []string {
	sp := rep.Spectral
	mp := rep.Info.Matrices
	rec := []string{rep.Info.Name, rep.Info.Kind.String(), shapeText(rep.Info.Shape), itoa(mp.Rows), itoa(mp.Cols), itoa(mp.Count),
		itoa(sp.NumEvals), ftoa(sp.Fit.Alpha), ftoa(sp.Fit.Sigma), ftoa(sp.Fit.KS), ftoa(sp.Fit.Xmin), ftoa(sp.Fit.Xmax),
		itoa(sp.Fit.NTail), ftoa(sp.LambdaMax), ftoa(sp.LogSpectralNorm), ftoa(sp.AlphaWeighted), ftoa(sp.LogNorm),
		ftoa(sp.StableRank), ftoa(sp.Entropy)}
	est := map[string]EstimatorSummary{}
	for _, e := range rep.Estimators {
		est[string(e.Method)] = e
	}
	for _, m := range []string{"bc", "dbc", "variogram"} {
		e, ok := est[m]
		if !ok {
			rec = append(rec, "", "")
			continue
		}
		rec = append(rec, ftoa(e.Dimension.Mean), ftoa(e.R2.Mean))
	}
	if e, ok := est["paper"]; ok {
		rec = append(rec, ftoa(e.Dimension.Mean))
	} else {
		rec = append(rec, "")
	}
	ss := rep.SelfSim
	rec = append(rec, ftoa(rep.Entropy.Mean), itoa(ss.Judged), itoa(ss.Invariant), ftoa(ss.Dimension.Mean), ftoa(ss.R2.Mean), rep.Err)
	if rep.Nulls == nil {
		return append(append(rec, nullCells(nil, NullMeasures)...), "", "")
	}
	return append(append(rec, nullCells(rep.Nulls.Tests, NullMeasures)...), itoa(rep.Nulls.Draws), itoa(rep.Nulls.Elements))
}

// WriteDetails writes the per-layer summary as CSV (DetailsHeader).
func WriteDetails(w io.Writer, reports []LayerReport) error {
	cw := csv.NewWriter(w)
	cw.Write(DetailsHeader)
	for _, rep := range reports {
		cw.Write(detailsRecord(rep))
	}
	cw.Flush()
	return cw.Error()
}

// PrintDetails writes a short aligned summary for the terminal: per layer
// the matrices, α and its fit, the box-counting dimension, the entropy and
// the self-similarity verdict.
func PrintDetails(w io.Writer, reports []LayerReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tKIND\tMATRICES\tα\tD(KS)\ttail\tλmax\tFD bc\tFD dbc\tH\tself-similar\tFD bc vs nulls\t")
	for _, rep := range reports {
		if rep.Err != "" {
			fmt.Fprintf(tw, "%s\t%s\t%s\terror: %s\n", rep.Info.Name, rep.Info.Kind, rep.Info.Matrices, rep.Err)
			continue
		}
		sp := rep.Spectral
		var bc, dbc string
		for _, e := range rep.Estimators {
			switch e.Method {
			case "bc":
				bc = fmt.Sprintf("%.3f", e.Dimension.Mean)
			case "dbc":
				dbc = fmt.Sprintf("%.3f", e.Dimension.Mean)
			}
		}
		self := "-"
		if rep.SelfSim.Judged > 0 {
			self = fmt.Sprintf("%d/%d", rep.SelfSim.Invariant, rep.SelfSim.Judged)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%.3f\t%d/%d\t%.4g\t%s\t%s\t%.3f\t%s\t%s\t\n", rep.Info.Name, rep.Info.Kind, rep.Info.Matrices,
			sp.Fit.Alpha, sp.Fit.KS, sp.Fit.NTail, sp.NumEvals, sp.LambdaMax, bc, dbc, rep.Entropy.Mean, self, nullSummary(rep.Nulls, "fd_bc"))
	}
	return tw.Flush()
}

func itoa(i int) string { return strconv.Itoa(i) }

// ftoa formats v with 7 significant digits; NaN as "NaN".
func ftoa(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', 7, 64)
}

func shapeText(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return strings.Join(parts, "x")
}

// WriteGraph writes the kernel-graph edge summaries as CSV.
func WriteGraph(w io.Writer, edges []EdgeSummary) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"from", "to", "r_from", "r_to", "nodes_from", "nodes_to", "edges", "kernel", "gamma",
		"weight_mean", "weight_std", "dist_mean", "dist_std"})
	for _, e := range edges {
		cw.Write([]string{e.From, e.To, itoa(e.RFrom), itoa(e.RTo), itoa(e.NodesFrom), itoa(e.NodesTo), itoa(e.Edges),
			string(e.Kernel), ftoa(e.Gamma), ftoa(e.Weight.Mean), ftoa(e.Weight.Std), ftoa(e.Dist.Mean), ftoa(e.Dist.Std)})
	}
	cw.Flush()
	return cw.Error()
}
