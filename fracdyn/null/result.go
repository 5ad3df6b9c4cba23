package null

import (
	"fmt"
	"math"
	"strings"
)

// ZBeyond is the least |z| for structure beyond a null (a two-sided normal
// p of 0.0027).
const ZBeyond = 3.0

// RoundOff is the relative difference below which Compare takes two
// values as equal and a spread as none.
const RoundOff = 1e-9

// Result compares one observed measure with its draws under one null.
//
// Mean and SD are the mean and sample standard deviation of the finite
// draws (Draws of them; draws with no fit are left out). Z = (observed −
// Mean)/SD: ±Inf when SD is 0 and the observed value differs, 0 when it
// does not (differences and spreads below RoundOff relative are none). P is the empirical two-sided p-value with the +1 correction,
//
//	p = min(1, 2·(1 + min(#{draw ≥ obs}, #{draw ≤ obs})) / (1 + K)),
//
// whose least value, 2/(K+1), says the observed value lies outside every
// draw. Beyond is the verdict: the observed value lies outside every draw
// and |Z| ≥ ZBeyond. With few draws P alone cannot reach small levels, so
// the z-score carries the verdict and the range of the draws guards it
// against a heavy-tailed null.
type Result struct {
	Kind             Kind
	Observed         float64
	Mean, SD, Z, P   float64
	Draws            int
	Beyond           bool
	Below, Above     int // draws below and above the observed value
	MinDraw, MaxDraw float64
	// Elements is the size of what was measured per draw (and observed):
	// the tensor's, or a block's when the test was sampled.
	Elements int
}

// Compare builds the Result of observed against draws of null k.
func Compare(observed float64, draws []float64, k Kind) Result {
	r := Result{Kind: k, Observed: observed, Mean: math.NaN(), SD: math.NaN(), Z: math.NaN(), P: math.NaN(),
		MinDraw: math.NaN(), MaxDraw: math.NaN()}
	var fin []float64
	for _, d := range draws {
		if !math.IsNaN(d) && !math.IsInf(d, 0) {
			fin = append(fin, d)
		}
	}
	r.Draws = len(fin)
	if math.IsNaN(observed) || math.IsInf(observed, 0) {
		return r
	}
	if len(fin) == 0 {
		return r
	}
	var sum float64
	r.MinDraw, r.MaxDraw = fin[0], fin[0]
	for _, d := range fin {
		sum += d
		r.MinDraw, r.MaxDraw = min(r.MinDraw, d), max(r.MaxDraw, d)
		if d >= observed {
			r.Above++
		}
		if d <= observed {
			r.Below++
		}
	}
	n := float64(len(fin))
	r.Mean = sum / n
	if len(fin) > 1 {
		var ss float64
		for _, d := range fin {
			ss += (d - r.Mean) * (d - r.Mean)
		}
		r.SD = math.Sqrt(ss / (n - 1))
	}
	// Differences within round-off (summation order) are no difference:
	// a permutation keeps a value-only measure up to a few ulps.
	tol := RoundOff * max(1, math.Abs(r.Mean))
	diff := observed - r.Mean
	if math.Abs(diff) < tol {
		diff = 0
	}
	if r.SD < tol {
		r.SD = 0
	}
	switch {
	case r.SD > 0:
		r.Z = diff / r.SD
	case r.SD == 0 && diff == 0:
		r.Z = 0
	case r.SD == 0:
		r.Z = math.Inf(1)
		if diff < 0 {
			r.Z = math.Inf(-1)
		}
	}
	r.P = min(1, 2*float64(1+min(r.Above, r.Below))/(1+n))
	outside := r.Above == 0 || r.Below == 0
	r.Beyond = outside && diff != 0 && math.Abs(r.Z) >= ZBeyond
	return r
}

// Verdict is the plain verdict over the nulls of one measure.
//
//	"beyond all nulls"           beyond every null tested
//	"beyond perm, gauss"         beyond some: those named
//	"within nulls"               beyond none
//	"undefined"                  no observed value or no finite draws
func Verdict(rs []Result) string {
	var beyond []string
	defined := false
	for _, r := range rs {
		if !math.IsNaN(r.Z) {
			defined = true
		}
		if r.Beyond {
			beyond = append(beyond, string(r.Kind))
		}
	}
	switch {
	case !defined:
		return "undefined"
	case len(beyond) == len(rs):
		return "beyond all nulls"
	case len(beyond) == 0:
		return "within nulls"
	}
	return "beyond " + strings.Join(beyond, " ")
}

// Columns returns the table columns of measure name under the nulls
// kinds: per null <name>_<null>_null_mean, _null_sd, _z and _p, then
// <name>_null_verdict.
func Columns(name string, kinds []Kind) []string {
	var h []string
	for _, k := range kinds {
		p := name + "_" + string(k)
		h = append(h, p+"_null_mean", p+"_null_sd", p+"_z", p+"_p")
	}
	return append(h, name+"_null_verdict")
}

// Cells returns the cells matching Columns for rs (one Result per null, in
// the same order), with format formatting numbers. rs nil gives empty
// cells (nulls not computed).
func Cells(rs []Result, kinds []Kind, format func(float64) string) []string {
	if rs == nil {
		return make([]string, 4*len(kinds)+1)
	}
	var c []string
	for _, r := range rs {
		c = append(c, format(r.Mean), format(r.SD), format(r.Z), format(r.P))
	}
	return append(c, Verdict(rs))
}

// String is a one-line summary: "perm: 1.29 vs 1.21±0.01 (z 8.0, p 0.2) beyond".
func (r Result) String() string {
	v := "within"
	if r.Beyond {
		v = "beyond"
	}
	return fmt.Sprintf("%s: %.4g vs %.4g±%.2g (z %.3g, p %.2g, %d draws) %s", r.Kind, r.Observed, r.Mean, r.SD, r.Z, r.P, r.Draws, v)
}

func nan() float64 { return math.NaN() }
