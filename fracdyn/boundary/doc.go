// Package boundary reproduces "The boundary of neural network trainability
// is fractal" (Sohl-Dickstein, arXiv 2402.06184, 2024): it trains one small
// network per point of a grid of hyperparameters, scores each run as
// converged or diverged, and measures the box-counting dimension of the
// boundary between the two with package fractal.
//
// # The experiment
//
// A network has one hidden layer of width w (16 in the paper) on inputs of
// dimension w, no biases, and the mean-field parameterisation:
//
//	out(x) = φ(x·W0/√w)·W1/√w/√w,   W0 ∈ ℝ^{w×w}, W1 ∈ ℝ^w, entries N(0, 1),
//
// with φ(z) = tanh(√2 z), √2·max(z, 0) or z. The training set has as many
// points as the network has weights (w² + w = 272), inputs and targets
// N(0, 1); the identity network, linear in its input, gets w points (as in
// the paper's code); --single-datapoint one. The loss is the mean squared
// error; training is gradient descent for Steps steps, full batch or on a
// minibatch drawn with replacement each step (the same draws at every grid
// point), the loss recorded being always the full-batch loss before each
// step.
//
// Phase spaces (Window, log₁₀ units): LearningRates puts the input layer's
// learning rate on x and the output layer's on y; InitOffset puts an offset
// c added to every entry of W0 at initialisation on x (as 10^x) and one
// learning rate for both layers on y.
//
// # Batched training
//
// All networks of a chunk of the grid (Config.Chunk, default 255) are one
// batch of one compiled GoMLX graph that takes StepsPerCall steps
// (MSEStep or QuadraticStep, unrolled), so that the per-call costs are paid
// once per 20 steps. The data are shared, so the input layers of all B
// networks, laid out as W0 [d, B·w], take one product x·W0 ([N, d]·[d,
// B·w]) and their gradients one product xᵀ·v: two large GEMMs, on the
// pure-Go backend fracdyn/backend's packed float32 kernel (AVX2 or
// AVX-512), instead of B small ones. Gradients are written out by hand
// (documented at MSEStep) rather than taken by autodiff, so that each is
// one of these products or an elementwise pass; the factor w1 of the W0
// gradient is applied after the product, on [d, B, w], not before it on
// [N, B, w]. Grids larger than a chunk are trained chunk by chunk, and on
// the pure-Go backend one chunk per core at a time (GOMAXPROCS), each
// chunk's graph running its ops in sequence; the chunk is small enough for
// a step's arrays to stay in the caches. Any GoMLX backend runs the same
// graph (GOMLX_BACKEND=xla:cuda for large grids, with a larger --chunk).
//
// # Score, boundary, dimension
//
// Score follows the paper's notebook: losses normalised by the first,
// non-finite and huge values capped at ScoreCap = 10⁶, converged when the
// mean of the last ScoreTail = 20 normalised losses is below 1; the score is
// −Σ v_t for converged runs and Σ 1/v_t for the others. Mask marks the cells
// between grid points whose 2×2 corners hold both signs (the paper's edge
// rule). Dimension is fractal.BoxCountMask over box sizes 1, 2, 4, … up to
// an eighth of the image side (BoxSizes): the least-squares slope of
// ln N(s) against ln(1/s), with R². Over a zoom sequence (Zoom) the
// dimension reported is the median of the levels' dimensions.
//
// # Choices where this package departs from, or interprets, the paper
//
//   - Precision: float32 throughout (the paper's notebook uses float64).
//     The pure-Go backend's fast kernels are float32; this limits how deep
//     a zoom can go (windows narrower than about 10⁻⁵ decades resolve
//     nothing new), far short of the paper's ten decades.
//   - tanh on the pure-Go backend is a float32 rational approximation within
//     4·10⁻⁷ of math.Tanh (fracdyn/backend's kernel), not float64 math.Tanh.
//   - Score: the paper's readout "loss", exactly as above. A first loss of
//     0 (impossible with random targets) would make every v_t non-finite and
//     be capped.
//   - Dimension: the paper fits porespy's box counts per image and takes
//     the median of the local slopes over all images of a zoom sequence;
//     here each image gets one least-squares fit over BoxSizes (its R² is
//     reported), and a sequence the median of the per-image dimensions.
//     Sizes stop at an eighth of the side because larger boxes all touch a
//     dense boundary and flatten the slope.
//   - InitOffset: the offset is added once, at initialisation, as the paper
//     describes; the paper's public notebook adds it to W0 at every step.
//   - Windows: the paper picks its windows by hand and does not list them.
//     DefaultLRWindow (x ∈ [1.5, 3.5], y ∈ [1.8, 2.4]) and DefaultInitWindow
//     (x ∈ [−1, 1], y ∈ [1.8, 2.4]) were chosen by coarse scans of this
//     implementation (seed 1, 100 steps) to straddle the boundary of the
//     tanh network; with mean-field scaling the critical learning rates are
//     large (about 10² for the output layer).
//   - Seeds: one seed (Config.Seed, default 1) feeds three PCG streams:
//     the initial weights, the data, and the minibatch draws (Problem).
//     The same seed gives identical numbers.
//   - Zoom: the next window is centred on the boundary cell nearest the
//     current window's centre (NearestBoundary), not chosen by hand.
//   - Convex control (Loss Quadratic): the paper has none. Here L =
//     mean (x·W0/√d)² + mean (f·W1/w − y)², with f = φ(x·W0_init/√d) fixed
//     features of the initial input layer: a positive semi-definite
//     quadratic form separable by layer, so a run diverges exactly when a
//     learning rate passes 2/λ_max of its layer's Hessian, and the boundary
//     is straight (D = 1).
package boundary
