package attractor

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// LineFit is a least-squares straight line y = Intercept + Slope·x over the
// points From…To (inclusive indices into the curve it was fitted to).
type LineFit struct {
	Slope, Intercept, R2 float64
	From, To             int
}

// Divergence is the mean log distance between initially nearest neighbours
// as they evolve (Rosenstein, Collins & De Luca 1993):
//
//	y(k) = ⟨ ln ‖y_{i+k} − y_{j(i)+k}‖ ⟩_i ,
//
// j(i) the nearest neighbour of i with |i − j| > Theiler.
type Divergence struct {
	Steps   []float64 // k
	MeanLog []float64 // y(k)
	Pairs   []int     // number of pairs averaged at step k
}

// DivergenceCurve computes the Rosenstein divergence curve of e for
// k = 0…maxSteps, excluding neighbour pairs closer than theiler samples in
// time (the Theiler window; self-pairs are always excluded) and pairs at
// distance zero. At most maxRefs reference points, evenly spaced in time,
// are followed (≤ 0: all); their neighbours are sought among all points.
// With fewer than two points, or no neighbour outside the Theiler window,
// the curve is empty; Analyze refuses embeddings of fewer than MinPoints
// points (ErrTooShort) before calling it.
func DivergenceCurve(e *Embedding, theiler, maxSteps, maxRefs int) Divergence {
	d, _ := divergenceCurve(nil, e, theiler, maxSteps, maxRefs)
	return d
}

// divergenceCurve is DivergenceCurve reporting to st and stopping with its
// context's error.
func divergenceCurve(st *stage, e *Embedding, theiler, maxSteps, maxRefs int) (Divergence, error) {
	n := e.N()
	tree := newKDTree(e.Points, e.Width())
	// Σ ln d is kept as the log of a product: mantissa[k]·2^exps[k], renormalised
	// with Frexp after each factor, which is exact enough and far cheaper
	// than a logarithm per pair.
	mant := make([]float64, maxSteps+1)
	exps := make([]int, maxSteps+1)
	for k := range mant {
		mant[k] = 1
	}
	cnt := make([]int, maxSteps+1)
	w := e.Width()
	stride := 1
	if maxRefs > 0 {
		stride = max(1, n/maxRefs)
	}
	for i := 0; i < n; i += stride {
		if err := st.step(i/stride, (n+stride-1)/stride); err != nil {
			return Divergence{}, err
		}
		j, _ := tree.nearest(e.Point(i), func(k int) bool { return abs(k-i) <= theiler }, true)
		if j < 0 {
			continue
		}
		for k := 0; k <= maxSteps && i+k < n && j+k < n; k++ {
			a, b := e.Points[(i+k)*w:(i+k+1)*w], e.Points[(j+k)*w:(j+k+1)*w]
			s := 0.0
			for q := range a {
				v := a[q] - b[q]
				s += v * v
			}
			if s > 0 {
				m, ex := math.Frexp(mant[k] * s)
				mant[k] = m
				exps[k] += ex
				cnt[k]++
			}
		}
	}
	var d Divergence
	for k := 0; k <= maxSteps; k++ {
		if cnt[k] == 0 {
			break
		}
		d.Steps = append(d.Steps, float64(k))
		sumLog2 := math.Log(mant[k]) + float64(exps[k])*math.Ln2 // Σ ln d²
		d.MeanLog = append(d.MeanLog, 0.5*sumLog2/float64(cnt[k]))
		d.Pairs = append(d.Pairs, cnt[k])
	}
	return d, nil
}

// Scaling-range rules for the Lyapunov fit.
const (
	// LyapunovMinR2 is the least R² a window of the divergence curve needs
	// to count as straight.
	LyapunovMinR2 = 0.98
	// LyapunovSaturation: the fit stays below this fraction of the rise of
	// the divergence curve from y(0) to its plateau.
	LyapunovSaturation = 0.8
	// LyapunovResidual: a window grows by a point only while that point
	// lies within this many RMS residuals of the window's line (or within
	// half a step's rise, whichever is larger).
	LyapunovResidual = 3.0
)

// FitDivergence chooses the linear region of a divergence curve and fits
// it. The region lies below LyapunovSaturation of the curve's rise (the
// plateau is where neighbours have spread over the attractor). Among the
// windows of minLen points inside it that are straight (R² ≥
// LyapunovMinR2) it takes the steepest, then grows it to either side, one
// point at a time, while the fit stays straight and the new point lies on
// the window's line within LyapunovResidual RMS residuals (at least half a
// step's rise): curvature and noise the window already holds are accepted,
// a kink into a transient or the plateau is not. The slope is per step; divide by dt for per time
// unit. A curve with no straight window falls back to the whole region.
func FitDivergence(d Divergence, minLen int) LineFit {
	y := d.MeanLog
	n := len(y)
	if n < 3 {
		return LineFit{R2: math.NaN(), Slope: math.NaN()}
	}
	top := y[0]
	for _, v := range y {
		top = math.Max(top, v)
	}
	// Plateau: mean of the last fifth of the curve, if higher than y(0).
	plateau := stat.Mean(y[n-max(1, n/5):], nil)
	if plateau <= y[0] {
		plateau = top
	}
	limit := y[0] + LyapunovSaturation*(plateau-y[0])
	end := n - 1
	for k := 1; k < n; k++ {
		if y[k] > limit {
			end = k
			break
		}
	}
	minLen = max(3, min(minLen, end+1))
	best := LineFit{Slope: math.Inf(-1)}
	for a := 0; a+minLen-1 <= end; a++ {
		f := fitLine(d.Steps, y, a, a+minLen-1)
		if f.R2 >= LyapunovMinR2 && f.Slope > best.Slope {
			best = f
		}
	}
	if math.IsInf(best.Slope, -1) {
		return fitLine(d.Steps, y, 0, end)
	}
	// fits reports whether point k lies on the line of f.
	fits := func(f LineFit, k int) bool {
		ss := 0.0
		for i := f.From; i <= f.To; i++ {
			r := y[i] - (f.Intercept + f.Slope*d.Steps[i])
			ss += r * r
		}
		tol := math.Max(LyapunovResidual*math.Sqrt(ss/float64(f.To-f.From+1)), 0.5*math.Abs(f.Slope))
		return math.Abs(y[k]-(f.Intercept+f.Slope*d.Steps[k])) <= tol
	}
	for grown := true; grown; {
		grown = false
		if best.To < end && fits(best, best.To+1) {
			if f := fitLine(d.Steps, y, best.From, best.To+1); f.R2 >= LyapunovMinR2 {
				best, grown = f, true
			}
		}
		if best.From > 0 && fits(best, best.From-1) {
			if f := fitLine(d.Steps, y, best.From-1, best.To); f.R2 >= LyapunovMinR2 {
				best, grown = f, true
			}
		}
	}
	return best
}

// fitLine fits y against x over indices a…b inclusive.
func fitLine(x, y []float64, a, b int) LineFit {
	xs, ys := x[a:b+1], y[a:b+1]
	alpha, beta := stat.LinearRegression(xs, ys, nil, false)
	r2 := stat.RSquared(xs, ys, nil, alpha, beta)
	if math.IsNaN(r2) { // a flat line is perfectly straight
		r2 = 1
	}
	return LineFit{Slope: beta, Intercept: alpha, R2: r2, From: a, To: b}
}
