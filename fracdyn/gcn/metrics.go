package gcn

import (
	"math"
	"sort"
)

// AUC is the area under the ROC curve of scores that should rank pos above
// neg: the probability that a random positive outscores a random negative,
// ties counting one half (the Mann–Whitney U statistic over |pos|·|neg|).
// It returns NaN if either side is empty.
func AUC(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	all := labelled(pos, neg)
	sort.Slice(all, func(i, j int) bool { return all[i].s < all[j].s })
	// Sum of the (mid-)ranks of the positives.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// AveragePrecision is the area under the precision–recall curve as a step
// function, AP = Σ_k (R_k − R_{k−1}) P_k over decreasing score thresholds
// (scikit-learn's average_precision_score; tied scores form one threshold).
// It returns NaN if pos is empty.
func AveragePrecision(pos, neg []float64) float64 {
	if len(pos) == 0 {
		return math.NaN()
	}
	all := labelled(pos, neg)
	sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
	var tp, fp, ap, prevRecall float64
	np := float64(len(pos))
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			if all[j].pos {
				tp++
			} else {
				fp++
			}
			j++
		}
		recall := tp / np
		ap += (recall - prevRecall) * tp / (tp + fp)
		prevRecall = recall
		i = j
	}
	return ap
}

// scored is a score with its label (true for a held-out edge).
type scored struct {
	s   float64
	pos bool
}

// labelled returns the scores of pos and neg with their labels.
func labelled(pos, neg []float64) []scored {
	all := make([]scored, 0, len(pos)+len(neg))
	for _, s := range pos {
		all = append(all, scored{s, true})
	}
	for _, s := range neg {
		all = append(all, scored{s, false})
	}
	return all
}

// Metrics are the link-prediction scores of one scorer on a split's
// held-out edges and non-edges.
type Metrics struct {
	AUC float64 `json:"auc"`
	AP  float64 `json:"ap"`
}

// Evaluate scores the held-out edges (pos) against the held-out non-edges.
func Evaluate(pos, neg []float64) Metrics {
	return Metrics{AUC: AUC(pos, neg), AP: AveragePrecision(pos, neg)}
}
