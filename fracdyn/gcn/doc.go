// Package gcn learns a graph's topology with a graph convolutional
// autoencoder (the paper's eq. 4) and measures how well it does.
//
// # Model
//
// The propagation is Kipf and Welling's Â = D^-1/2 (A+I) D^-1/2 with the
// weighted degree d_i = 1 + Σ_j w_ij (Normalize), applied by sparse message
// passing: every directed message carries Â_ij·x_j into node i. The
// encoder stacks ParamLayers layers H ← act(Â·dropout(H)·W + b) (no
// activation after the last, whose width ParamEmbedding is the embedding
// size); the decoder scores a pair by σ(z_aᵀz_b). Hyperparameters are the
// Param… constants, read from a GoMLX context.
//
// # Objective and evaluation
//
// "Reconstruct the topology" is link prediction. NewSplit holds out 15% of
// the edges (seeded) and as many non-edges; only the remaining 85% enter
// message passing, so held-out edges cannot leak into the embeddings (the
// mistake of public GAE examples that propagate over the full graph). Each
// training epoch is one full-batch Adam step on the mean binary
// cross-entropy of all training edges and ParamNegatives times as many
// freshly sampled non-edges. AUC (Mann–Whitney, ties ½) and average
// precision (scikit-learn's step-wise definition) are computed on the
// held-out pairs. Negatives come from a PairSampler: UniformPairs for a
// generic graph, LayerPairs for a layered graph, where uniform pairs
// would mostly join unconnected layers and let any layer-aware scorer win.
// Baseline scorers: RandomScores, CosineScores of raw features, DotScores.
// Fits that differ only in edge weights (a surrogate and its GCN baselines)
// draw the same negatives for the same seed; FitShared with one Negatives
// draws each epoch's pairs once for all of them, with the same results.
//
// # Engines
//
// Two implementations of the same model and training:
//
//   - EngineGoMLX: the GoMLX graph (Encoder, Propagate with Gather and
//     ScatterSum as in GoMLX's examples/ogbnmag/gnn, GoMLX autodiff and
//     optimizers.Adam) on any backend.
//   - EngineNative (default): plain Go — CSR message passing by destination
//     (Propagation.Apply, parallel over rows, deterministic), the AVX2
//     float32 GEMM of fracdyn/backend, a hand-written backward pass (Â is
//     symmetric, so the gradient through it is Â again) and GoMLX's Adam
//     update rule (ε = 1e-7 outside the root). A layer that widens
//     computes (Â·H)·W instead of Â·(H·W), so fewer columns pass through
//     Â, and without dropout the first layer's Â·x is computed once per
//     fit. Buffers are allocated once per fit.
//
// On the pure-Go simplego backend, Gather/ScatterSum go element by element
// through generic iterators, and each step materialises an E×F message
// tensor: about 0.7 s per epoch on the 8,320-node conv graph against 20 ms
// natively, and far beyond PyTorch's memory on a million nodes. The native
// engine is the documented fallback the issue allows; TestEnginesAgree
// trains both from the same weights with the same negatives and checks the
// losses and embeddings agree to 1e-5/1e-4. With XLA, the GoMLX engine is
// the natural choice. The native engine supports the relu, tanh, sigmoid
// and identity activations.
//
// # Minibatch training
//
// Full-batch training holds every layer's activations and gradients for
// all N nodes. FitMinibatch trains the same model (same Â, weights,
// decoder and loss) with GraphSAGE's node-wise neighbour sampling
// (Hamilton, Ying and Leskovec, "Inductive Representation Learning on
// Large Graphs", NeurIPS 2017), as its minibatch GCN training is done in
// PyG's NeighborLoader: each step takes ParamBatchEdges training edges and
// ParamNegatives times as many sampled non-edges, takes their endpoints as
// targets and, layer by layer towards the input, keeps each node's self
// loop and at most ParamFanout of its neighbours drawn uniformly without
// replacement, scaling their coefficients Â_ij by deg_i/fanout so that
// the sampled row is an unbiased estimate of Â's row. One Adam step
// follows on the step's mean binary cross-entropy. A step touches at most
// MaxBatchNodes = 2·B·(1+k)·(1+fanout)^layers nodes, whatever N. After
// training, Autoencoder.Embed computes exact embeddings of the nodes asked
// for over their whole receptive field in the training graph (every
// neighbour, no sampling), so scoring held-out pairs costs their
// neighbourhoods, not N; Fit and FitShared train this way when the
// context sets ParamBatchEdges. The sums of a step run
// in a fixed order, so the seed fixes the result. TestMinibatchMatchesFullBatch
// checks that it reaches the full-batch AUC (within 0.03) on a graph
// small enough for both; BENCHMARKS.md has its time and memory on 1.6
// million nodes.
//
// Results repeat: the seed fixes initial weights, dropout, negatives and
// splits, and the native engine's sums run in a fixed order that does not
// depend on the number of CPUs (rows of Â·x are summed in message order;
// the decoder's loss and gradient are split into a fixed number of chunks
// combined in order). TestNativeGradientsWithDropout checks the backward
// pass against finite differences with dropout on.
package gcn
