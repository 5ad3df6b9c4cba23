package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

func init() {
	register(&command{
		name:    "fd",
		args:    "FILE",
		summary: "fractal dimension of a 2-D matrix (.npy, or .csv/.tsv/.txt text) by box counting, DBC, variogram or the paper's FD",
		run:     runFD,
	})
}

// fdOut receives the output of "fracdyn fd"; tests replace it.
var fdOut io.Writer = os.Stdout

// fdJSON is the JSON of "fracdyn fd". Undefined numbers are null.
type fdJSON struct {
	File      string    `json:"file"`
	Rows      int       `json:"rows"`
	Cols      int       `json:"cols"`
	Method    string    `json:"method"`
	Dimension *float64  `json:"dimension"`
	R2        *float64  `json:"r2"`
	Slope     *float64  `json:"slope"`
	Sizes     []float64 `json:"sizes"`
	Counts    []float64 `json:"counts"`
	Lags      []float64 `json:"lags,omitempty"`
	Values    []float64 `json:"values,omitempty"`
	Threshold *float64  `json:"threshold,omitempty"`
	Quantile  float64   `json:"quantile,omitempty"`
	R         int       `json:"r,omitempty"`
	Literal   *float64  `json:"paper_literal,omitempty"`
	Self      *selfJSON `json:"self_similarity,omitempty"`
	Notes     []string  `json:"notes,omitempty"`
	// Degenerate names an input on which the dimension means nothing
	// ("constant", "empty mask", "undefined"); Reason says why.
	Degenerate string `json:"degenerate,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

type selfJSON struct {
	ScaleInvariant  bool      `json:"scale_invariant"`
	Dimension       *float64  `json:"dimension"`
	R2              *float64  `json:"r2"`
	RangeLo         int       `json:"range_lo"`
	RangeHi         int       `json:"range_hi"`
	Scales          []int     `json:"scales"`
	ScaleDimensions []float64 `json:"scale_dimensions"`
	Residuals       []float64 `json:"residuals"`
	Verdict         string    `json:"verdict"`
}

func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func runFD(ctx context.Context, args []string) error {
	c := commands["fd"]
	fs := newFlagSet(c)
	method := fs.String("method", "bc", "estimator: bc (binary box counting), dbc (differential box counting), variogram, paper (ln N/ln(1/r) at one scale)")
	quantile := fs.Float64("threshold", fractal.DefaultQuantile, "mask threshold of bc and paper, as a quantile Q of |w| in (0, 1]")
	r := fs.Int("r", 0, "scale r of --method paper (0: the smallest valid scale)")
	sizes := fs.String("sizes", "", "comma-separated box sizes (bc, dbc) or lags (variogram); empty: the method's default")
	order := fs.Float64("order", 2, "order p of the power variation: 2 variogram, 1 madogram")
	self := fs.Bool("selfsim", false, "also test self-similarity across all valid scales (bc mask)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	csv := addCSVFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "one matrix FILE (.npy, .csv, .tsv or .txt)"); err != nil {
		return err
	}
	m, err := fractal.ParseMethod(*method)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if !(*quantile > 0 && *quantile <= 1) {
		return usageErrorf("--threshold %v: the quantile must be in (0, 1]", *quantile)
	}
	opts := fractal.Options{Quantile: *quantile, Order: *order}
	if *sizes != "" {
		for _, s := range strings.Split(*sizes, ",") {
			v, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || v < 1 {
				return usageErrorf("--sizes: %q is not a positive integer", s)
			}
			opts.Sizes = append(opts.Sizes, v)
		}
	}
	path := pos[0]
	a, err := csv.read(path, false)
	if err != nil {
		return err // arrayio names the file and what is wrong
	}
	if len(a.Shape) != 2 {
		return fmt.Errorf("%s: a %d-D array of shape %v; fd needs a 2-D matrix", path, len(a.Shape), a.Shape)
	}
	n, cols := a.Shape[0], a.Shape[1]
	if n == 0 || cols == 0 {
		return fmt.Errorf("%s: empty %d×%d matrix", path, n, cols)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w := a.Float64s()
	var fit fractal.Fit
	if m == fractal.MethodPaper {
		rr := *r
		if rr == 0 {
			rs := fractal.ValidScales(n, cols)
			if len(rs) == 0 {
				return fmt.Errorf("%s: a %d×%d matrix has no valid scale for the paper's FD", path, n, cols)
			}
			rr = rs[0]
		}
		if err := fractal.CheckScale(n, cols, rr); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if fit, err = fractal.PaperFD(w, n, cols, rr, opts); err == nil {
			fractal.Judge(&fit, w)
		}
	} else {
		fit, err = fractal.EstimateContext(ctx, w, n, cols, m, opts)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if fit.Degenerate != "" {
		fmt.Fprintf(os.Stderr, "warning: %s: dimension %s: %s\n", path, fit.Degenerate, fit.Reason)
	}
	out := fdJSON{File: path, Rows: n, Cols: cols, Method: string(m), Dimension: num(fit.Dimension),
		R2: num(fit.R2), Slope: num(fit.Slope), Sizes: fit.Sizes, Counts: fit.Counts, Degenerate: fit.Degenerate, Reason: fit.Reason}
	switch m {
	case fractal.MethodVariogram:
		out.Lags, out.Values = fit.Sizes, fit.Counts
		out.Notes = append(out.Notes, fmt.Sprintf("power variation of order %v; D = 3 − slope/%v", *order, *order))
	case fractal.MethodDBC:
		out.Notes = append(out.Notes, fmt.Sprintf("surface dimension in [2, 3]; roughness D − 2 = %.4f", fit.Dimension-2))
	case fractal.MethodPaper:
		out.R = int(fit.Sizes[0])
		out.Literal = num(fit.Literal)
		out.Notes = append(out.Notes, "dimension = 2·ln N / ln Q (box side relative to the matrix); paper_literal = ln N / ln(1/r) with r in weights")
	}
	if m == fractal.MethodBoxCount || m == fractal.MethodPaper {
		out.Threshold, out.Quantile = num(fit.Threshold), *quantile
	}
	if *self {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := fractal.SelfSimilarity(w, n, cols, fractal.Options{Quantile: *quantile})
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		out.Self = &selfJSON{ScaleInvariant: v.ScaleInvariant, Dimension: num(v.Dimension), R2: num(v.R2),
			RangeLo: v.RangeLo, RangeHi: v.RangeHi, Scales: v.Scales, ScaleDimensions: v.ScaleDimensions,
			Residuals: v.Residuals(), Verdict: v.Reason}
	}
	if *asJSON {
		enc := json.NewEncoder(fdOut)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	printFD(fdOut, out)
	return nil
}

func printFD(w io.Writer, o fdJSON) {
	f := func(p *float64) string {
		if p == nil {
			return "undefined"
		}
		return strconv.FormatFloat(*p, 'f', 4, 64)
	}
	dim := f(o.Dimension)
	if o.Degenerate != "" {
		dim = fmt.Sprintf("%s (%s: %s)", dim, o.Degenerate, o.Reason)
	}
	fmt.Fprintf(w, "%s: %d×%d matrix\nmethod     %s\ndimension  %s\nR²         %s\n", o.File, o.Rows, o.Cols, o.Method, dim, f(o.R2))
	if o.Threshold != nil {
		fmt.Fprintf(w, "threshold  |w| ≥ %.6g (quantile %v)\n", *o.Threshold, o.Quantile)
	}
	if o.Literal != nil {
		fmt.Fprintf(w, "r          %d\nliteral    %s (ln N / ln(1/r), r in weights)\n", o.R, f(o.Literal))
	}
	label := "size"
	if o.Method == string(fractal.MethodVariogram) {
		label = "lag"
	}
	fmt.Fprintf(w, "%8s  %14s\n", label, "value")
	for i := range o.Sizes {
		fmt.Fprintf(w, "%8.4g  %14.6g\n", o.Sizes[i], o.Counts[i])
	}
	for _, n := range o.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if s := o.Self; s != nil {
		fmt.Fprintf(w, "self-similarity: %s\n", s.Verdict)
	}
}
