#!/usr/bin/python3
"""PyTorch reference for fracdyn's training benchmarks.

The same three networks as fracdyn/model (cnn, cnn-pool, mlp), PyTorch's
default initialisation, Adam(lr=6e-4), mean cross-entropy, batch 64, on
synthetic normal images with random labels (the cost does not depend on the
values). Prints one JSON object per measurement, in the format of
tools/bench/train/trainbench:

  {"impl": "pytorch-2t", "arch": "cnn", "what": "step"|"epoch"|"probe",
   "images": N, "seconds": wall, "cpu_seconds": process CPU}

Run with fast BLAS: LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread.
For benchmarks only; fracdyn never runs Python.
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CNN(nn.Module):
    def __init__(self, pool):
        super().__init__()
        self.pool = pool
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        side = 7 if pool else 28
        self.fc1 = nn.Linear(64 * side * side, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x.unsqueeze(1)))
        if self.pool:
            x = F.max_pool2d(x, 2)
        x = F.relu(self.conv2(x))
        if self.pool:
            x = F.max_pool2d(x, 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x.flatten(1)))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def build(arch):
    return {"cnn": lambda: CNN(False), "cnn-pool": lambda: CNN(True), "mlp": MLP}[arch]()


def clock():
    return time.perf_counter(), time.process_time()


IMPL = "pytorch"


def emit(arch, what, images, t0, c0):
    t1, c1 = clock()
    print(json.dumps({"impl": IMPL, "arch": arch, "what": what, "images": images,
                      "seconds": t1 - t0, "cpu_seconds": c1 - c0}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="cnn")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10, help="timed single steps")
    p.add_argument("--epoch-images", type=int, default=1024)
    p.add_argument("--probe", type=int, default=256, help="probe batch size")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    global IMPL
    IMPL = "pytorch-%dt" % a.threads
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = build(a.arch)
    opt = torch.optim.Adam(model.parameters(), lr=6e-4)
    g = torch.Generator().manual_seed(1)
    n = max(a.epoch_images, a.batch)
    images = torch.randn(n, 28, 28, generator=g)
    labels = torch.randint(0, 10, (n,), generator=g)

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    x, y = images[:a.batch], labels[:a.batch]
    step(x, y)  # Warm-up.
    for _ in range(a.steps):
        t0, c0 = clock()
        step(x, y)
        emit(a.arch, "step", a.batch, t0, c0)

    t0, c0 = clock()
    for i in range(0, a.epoch_images - a.batch + 1, a.batch):
        step(images[i:i + a.batch], labels[i:i + a.batch])
    emit(a.arch, "epoch", a.epoch_images // a.batch * a.batch, t0, c0)

    px, py = images[:a.probe], labels[:a.probe]
    t0, c0 = clock()
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(px), py).backward()
    emit(a.arch, "probe", a.probe, t0, c0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"impl": IMPL, "arch": a.arch, "what": "rss", "images": 0,
                      "seconds": 0, "cpu_seconds": 0, "peak_rss_mb": rss}), flush=True)


if __name__ == "__main__":
    main()
