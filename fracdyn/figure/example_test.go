package figure_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/fracdyn/figure"
	"gonum.org/v1/plot/vg"
)

// Fig. 1 for a 12×20 and a 64×64 matrix: the segment counts it plots
// (Q(r) = ⌈n/r⌉·⌈m/r⌉), then the figure saved as a PNG.
func ExampleSegmentCounts() {
	sizes := [][2]int{{12, 20}, {64, 64}}
	series, err := figure.SegmentCountSeries(sizes)
	if err != nil {
		panic(err)
	}
	for _, s := range series {
		fmt.Println(s.Label(), s.Scales, s.Counts)
	}

	p, err := figure.SegmentCounts(sizes)
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "figure-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "fig1.png")
	p.W, p.H = 4*vg.Inch, 3*vg.Inch
	if err := figure.Save(p, path); err != nil {
		panic(err)
	}
	png, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Title.Text != "", bytes.HasPrefix(png, []byte("\x89PNG")), len(png) > 1000)
	// Output:
	// 12×20 [2 3 4 5 6] [60 28 15 12 8]
	// 64×64 [2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32] [1024 484 256 169 121 100 64 64 49 36 36 25 25 25 16 16 16 16 16 16 9 9 9 9 9 9 9 9 9 9 4]
	// true true true
}
