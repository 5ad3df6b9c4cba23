#!/usr/bin/python3
"""Writes the numpy reference files read by arrayio's tests.

Run from this directory with Debian's numpy (apt-get install python3-numpy):
    /usr/bin/python3 gen_numpy.py
It also prints the numpy version, which the tests do not depend on.
"""
import numpy as np
from numpy.lib import format as npf

print("numpy", np.__version__)

a = np.arange(6, dtype=np.float32).reshape(2, 3) / 4 - 0.5  # [[-0.5,-0.25,0],[0.25,0.5,0.75]]
np.save("f4_2x3.npy", a)
np.save("f8_3.npy", np.array([1.5, -2.25, 1e300]))
np.save("i4_2x2.npy", np.array([[1, -2], [2147483647, -2147483648]], dtype=np.int32))
np.save("i8_4.npy", np.array([0, -1, 2**40, -(2**62)], dtype=np.int64))
np.save("u1_2x2x2.npy", np.arange(8, dtype=np.uint8).reshape(2, 2, 2) * 30)
np.save("f4_scalar.npy", np.float32(3.5))
np.save("f8_0x3.npy", np.zeros((0, 3)))
with open("f4_v2.npy", "wb") as f:
    npf.write_array(f, a, version=(2, 0))
with open("f4_v3.npy", "wb") as f:
    npf.write_array(f, a, version=(3, 0))
# Rejected inputs.
np.save("fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
np.save("bigendian.npy", np.arange(3, dtype=">f4"))
np.save("object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
np.save("complex.npy", np.array([1 + 2j]))
np.save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))

w = {"conv1.weight": np.arange(12, dtype=np.float32).reshape(2, 1, 2, 3),
     "conv1.bias": np.array([0.5, -0.5], dtype=np.float32),
     "labels": np.array([3, 1, 4], dtype=np.int32)}
np.savez("stored.npz", **w)
np.savez_compressed("deflated.npz", **w)

np.savetxt("matrix.csv", np.array([[1.0, 2.5, -3.0], [4e-3, 5e10, 6.0]]), delimiter=",",
           header="a,b,c")

# Issue 15: every array numpy writes is read. Fortran order (W.T of a
# C-order matrix is Fortran-ordered), either byte order, every int/uint
# width, float16 and bool; npz keys with "/" (Keras, Flax).
W = np.arange(12, dtype=np.float32).reshape(3, 4)  # W[i, j] = 4i + j
np.save("wT.npy", W.T)  # shape (4, 3), fortran_order True
np.save("fortran_3d.npy", np.asfortranarray(np.arange(24, dtype=np.int16).reshape(2, 3, 4)))
np.save("b1.npy", np.array([[True, False, False], [False, True, True]]))
np.save("i1.npy", np.array([-128, -1, 0, 127], dtype=np.int8))
np.save("i2_be.npy", np.array([-32768, 1, 32767], dtype=">i2"))
np.save("u2.npy", np.array([0, 1, 65535], dtype=np.uint16))
np.save("u4_be.npy", np.array([0, 1, 4294967295], dtype=">u4"))
np.save("u8.npy", np.array([0, 2**63 - 1], dtype=np.uint64))
np.save("i8_be.npy", np.array([-(2**62), 5], dtype=">i8"))
np.save("f2.npy", np.array([1.5, -2**-14, 2**-24, 65504, np.inf, np.nan], dtype=np.float16))
np.save("f2_be.npy", np.array([0.5, -3.0], dtype=">f2"))
np.save("f8_be.npy", np.array([[1.5, -2.25], [1e300, 0]], dtype=">f8"))
# Rejected with a clear message.
np.save("u8_big.npy", np.array([1, 2**63], dtype=np.uint64))
np.save("c8.npy", np.array([1 + 2j], dtype=np.complex64))
np.save("unicode.npy", np.array(["ab", "c"]))
np.savez("keras.npz", **{"encoder/layer0/kernel": W, "encoder/layer0/bias": np.array([0.5, -0.5, 1, 2], dtype=np.float32),
                         "mask": np.array([True, False])})

# Issue 15: CSV as numpy, pandas and Excel write it. M is 3×2.
M = np.array([[1.0, 2.5], [-3.0, 4e-3], [5e10, 6.0]])
np.savetxt("savetxt_default.txt", M)  # whitespace, '%.18e'
np.savetxt("savetxt_tab.tsv", M, delimiter="\t")
np.savetxt("savetxt_header.csv", M, delimiter=",", header="a,b", comments="")  # header without '#'
# pandas.DataFrame(M, columns=["a", "b"]).to_csv("pandas_index.csv"): an
# index column with an empty name, then the data (written by hand: the
# format is fixed and pandas is not needed for it).
with open("pandas_index.csv", "w") as f:
    f.write(",a,b\n" + "".join("%d,%r,%r\n" % (i, r[0], r[1]) for i, r in enumerate(M)))
# Excel, European locale: UTF-8 BOM, semicolons, quoted numbers, CRLF.
with open("excel_bom.csv", "wb") as f:
    f.write(b"\xef\xbb\xbf" + b"".join(b'"%r";"%r"\r\n' % (r[0], r[1]) for r in M))
