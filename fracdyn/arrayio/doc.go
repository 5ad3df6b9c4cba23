// Package arrayio reads and writes numpy's .npy and .npz files and CSV
// matrices, the formats fracdyn's runs and notebooks exchange arrays in.
//
// .npy: format versions 1.0, 2.0 and 3.0 are read, in C or Fortran order
// (np.save of W.T writes Fortran order; it is read back in C order) and
// either byte order, of every type numpy writes for numbers: bool and
// uint8 are read as uint8; int8, int16, uint16 and int32 as int32; uint32,
// int64 and uint64 as int64 (a uint64 above the int64 range is an error);
// float16 and float32 as float32; float64 as float64. No value changes.
// Object (pickled), complex, string and structured dtypes are rejected
// with an error naming the file and saying what to save instead. A file
// must hold exactly the bytes its shape needs; that is checked against the
// file's real size before anything is allocated. Files are written in format 1.0 (2.0 when the header needs more than
// 65535 bytes) with the header padded to 64 bytes, byte for byte as
// numpy.save writes them.
//
// .npz: a zip archive of NAME.npy entries, stored (numpy.savez) or deflated
// (numpy.savez_compressed). ReadNPZEntry reads one entry without reading the
// others. Array names written must pass ValidName (no path separators, no
// "..", no control characters, at most 255 bytes), so a name never becomes
// a path outside a directory when someone unpacks an archive. Names read
// pass ReadableName, which also accepts "/"-separated keys as Keras and
// Flax write them ("encoder/layer0/kernel") but no empty, "." or ".."
// component. An entry is read into memory that grows with the bytes it
// really yields; its declared size only bounds the read, and a declared
// size beyond DEFLATE's 1032:1 ratio is rejected. WriteNPZ stores entries uncompressed:
// float weights barely compress, and storing is fast.
//
// CSV: one row per line, parsed as float64, the delimiter detected from
// the first two rows (tab, semicolon, comma, or runs of whitespace as
// numpy.savetxt writes by default). A UTF-8 byte order mark (Excel), '#'
// lines (numpy.savetxt headers) and blank lines are skipped; a first row
// with a field that is not a number is a header, skipped and reported in
// CSVInfo; fields may be double-quoted; nan and ±inf are accepted. A first
// column counting the rows (a pandas index) is reported, dropped or kept
// as CSVOptions say. Ragged rows and non-numbers are errors naming the
// file, line and column and quoting the field (cut to 32 bytes).
// WriteCSVMatrix writes the shortest decimal that reads back exactly.
//
// Every writer is atomic (fsutil.WriteFileAtomic): readers never see half a
// file. Fuzz targets (FuzzReadNPY, FuzzReadNPZ, FuzzReadCSV) check that
// whatever parses writes back and parses to the same array; their seed
// corpora in testdata/fuzz run with go test. testdata/gen_numpy.py made the
// reference files with Debian's numpy 1.24.
package arrayio
