package figure

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

func TestSegmentCountSeries(t *testing.T) {
	series, err := SegmentCountSeries([][2]int{{3, 3}, {10, 128}, {128, 50176}, {7, 9}})
	if err != nil {
		t.Fatal(err)
	}
	want := []CountSeries{
		{N: 3, M: 3, Scales: []int{2}, Counts: []int{4}}, // four overlapping segments per kernel
		{N: 10, M: 128, Scales: []int{2, 3, 4, 5}, Counts: []int{5 * 64, 4 * 43, 3 * 32, 2 * 26}},
		{N: 7, M: 9, Scales: []int{2, 3}, Counts: []int{4 * 5, 3 * 3}},
	}
	for _, w := range []int{0, 1, 3} {
		got, exp := series[w], want[map[int]int{0: 0, 1: 1, 3: 2}[w]]
		if got.N != exp.N || got.M != exp.M || !equalInts(got.Scales, exp.Scales) || !equalInts(got.Counts, exp.Counts) {
			t.Errorf("series %d = %+v, want %+v", w, got, exp)
		}
	}
	fc1 := series[2]
	if len(fc1.Scales) != 63 || fc1.Counts[0] != 64*25088 || fc1.Counts[62] != 2*784 {
		t.Errorf("fc1: %d scales, Q(2)=%d, Q(64)=%d", len(fc1.Scales), fc1.Counts[0], fc1.Counts[62])
	}
	if _, err := SegmentCountSeries([][2]int{{2, 9}}); err == nil {
		t.Error("2×9: no error")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSegmentCountsFigure checks the plot's structure (scales, one line and
// one point set per size with the plotted data equal to Q(r)) and that it
// renders to PNG and SVG.
func TestSegmentCountsFigure(t *testing.T) {
	p, lines, err := segmentCounts(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Y.Scale.(plot.LogScale); !ok {
		t.Error("y axis is not logarithmic")
	}
	series, _ := SegmentCountSeries(PaperMatrixSizes)
	if len(lines) != len(series) {
		t.Fatalf("%d lines, want %d", len(lines), len(series))
	}
	for i, l := range lines {
		s := series[i]
		if l.XYs.Len() != len(s.Scales) {
			t.Fatalf("line %d: %d points, want %d", i, l.XYs.Len(), len(s.Scales))
		}
		for j := range s.Scales {
			x, y := l.XYs.XY(j)
			if x != float64(s.Scales[j]) || y != float64(s.Counts[j]) {
				t.Errorf("line %s point %d = (%v, %v), want (%d, %d)", s.Label(), j, x, y, s.Scales[j], s.Counts[j])
			}
		}
	}
	if p.Y.Min != 4 || p.Y.Max != 1000*64*25088 {
		t.Errorf("y range [%v, %v], want [4, %d]", p.Y.Min, p.Y.Max, 1000*64*25088)
	}
	dir := t.TempDir()
	for _, name := range []string{"fig1.png", "fig1.svg"} {
		if err := Save(NewPlot(p), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := Encode(&buf, NewPlot(p), "svg"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scale r", "128×50176 (r=2..64)", "3×3 (r=2..2)"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

// TestSegmentOutlines: one outline per segment of eq. (1), the shifted
// ones dashed; bad shapes are errors.
func TestSegmentOutlines(t *testing.T) {
	w := make([]float64, 10*13)
	for i := range w {
		w[i] = float64(i)
	}
	p, lines, err := segmentOutlines(w, 10, 13, 4)
	if err != nil {
		t.Fatal(err)
	}
	boxes, dashed := len(lines), 0
	for _, l := range lines {
		if len(l.Dashes) > 0 {
			dashed++
		}
	}
	// ⌈10/4⌉·⌈13/4⌉ = 3·4 = 12 segments; the last row (origin 6) and last
	// column (origin 9) are shifted: 3 + 4 − 1 = 6.
	if boxes != 12 || dashed != 6 || p.Title.Text != "r = 4: Q = 12 segments" {
		t.Errorf("%d outlines, %d dashed, title %q; want 12, 6", boxes, dashed, p.Title.Text)
	}
	if _, err := SegmentOutlines(w, 10, 12, 2); err == nil {
		t.Error("130 values as 10×12: no error")
	}
	if _, err := SegmentOutlines(w, 10, 13, 11); err == nil {
		t.Error("r = 11 on 10×13: no error")
	}
}

// TestSaveFormats: the extension picks the format, in any case; an
// unknown one is an error naming the path, and writes nothing.
func TestSaveFormats(t *testing.T) {
	fig, err := SegmentCounts([][2]int{{12, 20}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, magic := range map[string]string{"a.png": "\x89PNG", "b.SVG": "<?xml", "c.pdf": "%PDF", "d.eps": "%%!PS" /* sic, gonum/plot v0.15.2 */, "e.jpg": "\xff\xd8"} {
		path := filepath.Join(dir, name)
		if err := Save(fig, path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s starts %q, want %q (%v)", name, b[:min(len(b), 8)], magic, err)
		}
	}
	bad := filepath.Join(dir, "f.bmp")
	if err := Save(fig, bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("unknown format: err %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("unknown format left a file: %v", err)
	}
	if err := Save(NewGrid(nil), filepath.Join(dir, "g.png")); err == nil {
		t.Error("empty grid: no error")
	}
}
