package segtable

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// Reader streams the rows of a per-segment table file.
type Reader struct {
	path     string
	f        *os.File
	file     *parquet.File
	rows     *parquet.Reader
	measures []string
	pos      [len(PositionColumns)]int // column index of each position column
	meas     []int                     // column index of each measure
	buf      []parquet.Row
}

// Open opens the per-segment table at path. Its position columns must all
// be present with their types; every other column must be float32 and is a
// measure, in file order.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a Parquet file: %w", path, err)
	}
	r := &Reader{path: path, f: f, file: pf}
	if err := r.bind(pf.Schema()); err != nil {
		f.Close()
		return nil, err
	}
	r.rows = parquet.NewReader(pf)
	return r, nil
}

// bind finds the columns of the schema.
func (r *Reader) bind(s *parquet.Schema) error {
	isPos := map[string]int{}
	for i, name := range PositionColumns {
		isPos[name] = i
		r.pos[i] = -1
	}
	for i, path := range s.Columns() {
		if len(path) != 1 {
			return fmt.Errorf("%s: nested column %v is not part of a per-segment table", r.path, path)
		}
		name := path[0]
		leaf, _ := s.Lookup(name)
		kind := leaf.Node.Type().Kind()
		if k, ok := isPos[name]; ok {
			want := parquet.Int32
			if name == "layer" {
				want = parquet.ByteArray
			}
			if kind != want {
				return fmt.Errorf("%s: column %q is %v, want %v", r.path, name, kind, want)
			}
			r.pos[k] = i
			continue
		}
		if kind != parquet.Float {
			return fmt.Errorf("%s: measure column %q is %v, want FLOAT (float32)", r.path, name, kind)
		}
		r.measures = append(r.measures, name)
		r.meas = append(r.meas, i)
	}
	for k, c := range r.pos {
		if c < 0 {
			return fmt.Errorf("%s: no %q column; not a per-segment table", r.path, PositionColumns[k])
		}
	}
	return nil
}

// Measures returns the names of the measure columns.
func (r *Reader) Measures() []string { return r.measures }

// NumRows returns the number of rows of the table.
func (r *Reader) NumRows() int64 { return r.file.NumRows() }

// Next reads up to len(dst) rows into dst and returns how many; at the end
// of the table it returns 0 and io.EOF.
func (r *Reader) Next(dst []Row) (int, error) {
	if cap(r.buf) < len(dst) {
		r.buf = make([]parquet.Row, len(dst))
	}
	buf := r.buf[:len(dst)]
	n, err := r.rows.ReadRows(buf)
	meas := make([]float32, n*len(r.meas))
	for i, row := range buf[:n] {
		var ints [len(PositionColumns)]int32
		for k, c := range r.pos {
			if k != 1 {
				ints[k] = row[c].Int32()
			}
		}
		m := meas[i*len(r.meas) : (i+1)*len(r.meas) : (i+1)*len(r.meas)]
		for k, c := range r.meas {
			m[k] = row[c].Float()
		}
		dst[i] = Row{Epoch: ints[0], Layer: string(row[r.pos[1]].ByteArray()), R: ints[2], Matrix: ints[3],
			Neuron: ints[4], Channel: ints[5], Row: ints[6], Col: ints[7], Measures: m}
	}
	if errors.Is(err, io.EOF) {
		if n > 0 {
			return n, nil
		}
		return 0, io.EOF
	}
	if err != nil {
		return n, fmt.Errorf("%s: %w", r.path, err)
	}
	return n, nil
}

// Close closes the file.
func (r *Reader) Close() error {
	r.rows.Close()
	return r.f.Close()
}

// ReadFile reads the whole table at path: its measure column names and rows.
func ReadFile(path string) (measures []string, rows []Row, err error) {
	r, err := Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	rows = make([]Row, 0, r.NumRows())
	buf := make([]Row, 4096)
	for {
		n, err := r.Next(buf)
		rows = append(rows, buf[:n]...)
		if err == io.EOF {
			return r.measures, rows, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
}
