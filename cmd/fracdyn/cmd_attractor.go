package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"github.com/fracdyn/fracdyn/internal/progress"
)

func init() {
	register(&command{
		name:    "attractor",
		args:    "FILE",
		summary: "embed a trajectory (.npy, or .csv/.tsv/.txt text) and measure its Lyapunov exponent, correlation dimension and attractor class",
		run:     runAttractor,
	})
}

const attractorHelp = `
FILE holds a trajectory: rows are time steps, columns are dimensions
(a .npy array of one or two dimensions, or a CSV of numbers). With several
columns the rows are state vectors, delay-embedded like a scalar series;
--column picks one column instead.

Lag: the smaller of the first mutual-information minimum and the
autocorrelation's 1/e crossing; dimension: false nearest neighbours;
Lyapunov exponent: Rosenstein et al. (1993), per time unit (--dt per
step); correlation dimension: Grassberger-Procaccia. Classes: fixed-point,
periodic, quasi-periodic, chaotic, stochastic (not a low-dimensional
attractor). "go doc github.com/fracdyn/fracdyn/fracdyn/attractor" has
every rule and threshold.

Cost: the neighbour searches compare up to --max-refs reference points
with every step, in (dimension × columns) coordinates, for each dimension
up to --max-dim: quadratic in the steps, linear in the columns. Above about
a minute of that work a warning states the estimate first; --column,
--max-refs and --max-dim limit it. Ctrl-C stops it (exit 130).

Examples:
  fracdyn attractor lorenz.csv --dt 0.01
  fracdyn attractor --json --column 3 runs/quick/steps-segments.npy
`

func runAttractor(ctx context.Context, args []string) error {
	c := commands["attractor"]
	fs := newFlagSet(c)
	asJSON := fs.Bool("json", false, "print the full report as JSON")
	dt := fs.Float64("dt", 1, "time per row (exponents are per time unit)")
	column := fs.Int("column", -1, "analyse only this column (0-based); -1: all columns together")
	lag := fs.Int("lag", 0, "embedding delay in rows (0: choose)")
	dim := fs.Int("dim", 0, "embedding dimension (0: choose by false nearest neighbours)")
	theiler := fs.Int("theiler", 0, "Theiler window in rows (0: the mean period, -1: none)")
	maxDim := fs.Int("max-dim", 10, "largest embedding dimension tried")
	csv := addCSVFlags(fs)
	maxRefs := fs.Int("max-refs", 4000, "reference points of each neighbour search (twice as many for the Lyapunov exponent); fewer is faster on wide or long input")
	surrogates := fs.Int("surrogates", attractor.DefaultSurrogates, "surrogates of the test a chaotic or D2-based class must pass (one-sided rank test of D2 at level 1/(N+1)); 0: no test")
	surrMethod := fs.String("surrogate-method", string(attractor.IAAFT), "surrogates: iaaft, aaft or ft (phase-randomised)")
	defaultUsage := fs.Usage
	fs.Usage = func() {
		defaultUsage()
		fmt.Fprint(fs.Output(), attractorHelp)
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 1, "one FILE"); err != nil {
		return err
	}
	if !(*dt > 0) {
		return usageErrorf("--dt must be positive, got %v", *dt)
	}
	if *surrogates < 0 {
		return usageErrorf("--surrogates must be 0 (no test) or more, got %d", *surrogates)
	}
	method, err := attractor.ParseSurrogateMethod(*surrMethod)
	if err != nil {
		return usageErrorf("--surrogate-method: %v", err)
	}
	nsurr := *surrogates
	if nsurr == 0 {
		nsurr = -1
	}
	path := pos[0]
	// A 1-D .npy is a scalar series too.
	a, err := csv.read(path, true)
	if err != nil {
		return err
	}
	s, err := seriesOf(a, *column)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *maxRefs < 1 {
		return usageErrorf("--max-refs must be ≥ 1, got %d", *maxRefs)
	}
	opts := attractor.Options{Lag: *lag, Dim: *dim, Theiler: *theiler, MaxDim: *maxDim, MaxRefs: *maxRefs, Dt: *dt,
		Surrogates: nsurr, SurrogateMethod: method}
	warnAttractorWork(attractorErr, path, s, opts)
	opts.Progress = progress.New(attractorErr, progress.Options{Title: "attractor", Unit: "reference points"})
	res, err := attractor.AnalyzeContext(ctx, s, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			File string `json:"file"`
			attractor.Report
		}{path, res.Report()})
	}
	printAttractor(os.Stdout, path, res)
	return nil
}

// attractorErr receives the warnings and progress of "fracdyn attractor";
// tests replace it.
var attractorErr io.Writer = os.Stderr

// attractorWarnCoords is the number of coordinate differences (about a
// minute of work on one core) above which "fracdyn attractor" warns.
const attractorWarnCoords = 2e10

// warnAttractorWork warns before neighbour searches whose work grows with
// the square of the steps and the number of columns, naming the flags that
// limit it.
func warnAttractorWork(w io.Writer, path string, s attractor.Series, o attractor.Options) {
	pairs, coords := attractor.Work(s.Len(), s.Cols, o)
	if coords < attractorWarnCoords {
		return
	}
	fmt.Fprintf(w, "warning: %s: %d steps × %d columns: the neighbour searches compare up to %.2g pairs of points, %.2g coordinate differences in all (quadratic in steps, linear in columns); --column N analyses one column, --max-refs and --max-dim limit the work\n",
		path, s.Len(), s.Cols, pairs, coords)
}

// seriesOf turns a 1-D or 2-D array into a Series, keeping one column when
// column ≥ 0.
func seriesOf(a *arrayio.Array, column int) (attractor.Series, error) {
	rows, cols := 0, 1
	switch len(a.Shape) {
	case 1:
		rows = a.Shape[0]
	case 2:
		rows, cols = a.Shape[0], a.Shape[1]
	default:
		return attractor.Series{}, fmt.Errorf("array of shape %v: want [time] or [time, dimensions]", a.Shape)
	}
	data := a.Float64s()
	if column < 0 {
		return attractor.Series{Data: data, Cols: cols}, nil
	}
	if column >= cols {
		return attractor.Series{}, fmt.Errorf("--column %d: the array has %d columns", column, cols)
	}
	x := make([]float64, rows)
	for t := range x {
		x[t] = data[t*cols+column]
	}
	return attractor.Univariate(x), nil
}

func printAttractor(w io.Writer, path string, r *attractor.Result) {
	fmt.Fprintf(w, "%s: %d steps × %d columns\n", path, r.N, r.Cols)
	fmt.Fprintf(w, "class:                 %s (%s)\n", r.Class, r.Reason)
	var fnn []string
	for _, f := range r.Dim.Fractions {
		fnn = append(fnn, fmt.Sprintf("%.1f%%", 100*f))
	}
	conv := "converged"
	if !r.Dim.Converged {
		conv = "did not converge"
	}
	fmt.Fprintf(w, "embedding:             lag %d (%s; MI minimum %d, ACF 1/e at %d), dimension %d (FNN %s: %s), Theiler window %d\n",
		r.Lag.Lag, r.Lag.Rule, r.Lag.MIMinimum, r.Lag.ACFCrossing, r.Dim.Dim, conv, strings.Join(fnn, " "), r.Theiler)
	f := r.LyapunovFit
	fmt.Fprintf(w, "lyapunov:              %.4g per time unit (dt %g; fit R² %.3f over steps %d–%d of %d)\n",
		r.Lyapunov, r.Dt, f.R2, f.From, f.To, len(r.Divergence.MeanLog)-1)
	cd := r.Correlation
	fmt.Fprintf(w, "correlation dimension: %.4g (R² %.4f over r %.3g–%.3g); %.4g with one more dimension\n",
		cd.D2, cd.R2, cd.RMin, cd.RMax, r.CorrelationNext.D2)
	sp := r.Spectrum
	fmt.Fprintf(w, "spectrum:              peak at %.4g cycles per time unit (%.1f cycles), %.1f%% of power in its harmonics, %.1f%% in 10 lines, flatness %.3f\n",
		sp.Fundamental/r.Dt, sp.Cycles, 100*sp.HarmonicPower, 100*sp.LinePower, sp.Flatness)
	fmt.Fprintf(w, "contraction:           %.3g (last quarter's spread over the first's)\n", r.Contraction)
	if t := r.Surrogate; t != nil {
		verdict := "beats its surrogates"
		if !t.Beats {
			verdict = "indistinguishable from linear noise"
		}
		fmt.Fprintf(w, "surrogate test:        %s: D2 %.4g vs %d %s surrogates (p %.3g, level %.3g); λ p %.3g (last %d steps)\n",
			verdict, float64(t.Correlation.Observed), t.Count, t.Method, t.Correlation.P, t.Level, t.Lyapunov.P, t.Steps)
	}
}
