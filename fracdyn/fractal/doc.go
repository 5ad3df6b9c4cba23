// Package fractal cuts weight matrices into r×r segments at every valid
// scale and measures segments and matrices with fractal dimensions and
// entropies: the core of the method of "A Scale-Invariant Diagnostic
// Approach Towards Understanding Dynamics of Deep Neural Networks" (Moharil
// et al., arXiv 2407.09585), with sounder estimators beside the paper's own.
//
// # Matrices
//
// Weights are in PyTorch layout. MatrixViews maps a layer to 2-D matrices as
// the paper does: a conv weight [out, in, kh, kw] is out·in kernel matrices
// kh×kw (the paper's "four overlapping segments per neuron" for 3×3 kernels
// at r = 2); a dense weight [out, in] is one out×in matrix whose row i holds
// the weights into output neuron i. A matrix is a row-major []float64 (or
// []float32 where speed matters) with n rows and m columns.
//
// # Scales and segmentation
//
// ValidScales gives the paper's range of r (2 ≤ r ≤ ⌊min(n,m)/2⌋, its four
// parity cases in one rule) and admits r = 2 for 3×3 kernels, which the
// paper segments although its rule, read literally, allows nothing there.
// Segment follows eq. (1) with the paper's footnote: where r does not divide
// a side, the last segment is shifted back to end at the edge and overlaps
// its neighbour (Origins), so a matrix has Q = ⌈n/r⌉·⌈m/r⌉ segments.
// SegmentNode does the same in a GoMLX graph with one Gather.
//
// # Fractal dimension
//
// Four estimators, each documented with its formula and source:
//
//   - BoxCount: binary box counting of a mask (|w| ≥ τ and w ≠ 0, τ a
//     quantile of |w|, the median by default), least-squares slope of
//     ln N(s) against ln(1/s) with R². Known answers: a filled square 2, a
//     line 1, the Sierpinski carpet log 8/log 3 (box sizes 3^k).
//   - DifferentialBoxCount (Sarkar and Chaudhuri 1994): the matrix as a
//     grey-level surface, dimension in [2, 3], roughness D − 2.
//   - Variogram (Gneiting, Ševčíková and Percival 2012): power variations at
//     lags 1 and 2, D = 3 − slope/p; p = 2 variogram, p = 1 madogram. Within
//     0.06 of 3 − H on 256×256 fractional Brownian surfaces (the tests make
//     them by spectral synthesis); box counting is far more biased there.
//   - PaperFD: the paper's single-scale FD = ln N / ln(1/r), with the sign
//     and normalisation explicit (see below).
//
// Per segment (SegmentFD, LayerSegments) the same estimators run inside the
// segment with box sizes 1, 2, 4, …, r. At r = 2 only sizes 1 and 2 fit, so
// the estimate is local, a two-point slope: box counting gives log₂ k for k
// on cells (0, 1, log₂ 3 or 2), which equals the paper's ln k / ln r; the
// variogram compares the axis lag 1 with the diagonal lag √2. A two-point
// fit has R² = 1 and says nothing about a power law; empty segments have
// D = 0 and R² = 0.
//
// # Entropy
//
// Entropy is Shannon's H = −Σ p ln p in nats with p_i = |w_i|/Σ|w|: ln |S|
// for a constant segment, 0 for an all-zero one (defined so). Binning gives
// the histogram entropy over bins shared by a whole layer, so segments
// compare. NaN or Inf weights are errors that name the layer, the segment
// and the element.
//
// # Self-similarity
//
// SelfSimilarity asks whether a matrix is scale-invariant at all: it counts
// the on segments N(r) at every valid r, fits ln N(r) against ln √Q(r) (the
// box side relative to the matrix, so that the ceilings of eq. (1) do not
// bend the line), and returns slope, R², residuals, the per-scale dimension
// and a verdict: scale-invariant over a range of r when R² ≥ 0.99 over at
// least 3 scales spanning a factor of 2 (SelfSimilarityMin*), with the widest
// such range. SelfSimilaritySeries applies it along training epochs. How a
// layer is read as matrices (per kernel or unfolded) is decided by
// fracdyn/weights, and every estimator is run over a layer's matrices by
// fracdyn/diagnose's SummarizeMatrices, for analyze and analyze-model alike.
//
// # Layers: the API others build on
//
// LayerSegments(weights, shape, r, opts) returns, for one layer at one scale,
// each segment's FD, its R² and H, in this order: conv — for each output
// channel k, for each input channel c, the segments of kernel (k, c) in
// row-major origin order; dense — the segments of the matrix in row-major
// origin order. LayerResult.Segment(i) gives (neuron, channel, row, col):
// for dense, neuron is the first of the r output units the segment spans.
// The threshold τ is one quantile over the whole layer. LayerAllScales runs
// every valid r.
//
// For box counting and the paper's form with magnitude entropy,
// LayerSegments is a fused float32 kernel, parallel over all CPUs, that never
// materialises the segments. Two passes over the matrix:
//
//   - Threshold: τ is the exact quantile. A fixed sample (512 runs of 128
//     weights) brackets the wanted ranks between two sampled values, 6
//     standard errors either side; one pass counts the weights below the
//     bracket and gathers those inside it (about 2.5%), and an MSD radix
//     selection on the float32 bit patterns of those gives the order
//     statistics. A bracket that misses (an unrepresentative sample) or a
//     layer under 2²⁰ weights falls back to an exact two-pass radix
//     selection (16 + 16 bits). Both are exact; no copy of the matrix.
//   - Segments, one band of segment rows at a time, in column chunks of
//     1024: the mask test |w| ≥ τ, w ≠ 0 is an integer comparison of bit
//     patterns; for r ≤ 64 each segment row's mask is one uint64 and the box
//     counts come from OR-ing rows and folding bit pairs plus a popcount (an
//     OR pyramid over bytes for r > 64); for r ≤ 8 the fit of each tuple of
//     counts comes from a table, and r = 4 and 8 have straight-line loops
//     (a segment's mask in 16 or 64 bits). The entropy is
//     H = ln S − (Σ a ln a)/S, a = |w|, S = Σ a, with one logarithm per
//     weight; for r a multiple of 4 the vector loop returns Σ a and
//     Σ a ln a of each group of four weights.
//
// # Readable estimators and fast kernels
//
// The exported estimators of this package (BoxCount, PaperFD, SegmentFD,
// Entropy, Quantile, ...) are the readable reference: float64, one formula
// each. The fast path of LayerSegments, the fused bands above, lives in
// fracdyn/fractal/internal/kernels (Bands: the one-read and two-pass band
// kernels, the exact threshold by sampled bracket and radix selection, the
// fast logarithms, the packed masks and the assembly below); layer.go
// hands it the segment grid and takes the results. The tests hold the kernels to the reference code (kernels_test.go:
// the threshold against Quantile, the entropy against Entropy;
// TestLayerSegmentsMatchesReference: whole layers against SegmentFD and
// Entropy), and the kernels' own tests hold each assembly routine to its Go
// twin.
//
// On amd64 with AVX2 and FMA, five pieces run in assembly
// (internal/kernels/xlnx_amd64.s, bracket_amd64.s), each with a pure-Go twin
// that other CPUs, and the purego build tag, use and the tests hold them to:
//   - a·ln a of a row, or the sums Σ a and Σ a ln a of its groups of four,
//     with a float32 logarithm on 8 lanes (Cephes' logf polynomial by
//     Estrin's scheme: a = 2^e·m, m ∈ [√½, √2) by one integer add; about
//     2 ulp, so a·ln a within 3e-7 relative);
//   - the whole of r = 2 (band2AVX2): eight 2×2 segments a step — masks by
//     an integer compare, counts, Σ a and Σ a ln a, then FD and R² from
//     8-entry tables and H = ln S − T/S, all in float32 (H within 2e-6 of
//     the float64 twin). A band with a segment whose S lies outside
//     [2⁻¹⁰⁰, 2¹¹⁰) (never in a trained network) is measured in float64;
//   - the entropies of a row of segments from S and Σ a ln a (float64
//     logarithm: x = 2^e·m, s = (m−1)/(m+1), ln m = 2(s + s³/3 + … +
//     s¹¹/11), error < 2e-11);
//   - packed row masks (8 lanes, one compare and a movemask);
//   - the bracket's gathering pass (8 lanes; the rare steps with a weight
//     inside the bracket append it).
//
// The pure-Go logarithm (kernels.LnPos) is a 1024-entry table plus three series
// terms (error < 3e-13), so on other CPUs the entropies match math.Log's
// within 1e-10; with AVX2 they are within 2e-6 (measured: at most 4.3e-7
// from the float64 Entropy on 1.1 M-weight layers at r = 2–64, weights
// scaled by 10⁻³, 1 and 10³; the tests against the float64 references and
// numpy allow 1e-5). Peak memory is the matrix plus 12 bytes per segment
// plus the gathered bracket (about 1.84× the matrix at r = 2). See
// BENCHMARKS.md for its speed against numpy and a memory-bandwidth pass.
// The other methods go through the float64 reference functions per
// segment; at r = 2, dbc and the variogram use surface2, the same
// arithmetic without allocation (tested bit for bit against SegmentFD).
//
// The GoMLX graph versions (SegmentNode, EntropyNode, BoxCountNode,
// PaperFDNode, SegmentFeatures; LayerSegmentsGraph runs them on a backend)
// compute the same per-segment measures on XLA (CPU/GPU) or the pure-Go
// backend; tests hold them equal to the plain kernel to 1e-5. Box counting
// in the graph pads with Concatenate and max-reduces boxes, which needs no
// matrix product. (Stock simplego v0.26.0 can deadlock when several of its
// DotGenerals run at once on few cores; fracdyn/backend fixes that.)
//
// # Departures from the paper
//
//   - Scale range: r = 2 is allowed for 3×3 matrices (the paper's practice,
//     against its own ⌊min/2⌋ rule). Matrices with a side below 3 have no
//     scale.
//   - FD = ln N / ln(1/r) is negative read literally for integer r > 1. For
//     a matrix at scale r, PaperFD reports D_r = 2·ln N(r)/ln Q(r) (box side
//     1/√Q of the matrix: 2 for a full matrix, 1 for one row) and keeps the
//     literal value in Fit.Literal. For a segment, the box side is 1/r of
//     the segment, giving ln k / ln r.
//   - The paper does not say what N counts. Here N counts boxes holding a
//     weight with |w| at or above a layer-wide quantile (the median by
//     default); zero weights never count.
//   - The paper's single-scale form is kept, but the default per-segment
//     and per-matrix dimensions are least-squares slopes over all box sizes
//     that fit, with R² reported; DBC and the variogram are offered for the
//     real-valued surface, which box counting of a mask ignores.
//   - Entropy uses natural logarithms and |w| as the distribution; the
//     paper names neither. All-zero segments have H = 0 by definition.
//   - Self-similarity is tested, not assumed.
package fractal
