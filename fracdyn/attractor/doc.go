// Package attractor reads a trajectory as the orbit of a dynamical system:
// it reconstructs the state space by time-delay embedding, measures the
// largest Lyapunov exponent and the correlation dimension, and classifies
// the attractor as a fixed point, a periodic or quasi-periodic orbit, a
// chaotic attractor, or none of these at low dimension ("stochastic").
//
// The paper (arXiv 2407.09585, Fig 3) claims by eye that training forms an
// attractor; this package makes the claim measurable. Everything here is
// plain float64 numerics over slices; a Series is rows of time and columns
// of dimensions (one column for a scalar trajectory such as a loss or a
// segment's gradient norm).
//
// # Embedding
//
// Point t of the embedding is y_t = (x_t, x_{t+τ}, …, x_{t+(m−1)τ}); with
// several columns each x is a row, so multivariate input is embedded too
// (with m = 1 it is used as the state itself).
//
// Lag τ (ChooseLag): the smaller of the first local minimum of the mutual
// information I(x_t; x_{t+τ}) (Fraser & Swinney 1986) and the first τ where
// the autocorrelation falls below 1/e. MI is estimated with equiprobable
// bins, ∛N of them clamped to 4…64, so both marginals have entropy ln bins.
// Taking the smaller rule keeps maps at τ = 1 (their autocorrelation
// vanishes at once, while their MI decays slowly and its first minimum is
// a noise wiggle) and gives flows the usual MI minimum. Lags are searched up
// to min(N/10, 500); with neither rule met, τ = 1. For several columns the
// smallest lag over the columns is used.
//
// Dimension m (ChooseDim): false nearest neighbours (Kennel, Brown &
// Abarbanel 1992). In dimension d, the nearest neighbour j of i (outside the
// Theiler window, at positive distance R_d) is false when the next delay
// coordinate separates them, |x_{i+dτ} − x_{j+dτ}| / R_d > FNNRtol = 15,
// or when the distance in d+1 exceeds FNNAtol = 2 times the attractor size
// R_A (the square root of the summed column variances). m is the first
// d ≤ 10 with fewer than FNNFraction = 1% false neighbours; if none gets
// there m is the d with the fewest and DimChoice.Converged is false, which
// alone marks the series as not low-dimensional. At most 4000 reference
// points, evenly spaced in time, are tested per dimension.
//
// Theiler window W: pairs of points closer than W samples in time are never
// neighbours (they are close because time is continuous, not because the
// orbit returns). W is the mean period, 1/(power-weighted mean frequency),
// as Rosenstein et al. recommend, capped at N/10. Self-pairs are always
// excluded.
//
// # Largest Lyapunov exponent
//
// Rosenstein, Collins & De Luca (1993): each point i is paired with its
// nearest neighbour j(i) (|i − j| > W, distance > 0), and the divergence
// curve y(k) = ⟨ln ‖y_{i+k} − y_{j+k}‖⟩ is followed for k = 0…K steps,
// K = max(30, min(10·W, N/4)), from at most 8000 reference points evenly
// spaced in time (their neighbours are sought among all points). Its straight part has slope λ per step;
// Lyapunov = slope/Dt is per time unit (per iteration for maps).
//
// The fitted range (FitDivergence) lies below 80% of the rise from y(0) to
// the plateau (the mean of the last fifth of the curve, where neighbours
// have spread across the attractor). Among windows of max(5, K/10) points
// in it with R² ≥ 0.98 the steepest is taken and then grown either way, a
// point at a time, while R² stays ≥ 0.98 and the new point lies within
// three RMS residuals of the window's line (at least half a step's rise):
// the fit takes in the curvature and noise of a real curve but not a kink
// into the transient or the plateau. Result.LyapunovFit reports the range and its R².
// The steepest straight window rather than the first: for flows the first
// steps are a transient while the separation turns into the unstable
// direction. Σ ln d is accumulated as the logarithm of a product kept
// normalised with Frexp, which is as exact and avoids a logarithm per pair.
//
// # Correlation dimension
//
// Grassberger & Procaccia (1983): C(r) is the fraction of pairs (|i − j| >
// W) closer than r, on 48 radii log-spaced over 4 decades up to a quarter
// of the attractor's extent (its largest coordinate range). At most 4000
// reference points, evenly spaced in time, are paired with all points by
// a k-d tree radius search. Radii enter the fit when at least 200 pairs lie
// within them (relative error ≲ 7%) and C(r) ≤ 0.2 (beyond, r is the size
// of the attractor). Local slopes d ln C/d ln r are taken over three
// neighbouring radii, and the scaling range is the window of 11 eligible
// radii (a factor of about 8 in r) whose local slopes vary least; D2 is the
// least-squares slope of ln C on ln r over it (Result.Correlation has the
// range, R² and the spread of the local slopes). D2 is computed again with
// one more embedding dimension: a low-dimensional attractor's D2 saturates,
// noise's grows with the dimension.
//
// Expect the estimates of a finite sample: in the tests (5,000 map
// iterates, 10,000 Lorenz steps of 0.02) the Hénon map gives D2 1.17–1.22
// (1.21 in the literature) and λ 0.41 (0.42), the logistic map at r = 4
// λ 0.695 (ln 2), the Lorenz system λ 0.81–0.86 (0.906; 0.87–0.93 with
// 20,000 steps of 0.01) and D2 2.04–2.07 (2.05).
//
// # Spectral test
//
// Each column is detrended, scaled to unit variance and Hann-windowed (over
// the last steps, a number with no prime factor above 5, so the FFT stays
// O(N log N)); the power spectra are summed and the zero frequency dropped (gonum's
// dsp/fourier). The strongest peak, refined by parabolic interpolation on
// log power, is the fundamental. HarmonicPower is the fraction of power
// within ±3 bins of its first 10 harmonics, LinePower the fraction within
// ±3 bins of the 10 strongest local maxima. Both are capped at 70 bins, so
// noise scores about 70/(N/2). Flatness is the geometric over the
// arithmetic mean of the power.
//
// # Classification
//
// Classify applies these rules in order; Result.Reason names the one that
// decided.
//
//  1. Fixed point: the rows of the last quarter lie closer to their
//     median (median Euclidean distance) than FixedPointContraction = 0.25
//     times the median distance of the first quarter's rows from that same
//     point. The orbit contracted fourfold onto a point: a damped
//     oscillator, a converging loss with its shrinking minibatch noise, a
//     segment whose gradient died, a constant. Medians rather than RMS
//     spreads, because a large learning rate throws loss spikes of 10–1000
//     early on, which would make any later noise look small. This is a test
//     of dissipation, done first because the other measures assume a
//     stationary orbit.
//  2. Periodic (rules 2 and 3 need a resolved spectrum, at least
//     SpectralMinBins = 140 frequency bins, i.e. 280 steps: below, the ten
//     line windows cover half the spectrum or more and white noise scores
//     as a line spectrum): the fundamental completes at least 8 cycles and its
//     harmonics hold at least 90% of the power (a sine, a van der Pol
//     limit cycle).
//  3. Quasi-periodic: at least 8 cycles and the 10 strongest lines hold at
//     least 90% of the power, not being harmonics of one frequency (a
//     torus: incommensurate tones).
//  4. Stochastic unless low-dimensional: the FNN test converged, D2 has a
//     scaling range in both embeddings, it grows by at most 0.5 with one
//     more dimension, and it is at most 6. White noise fails the FNN test.
//  5. Chaotic: the divergence slope is positive, the curve rises by at
//     least 1 nat (a factor e) over the fitted range, and the fit has
//     R² ≥ 0.9.
//  6. Otherwise a low-dimensional orbit without exponential divergence:
//     quasi-periodic if D2 ≥ 1.5, periodic below.
//
// Rules 5 and 6 are claimed only when the series beats its surrogates
// (see Surrogate test); otherwise the class is linear-noise.
//
// # Surrogate test
//
// A Lyapunov exponent and a correlation dimension from a short noisy
// series can call linearly correlated noise chaotic. Before a class rests
// on them (rule 5, and rule 6's periodic or quasi-periodic), Analyze tests
// the series against DefaultSurrogates = 19 IAAFT surrogates (Schreiber &
// Schmitz 1996; FT and AAFT are offered too, Theiler et al. 1992): series
// with the same periodogram and value distribution and no other
// structure. D2 and λ of the series and of each surrogate are estimated
// in the series' embedding with SurrogateRefs reference points, on its
// last steps of a length the FFT factors. D2 is the discriminating
// statistic: the series beats its surrogates when its D2 is below every
// surrogate's, a one-sided rank test at level 1/(19+1) = 0.05. Otherwise
// the class is LinearNoise ("indistinguishable from linear noise"). λ is
// tested alike (above every surrogate's) and reported only: the nearest
// neighbours of noise diverge too, often faster than a chaotic orbit's.
// The spectral classes of rules 2–3 are not tested: a sum of tones is a
// linear process, and its surrogates share its spectrum. In the tests,
// Hénon x (5,000 iterates) has D2 1.2 against its surrogates' 1.83–1.89,
// Lorenz x (10,000 steps) 2.0 against 2.87–3.02, and an AR(1) process
// (φ = 0.9) 3.0 against 2.93–3.02 (p 0.85).
//
// Fixed points of training are noisy: minibatch noise never dies out, it
// only shrinks. Rule 1 calls a trajectory a fixed point once its
// fluctuations are small against the distance it travelled, which is what
// "converged" means for SGD. A learning rate that keeps the loss jumping
// fails rule 1 and is judged by the rest.
//
// # Cost
//
// A static k-d tree (median splits by quickselect, Euclidean norm, squared
// distances) serves every neighbour search: building it is O(N log N), a
// nearest-neighbour query about O(log N) at low dimension. Embeddings wider
// than 32 coordinates (m·Cols) are searched exhaustively instead: there a
// tree prunes nothing, and its bounding boxes cost 2·m·Cols values per
// node (gigabytes for thousands of columns). A wide series therefore costs
// O(R·N·m·Cols) per search, quadratic in N and linear in the columns, and
// the false-neighbour test repeats it for m = 1…MaxDim; Work bounds it and
// "fracdyn attractor" warns above about a minute of it.
// AnalyzeContext checks its context before each reference point, so it
// stops within one reference point's search of a cancellation. The Lyapunov
// estimate costs O(N log N) for the neighbours plus O(R·K·m) for the curve
// (R ≤ 8000 references); the correlation sum O(R·(log N + P)) with R ≤ 4000
// references and P the pairs within the largest radius per reference
// (proportional to N), so both grow about linearly in N. See the
// repository's BENCHMARKS.md, section Attractor analysis.
//
// # References
//
//   - M. T. Rosenstein, J. J. Collins, C. J. De Luca (1993). A practical
//     method for calculating largest Lyapunov exponents from small data sets.
//     Physica D 65, 117–134.
//   - P. Grassberger, I. Procaccia (1983). Characterization of strange
//     attractors. Phys. Rev. Lett. 50, 346–349; Measuring the strangeness of
//     strange attractors. Physica D 9, 189–208.
//   - M. B. Kennel, R. Brown, H. D. I. Abarbanel (1992). Determining
//     embedding dimension for phase-space reconstruction using a geometrical
//     construction. Phys. Rev. A 45, 3403–3411.
//   - A. M. Fraser, H. L. Swinney (1986). Independent coordinates for strange
//     attractors from mutual information. Phys. Rev. A 33, 1134–1140.
//   - J. Theiler, S. Eubank, A. Longtin, B. Galdrikian, J. D. Farmer
//     (1992). Testing for nonlinearity in time series: the method of
//     surrogate data. Physica D 58, 77–94.
//   - T. Schreiber, A. Schmitz (1996). Improved surrogate data for
//     nonlinearity tests. Phys. Rev. Lett. 77, 635–638.
//   - J. Theiler (1986). Spurious dimension from correlation algorithms
//     applied to limited time-series data. Phys. Rev. A 34, 2427–2432.
package attractor
