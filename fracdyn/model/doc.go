// Package model defines the networks fracdyn trains on MNIST, as GoMLX
// graphs: the paper's CNN (PaperCNN), the same with max-pooling
// (PooledCNN), and a small MLP.
//
// PaperCNN is conv(1→32, 3×3, padding 1, stride 1) → ReLU → conv(32→64,
// 3×3, padding 1, stride 1) → ReLU → flatten → dense(50,176→128) → ReLU →
// dense(128→10). Without pooling the first dense layer sees all
// 64·28·28 = 50,176 activations, so it holds 6.4 M of the network's 6.44 M
// parameters.
//
// Choices, and where they depart from the obvious:
//
//   - Layout follows PyTorch so that weights, snapshots and reference
//     scripts agree: activations are channels-first [B, C, H, W], conv
//     kernels [out, in, kh, kw], dense weights [out, in]; flattening is in
//     (C, H, W) order. Variables live at ctx.In(layer.Name) as "weights" and
//     "biases"; StateName gives the PyTorch state-dict names.
//   - Initialisation is PyTorch's default for nn.Conv2d and nn.Linear:
//     weights and biases U(±1/√fan_in), fan_in = in·kh·kw or in. Values come
//     from the context's RNG; seed it with ctx.SetRNGStateFromSeed.
//   - Convolutions are im2col by default (ParamConv = "im2col"): the nine
//     shifted views of the zero-padded input and a row of ones form patches
//     [B, 9C+1, H·W], contracted in one batched DotGeneral with the kernel
//     and bias laid out as [out, 9C+1] (see Conv3x3 and ConvWeights). It
//     uses only ops whose gradients every GoMLX backend supports, and with
//     fracdyn/backend's GEMM it is the fast path on the pure-Go backend
//     (a PooledCNN training step: 0.1 s of CPU, against 3.5 s with
//     simplego's ConvGeneral).
//     ParamConv = "conv" uses GoMLX's ConvGeneral (the better choice on XLA).
//   - Max-pooling is Reshape + ReduceMax. Its gradient reaches every element
//     tied for a window's maximum, where PyTorch picks one; pooling comes
//     before the ReLU here, so ties need equal pre-activations.
//   - ReLU is Where(x > 0, x, 0), gradient 0 at x = 0 as in PyTorch. In
//     the pooled CNN it runs after the max-pool: ReLU and max commute, so
//     the output and gradient are PyTorch's (ties aside) for a quarter of
//     the work.
//   - Speed (internal/bench, BENCHMARKS.md): one training step (forward,
//     backward, Adam) at batch 64 on the pure-Go backend costs about
//     270 ms of CPU for PaperCNN, 85 ms for PooledCNN and 3 ms for MLP on
//     a 2-core AMD EPYC; most of PaperCNN's is the 6.4 M-weight fc1 and
//     conv2 (≈8 GFLOP per step).
//   - Forward reuses existing variables whatever the context's Reuse
//     setting, so weights set with SetWeights (or loaded from a checkpoint)
//     are the ones used.
package model
