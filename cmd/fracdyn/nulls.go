package main

import (
	"fmt"

	"github.com/fracdyn/fracdyn/fracdyn/null"
)

// nullDrawsFlag registers --null-draws on fs.
func nullDrawsFlag(fs *flagSet) *int {
	return fs.Int("null-draws", null.DefaultDraws, fmt.Sprintf("draws per null model (element permutation, row/column permutation, Gaussian) "+
		"of each per-layer measure, for its _null_mean, _null_sd, _z, _p columns and verdict; a layer above %d weights "+
		"is tested on a leading block (null_elements), a layer's segments at a scale r beyond %d/r² on a seeded uniform random sample of them (null_segments); 0: no nulls",
		null.SmallTensor, null.MaxSegmentElements))
}

// nullDrawsOption turns the flag into the options' NullDraws (negative:
// none).
func nullDrawsOption(n int) (int, error) {
	switch {
	case n < 0:
		return 0, usageErrorf("--null-draws %d: want 0 (no nulls) or more", n)
	case n == 0:
		return -1, nil
	case n == 1:
		return 0, usageErrorf("--null-draws 1: a null's spread needs at least 2 draws")
	}
	return n, nil
}
