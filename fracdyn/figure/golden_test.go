package figure

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/fracdyn/fracdyn/fracdyn/attractor"
	"github.com/fracdyn/fracdyn/fracdyn/segraph"
)

// update rewrites the golden images: go test ./fracdyn/figure -run Golden -update
var update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")

// Tolerances of the golden comparison: a pixel differs when one of its
// channels differs by more than pixelTolerance (of 255), and an image
// matches when at most maxDiffering of its pixels differ. Font rasterising
// and anti-aliasing may shift a few edge pixels between platforms; a moved
// line, a new colour map or a missing panel changes far more.
const (
	pixelTolerance = 24
	maxDiffering   = 0.005
)

// TestGolden renders every paper figure from a small deterministic input
// and compares it with testdata/golden/NAME.png.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		fig  func(t *testing.T) Figure
	}{
		{"fig1-segments", func(t *testing.T) Figure { return must(t)(SegmentCounts(nil)) }},
		{"fig2-features", goldenFeatures},
		{"fig2-kernels", goldenKernels},
		{"fig3-grad-loss", func(t *testing.T) Figure {
			loss, grad, epoch, _ := syntheticTraining()
			return must(t)(PhaseFlowGradLoss(loss, grad, epoch, PhaseFlowOptions{}))
		}},
		{"fig3-loss-derivatives", goldenDerivatives},
		{"attractors", goldenAttractors},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, tc.fig(t), "png"); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.name+".png")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if err := sameImage(buf.Bytes(), want); err != nil {
				out := filepath.Join(t.TempDir(), tc.name+".png")
				os.WriteFile(out, buf.Bytes(), 0o644)
				t.Errorf("%s: %v (got %s)", path, err, out)
			}
		})
	}
}

// sameImage compares two PNGs with the golden tolerances.
func sameImage(got, want []byte) error {
	a, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return fmt.Errorf("decoding the rendered image: %w", err)
	}
	b, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return fmt.Errorf("decoding the golden image: %w", err)
	}
	if a.Bounds() != b.Bounds() {
		return fmt.Errorf("size %v, golden %v", a.Bounds().Size(), b.Bounds().Size())
	}
	differ, n := differingPixels(a, b, pixelTolerance)
	if float64(differ) > maxDiffering*float64(n) {
		return fmt.Errorf("%d of %d pixels differ by more than %d (limit %.1f%%)", differ, n, pixelTolerance, 100*maxDiffering)
	}
	return nil
}

// differingPixels counts the pixels of a and b (same bounds) where a
// channel differs by more than tol of 255, and returns it with the number
// of pixels.
func differingPixels(a, b image.Image, tol int) (differ, n int) {
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c1, c2 := [4]uint32{}, [4]uint32{}
			c1[0], c1[1], c1[2], c1[3] = a.At(x, y).RGBA()
			c2[0], c2[1], c2[2], c2[3] = b.At(x, y).RGBA()
			for k := range c1 {
				if d := int(c1[k]>>8) - int(c2[k]>>8); d > tol || d < -tol {
					differ++
					break
				}
			}
		}
	}
	return differ, r.Dx() * r.Dy()
}

// TestSameImage: the comparison accepts an identical image and a few
// changed pixels, and rejects a changed block and another size.
func TestSameImage(t *testing.T) {
	img := func(w, h int, block int) []byte {
		m := image.NewGray(image.Rect(0, 0, w, h))
		for i := range m.Pix {
			m.Pix[i] = uint8(i % 200)
		}
		for y := range block {
			for x := range block {
				m.Pix[y*w+x] = 255 - m.Pix[y*w+x]
			}
		}
		var b bytes.Buffer
		png.Encode(&b, m)
		return b.Bytes()
	}
	base := img(100, 100, 0)
	for _, tc := range []struct {
		name string
		got  []byte
		ok   bool
	}{
		{"same", base, true},
		{"4 pixels", img(100, 100, 2), true},        // 0.04%
		{"a 10×10 block", img(100, 100, 10), false}, // 1%
		{"another size", img(100, 90, 0), false},
	} {
		if err := sameImage(tc.got, base); (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func must(t *testing.T) func(fig Figure, err error) Figure {
	return func(fig Figure, err error) Figure {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return fig
	}
}

func goldenFeatures(t *testing.T) Figure {
	layers := smallConvLayers(t)
	g, err := segraph.Build(layers, segraph.Options{DataFree: true})
	if err != nil {
		t.Fatal(err)
	}
	grids, err := FeatureGrids(layers[1].Segments, g.AlphaNorm[g.Offsets[1]:g.Offsets[2]])
	if err != nil {
		t.Fatal(err)
	}
	return must(t)(SegmentFeatures(grids, 3))
}

func goldenKernels(t *testing.T) Figure {
	layers := smallConvLayers(t)
	g, err := segraph.Build(layers, segraph.Options{DataFree: true})
	if err != nil {
		t.Fatal(err)
	}
	var panels []*KernelPanel
	for _, gamma := range []float64{0.1, 1, 10} {
		p, err := KernelInteractions(g, 0, layers[0].Segments, layers[1].Segments, segraph.KernelRBF, gamma)
		if err != nil {
			t.Fatal(err)
		}
		panels = append(panels, p)
	}
	return must(t)(KernelWeights(panels, 20))
}

func goldenDerivatives(t *testing.T) Figure {
	d, ep := syntheticDerivatives(t)
	return must(t)(PhaseFlowLossDerivatives(d.D1, d.D2, ep, PhaseFlowOptions{}))
}

func goldenAttractors(t *testing.T) Figure {
	var entries []AttractorEntry
	for k, c := range []attractor.Class{attractor.FixedPoint, attractor.Periodic, attractor.Chaotic, attractor.Stochastic} {
		for _, l := range []string{"", "conv1", "fc1"}[:1+k%3] {
			entries = append(entries, AttractorEntry{Layer: l, Whole: true, EpochFrom: 1, EpochTo: 9, Class: c, Lyapunov: 0.01 * float64(k)})
		}
	}
	for w := range 3 {
		for i, l := range []string{"conv1", "fc1"} {
			entries = append(entries, AttractorEntry{Layer: l, EpochFrom: float64(1 + 3*w), EpochTo: float64(3 + 3*w),
				Lyapunov: 0.05*float64(w) - 0.02*float64(i), Class: attractor.Chaotic})
		}
	}
	return must(t)(AttractorSummary(entries))
}
