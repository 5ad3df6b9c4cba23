package diagnose

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
	"github.com/fracdyn/fracdyn/fracdyn/weights"
)

// MatrixSummary is the whole-matrix diagnosis of one tensor: every
// estimator of fractal, the matrix entropy and the self-similarity test
// run on each of its matrices and summarised over them (for a conv layer
// read per kernel, over its out·in kernels). analyze-model and the run
// analysis both compute it with SummarizeMatrices.
type MatrixSummary struct {
	Estimators []EstimatorSummary // in fractal.Methods() order
	Entropy    Stat
	SelfSim    SelfSimSummary
	// Verdict is the self-similarity verdict of a single matrix; for many,
	// their summary: the mean dimension and R² of the judged matrices,
	// ScaleInvariant when some are judged and all of those pass, and
	// SelfSim.Reason as its reason.
	Verdict fractal.Verdict
	// Paper is the paper's single-scale dimension (fractal.PaperFD) at
	// each scale asked for, over the matrices; a matrix the scale does not
	// fit counts as undefined.
	Paper map[int]Stat
}

// SummaryOptions tune SummarizeMatrices. The zero value gives the
// defaults.
type SummaryOptions struct {
	// Options are the estimators' options (mask threshold or quantile).
	fractal.Options
	// PaperScales are the scales r of MatrixSummary.Paper.
	PaperScales []int
	// Concurrent runs the estimators of a matrix at once: less wall time
	// on a large matrix, more memory (each estimator's temporaries at
	// once). The numbers are the same.
	Concurrent bool
}

// matrixSummarizer accumulates a MatrixSummary one matrix at a time.
type matrixSummarizer struct {
	view        weights.View
	opts        fractal.Options
	paperScales []int
	concurrent  bool
	dims, r2s   [][]float64
	failed      []int
	paper       map[int][]float64
	ent         []float64
	ssDim, ssR2 []float64
	ss          SelfSimSummary
	verdict     fractal.Verdict // the last matrix's
}

func newMatrixSummarizer(v weights.View, o SummaryOptions) *matrixSummarizer {
	n := len(fractal.Methods())
	return &matrixSummarizer{view: v, opts: o.Options, paperScales: o.PaperScales, concurrent: o.Concurrent,
		dims: make([][]float64, n), r2s: make([][]float64, n), failed: make([]int, n), paper: map[int][]float64{}}
}

// add measures one Rows×Cols matrix w. One mask threshold, a quantile of
// |w| (opts.Quantile, fractal's default when 0), is computed once and
// shared by every estimator and the self-similarity test.
func (s *matrixSummarizer) add(w []float64) error {
	rows, cols := s.view.Rows, s.view.Cols
	fopts := s.opts
	if fopts.Threshold == 0 {
		q := fopts.Quantile
		if q == 0 {
			q = fractal.DefaultQuantile
		}
		fopts.Threshold = fractal.Quantile(w, q)
	}
	fopts.Mask = fractal.Mask(w, fopts.Threshold) // one mask for bc, paper and the self-similarity test
	methods := fractal.Methods()
	fits := make([]fractal.Fit, len(methods))
	errs := make([]error, len(methods))
	paper := make([]float64, len(s.paperScales))
	var v fractal.Verdict
	var ssErr error
	steps := make([]func(), 0, len(methods)+1)
	for k, method := range methods {
		steps = append(steps, func() { fits[k], errs[k] = fractal.Estimate(w, rows, cols, method, fopts) })
	}
	steps = append(steps, func() { v, ssErr = fractal.SelfSimilarity(w, rows, cols, fopts) })
	if s.concurrent {
		var wg sync.WaitGroup
		for _, f := range steps {
			wg.Go(f)
		}
		wg.Wait()
	} else {
		for _, f := range steps {
			f()
			settle(len(w))
		}
	}
	s.paperDims(paper, fopts.Mask, v, ssErr, fopts.Threshold)
	for k := range methods {
		if errs[k] != nil || math.IsNaN(fits[k].Dimension) {
			s.failed[k]++
			continue
		}
		s.dims[k] = append(s.dims[k], fits[k].Dimension)
		s.r2s[k] = append(s.r2s[k], fits[k].R2)
	}
	for k, r := range s.paperScales {
		s.paper[r] = append(s.paper[r], paper[k])
	}
	s.ent = append(s.ent, fractal.Entropy(w))
	if ssErr != nil {
		return ssErr
	}
	s.verdict = v
	if s.view.Count == 1 {
		s.ss.Reason = v.Reason
	}
	if len(v.Scales) >= fractal.SelfSimilarityMinScales && v.Counts[0] > 0 {
		s.ss.Judged++
		if v.ScaleInvariant {
			s.ss.Invariant++
		}
		s.ssDim = append(s.ssDim, v.Dimension)
		s.ssR2 = append(s.ssR2, v.R2)
	}
	return nil
}

// paperDims sets paper[k], the paper's dimension of w at paperScales[k]
// (NaN where r is not a valid scale). The self-similarity test v counted
// the segments of the same mask at every valid scale and took the same
// 2·ln N / ln Q (PaperFDMask), so its ScaleDimensions are read; where it
// failed (ssErr), PaperFDMask counts them on mask, w's at tau.
func (s *matrixSummarizer) paperDims(paper []float64, mask []bool, v fractal.Verdict, ssErr error, tau float64) {
	rows, cols := s.view.Rows, s.view.Cols
	for k, r := range s.paperScales {
		paper[k] = math.NaN()
		if fractal.CheckScale(rows, cols, r) != nil {
			continue
		}
		if i := slices.Index(v.Scales, r); ssErr == nil && i >= 0 {
			paper[k] = v.ScaleDimensions[i]
			continue
		}
		if f, err := fractal.PaperFDMask(mask, rows, cols, r, tau); err == nil {
			paper[k] = f.Dimension
		}
	}
}

func (s *matrixSummarizer) result() MatrixSummary {
	var out MatrixSummary
	for k, method := range fractal.Methods() {
		out.Estimators = append(out.Estimators, EstimatorSummary{Method: method, Dimension: statOf(s.dims[k]), R2: statOf(s.r2s[k]), Failed: s.failed[k]})
	}
	out.Entropy = statOf(s.ent)
	ss := s.ss
	ss.Dimension, ss.R2 = statOf(s.ssDim), statOf(s.ssR2)
	if s.view.Count > 1 {
		ss.Reason = fmt.Sprintf("%d of %d matrices judged, %d scale-invariant", ss.Judged, s.view.Count, ss.Invariant)
	}
	out.SelfSim = ss
	out.Verdict = s.verdict
	if s.view.Count > 1 {
		out.Verdict = fractal.Verdict{Fit: fractal.Fit{Dimension: ss.Dimension.Mean, R2: ss.R2.Mean},
			ScaleInvariant: ss.Judged > 0 && ss.Invariant == ss.Judged, Reason: ss.Reason}
	}
	if len(s.paperScales) > 0 {
		out.Paper = map[int]Stat{}
		for _, r := range s.paperScales {
			out.Paper[r] = statOf(s.paper[r])
		}
	}
	return out
}

// SummarizeMatrices runs every whole-matrix estimator of fractal, the
// entropy and the self-similarity test on each matrix of the canonical
// tensor data as v reads it, and the paper's dimension at each of
// paperScales, and summarises them over the matrices. It is what
// analyze-model reports per layer and what the run analysis writes to
// layers.csv for a layer of many matrices (a conv layer read per kernel).
func SummarizeMatrices(data []float32, v weights.View, opts SummaryOptions) (MatrixSummary, error) {
	s := newMatrixSummarizer(v, opts)
	if err := v.Matrices(data, func(_ int, w []float64) error { return s.add(w) }); err != nil {
		return MatrixSummary{}, err
	}
	return s.result(), nil
}
