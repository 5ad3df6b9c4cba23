// Package spectral measures the eigenvalue spectrum of weight matrices the
// way WeightWatcher does (Martin & Mahoney, "Implicit self-regularization in
// deep neural networks", JMLR 2021), as a data-free companion to the
// fractal diagnosis.
//
// For an n×m weight matrix W the empirical spectral density (ESD) is the
// set of min(n, m) eigenvalues λ_i = σ_i² of WᵀW, σ_i the singular values of
// W, computed with gonum's SVD (values only, no vectors). No 1/N
// normalisation is applied: α does not depend on the scale of W, and
// λ_max is then the squared spectral norm, as in WeightWatcher's
// defaults.
//
// The tail of the ESD is fitted with a continuous power law p(λ) ∝ λ^(−α),
// λ ≥ xmin, by Clauset, Shalizi & Newman's method: α is the maximum
// likelihood estimate for each candidate xmin, and xmin is the candidate
// with the smallest Kolmogorov–Smirnov distance D (PowerLaw). As in
// WeightWatcher's default, xmax is the largest eigenvalue and every distinct
// eigenvalue leaving at least MinTail values in the tail is a candidate;
// WeightWatcher's optional fixes ("fix_fingers", xmin "peak" search) are
// not applied. Sigma is the MLE's standard error (α−1)/√n_tail.
//
// Interpretation (WeightWatcher's): α ≈ 2–6 for well-trained layers, α < 2
// for over-fitted, very heavy-tailed layers, and large α (> 6) when the ESD
// is close to Marchenko–Pastur, i.e. the layer looks random.
//
// Validation: tests recover α of Pareto samples and of matrices built as
// U·diag(σ)·Vᵀ with Pareto σ² within three standard errors, recover the
// chosen eigenvalues to 1e-9, and check that a Gaussian matrix fills the
// Marchenko–Pastur support (MarchenkoPasturEdges, within 10% at 800×200)
// and fits α > 6.
//
// Cost: the SVD is O(n·m·min(n,m)) and the fit O(k²) for k eigenvalues;
// the paper CNN's fc1 (128×50176) takes 0.8 s on 2 shared cores
// (BenchmarkAnalyzePaperFC1). Tall matrices are factorised as their
// transpose, which gonum does about 3× faster.
package spectral
