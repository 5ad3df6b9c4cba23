// Package segtable writes and reads per-segment tables as Parquet.
//
// A per-segment table has one row per r×r segment of a layer's weight
// matrices: where the segment is, then its measures. The position columns
// are fixed, in this order:
//
//	epoch    int32   snapshot epoch (−1: not a snapshot of a run)
//	layer    string  layer (tensor) name, dictionary-encoded
//	r        int32   segment side
//	matrix   int32   2-D matrix of the layer (a conv kernel's (neuron, channel) pair; 0 for dense)
//	neuron   int32   output unit
//	channel  int32   input channel (0 for dense)
//	row, col int32   the segment's top-left weight within its matrix
//
// followed by the caller's float32 measure columns (FD and R² per
// estimator, entropy H, α norms, gradient norm, ...). Every column is
// required (no nulls; an undefined measure is NaN) and uses only plain
// Parquet physical types (INT32, FLOAT, BYTE_ARRAY with the STRING logical
// type), which Arrow maps to int32, float32 and string (pandas: int32,
// float32, object), so pandas, polars, DuckDB and Arrow read the files.
//
// Rows are streamed: the Writer hands them to parquet-go's column writers
// in chunks of a few thousand and ends a row group every RowGroupRows
// rows, so memory stays bounded for millions of rows.
// Columns are compressed with zstd (its fastest level) by default (see
// BENCHMARKS.md for zstd against snappy). WriteFile writes a file
// atomically (internal/fsutil): a failed write leaves the old file in
// place.
//
// Read streams a file back, row group by row group.
package segtable
