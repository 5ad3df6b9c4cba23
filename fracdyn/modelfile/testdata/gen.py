#!/usr/bin/python3
"""Writes the modelfile test files from Debian's PyTorch and numpy.

    /usr/bin/python3 gen.py   # run in this directory

torch.safetensors: the state dict of a small torch model (conv, conv1d,
embedding, norm, dense) plus F16/BF16/F64/I64 tensors, written in the
safetensors format by hand (the safetensors package is not in Debian):
u64 little-endian header length, JSON header, raw little-endian data.
numpy.npz: numpy.savez of arrays of several dtypes.
torch.onnx: torch.onnx.export of a small conv + linear net whose extra
weight "w" [6,3] is the right operand of a MatMul (stored [in,out]).
expected.json: per tensor dtype, shape, sum (float64) and the first values
(as float32 after conversion), for the Go tests.
"""
import json
import struct

import numpy as np
import torch

torch.manual_seed(0)


class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(16, 8)
        self.conv1d = torch.nn.Conv1d(8, 6, 3)
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.fc = torch.nn.Linear(12, 5)


state = {k: v.detach().clone() for k, v in Small().state_dict().items()}
state["half.weight"] = torch.randn(6, 4).to(torch.float16)
state["bf16.weight"] = torch.randn(6, 4).to(torch.bfloat16)
state["double.weight"] = torch.randn(5, 4, dtype=torch.float64)
state["position_ids"] = torch.arange(7, dtype=torch.int64)

ST_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
             torch.uint8: "U8", torch.bool: "BOOL"}


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        b = raw_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    hj = json.dumps(header).encode()
    hj += b" " * (-len(hj) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


write_safetensors("torch.safetensors", state, {"format": "pt", "source": "gen.py"})

rng = np.random.default_rng(0)
arrays = {
    "conv1.weight": rng.standard_normal((4, 2, 3, 3)).astype(np.float32),
    "conv1.bias": rng.standard_normal(4).astype(np.float32),
    "fc.weight": rng.standard_normal((5, 8)),  # float64
    "labels": np.arange(6, dtype=np.int32),
}
np.savez("numpy.npz", **arrays)

expected = {}
for name, t in state.items():
    f = t.to(torch.float64)
    expected[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                      "sum": float(f.sum()), "first": [float(v) for v in t.to(torch.float32).flatten()[:4]]}
for name, a in arrays.items():
    expected["npz:" + name] = {"dtype": str(a.dtype), "shape": list(a.shape),
                               "sum": float(a.astype(np.float64).sum()),
                               "first": [float(np.float32(v)) for v in a.flatten()[:4]]}


class OnnxNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4 * 5 * 5, 6)
        self.w = torch.nn.Parameter(torch.randn(6, 3))

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1)) @ self.w


torch.manual_seed(1)
onet = OnnxNet().eval()
torch.onnx.export(onet, torch.randn(1, 2, 5, 5), "torch.onnx", input_names=["x"], output_names=["y"])
for name, t in onet.state_dict().items():
    expected["onnx:" + name] = {"dtype": "F32", "shape": list(t.shape), "sum": float(t.double().sum()),
                                "first": [float(v) for v in t.flatten()[:4]]}

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
