// Package dynamics reads a training run as a dynamical system: it draws
// the paper's phase-flow figures (arXiv 2407.09585, Fig 3) from a run
// directory and measures the attractor the paper only saw by eye.
//
// The numerics live in two plain packages: fracdyn/phaseflow (finite
// differences, smoothing) and fracdyn/attractor (embedding, Lyapunov
// exponent, correlation dimension, classification; its documentation has
// every rule and threshold). The drawings are in fracdyn/figure
// (PhaseFlowGradLoss, PhaseFlowLossDerivatives, PhaseFlowGrid,
// AttractorSummary), which take slices. This package joins them to
// fracdyn/run.
//
// # Trajectories of a run
//
// LoadTrajectories reads, per training step: the minibatch loss, the
// global gradient norm, each layer's gradient norm (steps.csv) and the
// gradient norm of each tracked segment (steps-segments.npy, columns named
// by segments-index.csv). The signed mean of each segment's gradient
// (steps-segments-mean.npy) feeds the signed-mean figure. Time is the
// global step, so Lyapunov exponents in the tables are per step.
//
// # Attractor table
//
// AnalyzeRun analyses every trajectory over the whole run (window 0) and
// in epoch windows (1…Windows, whole epochs, as equal as they come), with
// attractor.Analyze at its defaults. Choices:
//
//   - Segments: at most PerLayer = 8 per layer, evenly spaced over the
//     layer's tracked columns. The paper CNN's default tracking records
//     128 conv1 segments and 256 of each other layer; analysing all 896
//     would take an hour on two cores for no more insight than a sample.
//     PerLayer < 0 analyses all.
//   - Each layer's analysed segments also form one multivariate trajectory
//     (kind segment_vector, "segments_<layer>"): the state vector of those
//     segments' gradient norms, embedded and classified as a whole.
//   - Windows shorter than MinWindowSteps = 128 steps are skipped: below
//     that neither the embedding nor the fits have enough points.
//   - A diverged run (non-finite loss) is analysed up to its last finite
//     step, and the row's note says so.
//   - Failures (too few steps, a constant series the fits cannot use) are
//     rows with empty measures and the error in the note, not errors.
//
// WriteTable writes analysis/attractors.csv (one row per trajectory and
// window: class, λ and its fit R² and range, D2 and its saturation check,
// embedding lag, dimension and Theiler window, FNN convergence, the
// contraction ratio, the deciding rule, a note, and the surrogate test of a
// chaotic or D2-based class: method, count, the p-values of D2 and λ and
// whether the series beats its surrogates). WriteAttractorTable is
// the one call "fracdyn analyze" makes.
//
// # Figures
//
// WriteFigures draws from a run: Fig 3 left for one segment (norm and
// signed mean, per step), as small multiples over several segments per
// layer, and from the snapshots' probe-batch gradients ("conv1.weight.grad"
// and the probe loss, one point per snapshot epoch); Fig 3 right over steps
// and over epochs; and the attractor summary. Points are coloured by
// fractional epoch (the e-th epoch's steps spread over [e−1, e)). Smoothing
// of the per-step loss before differencing is off unless asked for.
//
// The learning-rate sweep that trains runs and tabulates their classes is
// fracdyn/sweep.
package dynamics
