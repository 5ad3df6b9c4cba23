package boundary

import (
	"fmt"
	"math"
	"slices"

	"github.com/fracdyn/fracdyn/fracdyn/fractal"
)

// ScoreCap caps losses: a non-finite loss counts as ScoreCap (before
// normalising by the first loss), and a normalised loss above ScoreCap as
// ScoreCap.
const ScoreCap = 1e6

// ScoreTail is the number of final steps whose mean loss decides
// convergence, averaging over oscillations.
const ScoreTail = 20

// Score turns a loss trajectory into the signed convergence score of the
// paper. With v_t = L_t/L_0, where non-finite losses are first set to
// ScoreCap and v_t above ScoreCap is then set to ScoreCap, the run converged
// when the mean of v over the last ScoreTail steps is below 1, and
//
//	score = −Σ_t v_t  if it converged,   Σ_t 1/v_t  if it did not.
//
// The score is negative for trainable runs and positive for the others; its
// magnitude says how fast each converges or diverges (a run that diverges
// at once has a score near 1, one that barely diverges a large one).
func Score(losses []float64) float64 {
	if len(losses) == 0 {
		return math.NaN()
	}
	capped := func(v float64) float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) || v > ScoreCap {
			return ScoreCap
		}
		return v
	}
	l0 := capped(losses[0])
	tail := max(0, len(losses)-ScoreTail)
	var sum, inv, mean float64
	for t, l := range losses {
		v := capped(capped(l) / l0)
		sum += v
		inv += 1 / v
		if t >= tail {
			mean += v
		}
	}
	if mean/float64(len(losses)-tail) < 1 {
		return -sum
	}
	return inv
}

// Mask returns the trainability boundary of an n×m score grid: an
// (n−1)×(m−1) mask, on where the 2×2 block of grid points with that cell
// as its lower-left corner holds both a negative (converged) and a
// positive (diverged) score. NaN scores count as neither.
func Mask(scores []float64, n, m int) ([]bool, error) {
	if n < 2 || m < 2 || len(scores) != n*m {
		return nil, fmt.Errorf("boundary mask: %d scores are not an n×m grid with n, m ≥ 2 (n=%d, m=%d)", len(scores), n, m)
	}
	mask := make([]bool, (n-1)*(m-1))
	for i := 0; i < n-1; i++ {
		for j := 0; j < m-1; j++ {
			neg, pos := false, false
			for _, s := range [4]float64{scores[i*m+j], scores[i*m+j+1], scores[(i+1)*m+j], scores[(i+1)*m+j+1]} {
				neg = neg || s < 0
				pos = pos || s > 0
			}
			mask[i*(m-1)+j] = neg && pos
		}
	}
	return mask, nil
}

// BoxSizes returns the box sizes used to measure an n×m boundary mask: the
// powers of two up to min(n, m)/8, so that the largest boxes still tile
// the image 8 times per side and do not saturate; at least 1, 2 and 4.
func BoxSizes(n, m int) []int {
	return fractal.PowersOf(2, max(4, min(n, m)/8))
}

// Dimension is the box-counting dimension of an n×m boundary mask, by
// fractal.BoxCountMask over BoxSizes: the least-squares slope of ln N(s)
// against ln(1/s), with its R². An empty mask (no boundary in the window)
// has dimension 0 and R² 0.
func Dimension(mask []bool, n, m int) (fractal.Fit, error) {
	return fractal.BoxCountMask(mask, n, m, BoxSizes(n, m))
}

// Median returns the median of v (the mean of the middle two for even
// length), NaN for an empty v.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	k := len(s) / 2
	if len(s)%2 == 1 {
		return s[k]
	}
	return (s[k-1] + s[k]) / 2
}
