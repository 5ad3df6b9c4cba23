"""Reference for fracdyn/boundary: the same batched gradient-descent update
of a grid of one-hidden-layer mean-field tanh networks, vectorised over the
grid with numpy (float32), timed in network-steps per second.

The layout is fracdyn's: x [N, d] shared, w0 [d, B, w] so that the input
layer of all B networks is one product x @ w0.reshape(d, B*w), w1 [B, w],
one learning rate per layer and network. Used by run.sh only; fracdyn never
runs Python.

usage: boundary_numpy.py RESOLUTION STEPS [CHUNK]
"""
import math
import sys
import time

import numpy as np


def train(res, steps, chunk=4096, width=16, window=(1.5, 3.5, 1.8, 2.4), seed=1):
    rng = np.random.default_rng(seed)
    d = w = width
    n = w * w + w  # as many points as parameters
    w0_init = rng.standard_normal((d, w)).astype(np.float32)
    w1_init = rng.standard_normal(w).astype(np.float32)
    x = rng.standard_normal((n, d)).astype(np.float32)
    y = rng.standard_normal(n).astype(np.float32)
    xs = x * np.float32(math.sqrt(2) / math.sqrt(d))
    gx, gy = np.meshgrid(np.linspace(window[0], window[1], res), np.linspace(window[2], window[3], res))
    lr0_all = (10.0 ** gx.ravel()).astype(np.float32)
    lr1_all = (10.0 ** gy.ravel()).astype(np.float32)
    total = res * res
    losses = np.empty((steps, total), np.float32)
    for lo in range(0, total, chunk):
        hi = min(total, lo + chunk)
        b = hi - lo
        lr0, lr1 = lr0_all[lo:hi], lr1_all[lo:hi]
        w0 = np.repeat(w0_init[:, None, :], b, axis=1)
        w1 = np.repeat(w1_init[None, :], b, axis=0)
        for t in range(steps):
            a = (xs @ w0.reshape(d, b * w)).reshape(n, b, w)
            h = np.tanh(a)
            out = (h * (w1 / np.float32(w))[None]).sum(-1)
            e = out - y[:, None]
            losses[t, lo:hi] = (e * e).mean(0)
            dout = e * np.float32(2 / n)
            g1 = (h * dout[:, :, None]).sum(0) / np.float32(w)
            dz = dout[:, :, None] * (w1 * np.float32(math.sqrt(2) / w))[None] * (1 - h * h)
            g0 = (x.T @ dz.reshape(n, b * w)).reshape(d, b, w) * np.float32(1 / math.sqrt(d))
            w0 -= g0 * lr0[None, :, None]
            w1 -= g1 * lr1[:, None]
    return losses


def main():
    res, steps = int(sys.argv[1]), int(sys.argv[2])
    chunk = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        losses = train(res, steps, chunk)
    sec = time.perf_counter() - start
    print(f"numpy {np.__version__}: {res}x{res} grid, {steps} steps, {res*res*steps} network-steps in {sec:.2f} s"
          f" = {res*res*steps/sec:.4g} network-steps/s")


if __name__ == "__main__":
    main()
