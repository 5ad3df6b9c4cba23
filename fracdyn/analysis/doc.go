// Package analysis is `fracdyn analyze`: the fractal, graph and surrogate
// analysis of a run directory written by `fracdyn train`, one snapshot at a
// time (only one epoch's weights are in memory at once).
//
// For each selected epoch it
//
//  1. reads the snapshot and, unless data-free, takes the activation maps
//     A (mean post-activation output per neuron over the run's fixed probe
//     batch) from one route, activationMaps: the maps the snapshot holds,
//     when a recorder stored them (fracdyn/recorder, for a model fracdyn
//     does not ship), else the Prober's (model.Forward of fracdyn's own
//     architecture, as a GoMLX graph compiled once);
//  2. measures every layer at every valid scale r (by default; fractal.
//     ValidScales: a 3×3 conv kernel at r = 2, the paper CNN's 128×50176
//     fc1 at r = 2…64, its 10×128 fc2 at r = 2…5; Options.Scales
//     restricts them) with the dimension estimator Options.Method (every
//     one, bc, dbc, variogram and paper, with Options.AllEstimators; the
//     columns of the others are NaN otherwise) and the entropy, and writes segments/epoch-NNN.parquet
//     (fracdyn/segtable; ReadSegments reads it): one row per segment per r
//     with layer, r, matrix, neuron, channel, origin (row, col), each
//     estimate and its R², entropy, ‖A‖ (RMS of the pooled map), ‖α‖ (α
//     with the chosen estimator) and the norm of the segment's probe-batch
//     gradient from the snapshot. The work goes scale by scale (step 4 and
//     5 too), keeping only what later scales need. No limit applies by
//     default; with Options.MaxSegments a layer at a scale with more
//     segments is skipped, and named in skipped.csv and Report.Skipped;
//  3. appends per-layer rows to layers.csv: each estimator's dimension of
//     the layer's matrices as fracdyn/weights reads them (dense as is; conv
//     per kernel by default, the mean over its out·in kh×kw kernels, or
//     unfolded to [out, in·kh·kw] with Options.ConvView) computed by
//     diagnose.SummarizeMatrices, the same code and numbers as analyze-model
//     (the paper's single-scale estimate at each r), fractal.SelfSimilarity's
//     verdict (for many matrices, its summary), the mean per-segment FD and
//     entropy, and the layer's gradient norm;
//     then each of these measures against Options.NullDraws draws of each
//     null model of package null (columns <measure>_<null>_null_mean,
//     _null_sd, _z, _p and <measure>_null_verdict, with null_draws,
//     null_elements and null_segments: what one draw measured; a large
//     matrix is tested on a block, a layer with more than
//     null.SampleSize(r) segments on a seeded uniform random sample of
//     them, the same positions in the layer and in every draw, which
//     surrogate.json's notes state);
//  4. builds the segment graphs (package segraph) at every scale their
//     layers share (see Graphs); with Options.WriteEdges (fracdyn analyze
//     --edges) it writes their edge lists to edges/epoch-NNN-rR-GRAPH.csv
//     (global node ids, each end's layer and segment index, distance, the
//     weight at every γ). A graph over the edge budget Options.MaxEdges
//     (segraph.DefaultEdgeBudget, 200,000) is thinned
//     (segraph.Options.SampleEdges: about one edge in k of each over-full
//     connection, at least one per segment of the later layer) and named
//     in skipped.csv ("thinned", with the edges kept of the full count
//     and the strides), or skipped with Options.NoSampleEdges;
//  5. trains the GCN surrogate (package gcn) and its baselines and appends
//     to surrogate.json; a graph of more than Options.MinibatchNodes nodes
//     trains in neighbour-sampled minibatches (gcn.FitMinibatch) for a
//     fixed DefaultMinibatchSteps steps of DefaultBatchEdges training
//     edges, smaller ones full batch for DefaultGCNEpochs epochs;
//  6. relates the surrogates at consecutive scales (multi-scale).
//
// # Graphs
//
// Runs of consecutive layers of one kind form one graph each: conv1–conv2
// (the only scale of 3×3 kernels is r = 2, so this graph is built once)
// and the dense layers (fc1–fc2; mlp: fc1–fc2–fc3). A graph is built at
// every scale r at which all its layers can be cut: the paper CNN's
// fc1–fc2 at r = 2…5 (fc2, 10×128, has no segments beyond 5); each scale
// where one of its layers can be cut and another cannot (fc1–fc2 at
// r = 6…64) is named in skipped.csv with the reason.
// Options.ClampGraphScales (--graph-clamp) builds those too, the smaller
// layer cut at its nearest valid scale. The conv→dense junction is left
// out: at any scale it multiplies the edge count by the 128 segments of a
// conv2 neuron.
//
// # Cost
//
// The cost of a snapshot's graphs is bounded whatever the layers' sizes:
// each graph has at most MaxEdges edges (thinned by the rule above), a
// minibatch fit takes a fixed number of steps of at most
// gcn.MaxBatchNodes nodes, held-out evaluation scores 15% of the kept
// edges and as many non-edges, and the cross-scale fit uses a seeded
// sample of at most MultiScaleNodes fine segments; only the held-out
// pairs' and the sample's nodes are embedded (gcn.Autoencoder.Embed, over
// their receptive fields). What still grows with the layers is linear in
// their segments: the per-segment pass, the node features and the graphs'
// normalisation. The graphs of one scale are scored concurrently, and the
// Parquet segment table is written on a goroutine of its own beside them.
// BENCHMARKS.md has the time of one paper-CNN snapshot against one
// training epoch.
//
// # Surrogate and baselines
//
// Per graph, epoch, r and γ, with one seeded split shared by every scorer
// (15% of edges held out with as many non-edges; negatives are pairs of
// segments in consecutive layers that are not edges, since uniform pairs
// would mostly fall between unconnected layers):
//
//   - surrogate: the GCN autoencoder on the kernel-weighted graph, input
//     features [α, S] (S the segment's flattened weights, zero-padded to the
//     largest r² of the graph), each column standardised;
//   - random: uniform scores;
//   - cosine: cosine similarity of the raw features [α, S], no GCN;
//   - gcn_linear: the same GCN, same seed, on the graph weighted by the
//     linear similarity α_ω·α_λ (scaled to [0, 1]) instead of the kernel;
//   - gcn_unweighted: the same GCN with every weight 1 — topology alone.
//
// The last two answer the question the paper never asked: does the
// exponential kernel carry anything the simpler choices do not? AUC and AP
// are reported for each, with the seeds (split = Seed, GCN = Seed+1,
// random = Seed+2). The same options and seed reproduce every number.
//
// # Multi-scale ("fractal hypergraph")
//
// A segment at scale r lies in one segment at the next scale
// (segraph.Containment); a
// coarse segment and its fine members form a hyperedge. For consecutive
// scales of the same graph, a ridge-regularised linear map from the parent's
// coarse embedding to each fine embedding is fitted on 85% of a seeded
// sample of at most MultiScaleNodes fine segments, and MultiScaleResult reports the held-out R² against the same
// fit with the parents shuffled within each layer. The two surrogates are
// trained independently, so their embedding bases are unrelated; the linear
// map absorbs the rotation, and the gap R2 − R2Shuffled measures how much
// the coarse scale says about the fine one.
//
// # Other choices
//
//   - The GCN trains DefaultGCNEpochs (100) full-batch epochs by default
//     (DefaultMinibatchSteps minibatch steps on a large graph)
//     with gcn's native engine (see package gcn); Options.GCN overrides any
//     gcn.Param… value. A graph's GCN fits (the two GCN baselines and one
//     surrogate per γ) are independent and deterministic, so they run
//     concurrently; a result's "seconds" is the wall time of them all
//     shared equally among its γ.
//   - A layer's mask threshold (the quantile of |w| that every binary
//     estimator uses) is found once per epoch and shared by its matrix
//     estimators, self-similarity fit and paper dimension.
//   - The analysis is written into RUN/.analysis-tmp-XXXX and renamed over
//     RUN/analysis only once every epoch and extra stage succeeded; a
//     failed or interrupted analysis removes it and leaves the previous
//     RUN/analysis byte for byte (TestAnalyzeFailureKeepsPrevious). A
//     missing snapshot is an error (ErrMissing) unless
//     Options.AllowMissing, which notes each skipped epoch. Cancelling
//     the context stops between stages, between graphs and between GCN
//     epochs (gcn.FitContext): `fracdyn analyze` exits within about a
//     second of Ctrl-C (measured in RELIABILITY.md).
//   - The same run, options and seed give the same bytes in every table and
//     edge list, and the same surrogate.json but for its "seconds" fields
//     (TestAnalyzeDeterministic).
//   - Options.Shard (fracdyn analyze --shard K/N) splits the epochs over
//     processes; each writes RUN/analysis/shards/K-of-N with a manifest and
//     `fracdyn merge RUN/analysis` assembles them: the tables, edge lists
//     and segment tables byte for byte those of one process, surrogate.json
//     value for value but for its wall times and the order of its notes
//     (TestAnalyzeShardMerge). Merge into an empty RUN/analysis: files of
//     an earlier analysis there are not removed.
//   - Options.Figures draws Fig 2 for the conv graph of each epoch.
//   - Options.Extra is the hook for further stages over the run (e.g. the
//     dynamics helper's attractors.csv); they run after the epochs.
package analysis
