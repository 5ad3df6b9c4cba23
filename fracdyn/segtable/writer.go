package segtable

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/fracdyn/fracdyn/internal/fsutil"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// PositionColumns are the names of the fixed leading columns, in order.
var PositionColumns = [...]string{"epoch", "layer", "r", "matrix", "neuron", "channel", "row", "col"}

// Row is one segment: its position and its measures, in the order of the
// table's measure columns.
type Row struct {
	Epoch                     int32
	Layer                     string
	R, Matrix                 int32
	Neuron, Channel, Row, Col int32
	Measures                  []float32
}

// Codec names a compression codec.
type Codec string

// The codecs a table can be written with.
const (
	Zstd         Codec = "zstd"
	Snappy       Codec = "snappy"
	Uncompressed Codec = "none"
)

// DefaultRowGroupRows is the default number of rows per row group.
const DefaultRowGroupRows = 1 << 18

// Options configure a Writer; the zero value is valid.
type Options struct {
	Codec        Codec // "" means Zstd
	RowGroupRows int   // rows buffered per row group; ≤ 0 means DefaultRowGroupRows
}

func (o Options) codec() (compress.Codec, error) {
	switch o.Codec {
	case "", Zstd:
		return &zstdFastest, nil
	case Snappy:
		return &parquet.Snappy, nil
	case Uncompressed:
		return &parquet.Uncompressed, nil
	}
	return nil, fmt.Errorf("segtable: unknown codec %q (want zstd, snappy or none)", o.Codec)
}

// zstdFastest is the Zstd codec: zstd's fastest level. On a paper-CNN
// snapshot's table (4.1 M rows) it costs ~0.15 s less CPU than the default
// level (a sixth of the writer's time) for a file 3-4% larger.
var zstdFastest = zstd.Codec{Level: zstd.SpeedFastest}

// Schema returns the Parquet schema of a table with the given measure
// columns: the position columns, then one float32 column per measure.
func Schema(measures []string) (*parquet.Schema, error) {
	seen := map[string]bool{}
	var fields []reflect.StructField
	add := func(name string, typ reflect.Type, tag string) {
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("F%d", len(fields)), Type: typ,
			Tag: reflect.StructTag(fmt.Sprintf(`parquet:%q`, name+tag)),
		})
	}
	i32, str, f32 := reflect.TypeFor[int32](), reflect.TypeFor[string](), reflect.TypeFor[float32]()
	for _, name := range PositionColumns {
		seen[name] = true
		switch name {
		case "layer":
			add(name, str, ",dict")
		default:
			add(name, i32, "")
		}
	}
	for _, m := range measures {
		if m == "" || strings.ContainsAny(m, ",.\"") {
			return nil, fmt.Errorf("segtable: bad measure column name %q", m)
		}
		if seen[m] {
			return nil, fmt.Errorf("segtable: column %q appears twice", m)
		}
		seen[m] = true
		add(m, f32, "")
	}
	model := reflect.New(reflect.StructOf(fields)).Elem().Interface()
	return parquet.SchemaOf(model), nil
}

// Writer streams rows into a Parquet file, one row group per RowGroupRows
// rows. Call Close to write the last row group and the footer.
//
// Rows are buffered column by column in chunks of chunkRows and handed to
// parquet-go's column writers a chunk at a time, as parquet.Values of no
// level: every column is required (definition and repetition levels 0)
// and a ColumnWriter takes only its own column's values, so Value.Level,
// which parquet-go does not inline and whose byte-wise stores stall the
// 24-byte copy after them (~10 ns a value, more than encoding and
// compressing it), is left out. An optional column would need its levels.
type Writer struct {
	pw       *parquet.Writer
	measures []string
	group    int // rows per row group
	inGroup  int // rows of the current row group, the chunk included
	// The buffered chunk, column by column.
	ints   [7][]int32 // epoch, r, matrix, neuron, channel, row, col
	layers []string
	floats [][]float32
	vals   []parquet.Value
	// The bytes of the last layer name written, reused while it repeats.
	layer      string
	layerBytes []byte
}

// chunkRows is the number of rows a Writer buffers before writing them to
// its row group: a column's chunk of Values (24 bytes each) stays in the
// L2 cache, and the buffers stay small whatever RowGroupRows is.
const chunkRows = 4096

// pageBytes bounds a data page before compression; parquet-go ends a page
// at 98% of it. A column of a default row group (262,144 int32 or float32
// values, 1 MiB) is one page, which zstd compresses ~4% smaller than
// parquet-go's default 256 KiB pages. Each column buffer is allocated at
// this size.
const pageBytes = 5 << 18 // 1.25 MiB

// NewWriter returns a Writer of a table with the given measure columns to w.
func NewWriter(w io.Writer, measures []string, opts Options) (*Writer, error) {
	schema, err := Schema(measures)
	if err != nil {
		return nil, err
	}
	codec, err := opts.codec()
	if err != nil {
		return nil, err
	}
	group := opts.RowGroupRows
	if group <= 0 {
		group = DefaultRowGroupRows
	}
	tw := &Writer{
		pw: parquet.NewWriter(w, schema, parquet.Compression(codec), parquet.CreatedBy("fracdyn", "", ""),
			parquet.PageBufferSize(pageBytes)),
		measures: append([]string(nil), measures...),
		group:    group,
		floats:   make([][]float32, len(measures)),
	}
	return tw, nil
}

// Measures returns the names of the measure columns.
func (w *Writer) Measures() []string { return w.measures }

// Write buffers one row, writing a row group when RowGroupRows are buffered.
func (w *Writer) Write(r Row) error {
	if len(r.Measures) != len(w.measures) {
		return fmt.Errorf("segtable: row of layer %q has %d measures, the table has %d (%s)",
			r.Layer, len(r.Measures), len(w.measures), strings.Join(w.measures, ", "))
	}
	for i, v := range [7]int32{r.Epoch, r.R, r.Matrix, r.Neuron, r.Channel, r.Row, r.Col} {
		w.ints[i] = append(w.ints[i], v)
	}
	w.layers = append(w.layers, r.Layer)
	for i, v := range r.Measures {
		w.floats[i] = append(w.floats[i], v)
	}
	w.inGroup++
	if len(w.layers) < chunkRows && w.inGroup < w.group {
		return nil
	}
	if err := w.writeChunk(); err != nil {
		return err
	}
	if w.inGroup >= w.group {
		return w.endGroup()
	}
	return nil
}

// writeChunk writes the buffered rows to the current row group.
func (w *Writer) writeChunk() error {
	n := len(w.layers)
	if n == 0 {
		return nil
	}
	if cap(w.vals) < n {
		w.vals = make([]parquet.Value, n)
	}
	vals := w.vals[:n]
	cols := w.pw.ColumnWriters()
	put := func(c int) error {
		if _, err := cols[c].WriteRowValues(vals); err != nil {
			return fmt.Errorf("segtable: column %d: %w", c, err)
		}
		return nil
	}
	// Column order: epoch, layer, r, matrix, neuron, channel, row, col, measures.
	intCol := [7]int{0, 2, 3, 4, 5, 6, 7}
	for k, c := range intCol {
		for i, v := range w.ints[k] {
			vals[i] = parquet.Int32Value(v)
		}
		if err := put(c); err != nil {
			return err
		}
		w.ints[k] = w.ints[k][:0]
	}
	for i, s := range w.layers {
		if s != w.layer {
			w.layer, w.layerBytes = s, []byte(s)
		}
		vals[i] = parquet.ByteArrayValue(w.layerBytes)
	}
	if err := put(1); err != nil {
		return err
	}
	w.layers = w.layers[:0]
	for k := range w.floats {
		c := len(PositionColumns) + k
		for i, v := range w.floats[k] {
			vals[i] = parquet.FloatValue(v)
		}
		if err := put(c); err != nil {
			return err
		}
		w.floats[k] = w.floats[k][:0]
	}
	return nil
}

// endGroup writes the current row group, if it has rows.
func (w *Writer) endGroup() error {
	if w.inGroup == 0 {
		return nil
	}
	w.inGroup = 0
	if err := w.pw.Flush(); err != nil {
		return fmt.Errorf("segtable: row group: %w", err)
	}
	return nil
}

// Close writes the buffered rows and the file footer. It does not close
// the underlying io.Writer.
func (w *Writer) Close() error {
	if err := w.writeChunk(); err != nil {
		return err
	}
	if err := w.endGroup(); err != nil {
		return err
	}
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("segtable: %w", err)
	}
	return nil
}

// WriteFile writes a table with the given measure columns to path
// atomically: fill writes the rows, and the file replaces path only when
// fill and Close succeed.
func WriteFile(path string, measures []string, opts Options, fill func(*Writer) error) error {
	return fsutil.WriteFileAtomic(path, func(out io.Writer) error {
		w, err := NewWriter(out, measures, opts)
		if err != nil {
			return err
		}
		if err := fill(w); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}
