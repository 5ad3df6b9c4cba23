package arrayio

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fracdyn/fracdyn/fracdyn/fsutil"
)

// ReadCSVMatrix reads a matrix of numbers separated by commas, one row per
// line, as float64 [rows, cols]. Lines starting with '#' (numpy.savetxt's
// header) and blank lines are skipped; fields may carry surrounding spaces;
// "nan", "inf" and "-inf" are accepted. A row with another number of
// fields than the first, or a field that is not a number, is an error
// naming the line and column.
func ReadCSVMatrix(path string) (*Array, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("arrayio: %w", err)
	}
	a, err := parseCSV(data)
	if err != nil {
		return nil, fmt.Errorf("arrayio: %s: %w", path, err)
	}
	return a, nil
}

func parseCSV(data []byte) (*Array, error) {
	var vals []float64
	cols, rows := -1, 0
	for lineNo := 1; len(data) > 0; lineNo++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		n := 0
		for field := range bytes.SplitSeq(line, []byte{','}) {
			n++
			f := strings.TrimSpace(string(field))
			v, err := strconv.ParseFloat(f, 64)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
					return nil, fmt.Errorf("line %d, column %d: %q is not a number", lineNo, n, f)
				}
			}
			vals = append(vals, v)
		}
		if cols < 0 {
			cols = n
		} else if n != cols {
			return nil, fmt.Errorf("line %d: %d columns, earlier rows have %d", lineNo, n, cols)
		}
		rows++
	}
	if rows == 0 {
		return nil, fmt.Errorf("no rows")
	}
	return &Array{DType: Float64, Shape: []int{rows, cols}, Data: vals}, nil
}

// WriteCSVMatrix writes a 2-D array as comma-separated rows with the
// shortest decimal form of each value that reads back exactly; atomic.
func WriteCSVMatrix(path string, a *Array) error {
	if err := a.Validate(); err != nil || len(a.Shape) != 2 {
		return fmt.Errorf("arrayio: writing %s: need a valid 2-D array, have shape %v (%v)", path, a.Shape, err)
	}
	return fsutil.WriteFileAtomic(path, func(w io.Writer) error { return encodeCSV(w, a) })
}

func encodeCSV(w io.Writer, a *Array) error {
	bw := bufio.NewWriter(w)
	v := a.Float64s()
	rows, cols := a.Shape[0], a.Shape[1]
	buf := make([]byte, 0, 32)
	for r := range rows {
		for c := range cols {
			if c > 0 {
				bw.WriteByte(',')
			}
			x := v[r*cols+c]
			switch {
			case math.IsNaN(x):
				bw.WriteString("nan")
			case math.IsInf(x, 1):
				bw.WriteString("inf")
			case math.IsInf(x, -1):
				bw.WriteString("-inf")
			default:
				buf = strconv.AppendFloat(buf[:0], x, 'g', -1, 64)
				bw.Write(buf)
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ReadMatrix reads a 2-D array from a .npy file or a .csv file, chosen by
// the extension.
func ReadMatrix(path string) (*Array, error) {
	var a *Array
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".npy":
		a, err = ReadNPY(path)
	case ".csv":
		a, err = ReadCSVMatrix(path)
	default:
		return nil, fmt.Errorf("arrayio: %s: unknown matrix format %q (want .npy or .csv)", path, ext)
	}
	if err != nil {
		return nil, err
	}
	if len(a.Shape) != 2 {
		return nil, fmt.Errorf("arrayio: %s: shape %v is not a matrix", path, a.Shape)
	}
	return a, nil
}
