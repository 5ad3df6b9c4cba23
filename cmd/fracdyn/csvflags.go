package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/arrayio"
)

// noteOut receives the notes of the CSV reader (standard error); tests
// replace it.
var noteOut io.Writer = os.Stderr

// csvFlags are the flags of the commands that read a matrix from CSV (fd,
// attractor). By default a first column counting the rows 0, 1, 2, … (a
// pandas index) is kept as data with a warning; --index-col drops the
// first column, --no-index-col keeps it without the warning.
type csvFlags struct {
	drop, keep *bool
}

func addCSVFlags(fs *flagSet) *csvFlags {
	return &csvFlags{
		drop: fs.Bool("index-col", false, "CSV input: the first column is a row index (as pandas' to_csv writes it); drop it"),
		keep: fs.Bool("no-index-col", false, "CSV input: the first column is data even when it counts the rows 0, 1, 2, …; keep it without a warning"),
	}
}

// options returns the reader options the flags ask for.
func (c *csvFlags) options() (arrayio.CSVOptions, error) {
	switch {
	case *c.drop && *c.keep:
		return arrayio.CSVOptions{}, usageErrorf("--index-col and --no-index-col contradict each other")
	case *c.drop:
		return arrayio.CSVOptions{Index: arrayio.IndexDrop}, nil
	case *c.keep:
		return arrayio.CSVOptions{Index: arrayio.IndexKeep}, nil
	}
	return arrayio.CSVOptions{Index: arrayio.IndexReport}, nil
}

// read reads the matrix at path (.npy, or CSV text: .csv, .tsv, .txt) and
// prints what the CSV reader decided (a header skipped, an index column
// kept or dropped) to noteOut. any1D also accepts a 1-D or 0-D .npy array.
func (c *csvFlags) read(path string, anyShape bool) (*arrayio.Array, error) {
	opts, err := c.options()
	if err != nil {
		return nil, err
	}
	if anyShape && strings.EqualFold(filepath.Ext(path), ".npy") {
		return arrayio.ReadNPY(path)
	}
	a, info, err := arrayio.ReadMatrixWith(path, opts)
	if err != nil {
		return nil, err
	}
	for _, n := range info.Notes(path) {
		fmt.Fprintf(noteOut, "note: %s\n", n)
	}
	return a, nil
}
