#!/usr/bin/python3
"""Writes the seed corpus of FuzzReadIDX to testdata/fuzz/FuzzReadIDX.

Run from the mnist directory: /usr/bin/python3 testdata/gen_fuzz_seeds.py
"""
import gzip, os, struct

def go_quote(b):
    out = []
    for c in b:
        if 0x20 <= c < 0x7f and c not in (0x22, 0x5c):
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'

def write(name, data):
    d = os.path.join("testdata", "fuzz", "FuzzReadIDX")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write("go test fuzz v1\n[]byte(%s)\n" % go_quote(data))

images = struct.pack(">IIII", 0x803, 2, 3, 2) + bytes(range(0, 240, 20))
labels = struct.pack(">II", 0x801, 4) + bytes([7, 2, 1, 0])
write("images_raw", images)
write("images_gz", gzip.compress(images, mtime=0))
write("labels_raw", labels)
write("labels_gz", gzip.compress(labels, mtime=0))
write("empty_set", struct.pack(">IIII", 0x803, 0, 28, 28))
write("truncated", images[:-3])
write("huge_header", struct.pack(">IIII", 0x803, 1 << 31, 28, 28))
write("wrong_magic", struct.pack(">II", 0x802, 1) + b"\x00")
