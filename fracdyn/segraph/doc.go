// Package segraph turns the segments of a network's weights into a graph:
// the paper's eqs. (2)–(3). Each r×r segment S of a layer (see
// fractal.LayerSegments) becomes a node with a feature α_S; segments of
// consecutive layers that the architecture connects are joined by edges
// weighted by a kernel of ‖α_ω − α_λ‖.
//
// # Features (eq. 3)
//
// α_S = A_S · FD(S) · H(S), where FD is the chosen per-segment dimension
// estimator's value (box counting by default; fractal.Method), H the
// segment's entropy, and A_S the activation map of the segment's neuron:
// the mean over the probe batch of its post-activation output (computed by
// package analysis with the snapshot's weights). Choices:
//
//   - A is a 28×28 map for a conv neuron and a scalar for a dense unit, so
//     α would have different lengths across layers. Every A is therefore
//     average-pooled to a fixed P×P grid (Options.Pool, default 4, so α has
//     16 values): a conv map over P×P equal blocks, a dense unit's scalar
//     repeated. A dense segment spans r output units; its A is the mean
//     activation of those r units. Pooling keeps the coarse spatial layout
//     that distinguishes channels, while summary statistics (mean, norm)
//     would discard it.
//   - The distance is the root-mean-square difference δ = ‖α_ω − α_λ‖₂/√P²,
//     so that two constant (dense) vectors are exactly |a − b| apart and γ
//     keeps its scale whatever P is.
//   - A NaN dimension (a degenerate segment) counts as 0.
//   - Data-free mode (Options.DataFree) sets A ≡ 1: α = FD·H, for when no
//     data is at hand.
//
// # Edges (eq. 2)
//
// A conv2 kernel (out k, in c) reads conv1's channel c, so each of its
// segments is joined to every segment of conv1's neuron c (its kernels).
// A dense segment whose columns span inputs [j, j+r) reads the units that
// feed those inputs: for a conv predecessor, channels ⌊j/(H·W)⌋ of the
// flattened C,H,W output (PyTorch's order), or channels j mod C of the
// H,W,C output of a conv stored channels-last (weights.HWIO, GoMLX's
// default); for a dense predecessor, the units j..j+r−1, i.e. the segments
// whose rows cover them. Layers are generic weights.Layer descriptions in
// canonical shapes; where a layer's output shape is unknown (layers derived
// from a file's tensors), a conv feeding a dense layer has as many outputs
// as that layer has inputs, and a dense layer WeightShape[0] units. Options.AllPairs instead joins
// every segment of a layer to every segment of the next (small graphs).
// The paper CNN's conv1+conv2 graph at r = 2 has 128 + 8,192 nodes and
// 32,768 edges; edges are lists (Src, Dst, Dist), never dense matrices, and
// Options.MaxEdges bounds them.
//
// # Graphs too large to build
//
// Build fails when a graph would exceed Options.MaxEdges (conv2–fc1 at
// small r reaches 10^8 edges). With Options.SampleEdges it thins instead,
// by a deterministic rule: for each pair of connected layers whose edges
// do not fit in what is left of the limit, it finds the smallest stride k
// at which they do, and each segment of the later layer keeps every k-th
// segment of its contiguous range of predecessors, starting at offset
// (s mod k) mod n for segment s with n predecessors — at least one edge
// per segment, a uniform 1/k share overall, the same edges on every build.
// Graph.Strides records k per connection and Graph.FullEdges the edge
// count of the complete graph, so the output can say what was thinned.
// Edge weights are not rescaled. When even one edge per segment exceeds
// the limit, Build fails with an error naming the layers: such a graph is
// skipped, and the caller names it and the reason in its output.
//
// # Kernels
//
//   - paper: γ·exp(δ), eq. (2) as printed. It grows with the distance, so
//     the most dissimilar segments get the largest weights; it is offered
//     for reproduction, clamped at math.MaxFloat32, not recommended.
//   - laplacian (default): exp(−δ/γ), the paper's exponential read as a
//     similarity, in (0, 1].
//   - rbf: exp(−δ²/(2γ²)).
//
// Weights is the plain-Go version, KernelGraph and EdgeWeightsGraph the
// GoMLX graphs over batches of edges; tests check they agree. The plain-Go
// path is used by default because it is about 10× faster on the CPU
// backend (see the repository's BENCHMARKS.md, Graph and GCN surrogate).
// γ ≤ 0 is an error (CheckGamma).
//
// LinearWeights gives the baseline weights α_ω·α_λ (scaled to [0, 1]) that
// package analysis compares the kernels with.
//
// # Scales
//
// Containment maps each segment at scale r to the segment of the same
// matrix at a coarser scale that contains it (best overlap where the
// shifted last segments of eq. (1) break exact nesting): the hyperedges of
// the multi-scale ("fractal hypergraph") analysis. A 3×3 conv kernel has
// the single scale r = 2, so only dense layers take part in it.
package segraph
