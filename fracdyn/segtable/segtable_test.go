package segtable

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testRows returns n rows over two layers with measures that include NaN
// and ±Inf, and the measure names.
func testRows(n int) ([]string, []Row) {
	measures := []string{"fd_bc", "r2_bc", "entropy"}
	rows := make([]Row, n)
	for i := range rows {
		layer := "conv1.weight"
		if i >= n/3 {
			layer = "fc1.weight"
		}
		fd := float32(1 + float64(i%97)/97)
		if i%11 == 0 {
			fd = float32(math.NaN())
		}
		r2 := float32(math.Inf(1 - 2*(i%2)))
		if i%5 != 0 {
			r2 = float32(i) * 1e-7
		}
		rows[i] = Row{Epoch: int32(i % 3), Layer: layer, R: int32(2 + i%4), Matrix: int32(i / 50), Neuron: int32(i / 7),
			Channel: int32(i % 7), Row: int32(2 * (i % 13)), Col: int32(3 * (i % 17)), Measures: []float32{fd, r2, float32(i) / 3}}
	}
	return measures, rows
}

// sameRow reports whether a and b are equal, NaN equal to NaN.
func sameRow(a, b Row) bool {
	if a.Epoch != b.Epoch || a.Layer != b.Layer || a.R != b.R || a.Matrix != b.Matrix || a.Neuron != b.Neuron ||
		a.Channel != b.Channel || a.Row != b.Row || a.Col != b.Col || len(a.Measures) != len(b.Measures) {
		return false
	}
	for i, v := range a.Measures {
		w := b.Measures[i]
		if v != w && !(v != v && w != w) {
			return false
		}
	}
	return true
}

func writeTest(t *testing.T, path string, measures []string, rows []Row, opts Options) {
	t.Helper()
	err := WriteFile(path, measures, opts, func(w *Writer) error {
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	measures, rows := testRows(10_000)
	// Row groups of 5,000 rows end in the middle of the writer's second chunk (chunkRows).
	for _, opts := range []Options{{}, {Codec: Snappy, RowGroupRows: 999}, {Codec: Uncompressed, RowGroupRows: 10_000}, {RowGroupRows: 5000}} {
		t.Run(fmt.Sprintf("%s/%d", opts.Codec, opts.RowGroupRows), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "segments.parquet")
			writeTest(t, path, measures, rows, opts)
			gotM, got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(gotM, ",") != strings.Join(measures, ",") {
				t.Fatalf("measures %v, want %v", gotM, measures)
			}
			if len(got) != len(rows) {
				t.Fatalf("%d rows, want %d", len(got), len(rows))
			}
			for i := range rows {
				if !sameRow(got[i], rows[i]) {
					t.Fatalf("row %d: %+v, want %+v", i, got[i], rows[i])
				}
			}
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			group := cmp.Or(opts.RowGroupRows, DefaultRowGroupRows)
			left := len(rows)
			for g, rg := range r.file.RowGroups() {
				if want := min(group, left); rg.NumRows() != int64(want) {
					t.Errorf("row group %d has %d rows, want %d", g, rg.NumRows(), want)
				}
				left -= int(rg.NumRows())
			}
		})
	}
}

func TestRowGroupsBoundMemory(t *testing.T) {
	measures, rows := testRows(2500)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, measures, Options{RowGroupRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		if len(w.layers) >= 1000 {
			t.Fatalf("after row %d the writer buffers %d rows, want < 1000", i, len(w.layers))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "t.parquet")
	os.WriteFile(path, buf.Bytes(), 0o644)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if g := len(r.file.RowGroups()); g != 3 {
		t.Errorf("%d row groups, want 3 (1000, 1000, 500 rows)", g)
	}
	if r.NumRows() != 2500 {
		t.Errorf("%d rows, want 2500", r.NumRows())
	}
}

func TestColumnOrderAndTypes(t *testing.T) {
	s, err := Schema([]string{"fd_bc", "entropy"})
	if err != nil {
		t.Fatal(err)
	}
	var names, kinds []string
	for _, f := range s.Fields() {
		names = append(names, f.Name())
		kinds = append(kinds, f.Type().Kind().String())
	}
	want := "epoch layer r matrix neuron channel row col fd_bc entropy"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("columns %q, want %q", got, want)
	}
	wantK := "INT32 BYTE_ARRAY INT32 INT32 INT32 INT32 INT32 INT32 FLOAT FLOAT"
	if got := strings.Join(kinds, " "); got != wantK {
		t.Errorf("types %q, want %q", got, wantK)
	}
	if lt := s.Fields()[1].Type().LogicalType(); lt == nil || lt.String() != "STRING" {
		t.Errorf("layer's logical type is %v, want STRING", lt)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := Schema([]string{"row"}); err == nil || !strings.Contains(err.Error(), `"row" appears twice`) {
		t.Errorf("a measure named like a position column: err %v", err)
	}
	if _, err := NewWriter(&bytes.Buffer{}, nil, Options{Codec: "lzma"}); err == nil || !strings.Contains(err.Error(), `"lzma"`) {
		t.Errorf("unknown codec: err %v", err)
	}
	w, _ := NewWriter(&bytes.Buffer{}, []string{"fd"}, Options{})
	if err := w.Write(Row{Layer: "fc1", Measures: []float32{1, 2}}); err == nil || !strings.Contains(err.Error(), "2 measures") {
		t.Errorf("row with too many measures: err %v", err)
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "segments.csv")
	os.WriteFile(csv, []byte("epoch,layer\n1,fc1\n"), 0o644)
	if _, err := Open(csv); err == nil || !strings.Contains(err.Error(), "segments.csv: not a Parquet file") {
		t.Errorf("a CSV file: err %v", err)
	}
}

func TestWriteFileKeepsOldOnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "segments.parquet")
	measures, rows := testRows(10)
	writeTest(t, path, measures, rows, Options{})
	err := WriteFile(path, measures, Options{}, func(w *Writer) error {
		w.Write(rows[0])
		return fmt.Errorf("stopped")
	})
	if err == nil {
		t.Fatal("no error from a failed fill")
	}
	if _, got, err := ReadFile(path); err != nil || len(got) != 10 {
		t.Fatalf("old file after a failed write: %d rows, err %v; want the old 10 rows", len(got), err)
	}
}

// nodeReader returns the command that runs testdata/node/read.mjs, or skips.
func nodeReader(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs("testdata/node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "hyparquet")); err != nil {
		t.Skip("the independent Parquet reader is not installed: run fracdyn/segtable/testdata/node/install.sh (needs npm)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	return filepath.Join(dir, "read.mjs")
}

// TestIndependentReader writes a table and reads it with hyparquet, a
// JavaScript Parquet reader sharing no code with parquet-go: the values,
// physical and logical types must be what Go wrote.
func TestIndependentReader(t *testing.T) {
	script := nodeReader(t)
	measures, rows := testRows(3000)
	for _, codec := range []Codec{Zstd, Snappy} {
		t.Run(string(codec), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "segments.parquet")
			writeTest(t, path, measures, rows, Options{Codec: codec, RowGroupRows: 1024})
			out, err := exec.Command("node", script, path).Output()
			if err != nil {
				t.Fatalf("node %s: %v", script, err)
			}
			var got struct {
				Schema []struct {
					Name, Type, Repetition string
					Logical                *string
				}
				Codecs    []string
				RowGroups int `json:"row_groups"`
				Rows      []map[string]any
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			wantCodec := map[Codec]string{Zstd: "ZSTD", Snappy: "SNAPPY"}[codec]
			if len(got.Codecs) != 1 || got.Codecs[0] != wantCodec || got.RowGroups != 3 {
				t.Errorf("codecs %v in %d row groups, want [%s] in 3", got.Codecs, got.RowGroups, wantCodec)
			}
			for _, s := range got.Schema {
				want := "INT32"
				switch {
				case s.Name == "layer":
					want = "BYTE_ARRAY"
					if s.Logical == nil || *s.Logical != "STRING" {
						t.Errorf("layer's logical type %v, want STRING", s.Logical)
					}
				case !strings.Contains(strings.Join(PositionColumns[:], " "), s.Name):
					want = "FLOAT"
				}
				if s.Type != want || s.Repetition != "REQUIRED" {
					t.Errorf("column %s: %s %s, want %s REQUIRED", s.Name, s.Repetition, s.Type, want)
				}
			}
			if len(got.Rows) != len(rows) {
				t.Fatalf("hyparquet read %d rows, want %d", len(got.Rows), len(rows))
			}
			num := func(v any) float64 {
				switch v := v.(type) {
				case float64:
					return v
				case string:
					f, err := strconv.ParseFloat(v, 64)
					if err != nil {
						t.Fatal(err)
					}
					return f
				}
				t.Fatalf("value %v (%T) is not a number", v, v)
				return 0
			}
			for i, row := range got.Rows {
				js := Row{Layer: row["layer"].(string), Measures: make([]float32, len(measures))}
				for k, p := range []*int32{&js.Epoch, nil, &js.R, &js.Matrix, &js.Neuron, &js.Channel, &js.Row, &js.Col} {
					if p != nil {
						*p = int32(num(row[PositionColumns[k]]))
					}
				}
				for k, m := range measures {
					v := num(row[m])
					if float64(float32(v)) != v && !math.IsNaN(v) {
						t.Fatalf("row %d %s = %v is not a float32", i, m, v)
					}
					js.Measures[k] = float32(v)
				}
				if !sameRow(js, rows[i]) {
					t.Fatalf("row %d: hyparquet read %+v, Go wrote %+v", i, js, rows[i])
				}
			}
		})
	}
}
