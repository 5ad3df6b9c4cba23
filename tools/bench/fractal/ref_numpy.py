#!/usr/bin/python3
"""Straightforward numpy reference of fracdyn's per-segment analysis.

For an n×m float32 matrix and a scale r that divides n and m (the benchmark
uses 4096×4096 and r = 2, 4, 8, 16), it computes what
fractal.LayerSegments computes with its defaults:

  * tau = the median of |w| over the matrix (numpy.quantile, linear);
  * each r×r segment's mask (|w| >= tau and w != 0), box counts N(s) at
    s = 1, 2, 4, ..., r, and the least-squares slope of ln N(s) against
    ln(1/s) with its R² (empty segments: 0, 0);
  * each segment's Shannon entropy in nats of p = |w|/sum|w| (0 if all zero).

It prints one JSON line per scale with the best wall and CPU (process) time
of --repeat runs (numpy runs on one thread), and with --check it
writes the results of a small matrix for the Go test to compare against.
Benchmark reference only; fracdyn never runs Python.
"""
import argparse
import json
import time

import numpy as np


def sizes_for(r):
    s, out = 1, []
    while s < r:
        out.append(s)
        s *= 2
    out.append(r)
    return out


def analyse(w, r):
    n, m = w.shape
    a = np.abs(w)
    tau = np.quantile(a, 0.5)
    # Segments as a view [n/r, m/r, r, r].
    seg = a.reshape(n // r, r, m // r, r).transpose(0, 2, 1, 3)
    mask = (seg >= tau) & (seg > 0)
    # Entropy: ln S - sum(a ln a)/S.
    s = seg.sum(axis=(2, 3), dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        alna = np.where(seg > 0, seg * np.log(seg), 0).sum(axis=(2, 3), dtype=np.float64)
        h = np.where(s > 0, np.log(s) - alna / s, 0.0)
    h = np.maximum(h, 0)
    # Box counts by an OR pyramid over power-of-two sizes, then r.
    sizes = sizes_for(r)
    counts = [mask.sum(axis=(2, 3))]
    cur = mask
    for _ in sizes[1:-1]:
        q0, q1, k, _ = cur.shape
        cur = cur.reshape(q0, q1, k // 2, 2, k // 2, 2).any(axis=(3, 5))
        counts.append(cur.sum(axis=(2, 3)))
    counts.append(mask.any(axis=(2, 3)).astype(np.int64))
    y = np.log(np.maximum(np.stack(counts, axis=-1), 1).astype(np.float64))
    x = -np.log(np.array(sizes, dtype=np.float64))
    xc = x - x.mean()
    sxx = (xc * xc).sum()
    slope = (y * xc).sum(axis=-1) / sxx
    yc = y - y.mean(axis=-1, keepdims=True)
    syy = (yc * yc).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(syy > 0, 1 - (syy - slope * (y * xc).sum(axis=-1)) / syy, 1.0)
    r2 = np.clip(r2, 0, 1)
    empty = counts[0] == 0
    fd = np.where(empty, 0.0, slope)
    r2 = np.where(empty, 0.0, r2)
    return tau, fd.reshape(-1), r2.reshape(-1), h.reshape(-1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--side", type=int, default=4096)
    p.add_argument("--scales", default="2,4,8,16")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--check", help="write matrix and results for r=2,4,8 of a 64×96 matrix to this .npz")
    args = p.parse_args()
    rng = np.random.default_rng(42)
    if args.check:
        w = (rng.standard_normal((64, 96)) * 0.02).astype(np.float32)
        w[::7, ::5] = 0
        out = {"w": w}
        for r in (2, 4, 8):
            tau, fd, r2, h = analyse(w, r)
            out[f"tau{r}"] = np.array([tau])
            out[f"fd{r}"], out[f"r2_{r}"], out[f"h{r}"] = fd, r2, h
        np.savez(args.check, **out)
        return
    w = (rng.standard_normal((args.side, args.side), dtype=np.float32) * 0.02).astype(np.float32)
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        np.abs(w).sum(dtype=np.float32)
    bw = (time.perf_counter() - t0) / args.repeat
    print(json.dumps({"impl": "numpy", "op": "abs-sum pass", "side": args.side, "seconds": bw}))
    for r in [int(v) for v in args.scales.split(",")]:
        best, best_cpu = float("inf"), float("inf")
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            analyse(w, r)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        print(json.dumps({"impl": "numpy", "r": r, "side": args.side, "seconds": best,
                          "cpu_seconds": best_cpu, "mweights_per_s": w.size / best / 1e6,
                          "numpy": np.__version__}))


if __name__ == "__main__":
    main()
