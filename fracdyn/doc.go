// Package fracdyn is the map of the fracdyn toolkit. It holds no code: the
// library is in the packages below it. fracdyn reproduces "A Scale-Invariant
// Diagnostic Approach Towards Understanding Dynamics of Deep Neural Networks"
// (Moharil et al., arXiv 2407.09585) and goes beyond it.
//
// # Packages, by layer
//
// Imports point one way: a package imports only packages of a lower layer
// (cmd → fracdyn packages → mnist and the internal leaves). layout_test.go
// checks that, that the table lists every package of the module and no
// other, and that each has a package comment. Layer 0 is internal leaves;
// 1 data, numerics and the backend, which import only layer 0; 2–3
// measures and models built on them; 4–7 training runs, model files and
// the analyses of both; 8 the commands and the notebook helpers.
//
//	layer  package                          holds
//	0      internal/fsutil                  atomic file writes
//	0      internal/testutil                helpers shared by tests
//	0      internal/progress                progress bars: terminal, plain lines, live notebook HTML
//	0      internal/ordinal                 ids of distinct values in order of first appearance
//	0      fracdyn/fractal/internal/kernels fast kernels (assembly, radix threshold) behind fractal
//	1      mnist                            IDX data: search order, verified downloads, partial-set split, batches
//	1      fracdyn/arrayio                  .npy, .npz and CSV matrices
//	1      fracdyn/segtable                 per-segment tables as Parquet: streamed writer and reader
//	1      fracdyn/backend                  pure-Go backend by default (XLA opt-in), the wrapper that makes it train CNNs
//	1      fracdyn/fractal                  valid scales, segmentation (eq. 1), dimension estimators, entropy, self-similarity
//	1      fracdyn/spectral                 WeightWatcher's power-law α of the eigenvalue spectrum of WᵀW
//	1      fracdyn/phaseflow                finite differences of the loss over training
//	2      fracdyn/weights                  layer kinds, stored layouts and the matrix view of a tensor
//	2      fracdyn/null                     null models of a weight tensor and the test of a measure against them
//	2      fracdyn/attractor                delay embedding, Lyapunov exponent, correlation dimension, classification
//	2      fracdyn/gcn                      Kipf–Welling GCN autoencoder (eq. 4), baselines, AUC/AP
//	2      fracdyn/boundary                 the fractal boundary of trainability (Sohl-Dickstein 2024)
//	2      internal/bardata                 the tests' generated bar-image task as an mnist.Data
//	2      fracdyn/shard                    --shard K/N: which process does which work item, and the merge
//	3      fracdyn/model                    the paper's CNN, a pooled CNN and an MLP as GoMLX graphs
//	3      fracdyn/segraph                  segment features α (eq. 3), kernels and sparse edges (eq. 2)
//	4      fracdyn/run                      training with snapshots; the run-directory format; resume
//	4      fracdyn/figure                   one function per figure, each returning a Figure (*Plot or *Grid); one Save
//	4      internal/bench                   training benchmarks
//	5      fracdyn/recorder                 records any GoMLX train.Loop into a run directory
//	5      fracdyn/modelfile                model files: safetensors, ONNX, npz, GoMLX checkpoints, runs; exporters
//	5      fracdyn/dynamics                 phase flow and attractors of a run (Fig 3): trajectories, table, figures
//	6      fracdyn/diagnose                 "fracdyn analyze-model": the data-free diagnosis of a model file, compare
//	6      fracdyn/sweep                    the learning-rate sweep: trains runs, tabulates their attractor classes
//	7      fracdyn/analysis                 "fracdyn analyze": fractal, graph and GCN analysis of a run, one snapshot at a time
//	8      fracdyn/notebook                 GoNB helpers: show a figure or table, open or train the shared run, cache results
//	8      cmd/fracdyn                      the command line; writes the tables of analyze-model and compare
//	8      tools/bench/...                  benchmark programs and scripts
//	9      fracdyn                          this map
//
// # Choices where the paper is loose
//
// Each package's documentation gives the details; in short:
//
//   - Data. The paper trains on MNIST. When only the 10,000-image test set is
//     at hand (as in CI), it is split by seed into training and evaluation
//     images. The run, its config and every figure manifest say so, so that
//     no such figure passes for a full-MNIST result (package mnist).
//   - Kernels of the first layer. The paper speaks of 3-channel kernels, but
//     MNIST images have one channel. conv1 is therefore 1→32 with weights
//     [32, 1, 3, 3], and conv2 is 32→64 (package model). The first dense layer
//     has 64·28·28 = 50,176 inputs, because the paper's CNN has no pooling.
//   - Scales. The valid range is 2 ≤ r ≤ ⌊min(n,m)/2⌋, plus r = 2 for a side
//     of 3: the paper cuts 3×3 kernels at r = 2, which its own rule forbids.
//     Where r does not divide a side, the last segment is shifted back to end
//     at the edge (package fractal).
//   - Fractal dimension. Read literally, FD = ln N/ln(1/r) is negative for
//     integer r > 1. It is offered ("paper") with its scale made relative to
//     the region, and the literal value is kept beside it. By default
//     dimensions are least-squares box-counting slopes with their R²;
//     differential box counting and a variogram estimator are also offered.
//     All four are validated on known fractals and fBm surfaces.
//   - Entropy. Natural logarithm, with p_i = |w_i|/Σ|w|. An all-zero segment
//     has H = 0.
//   - Features. The activation map A of a conv neuron is average-pooled to
//     4×4, so every α = A·FD·H has the same length. The distance between
//     features is an RMS difference (package segraph).
//   - Edge kernel. The paper's γ·exp(‖α_ω−α_λ‖) grows with distance. It is
//     offered as "paper"; the default is the Laplacian exp(−‖α_ω−α_λ‖/γ), and
//     "rbf" is also offered.
//   - Surrogate. "Reconstruct the topology" is made measurable: a graph
//     autoencoder with held-out edges kept out of message passing, reported
//     as AUC and AP against four baselines (package gcn, package analysis).
//     The baselines are a random scorer, raw cosine similarity, the GCN with
//     linear edge weights, and the GCN with unit edge weights.
//   - Hypergraph. A segment at scale r lies in one at scale 2r. Embeddings
//     are pooled along that containment, and the report gives how well coarse
//     scales predict fine ones. 3×3 kernels have only r = 2, so this is
//     measured on the dense layers.
//   - Phase flow. Derivatives are finite differences over steps and over
//     epochs, with no smoothing unless asked. Whether an attractor forms is
//     decided by documented rules on the Lyapunov exponent, the correlation
//     dimension and a spectral test, not by eye, and a chaotic or
//     low-dimensional class is claimed only when the series beats its
//     IAAFT surrogates (package attractor).
//   - Null models. Every per-layer measure in the tables of analyze,
//     analyze-model and compare comes with its value under three null
//     models (element permutation, row/column permutation, Gaussian), a
//     z-score, an empirical p-value and a verdict (package null).
package fracdyn
