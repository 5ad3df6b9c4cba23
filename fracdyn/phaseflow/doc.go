// Package phaseflow turns training logs into the paper's phase-flow
// coordinates (arXiv 2407.09585, Fig 3): a segment's gradient ∂L/∂W_seg
// against the loss L, and dL/dt against d²L/dt².
//
// # Derivatives
//
// Time t is the training step (or the epoch, for per-epoch curves). At an
// interior sample i with spacings h₁ = t_i − t_{i−1} and h₂ = t_{i+1} − t_i
// the three-point formulas exact for quadratics are
//
//	dL/dt   ≈ −h₂/(h₁(h₁+h₂))·L_{i−1} + (h₂−h₁)/(h₁h₂)·L_i + h₁/(h₂(h₁+h₂))·L_{i+1}
//	d²L/dt² ≈ 2·( L_{i−1}/(h₁(h₁+h₂)) − L_i/(h₁h₂) + L_{i+1}/(h₂(h₁+h₂)) )
//
// (the central differences when h₁ = h₂). The first and last samples have
// no central difference and are dropped, so Differentiate returns n − 2
// points. Times must increase strictly; gaps (a resumed run, skipped steps)
// are handled by the non-uniform weights.
//
// # Smoothing
//
// Off by default. Per-step losses are minibatch estimates, so their
// differences are dominated by sampling noise, which d²L/dt² amplifies
// (its variance grows as 6σ²/h⁴). The paper does not say whether it
// smooths. With Smooth = w > 1 the loss is first replaced by its centred
// moving average over w samples (w rounded up to odd; the window shrinks
// symmetrically at the ends so no sample is invented). Per-epoch curves
// (EpochMeans) are the other way to see the slow flow.
//
// # Flow direction
//
// Arrows in the figures join the means of consecutive chunks of the
// trajectory (ChunkMeans), not consecutive steps: step-to-step motion is
// noise, the drift of chunk means is the flow.
package phaseflow
