package segtable_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/segtable"
)

// Write two segments of a layer and read them back.
func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "segtable")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "segments.parquet")
	err := segtable.WriteFile(path, []string{"fd", "entropy"}, segtable.Options{}, func(w *segtable.Writer) error {
		w.Write(segtable.Row{Epoch: 5, Layer: "fc2", R: 2, Neuron: 0, Row: 0, Col: 0, Measures: []float32{1.5, 0.9}})
		return w.Write(segtable.Row{Epoch: 5, Layer: "fc2", R: 2, Neuron: 0, Row: 0, Col: 2, Measures: []float32{1.25, 1.1}})
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	measures, rows, err := segtable.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(measures)
	for _, r := range rows {
		fmt.Println(r.Layer, r.R, r.Row, r.Col, r.Measures)
	}
	// Output:
	// [fd entropy]
	// fc2 2 0 0 [1.5 0.9]
	// fc2 2 0 2 [1.25 1.1]
}
