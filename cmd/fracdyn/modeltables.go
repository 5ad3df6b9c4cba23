package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fracdyn/fracdyn/fracdyn/diagnose"
	"github.com/fracdyn/fracdyn/fracdyn/null"
	"github.com/fracdyn/fracdyn/fracdyn/segtable"
)

// segmentHeader is the header of the per-segment table.
var segmentHeader = []string{"layer", "r", "matrix", "neuron", "channel", "row", "col", "fd", "fd_r2", "entropy"}

// segmentMeasures are the measure columns of the per-segment Parquet table
// (segtable), after its position columns.
var segmentMeasures = []string{"fd", "fd_r2", "entropy"}

// segmentTableRow returns s as a per-segment Parquet table row (measures
// segmentMeasures, as float32) of the snapshot epoch (−1: none).
func segmentTableRow(s diagnose.SegmentRow, epoch int) segtable.Row {
	return segtable.Row{Epoch: int32(epoch), Layer: s.Layer, R: int32(s.R), Matrix: int32(s.Matrix),
		Neuron: int32(s.Neuron), Channel: int32(s.Channel), Row: int32(s.Row), Col: int32(s.Col),
		Measures: []float32{float32(s.FD), float32(s.FDR2), float32(s.Entropy)}}
}

// segmentRecord returns s as CSV fields matching segmentHeader.
func segmentRecord(s diagnose.SegmentRow) []string {
	return []string{s.Layer, itoa(s.R), itoa(s.Matrix), itoa(s.Neuron), itoa(s.Channel), itoa(s.Row), itoa(s.Col),
		ftoa(s.FD), ftoa(s.FDR2), ftoa(s.Entropy)}
}

// writeScales writes the per-layer, per-scale table: one row per layer and
// scale r with the segment count, mask threshold, the mean and standard
// deviation of FD over the segments where it is defined (and how many it
// is not), the mean R² and the entropy.
func writeScales(w io.Writer, reports []diagnose.LayerReport) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"layer", "kind", "r", "segments", "threshold", "fd_mean", "fd_std", "fd_undefined", "fd_r2_mean", "entropy_mean", "entropy_std"},
		append(nullHeader(diagnose.ScaleNullMeasures), "null_draws", "null_segments")...))
	for _, rep := range reports {
		for _, s := range rep.Scales {
			rec := []string{rep.Info.Name, rep.Info.Kind.String(), itoa(s.R), itoa(s.Segments), ftoa(s.Threshold),
				ftoa(s.FD.Mean), ftoa(s.FD.Std), itoa(s.FD.Undefined), ftoa(s.FDR2.Mean), ftoa(s.H.Mean), ftoa(s.H.Std)}
			if s.Nulls != nil {
				rec = append(append(rec, nullCells(s.Nulls.Tests, diagnose.ScaleNullMeasures)...), itoa(s.Nulls.Draws), itoa(s.Nulls.Segments))
			} else {
				rec = append(append(rec, nullCells(nil, diagnose.ScaleNullMeasures)...), "", "")
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// detailsHeader is the header of the per-layer summary, WeightWatcher's
// "details" columns (alpha, alpha_weighted, D, xmin, xmax, lambda_max,
// log_norm, log_spectral_norm, stable_rank, num_pl_spikes, ...) followed by
// the fractal measures.
var detailsHeader = []string{"layer", "kind", "shape", "N", "M", "matrices",
	"num_evals", "alpha", "sigma", "D", "xmin", "xmax", "num_pl_spikes", "lambda_max",
	"log_spectral_norm", "alpha_weighted", "log_norm", "stable_rank", "spectral_entropy",
	"fd_bc", "fd_bc_r2", "fd_dbc", "fd_dbc_r2", "fd_variogram", "fd_variogram_r2", "fd_paper",
	"matrix_entropy", "selfsim_judged", "selfsim_invariant", "selfsim_dimension", "selfsim_r2", "error"}

func init() {
	detailsHeader = append(append(detailsHeader, nullHeader(diagnose.NullMeasures)...), "null_draws", "null_elements")
}

// detailsRecord returns rep's summary fields matching detailsHeader.
func detailsRecord(rep diagnose.LayerReport) []string {
	sp := rep.Spectral
	mp := rep.Info.Matrices
	rec := []string{rep.Info.Name, rep.Info.Kind.String(), shapeText(rep.Info.Shape), itoa(mp.Rows), itoa(mp.Cols), itoa(mp.Count),
		itoa(sp.NumEvals), ftoa(sp.Fit.Alpha), ftoa(sp.Fit.Sigma), ftoa(sp.Fit.KS), ftoa(sp.Fit.Xmin), ftoa(sp.Fit.Xmax),
		itoa(sp.Fit.NTail), ftoa(sp.LambdaMax), ftoa(sp.LogSpectralNorm), ftoa(sp.AlphaWeighted), ftoa(sp.LogNorm),
		ftoa(sp.StableRank), ftoa(sp.Entropy)}
	est := map[string]diagnose.EstimatorSummary{}
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
		return append(append(rec, nullCells(nil, diagnose.NullMeasures)...), "", "")
	}
	return append(append(rec, nullCells(rep.Nulls.Tests, diagnose.NullMeasures)...), itoa(rep.Nulls.Draws), itoa(rep.Nulls.Elements))
}

// writeDetails writes the per-layer summary as CSV (detailsHeader).
func writeDetails(w io.Writer, reports []diagnose.LayerReport) error {
	cw := csv.NewWriter(w)
	cw.Write(detailsHeader)
	for _, rep := range reports {
		cw.Write(detailsRecord(rep))
	}
	cw.Flush()
	return cw.Error()
}

// printDetails writes a short aligned summary for the terminal: per layer
// the matrices, α and its fit, the box-counting dimension, the entropy and
// the self-similarity verdict.
func printDetails(w io.Writer, reports []diagnose.LayerReport) error {
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

// writeGraph writes the kernel-graph edge summaries as CSV.
func writeGraph(w io.Writer, edges []diagnose.EdgeSummary) error {
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

// nullCells returns the null columns of measures for tests (empty cells
// when tests is nil).
func nullCells(tests map[string][]null.Result, measures []string) []string {
	var c []string
	for _, m := range measures {
		var rs []null.Result
		if tests != nil {
			rs = tests[m]
		}
		c = append(c, null.Cells(rs, null.Kinds(), ftoa)...)
	}
	return c
}

// nullHeader returns the null columns of measures.
func nullHeader(measures []string) []string {
	var h []string
	for _, m := range measures {
		h = append(h, null.Columns(m, null.Kinds())...)
	}
	return h
}

// nullSummary is a short terminal cell for measure m: the z-scores under
// each null and the verdict ("z -82/-13/-102 beyond all nulls"); "-" when
// nulls were not computed.
func nullSummary(n *diagnose.LayerNulls, m string) string {
	if n == nil || n.Tests[m] == nil {
		return "-"
	}
	s := "z"
	for i, r := range n.Tests[m] {
		sep := "/"
		if i == 0 {
			sep = " "
		}
		s += fmt.Sprintf("%s%.3g", sep, r.Z)
	}
	return s + " " + null.Verdict(n.Tests[m])
}

// writeCompare writes the points as CSV.
func writeCompare(w io.Writer, points []diagnose.ComparePoint) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"model", "layer", "kind", "alpha", "alpha_sigma", "fd_bc", "fd_dbc", "fd_variogram", "fd_paper",
		"segment_r", "segment_fd", "matrix_entropy"}, nullHeader(diagnose.CompareMeasures)...))
	for _, p := range points {
		cw.Write(append([]string{p.Model, p.Layer, p.Kind.String(), ftoa(p.Alpha), ftoa(p.AlphaSigma), ftoa(p.Measure("bc")),
			ftoa(p.Measure("dbc")), ftoa(p.Measure("variogram")), ftoa(p.Measure("paper")), itoa(p.SegmentR),
			ftoa(p.SegmentFD), ftoa(p.Entropy)}, nullCells(p.Nulls, diagnose.CompareMeasures)...))
	}
	cw.Flush()
	return cw.Error()
}

// writeCorrelations writes the correlations as CSV.
func writeCorrelations(w io.Writer, cs []diagnose.Correlation) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"measure", "pearson", "spearman", "layers"})
	for _, c := range cs {
		cw.Write([]string{c.Measure, ftoa(c.Pearson), ftoa(c.Spearman), itoa(c.N)})
	}
	cw.Flush()
	return cw.Error()
}

// activationHeader is the header of writeActivations' table.
var activationHeader = []string{"weight", "output", "ops", "shape", "mean", "std", "min", "max", "zero_fraction"}

// writeActivations writes one CSV row per activation map: where it was
// taken and the mean, standard deviation, extremes and fraction of exact
// zeros (units no input activates, after a ReLU) of its values.
func writeActivations(w io.Writer, acts []diagnose.Activation) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(activationHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, a := range acts {
		s := diagnose.StatOf(a.Mean)
		lo, hi, zeros := math.Inf(1), math.Inf(-1), 0
		for _, v := range a.Mean {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
			if v == 0 {
				zeros++
			}
		}
		shape := strings.Trim(strings.ReplaceAll(fmt.Sprint(a.Shape), " ", "x"), "[]")
		if err := cw.Write([]string{a.Weight, a.Output, strings.Join(a.Ops, " "), shape, f(s.Mean), f(s.Std), f(lo), f(hi),
			f(float64(zeros) / float64(max(len(a.Mean), 1)))}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// nodeHeader is the header of the kernel graph's node table (alpha.csv).
var nodeHeader = []string{"layer", "neuron", "channel", "row", "col", "r", "fd", "h", "a_norm", "alpha_norm"}

// nodeRecord formats n as a row under nodeHeader.
func nodeRecord(n diagnose.NodeRow) []string {
	f := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }
	return []string{n.Layer, strconv.Itoa(n.Neuron), strconv.Itoa(n.Channel), strconv.Itoa(n.Row), strconv.Itoa(n.C),
		strconv.Itoa(n.R), f(n.FD), f(n.H), f(n.ANorm), f(n.AlphaNorm)}
}
