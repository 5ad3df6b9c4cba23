// Package null asks whether a measure of a weight tensor reflects how the
// weights are arranged, or only their value distribution and the tensor's
// shape. It draws seeded null tensors, computes the same measure on each,
// and compares the observed value with the draws, as WeightWatcher does
// for spectra with randomized weights.
//
// # Nulls
//
// A tensor is read as Count matrices of Rows×Cols (View). Three nulls:
//
//   - Perm (ElementPermutation): all elements shuffled. Keeps the value
//     distribution exactly; destroys every arrangement. A measure that is
//     a function of the values alone (the magnitude entropy of the whole
//     tensor, the median mask threshold) is unchanged.
//   - RowCol (RowColPermutation): the rows of each matrix permuted, and
//     its columns by an independent permutation. Keeps each neuron's
//     weights (a row) as a set; destroys the order of neurons and inputs.
//   - Gauss (Gaussian): iid normal values with the tensor's mean and
//     standard deviation. Keeps two moments; destroys the distribution's
//     shape as well.
//
// # Test
//
// Test runs a Measure (one or more numbers of a tensor) over K draws of
// each null, concurrently, draw d of null k with its own generator
// RNG(seed, k, d): the same seed gives the same numbers on any number of
// workers. Compare turns one observed value and its K draws into a Result:
// the null mean and sample SD, z = (obs − mean)/SD, and the empirical
// two-sided p-value with the +1 correction,
//
//	p = min(1, 2·(1 + min(#{draw ≥ obs}, #{draw ≤ obs})) / (1 + K)).
//
// The verdict "beyond" needs the observed value outside every draw (p at
// its least, 2/(K+1)) and |z| ≥ ZBeyond = 3. With the default K =
// DefaultDraws = 9 the least p is 0.2, so p alone never decides; the
// z-score carries the verdict and the range of the draws guards it. Ask
// for 39 draws or more where a rank test at 5% is wanted.
//
// # Large tensors
//
// A draw costs what the measure costs on what it reads. Matrix measures
// of a large tensor read a leading block of it (MatrixBlock, the observed
// value recomputed on the same block), so that the draws together read
// about half the tensor. Segment measures (SegmentTest: the mean segment
// dimension and entropy at a scale r) of a layer with more than
// SampleSize(r) segments read a seeded uniform random sample of that many
// of its segments, wherever they lie (SampleSegments), gathered into one
// grid matrix: the observed value is recomputed on them, and each draw is
// the same segments of a draw of the null, drawn exactly without drawing
// the whole tensor (the permutations read the distinct positions' values
// without replacement, the row/column permutation permutes each touched
// matrix).
//
// Verdict summarises a measure over the nulls ("beyond all nulls",
// "beyond perm", "within nulls"), and Columns/Cells give the table columns
// <measure>_<null>_null_mean, _null_sd, _z, _p and <measure>_null_verdict.
package null
