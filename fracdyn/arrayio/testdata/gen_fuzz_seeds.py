#!/usr/bin/python3
"""Writes the seed corpora of arrayio's fuzz targets to testdata/fuzz.

Run from the arrayio directory after gen_numpy.py:
    /usr/bin/python3 testdata/gen_fuzz_seeds.py
Seeds are the numpy reference files plus a few hand-made edge cases.
"""
import glob, os

def go_quote(b):
    out = []
    for c in b:
        if 0x20 <= c < 0x7f and c not in (0x22, 0x5c):
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'

def write(target, name, data):
    d = os.path.join("testdata", "fuzz", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write("go test fuzz v1\n[]byte(%s)\n" % go_quote(data))

for p in sorted(glob.glob("testdata/*.npy")):
    write("FuzzReadNPY", os.path.basename(p), open(p, "rb").read())
for p in sorted(glob.glob("testdata/*.npz")):
    write("FuzzReadNPZ", os.path.basename(p), open(p, "rb").read())
write("FuzzReadCSV", "matrix.csv", open("testdata/matrix.csv", "rb").read())
write("FuzzReadCSV", "specials", b" 1 , nan\r\n-inf,1e400\n")
write("FuzzReadCSV", "ragged", b"1,2,3\n4,5\n")
write("FuzzReadCSV", "comment_only", b"# x\n\n")
