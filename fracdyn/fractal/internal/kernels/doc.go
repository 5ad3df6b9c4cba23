// Package kernels holds the fast kernels behind fracdyn/fractal's fused
// layer analysis: the band kernels (Bands.FusedBands, the segments of a band
// at a given threshold; Bands.OnePass, one read of the matrix with the
// threshold resolved from a sampled bracket; Bands.Band2Band for r = 2),
// the exact mask threshold of a layer without a copy
// (ThresholdAbs32: a sampled bracket of the wanted ranks and an MSD radix
// selection on float32 bit patterns), the branch-free logarithms (LnPos,
// Xlogx32), packed row masks (MaskRow, MaskRow2, ResolveRows), row sums of
// |w| and |w|·ln|w| (XlnxRow, QuadSums), segment entropies from those sums
// (EntropyRow) and the whole r = 2 band (Band2AVX2, Band2Go).
//
// On amd64 with AVX2, FMA and BMI1 (HasAVX2) the row kernels run in
// assembly (xlnx_amd64.s, bracket_amd64.s; ResolveRows with BMI2's PDEP);
// each has a pure-Go twin that other CPUs and the purego build tag use, and
// the tests here hold every assembly routine to its twin. fracdyn/fractal
// keeps the readable float64 estimators and tests these kernels against
// them (its kernels_test.go), as gonum keeps internal/asm behind its
// reference code. The accuracy of each kernel is in fracdyn/fractal's
// documentation.
package kernels
