package dynamics

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"github.com/fracdyn/fracdyn/fracdyn/run"
	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/fracdyn/fracdyn/internal/progress"
)

// AttractorsFile is the table "fracdyn analyze" writes under analysis/.
const AttractorsFile = "attractors.csv"

// TableOptions control AnalyzeRun. Zero values are the defaults.
type TableOptions struct {
	// PerLayer caps the tracked segments analysed per layer (evenly spaced
	// over the layer's columns); 0: 8, negative: all.
	PerLayer int
	// Windows is the number of epoch windows each trajectory is also
	// analysed in (whole epochs, as equal as they come); 0: 4, negative:
	// none.
	Windows int
	// MinWindowSteps is the fewest steps a window needs to be analysed;
	// 0: 128.
	MinWindowSteps int
	// Analysis is passed to attractor.Analyze (Dt is 1: exponents are per
	// step).
	Analysis attractor.Options
	// Workers analyse trajectories in parallel; 0: GOMAXPROCS.
	Workers int
	// Progress receives a progress report; nil is silent.
	Progress io.Writer
	// AllowMissing analyses the other trajectories when the tracked
	// segments' cannot be read, telling Warn; without it that is an error.
	AllowMissing bool
	// Warn receives the warnings of AllowMissing; nil drops them.
	Warn func(string)
}

// Row is one line of attractors.csv: a trajectory, over the whole run
// (Window 0) or an epoch window (1, 2, …).
type Row struct {
	Trajectory         string
	Kind, Layer        string
	Column             int
	Window             int
	EpochFrom, EpochTo int
	Steps              int
	Result             *attractor.Result // nil when the analysis failed
	Note               string            // why it failed, or that the run diverged
}

type job struct {
	t                  Trajectory
	window             int
	epochFrom, epochTo int
	values             []float64 // row-major, cols per row
	cols               int
	note               string
}

// AnalyzeRun analyses the run's loss, gradient norms and (a sample of) its
// tracked segments over the whole run and in epoch windows. Rows come in a
// fixed order (trajectory, then window) whatever the number of workers.
func AnalyzeRun(ctx context.Context, r *run.Run, o TableOptions) ([]Row, error) {
	if o.PerLayer == 0 {
		o.PerLayer = 8
	}
	if o.Windows == 0 {
		o.Windows = 4
	}
	if o.MinWindowSteps <= 0 {
		o.MinWindowSteps = 128
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	tr, err := LoadTrajectories(r, o.PerLayer)
	switch {
	case err != nil && o.AllowMissing && errors.Is(err, ErrSegments) && tr != nil:
		if o.Warn != nil {
			o.Warn(fmt.Sprintf("skipped the tracked segments' trajectories: %v", err))
		}
	case err != nil:
		return nil, err
	}
	windows := epochWindows(tr.Epoch, o.Windows)
	var jobs []job
	for _, t := range append(tr.Series, segmentVectors(tr.Series)...) {
		cols := max(1, t.Column) // a segment vector keeps its width in Column
		if t.Kind != KindSegmentVector {
			cols = 1
		}
		steps := len(t.Values) / cols
		v := finiteRows(t.Values, cols)
		n := len(v) / cols
		note := ""
		if n < steps {
			note = fmt.Sprintf("non-finite from step %d on (diverged); analysed the %d steps before", tr.Step[n], n)
		}
		first, last := 0, 0
		if n > 0 {
			first, last = tr.Epoch[0], tr.Epoch[n-1]
		}
		jobs = append(jobs, job{t: t, epochFrom: first, epochTo: last, values: v, cols: cols, note: note})
		for k, w := range windows {
			if w.to > n || w.to-w.from < o.MinWindowSteps {
				continue
			}
			jobs = append(jobs, job{t: t, window: k + 1, epochFrom: tr.Epoch[w.from], epochTo: tr.Epoch[w.to-1],
				values: v[w.from*cols : w.to*cols], cols: cols})
		}
	}
	rows := make([]Row, len(jobs))
	rep := progress.New(o.Progress, progress.Options{Title: "attractors " + filepath.Base(r.Dir), Total: len(jobs), Unit: "trajectories"})
	var mu sync.Mutex
	done := 0
	next := make(chan int)
	var wg sync.WaitGroup
	opts := o.Analysis
	opts.Dt = 1
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				row := Row{Trajectory: j.t.Name, Kind: j.t.Kind, Layer: j.t.Layer, Column: j.t.Column,
					Window: j.window, EpochFrom: j.epochFrom, EpochTo: j.epochTo, Steps: len(j.values) / j.cols, Note: j.note}
				res, err := attractor.AnalyzeContext(ctx, attractor.Series{Data: j.values, Cols: j.cols}, opts)
				if err != nil {
					row.Note = joinNotes(row.Note, err.Error())
				} else {
					row.Result = res
				}
				rows[i] = row
				mu.Lock()
				done++
				rep.Update(done, j.t.Name)
				mu.Unlock()
			}
		}()
	}
	var cancelled error
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			cancelled = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if cancelled != nil {
		rep.Done("interrupted")
		return nil, cancelled
	}
	rep.Done(fmt.Sprintf("%d trajectories", len(jobs)))
	return rows, nil
}

// segmentVectors joins each layer's segment trajectories into one
// multivariate trajectory (Kind KindSegmentVector, Column = its width,
// Values row-major), for layers with at least two.
func segmentVectors(series []Trajectory) []Trajectory {
	byLayer := map[string][]Trajectory{}
	var order []string
	for _, t := range series {
		if t.Kind != KindSegment {
			continue
		}
		if _, ok := byLayer[t.Layer]; !ok {
			order = append(order, t.Layer)
		}
		byLayer[t.Layer] = append(byLayer[t.Layer], t)
	}
	var out []Trajectory
	for _, l := range order {
		ts := byLayer[l]
		if len(ts) < 2 {
			continue
		}
		n, k := len(ts[0].Values), len(ts)
		v := make([]float64, n*k)
		for j, t := range ts {
			for i, x := range t.Values {
				v[i*k+j] = x
			}
		}
		out = append(out, Trajectory{Name: "segments_" + l, Kind: KindSegmentVector, Layer: l, Column: k, Values: v})
	}
	return out
}

// finiteRows returns the longest prefix of whole rows (cols values each)
// without NaN or ±Inf.
func finiteRows(v []float64, cols int) []float64 {
	p := finitePrefix(v)
	return v[:len(p)/cols*cols]
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

type window struct{ from, to int } // step indices [from, to)

// epochWindows cuts the steps into n groups of whole epochs, as equal in
// epochs as they come (fewer when there are fewer epochs).
func epochWindows(epoch []int, n int) []window {
	if n <= 0 || len(epoch) == 0 {
		return nil
	}
	var starts []int // index of the first step of each epoch
	for i := range epoch {
		if i == 0 || epoch[i] != epoch[i-1] {
			starts = append(starts, i)
		}
	}
	ne := len(starts)
	n = min(n, ne)
	var out []window
	for k := 0; k < n; k++ {
		a, b := k*ne/n, (k+1)*ne/n
		to := len(epoch)
		if b < ne {
			to = starts[b]
		}
		out = append(out, window{from: starts[a], to: to})
	}
	return out
}

// tableHeader is the header of attractors.csv.
var tableHeader = []string{"trajectory", "kind", "layer", "column", "window", "epoch_from", "epoch_to", "steps",
	"class", "lyapunov", "lyapunov_r2", "fit_from", "fit_to", "correlation_dimension", "correlation_r2",
	"correlation_dimension_next", "lag", "dimension", "theiler", "fnn_converged", "contraction", "reason", "note",
	"surrogate_method", "surrogates", "surrogate_d2_p", "surrogate_lyapunov_p", "surrogate_beats"}

// WriteTable writes rows as CSV to path, atomically. Exponents are per
// step; empty fields mean the analysis failed (see note). The column field
// is the segment's column in steps-segments.npy, -1 for whole-model and
// layer series, and the width for a segment vector.
func WriteTable(path string, rows []Row) error {
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(tableHeader)
		for _, r := range rows {
			rec := []string{r.Trajectory, r.Kind, r.Layer, strconv.Itoa(r.Column), strconv.Itoa(r.Window),
				strconv.Itoa(r.EpochFrom), strconv.Itoa(r.EpochTo), strconv.Itoa(r.Steps)}
			if res := r.Result; res != nil {
				rec = append(rec, string(res.Class), num(res.Lyapunov), num(res.LyapunovFit.R2),
					strconv.Itoa(res.LyapunovFit.From), strconv.Itoa(res.LyapunovFit.To),
					num(res.Correlation.D2), num(res.Correlation.R2), num(res.CorrelationNext.D2),
					strconv.Itoa(res.Lag.Lag), strconv.Itoa(res.Dim.Dim), strconv.Itoa(res.Theiler),
					strconv.FormatBool(res.Dim.Converged), num(res.Contraction), res.Reason)
			} else {
				rec = append(rec, make([]string, 14)...)
			}
			rec = append(rec, r.Note)
			if res := r.Result; res != nil && res.Surrogate != nil {
				t := res.Surrogate
				rec = append(rec, string(t.Method), strconv.Itoa(t.Count), num(t.Correlation.P), num(t.Lyapunov.P), strconv.FormatBool(t.Beats))
			} else {
				rec = append(rec, "", "", "", "", "")
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	})
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// WriteAttractorTable analyses r with the default TableOptions (progress on
// stderr) and writes the table to path: what "fracdyn analyze" adds as
// analysis/attractors.csv.
func WriteAttractorTable(r *run.Run, path string) error {
	return WriteAttractorTableContext(context.Background(), r, path, TableOptions{Progress: os.Stderr})
}

// WriteAttractorTableContext is WriteAttractorTable with a context and
// options.
func WriteAttractorTableContext(ctx context.Context, r *run.Run, path string, o TableOptions) error {
	rows, err := AnalyzeRun(ctx, r, o)
	if err != nil {
		return err
	}
	return WriteTable(path, rows)
}

// SummaryEntries turns rows into the input of figure.AttractorSummary:
// rows that were analysed, with whole-model series under layer "".
func SummaryEntries(rows []Row) []figure.AttractorEntry {
	var out []figure.AttractorEntry
	for _, r := range rows {
		if r.Result == nil {
			continue
		}
		out = append(out, figure.AttractorEntry{Layer: r.Layer, Whole: r.Window == 0,
			EpochFrom: float64(r.EpochFrom), EpochTo: float64(r.EpochTo),
			Lyapunov: r.Result.Lyapunov, Class: r.Result.Class})
	}
	return out
}

// ClassCounts counts the whole-run rows of each class.
func ClassCounts(rows []Row) map[attractor.Class]int {
	out := map[attractor.Class]int{}
	for _, r := range rows {
		if r.Window == 0 && r.Result != nil {
			out[r.Result.Class]++
		}
	}
	return out
}

// ReadTable reads an attractors.csv written by WriteTable. Each row's
// Result holds the table's fields only (no curves).
func ReadTable(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(recs) == 0 || len(recs[0]) != len(tableHeader) || recs[0][0] != tableHeader[0] {
		return nil, fmt.Errorf("reading %s: not an attractor table (header %v)", path, recs[:min(1, len(recs))])
	}
	var rows []Row
	for ln, rec := range recs[1:] {
		bad := func(field string) error {
			return fmt.Errorf("reading %s line %d: bad %s", path, ln+2, field)
		}
		var ints [5]int
		for k, col := range []int{3, 4, 5, 6, 7} {
			if ints[k], err = strconv.Atoi(rec[col]); err != nil {
				return nil, bad(tableHeader[col])
			}
		}
		row := Row{Trajectory: rec[0], Kind: rec[1], Layer: rec[2], Column: ints[0], Window: ints[1],
			EpochFrom: ints[2], EpochTo: ints[3], Steps: ints[4], Note: rec[22]}
		if rec[8] != "" {
			res := &attractor.Result{Class: attractor.Class(rec[8]), Reason: rec[21], N: row.Steps, Cols: 1, Dt: 1}
			fl := func(col int) float64 {
				v, e := strconv.ParseFloat(rec[col], 64)
				if e != nil && err == nil {
					err = bad(tableHeader[col])
				}
				return v
			}
			it := func(col int) int {
				v, e := strconv.Atoi(rec[col])
				if e != nil && err == nil {
					err = bad(tableHeader[col])
				}
				return v
			}
			res.Lyapunov = fl(9)
			res.LyapunovFit = attractor.LineFit{Slope: res.Lyapunov, R2: fl(10), From: it(11), To: it(12)}
			res.Correlation = attractor.DimensionFit{D2: fl(13), R2: fl(14)}
			res.CorrelationNext = attractor.DimensionFit{D2: fl(15)}
			res.Lag = attractor.LagChoice{Lag: it(16)}
			res.Dim = attractor.DimChoice{Dim: it(17), Converged: rec[19] == "true"}
			res.Theiler = it(18)
			res.Contraction = fl(20)
			if rec[23] != "" {
				t := &attractor.SurrogateTest{Method: attractor.SurrogateMethod(rec[23]), Count: it(24), Beats: rec[27] == "true"}
				t.Correlation.P, t.Lyapunov.P = fl(25), fl(26)
				t.Level = 1 / float64(t.Count+1)
				res.Surrogate = t
			}
			if err != nil {
				return nil, err
			}
			row.Result = res
		}
		rows = append(rows, row)
	}
	return rows, nil
}
