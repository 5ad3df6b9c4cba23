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

def write(target, name, data, entry=None):
    d = os.path.join("testdata", "fuzz", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write("go test fuzz v1\n[]byte(%s)\n" % go_quote(data))
        if entry is not None:  # FuzzReadNPZ's second argument
            f.write("string(%s)\n" % go_quote(entry.encode()))

for p in sorted(glob.glob("testdata/*.npy")):
    write("FuzzReadNPY", os.path.basename(p), open(p, "rb").read())
for p in sorted(glob.glob("testdata/*.npz")):
    write("FuzzReadNPZ", os.path.basename(p), open(p, "rb").read(), "")
# An .npy payload wrapped by the target as one stored entry, with names
# good and hostile.
npy = open("testdata/f4_2x3.npy", "rb").read()
write("FuzzReadNPZ", "entry_conv1.weight", npy, "conv1.weight")
write("FuzzReadNPZ", "entry_dotdot", npy, "../evil")
write("FuzzReadNPZ", "entry_u1", open("testdata/u1_2x2x2.npy", "rb").read(), "x")
write("FuzzReadCSV", "matrix.csv", open("testdata/matrix.csv", "rb").read())
write("FuzzReadCSV", "specials", b" 1 , nan\r\n-inf,1e400\n")
write("FuzzReadCSV", "ragged", b"1,2,3\n4,5\n")
write("FuzzReadCSV", "comment_only", b"# x\n\n")
# Issue 15: the delimiters, header, quotes, BOM and index column.
for p in ["savetxt_default.txt", "savetxt_tab.tsv", "savetxt_header.csv", "pandas_index.csv", "excel_bom.csv"]:
    write("FuzzReadCSV", p, open("testdata/" + p, "rb").read())
write("FuzzReadCSV", "quoted_comma", b'"1,5";2\n"3";"4"\n')
write("FuzzReadCSV", "pandas_int_header", b",0,1\n0,1.5,2\n1,3,4\n")
